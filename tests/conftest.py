"""Fixtures of the browser checks, and the measurements printed at the end of the run.

The browser tests (tests/test_site*.py, test_archive.py, test_lab.py) use pytest-playwright's
fixtures (`browser`, `context`, `page`, ...), launched on the system's Chromium
(/usr/bin/chromium, or CHROMIUM=/path/to/chromium), never on a browser Playwright downloads:
no test needs the network. Added here:

- `site_url`: the built site (the folder $BOOK_HTML, else _build/html) served over http on
  127.0.0.1 at a free port, for the whole session; its base URL, ending in "/".
- `offsite_requests`: the requests the test's `context` (so its `page`) made to any host but
  127.0.0.1, each aborted, never sent. After loading a page, `assert offsite_requests == []`.
  `block_offsite(page_or_context)` does the same for a page or context made by hand.
"""

import contextlib
import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from site_check import PDF_SUMMARY_KEY, SUMMARY_KEY

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("BOOK_HTML") or ROOT / "_build" / "html").resolve()
LOCAL_HOST = "127.0.0.1"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
]
CHROMIUM_MISSING = """\
The browser checks need a Chromium browser, and none was found at {where}.
Install your system's Chromium package, then run the tests again:
  Debian / Ubuntu:  sudo apt-get update && sudo apt-get install -y chromium
                    (on Ubuntu the package may be called chromium-browser)
  Fedora:           sudo dnf install chromium
  macOS:            brew install --cask chromium
or point the checks at any Chromium or Chrome binary:  CHROMIUM=/path/to/chromium make test
(Do not run `playwright install`: the checks use the system browser.)"""


def find_chromium() -> str:
    """$CHROMIUM or /usr/bin/chromium; FileNotFoundError, saying how to get one, if absent."""
    path = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        raise FileNotFoundError(CHROMIUM_MISSING.format(where=path))
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    try:
        chromium = find_chromium()
    except FileNotFoundError as err:
        pytest.fail(str(err), pytrace=False)
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_FLAGS}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path):
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


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site's folder: $BOOK_HTML, else _build/html."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"No built site in {SITE}: run `make book` first.", pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def site_url(site: Path):
    with serve(site) as url:
        yield url


def block_offsite(target) -> list[str]:
    """Abort every request of a Playwright page or context to a host but 127.0.0.1; return
    the list (filled as the page loads) of the URLs so refused."""
    refused: list[str] = []

    def route(route) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob", "about", "file") or parts.hostname == LOCAL_HOST:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    target.route("**/*", route)
    return refused


@pytest.fixture
def offsite_requests(context) -> list[str]:
    return block_offsite(context)


def pytest_configure(config) -> None:
    # pytest-playwright's own base_url fixture, a method of a class (pytest 9 warns).
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods"
    )


def pytest_terminal_summary(terminalreporter, config) -> None:
    pdf = config.stash.get(PDF_SUMMARY_KEY, None)
    if pdf:
        terminalreporter.write_sep("-", "PDF")
        terminalreporter.write_line(
            f"{pdf['pdf']}: {pdf['pages']} pages, {pdf['bytes'] / 1024 / 1024:.1f} MiB"
        )
    summary = config.stash.get(SUMMARY_KEY, None)
    if not summary:
        return
    terminalreporter.write_sep("-", "site check (browser)")
    mib = 1024 * 1024
    terminalreporter.write_line(
        f"{summary['pages_checked']} pages checked in {summary['browser_seconds']} s "
        f"(of which {summary['accessibility_seconds']} s for both themes' checks and axe-core); "
        f"{summary['math_typeset']} equations typeset ({summary['math_elements']} math elements), "
        f"{summary['mathjax_errors']} MathJax errors; {summary['external_requests']} requests "
        f"to other hosts; {summary['failed_responses']} failed responses; "
        f"{summary['console_errors']} console errors "
        f"(+{summary['ignored_console_errors']} known THEBE_JS_URL); "
        f"{summary['content_images']} content images"
    )
    axe = summary.get("axe_violations", {})
    for theme, impacts in axe.items():
        counts = ", ".join(
            f"{n['violations']} {impact} ({n['elements']} elements)"
            for impact, n in impacts.items()
        )
        terminalreporter.write_line(
            f"axe-core, {theme} theme: {summary['axe_rules_run']} rules run; violations: "
            f"{counts}; {summary['math_checked'][theme]} equations visible"
        )
    terminalreporter.write_line(
        f"site {summary['site_bytes'] / mib:.1f} MiB, of which MathJax "
        f"{summary['mathjax_bytes'] / mib:.1f} MiB; screenshot: {summary['screenshot']}"
    )
