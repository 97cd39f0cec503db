"""The browser checks' fixtures (README.md, "Checks"): the system's Chromium, the site
($BOOK_HTML, else _build/html) on 127.0.0.1, and `measure`, what a page does in the browser."""

import functools
import http.server
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tools.book_metrics import toc_pages

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("BOOK_HTML") or ROOT / "_build" / "html").resolve()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
DOWNLOADS = CONFIG["sphinx"]["config"]["html_context"]["book_downloads"]  # file names
TOC = [str(page.relative_to(ROOT).with_suffix("")) for page in toc_pages()]  # _toc.yml's order
SCREENSHOTS = SITE.parent / "screenshots"
CHROMIUM_FLAGS = """--no-sandbox --disable-background-networking --disable-component-update
    --disable-sync --no-first-run --disable-quic --disable-gpu""".split()
CHROMIUM_MISSING = """No Chromium at {}. Install your system's package
(Debian: sudo apt-get install -y chromium; Ubuntu: chromium-browser; macOS: brew install
--cask chromium) or name any Chromium or Chrome: CHROMIUM=/path/to/chromium make test.
Do not run `playwright install`: the checks use the system browser."""
THEMES = ("light", "dark")  # the theme switch of pydata-sphinx-theme
# jupyter-book 1.0.4 (sphinx-thebe) declares `const THEBE_JS_URL` twice in every page: a
# harmless SyntaxError, the only console error allowed.
KNOWN_CONSOLE_ERROR = "SyntaxError: Identifier 'THEBE_JS_URL' has already been declared"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # npm, package-lock.json
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_MIN_RULES = 40  # of about 60 rules for these tags (far fewer: the tags were not applied)
PAGE_CHECKS = ("equations-typeset", "mathjax-errors", "console-errors", "offsite-requests")
PAGE_CHECKS += ("failed-responses", "alt-text")
THEME_CHECKS = ("theme-in-effect", "equations-visible", "axe")  # "axe (dark)": in each theme
CHECKS = PAGE_CHECKS + tuple(f"{check} ({theme})" for theme in THEMES for check in THEME_CHECKS)


