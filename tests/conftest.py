"""Fixtures of the browser checks, and the measurements printed at the end of the run.

The browser tests (tests/test_site*.py, test_archive.py, test_lab.py, test_slides.py) use
pytest-playwright's fixtures (`browser`, `context`, `page`, ...), launched on the system's
Chromium (/usr/bin/chromium, or CHROMIUM=/path/to/chromium), never on a browser Playwright
downloads: no test needs the network. Added here:

- `site_url`: the built site (the folder $BOOK_HTML, else _build/html) served over http on
  127.0.0.1 at a free port, for the whole session; its base URL, ending in "/".
- `offsite_requests`: the requests the test's `context` (so its `page`) made to any host but
  127.0.0.1, each aborted, never sent. After loading a page, `assert offsite_requests == []`.
  site_check.block_offsite(page_or_context) does the same for a page or context made by hand.
"""

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from site_check import PDF_SUMMARY_KEY, SUMMARY_KEY, block_offsite, find_chromium

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("BOOK_HTML") or ROOT / "_build" / "html").resolve()
CHROMIUM_FLAGS = """--no-sandbox --disable-background-networking --disable-component-update
    --disable-sync --no-first-run --disable-quic --disable-gpu""".split()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    try:
        chromium = find_chromium()
    except FileNotFoundError as err:
        pytest.fail(str(err), pytrace=False)
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site's folder: $BOOK_HTML, else _build/html."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"No built site in {SITE}: run `make book` first.", pytrace=False)
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(site: Path):
    handler = functools.partial(_QuietHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()


@pytest.fixture
def offsite_requests(context) -> list[str]:
    return block_offsite(context)


def pytest_configure(config) -> None:
    # pytest-playwright's own base_url fixture is a method of a class (pytest 9 warns).
    warning = "ignore:Session-scoped fixtures defined as instance methods"
    config.addinivalue_line("filterwarnings", warning)


def pytest_terminal_summary(terminalreporter, config) -> None:
    for title, key in (("PDF", PDF_SUMMARY_KEY), ("site check (browser)", SUMMARY_KEY)):
        if summary := config.stash.get(key, None):
            terminalreporter.write_sep("-", title)
            terminalreporter.write_line(", ".join(f"{k} {v}" for k, v in summary.items()))
