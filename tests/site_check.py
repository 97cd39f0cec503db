"""Load pages of the built site in a real browser and report what a reader would see.

Used by tests/test_site.py. The browser is a system Chromium (Debian's package on CI)
driven by Playwright; Playwright's own browser downloads are never used, so the check
runs on a machine with no network. Pages are served from 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

LOCAL_HOST = "127.0.0.1"

# jupyter-book 1.0.4 (sphinx-thebe) writes `const THEBE_JS_URL = ...` twice into every
# page; the second declaration is a harmless SyntaxError. It is the only console error
# the site is allowed to have, matched by its exact text.
KNOWN_CONSOLE_ERRORS = frozenset(
    {"SyntaxError: Identifier 'THEBE_JS_URL' has already been declared"}
)

# The themes a reader can pick with the theme switch (pydata-sphinx-theme).
THEMES = ("light", "dark")

# axe-core (npm, pinned in package-lock.json) is injected into each page from this file;
# the rules run are those of WCAG 2.0, 2.1 and 2.2, levels A and AA. A violation of these
# impacts fails the check; minor and moderate ones are reported.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE_IMPACTS = ("critical", "serious", "moderate", "minor")

# The measurements of the last run (pages, equations, requests, sizes, time), printed by
# conftest.py at the end of the pytest run and written to _build/site-check.json.
SUMMARY_KEY = pytest.StashKey[dict]()
# The same for the PDF check (tests/test_pdf.py): pages and size.
PDF_SUMMARY_KEY = pytest.StashKey[dict]()

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

CHROMIUM_MISSING = """\
The site check needs a Chromium browser, and none was found{where}.
Install your system's Chromium package, then run the tests again:
  Debian / Ubuntu:  sudo apt-get update && sudo apt-get install -y chromium
                    (on Ubuntu the package may be called chromium-browser)
  Fedora:           sudo dnf install chromium
  macOS:            brew install --cask chromium
