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

# The measurements of the last run (pages, equations, requests, sizes, time), printed by
# conftest.py at the end of the pytest run and written to _build/site-check.json.
SUMMARY_KEY = pytest.StashKey[dict]()

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


def check_page(context, url: str, screenshot: Path | None = None) -> PageReport:
    """Open `url` in a new tab of the Playwright browser `context`; return a PageReport.

    Requests to any host but 127.0.0.1 are recorded and aborted, so nothing leaves the machine.
    """
    report = PageReport(url=url)
    page = context.new_page()

    def on_route(route) -> None:
        request_url = route.request.url
        parts = urlsplit(request_url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname == LOCAL_HOST:
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