def find_chromium() -> str:
    """$CHROMIUM or /usr/bin/chromium; if absent, the test fails saying how to get one."""
    path = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        pytest.fail(CHROMIUM_MISSING.format(path), pytrace=False)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": find_chromium(), "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"No built site in {SITE}: run `make book` first.", pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def site_url(site: Path):
    quiet = type(
        "Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *_: None}
    )
    handler = functools.partial(quiet, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()


def site_pages(site: Path, skip=("_static", "slides")) -> list[str]:
    """Every HTML page of the site (`_static/`: templates; `slides/`: tests/test_slides.py)."""
    pages = (p.relative_to(site) for p in site.rglob("*.html"))
    return sorted(p.as_posix() for p in pages if p.parts[0] not in skip)


def open_deck(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-deck-ready]", state="attached", timeout=30_000)


def block_offsite(page) -> list[str]:
    """Abort every request of a Playwright page to a host but 127.0.0.1; return the list
    (filled as the page loads) of the URLs so refused."""
    refused: list[str] = []

    def route(route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob", "about", "file") or url.hostname == "127.0.0.1":
            return route.continue_()
        refused.append(route.request.url)
        route.abort()

    page.route("**/*", route)
    return refused


AXE_JS = """async ([include, tags]) => {
  const r = await axe.run(include || document, {runOnly: {type: 'tag', values: tags},
                                                resultTypes: ['violations']});
  const ran = [...r.violations, ...r.passes, ...r.incomplete, ...r.inapplicable].map(x => x.id);
  return {rules: new Set(ran).size,
    violations: r.violations.map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}): `
      + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ('
        + (n.failureSummary || '').split('\\n').slice(1).join(' ').trim() + ')').join('; '))};
}"""


def axe(page, include: str | None = None) -> dict:
    """axe-core's WCAG 2 A and AA rules on the page, or on the elements `include` selects:
    how many rules ran, and the violations found."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"No {AXE_SCRIPT}: run `make site-assets` (npm ci).", pytrace=False)
    if not page.evaluate("!!window.axe"):
        page.add_script_tag(path=AXE_SCRIPT)
    return page.evaluate(AXE_JS, [include and {"include": [include]}, AXE_TAGS])


# After load: waits for MathJax's first typeset and the fonts; the math, its errors, and
# every image without real alt text.
INSPECT_JS = """async () => {
  const mj = window.MathJax, loaded = !!(mj && mj.startup && mj.startup.promise);
  const within = (p) => Promise.race([p, new Promise((r) => setTimeout(r, 20000))]);
  if (loaded) { await within(mj.startup.promise); }  // bounded: a check fails, never hangs
  await within(document.fonts.ready);
  const maths = [...document.querySelectorAll('.math')];
  const tex = (e) => ((e.closest('mjx-container') || e).parentElement || e).textContent;
  return {math: maths.length, images: document.querySelectorAll('article img').length,
    typeset: document.querySelectorAll('mjx-container').length,
    untypeset: maths.filter(e => !e.querySelector('mjx-container'))
      .map(e => e.textContent.trim().slice(0, 200))
      .concat(maths.length && !loaded ? ['page has math but MathJax did not load'] : []),
    merrors: [...document.querySelectorAll('mjx-merror')].map(e => ((e.dataset.mjxError
      || e.title || '') + ' in ' + tex(e)).trim().slice(0, 300)),
    badAlt: [...document.querySelectorAll('img')].filter(i => /^\\s*(<(Figure size|matplotlib)|$)/i
      .test(i.getAttribute('alt') || '')).map(i => (i.getAttribute('src') || '?').slice(0, 80)
      + ' alt=' + JSON.stringify(i.getAttribute('alt')))};
}"""

# Opens every collapsed block (sphinx-togglebutton, <details>); how many stay closed.
EXPAND_JS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => document.getElementById(
    'button-' + e.id)?.click());
  return document.querySelectorAll('.toggle-hidden, details:not([open])').length;
}"""

# Switches the theme as the theme switch does, its transitions brought to their end; the page's
# background and text, and each equation: displayed, and its colour's contrast (WCAG) with the
# colours behind it. (The navigation may hide a title; the article shows every one.)
THEME_JS = """(theme) => {
  const root = document.documentElement;
  root.dataset.mode = root.dataset.theme = theme;
  document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity)
    .forEach((a) => a.finish());  // a spinner never ends: it runs on
  const unparsed = new Set();
  const parse = (css) => {
    const m = css.match(/^rgba?\\(([^)]*)\\)$/);
    if (!m) { unparsed.add(css); return [0, 0, 0, 0]; }
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (t, u) => [0, 1, 2].map(i => t[i] * t[3] + u[i] * (1 - t[3])).concat([1]);
  const behind = (el) => el ? over(parse(getComputedStyle(el).backgroundColor),
                                   behind(el.parentElement)) : [255, 255, 255, 1];
  const f = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const lum = (c) => 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  const contrast = (el) => {
    const bg = behind(el), fg = lum(over(parse(getComputedStyle(el).color), bg));
    return (Math.max(fg, lum(bg)) + 0.05) / (Math.min(fg, lum(bg)) + 0.05);
  };
  const article = document.querySelector('article') || document.body, hidden = [];
  let checked = 0;
  for (const c of document.querySelectorAll('mjx-container')) {
    const box = c.getBoundingClientRect(), tex = c.parentElement.textContent.trim().slice(0, 80);
    if (c.checkVisibility({opacityProperty: true, visibilityProperty: true}) && box.width
        && box.height) {
      checked += 1;
      const ratio = contrast(c);
      if (ratio < 4.5) { hidden.push('contrast ' + ratio.toFixed(2) + ': ' + tex); }
    } else if (article.contains(c)) { hidden.push('not displayed: ' + tex); }
  }
  return {theme: root.dataset.theme, pageLuminance: lum(behind(document.body)),
          textContrast: contrast(article), hidden, checked, unparsed: [...unparsed]};
}"""


def measure(context, url, *, screenshot=None, themes=THEMES, fulfill=None) -> dict:
    """Open `url` in a new tab of a Playwright browser or context; return the counts, the
    equations shown in each of `themes` ("checked") and the problems each of CHECKS found.
    `screenshot`: a path for one of the first display equation; `fulfill`: {URL: HTML}."""
    page, pending, console, failures = context.new_page(), set(), [], []
    page.set_viewport_size({"width": 1280, "height": 900})
    offsite = block_offsite(page)
    for target, html in (fulfill or {}).items():
        page.route(target, lambda r, _, body=html: r.fulfill(body=body, content_type="text/html"))

    def failed(request, status="") -> None:
        pending.discard(request)
        if request.url not in offsite:
            failures.append(f"{status or request.failure} {request.url}")

    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: console.append(f"{err.name or 'Error'}: {err}"))
    page.on("response", lambda r: failed(r.request, r.status) if r.status >= 400 else None)
    page.on("request", lambda request: pending.add(request))
    page.on("requestfinished", lambda request: pending.discard(request))
    page.on("requestfailed", failed)
    try:
        page.goto(url, wait_until="load")
        # index.html only redirects (meta refresh): inspect the chapter it leads to.
        page.wait_for_function("!document.querySelector('meta[http-equiv=refresh i]')")
        page.wait_for_load_state("load")
        seen = page.evaluate(INSPECT_JS) | {"final_url": page.url, "checked": {}}
        if screenshot is not None:
            page.locator("div.math").first.scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -120)")
            page.screenshot(path=screenshot)
        closed = page.evaluate(EXPAND_JS) if themes else 0
        problems = {}
        for theme in themes:
            t = page.evaluate(THEME_JS, theme)
            in_effect = [f"{closed} collapsed blocks did not open"] if closed else []
            light = (t["pageLuminance"] > 0.5) == (theme == "light")
            if t["theme"] != theme or not light or t["textContrast"] < 4.5 or t["unparsed"]:
                in_effect.append(f"{theme} theme not in effect: {t}")
            ran = axe(page)
            if ran["rules"] < AXE_MIN_RULES:
                ran["violations"].append(f"{ran['rules']} axe rules ran, not {AXE_MIN_RULES}")
            found = (in_effect, t["hidden"], ran["violations"])
            problems |= {f"{c} ({theme})": p for c, p in zip(THEME_CHECKS, found, strict=True)}
            seen["checked"][theme] = t["checked"]
        deadline = time.monotonic() + 10  # every request finished (or 10 s): late ones seen too
        while pending and time.monotonic() < deadline:
            page.wait_for_timeout(20)
    finally:
        page.close()
    console = [text for text in console if text != KNOWN_CONSOLE_ERROR]
    found = (seen["untypeset"], seen["merrors"], console, offsite, failures, seen["badAlt"])
    seen["problems"] = dict(zip(PAGE_CHECKS, found, strict=True)) | problems
    return seen