or point the check at any Chromium or Chrome binary:  CHROMIUM=/path/to/chromium make test
(Do not run `playwright install`: the check uses the system browser.)"""


def find_chromium() -> str:
    """The path of a system Chromium; FileNotFoundError, saying how to get one, if none."""
    env = os.environ.get("CHROMIUM")
    if env:
        if Path(env).is_file() and os.access(env, os.X_OK):
            return env
        raise FileNotFoundError(CHROMIUM_MISSING.format(where=f" at CHROMIUM={env}"))
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise FileNotFoundError(CHROMIUM_MISSING.format(where=" at /usr/bin/chromium or on PATH"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at a free port; yield the base URL (ending in '/')."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class PageReport:
    """What one page did in the browser."""

    url: str
    final_url: str = ""  # where the page ended (differs after a redirect)
    math_elements: int = 0  # elements with class "math" (Sphinx's inline and display math)
    typeset: int = 0  # MathJax containers rendered on the page
    untypeset: list[str] = field(default_factory=list)  # TeX of .math elements MathJax left alone
    merrors: list[str] = field(default_factory=list)  # MathJax errors shown on the page
    console_errors: list[str] = field(default_factory=list)
    ignored_console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)  # blocked, never sent
    failed_responses: list[str] = field(default_factory=list)  # status >= 400, or no response
    images_without_alt: list[str] = field(default_factory=list)
    figure_images: int = 0  # images in the article (the page's content)
    mathjax_loaded: bool = False
    # Per theme ("light", "dark"), with every collapsed block opened:
    theme_errors: list[str] = field(default_factory=list)  # the theme did not switch
    hidden_math: dict[str, list[str]] = field(default_factory=dict)  # not visible, low contrast
    math_checked: dict[str, int] = field(default_factory=dict)  # equations seen in each theme
    axe_violations: dict[str, list[dict]] = field(default_factory=dict)  # axe-core's findings
    axe_rules: set[str] = field(default_factory=set)  # the axe rules that ran on the page
    accessibility_seconds: float = 0.0  # time taken by the checks in both themes

    def problems(self) -> list[str]:
        """Every failure on this page, one line each."""
        out = [f"untypeset math: {t!r}" for t in self.untypeset]
        out += [f"MathJax error: {t!r}" for t in self.merrors]
        out += [f"console error: {t!r}" for t in self.console_errors]
        out += [f"request to another host: {t}" for t in self.external_requests]
        out += [f"failed response: {t}" for t in self.failed_responses]
        out += [f"image without real alt text: {t}" for t in self.images_without_alt]
        if self.math_elements and not self.mathjax_loaded:
            out.append("page has math but MathJax did not load")
        out += [f"theme: {t}" for t in self.theme_errors]
        for theme, hidden in self.hidden_math.items():
            out += [f"{theme} theme: equation not visible: {t}" for t in hidden]
        for theme, violations in self.axe_violations.items():
            out += [
                f"{theme} theme: accessibility ({v['impact']}): {v['id']}: {v['help']}: "
                + "; ".join(v["nodes"])
                for v in violations
                if v["impact"] in BLOCKING_IMPACTS
            ]
        return out


# Runs in the page once it has loaded: waits for MathJax's first typeset and the web fonts,
# then collects what the reader sees.
_INSPECT_JS = """
async () => {
  const mj = window.MathJax;
  const loaded = !!(mj && mj.startup && mj.startup.promise);
  if (loaded) { await mj.startup.promise; }
  await document.fonts.ready;
  const maths = Array.from(document.querySelectorAll('.math'));
  const untypeset = maths.filter(e => !e.querySelector('mjx-container'))
                         .map(e => e.textContent.trim().slice(0, 200));
  const merrors = Array.from(document.querySelectorAll('mjx-merror')).map(e => {
    const msg = e.getAttribute('data-mjx-error') || e.getAttribute('title') || '';
    const container = e.closest('mjx-container');
    const src = container && container.parentElement ? container.parentElement.textContent : '';
    return (msg + ' in ' + (src || e.textContent)).trim().slice(0, 300);
  });
  // Every image needs real alt text; the article's images are the figures.
  const imgs = Array.from(document.querySelectorAll('img'));
  const figures = Array.from(document.querySelectorAll('article img'));
  const badAlt = imgs.filter(img => {
    const alt = (img.getAttribute('alt') || '').trim();
    return alt === '' || /^<Figure size/i.test(alt) || /^<matplotlib/i.test(alt);
  }).map(img => (img.getAttribute('src') || '?') + ' alt='
                + JSON.stringify(img.getAttribute('alt')));
  return {
    loaded,
    math: maths.length,
    typeset: document.querySelectorAll('mjx-container').length,
    untypeset,
    merrors,
    figureImages: figures.length,
    badAlt,
  };
}
"""


# Opens every collapsed block (solution dropdowns of sphinx-togglebutton, hidden cells in
# <details>), so what a reader can unfold is checked too; returns how many stay closed.
_EXPAND_JS = """
() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(item => {
    const button = document.getElementById('button-' + item.id);
    if (button) { button.click(); }
  });
  return document.querySelectorAll('.toggle-hidden, details:not([open])').length;
}
"""

# Switches the theme as the theme switch does (data-mode and data-theme on <html>), waits
# for the transitions, then measures: the page's background and text, and every equation
# (MathJax container): its size and the contrast of its colour with what is behind it.
_THEME_JS = """
async (theme) => {
  const root = document.documentElement;
  root.dataset.mode = theme;
  root.dataset.theme = theme;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
  const unparsed = new Set();
  const parse = (css) => {
    const m = css.match(/^rgba?\\(([^)]*)\\)$/);
    if (!m) { unparsed.add(css); return [0, 0, 0, 0]; }
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {  // `top` composited over the opaque colour `under`
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const chain = [];
    for (let e = el; e; e = e.parentElement) { chain.push(e); }
    let colour = [255, 255, 255, 1];  // the browser's canvas
    for (const e of chain.reverse()) {
      colour = over(parse(getComputedStyle(e).backgroundColor), colour);
    }
    return colour;
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const textContrast = (el) => {
    const bg = background(el);
    return contrast(over(parse(getComputedStyle(el).color), bg), bg);
  };
  const article = document.querySelector('article') || document.body;
  const hidden = [];
  let checked = 0;
  for (const c of document.querySelectorAll('mjx-container')) {
    const inArticle = article.contains(c);
    const box = c.getBoundingClientRect();
    const shown = c.checkVisibility({opacityProperty: true, visibilityProperty: true})
                  && box.width > 0 && box.height > 0;
    const tex = (c.parentElement ? c.parentElement.textContent : c.textContent)
                .trim().slice(0, 80);
    if (!shown) {
      // The navigation may hide a title responsively; the article shows every equation.
      if (inArticle) { hidden.push('not displayed: ' + tex); }
      continue;
    }
    checked += 1;
    const ratio = textContrast(c);
    if (ratio < 4.5) { hidden.push('contrast ' + ratio.toFixed(2) + ': ' + tex); }
  }
  return {
    theme: root.dataset.theme,
    pageLuminance: luminance(background(document.body)),
    textContrast: textContrast(article),
    hidden,
    checked,
    unparsed: Array.from(unparsed),
  };
}
"""

_AXE_RUN_JS = """
async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']});
  const rules = [...r.violations, ...r.passes, ...r.incomplete, ...r.inapplicable]
                .map(x => x.id);
  const violations = r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ('
           + (n.failureSummary || '').split('\\n').slice(1).join(' ').trim() + ')'),
  }));
  return {rules, violations};
}
"""


def check_accessibility(page, report: PageReport, axe_script: Path | None) -> None:
    """With every collapsed block open, in each theme: the theme really switched, every
    equation is displayed in a colour that contrasts with its background, and axe-core (from
    `axe_script`; skipped if None) finds the page's WCAG 2 A/AA violations (all recorded in
    `report`)."""
    start = time.perf_counter()
    still_closed = page.evaluate(_EXPAND_JS)
    if still_closed:
        report.theme_errors.append(f"{still_closed} collapsed blocks did not open")
    if axe_script is not None:
        page.add_script_tag(path=str(axe_script))
    for theme in THEMES:
        seen = page.evaluate(_THEME_JS, theme)
        light = theme == "light"
        if (
            seen["theme"] != theme
            or (seen["pageLuminance"] > 0.5) != light
            or seen["textContrast"] < 4.5
            or seen["unparsed"]
        ):
            report.theme_errors.append(f"{theme} theme not in effect: {seen}")
        report.hidden_math[theme] = seen["hidden"]
        report.math_checked[theme] = seen["checked"]
        if axe_script is None:
            continue
        result = page.evaluate(_AXE_RUN_JS, AXE_TAGS)
        report.axe_rules.update(result["rules"])
        report.axe_violations[theme] = result["violations"]
    report.accessibility_seconds = time.perf_counter() - start


def check_page(
    context,
    url: str,
    screenshot: Path | None = None,
    axe_script: Path | None = None,
    themes: bool | None = None,
) -> PageReport:
    """Open `url` in a new tab of the Playwright browser `context`; return a PageReport.

    Requests to any host but 127.0.0.1 are recorded and aborted, so nothing leaves the machine.
    With `themes` (by default, when `axe_script`, axe-core's axe.min.js, is given), the page
    is also checked in the light and the dark theme (check_accessibility).
    """
    report = PageReport(url=url)
    page = context.new_page()

    def on_route(route) -> None:
        request_url = route.request.url
        parts = urlsplit(request_url)
        if parts.scheme in ("data", "blob", "about", "file") or parts.hostname == LOCAL_HOST:
            route.continue_()
        else:
            report.external_requests.append(request_url)
            route.abort()

    def on_console(msg) -> None:
        if msg.type == "error":
            _record_error(report, msg.text)

    def on_pageerror(error) -> None:
        name = getattr(error, "name", "") or "Error"
        _record_error(report, f"{name}: {error.message}")

    def on_response(response) -> None:
        if response.status >= 400:
            report.failed_responses.append(f"{response.status} {response.url}")

    def on_requestfailed(request) -> None:
        if request.url not in report.external_requests:
            report.failed_responses.append(f"{request.failure} {request.url}")

    page.route("**/*", on_route)
    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    page.on("response", on_response)
    page.on("requestfailed", on_requestfailed)
    try:
        page.goto(url, wait_until="load")
        result = _inspect(page)
        # Let anything started after load (fonts, lazy scripts) finish, so it is seen.
        page.wait_for_load_state("networkidle")
        report.final_url = page.url
        report.mathjax_loaded = result["loaded"]
        report.math_elements = result["math"]
        report.typeset = result["typeset"]
        report.untypeset = result["untypeset"]
        report.merrors = result["merrors"]
        report.figure_images = result["figureImages"]
        report.images_without_alt = result["badAlt"]
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            first = page.locator("div.math").first
            if first.count():
                first.scroll_into_view_if_needed()
                page.evaluate("window.scrollBy(0, -120)")
            page.screenshot(path=str(screenshot))
        if themes or (themes is None and axe_script is not None):
            check_accessibility(page, report, axe_script)
    finally:
        page.close()
    return report


def _inspect(page, attempts: int = 3) -> dict:
    """Run the inspection script; a page that redirects (index.html's meta refresh) is
    inspected where it lands."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(attempts):
        try:
            return page.evaluate(_INSPECT_JS)
        except PlaywrightError as err:
            if "context was destroyed" not in str(err) or attempt == attempts - 1:
                raise
            page.wait_for_load_state("load")
    raise AssertionError("unreachable")


def _record_error(report: PageReport, text: str) -> None:
    if text in KNOWN_CONSOLE_ERRORS:
        report.ignored_console_errors.append(text)
    else:
        report.console_errors.append(text)


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as paths relative to `site`.

    `_static/` holds the theme's Jinja macro files (`*webpack-macros.html`), not pages.
    """
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.relative_to(site).parts[0] != "_static"
    )
