"""The built site, as a reader sees it: every page of _build/html in a real browser.

For every page: MathJax (served by the site itself) has typeset every equation, with no
MathJax error; no console error; no request to any host but 127.0.0.1; no response >= 400;
every content image has real alt text. A screenshot of a derivation page is saved under
_build/screenshots/, and the checker is shown to catch a page with broken LaTeX.

Needs a built site (`make book`) and a system Chromium (see site_check.CHROMIUM_MISSING).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from site_check import (
    CHROMIUM_ARGS,
    CHROMIUM_MISSING,
    SUMMARY_KEY,
    PageReport,
    check_page,
    find_chromium,
    serve,
    site_pages,
)

ROOT = Path(__file__).resolve().parents[1]
# The built site; SITE_HTML=path/to/html checks another build (e.g. a trial copy of the book).
SITE = Path(os.environ.get("SITE_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = SITE.parent / "screenshots"
SUMMARY_FILE = SITE.parent / "site-check.json"
MATHJAX_FILE = "mathjax/tex-chtml-full.js"
MATHJAX_BUDGET_BYTES = 5 * 1024 * 1024
DISPLAY_MATH = '<div class="math notranslate nohighlight">'


def tree_size(path: Path) -> int:
    """Bytes in all files under `path` (apparent size)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def derivation_page(site: Path) -> str:
    """The chapter with the most display equations: the page the screenshot shows."""
    chapters = sorted((site / "chapters").glob("*.html"))
    if not chapters:
        return "index.html"
    best = max(chapters, key=lambda p: p.read_text(encoding="utf-8").count(DISPLAY_MATH))
    return best.relative_to(site).as_posix()


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(
            f"No built site in {SITE}: run `make book` first (`make test` does).",
            pytrace=False,
        )
    return SITE


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless system Chromium with a fresh profile, driven by Playwright."""
    try:
        chromium = find_chromium()
    except FileNotFoundError as err:
        pytest.fail(str(err), pytrace=False)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def server(site: Path):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def reports(site: Path, server: str, browser, request) -> dict[str, PageReport]:
    """Load every page once; every test below reads these reports."""
    start = time.perf_counter()
    shot_page = derivation_page(site)
    shot = SCREENSHOTS / (Path(shot_page).stem + ".png")
    out = {
        rel: check_page(browser, server + rel, screenshot=shot if rel == shot_page else None)
        for rel in site_pages(site)
    }
    seconds = time.perf_counter() - start
    summary = {
        "pages_checked": len(out),
        "math_elements": sum(r.math_elements for r in out.values()),
        "math_typeset": sum(r.typeset for r in out.values()),
        "mathjax_errors": sum(len(r.merrors) for r in out.values()),
        "external_requests": sum(len(r.external_requests) for r in out.values()),
        "failed_responses": sum(len(r.failed_responses) for r in out.values()),
        "console_errors": sum(len(r.console_errors) for r in out.values()),
        "ignored_console_errors": sum(len(r.ignored_console_errors) for r in out.values()),
        "content_images": sum(r.figure_images for r in out.values()),
        "site_bytes": tree_size(site),
        "mathjax_bytes": tree_size(site / "mathjax") if (site / "mathjax").is_dir() else 0,
        "browser_seconds": round(seconds, 1),
        "screenshot": str(shot),
    }
    SUMMARY_FILE.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    request.config.stash[SUMMARY_KEY] = summary
    return out


def failures(reports: dict[str, PageReport], attribute: str) -> dict[str, list[str]]:
    return {page: getattr(r, attribute) for page, r in reports.items() if getattr(r, attribute)}


def test_every_page_is_checked(site: Path, reports: dict[str, PageReport]) -> None:
    assert "index.html" in reports
    assert any(page.startswith("chapters/") for page in reports), sorted(reports)
    assert len(reports) == len(site_pages(site))


def test_every_equation_is_typeset(reports: dict[str, PageReport]) -> None:
    assert not failures(reports, "untypeset")
    no_mathjax = [p for p, r in reports.items() if r.math_elements and not r.mathjax_loaded]
    assert not no_mathjax, f"pages with math where MathJax did not load: {no_mathjax}"
    assert sum(r.typeset for r in reports.values()) > 0


def test_no_mathjax_errors(reports: dict[str, PageReport]) -> None:
    assert not failures(reports, "merrors")


def test_no_console_errors(reports: dict[str, PageReport]) -> None:
    assert not failures(reports, "console_errors")


def test_no_request_leaves_localhost(reports: dict[str, PageReport]) -> None:
    assert not failures(reports, "external_requests")


def test_no_failed_responses(reports: dict[str, PageReport]) -> None:
    assert not failures(reports, "failed_responses")


def test_figures_have_alt_text(reports: dict[str, PageReport]) -> None:
    assert not failures(reports, "images_without_alt")
    assert sum(r.figure_images for r in reports.values()) > 0, "no figure found in the site"


def test_mathjax_is_served_by_the_site(site: Path) -> None:
    assert (site / MATHJAX_FILE).is_file(), "run `make site-assets` (part of `make book`)"
    size = tree_size(site / "mathjax")
    assert size <= MATHJAX_BUDGET_BYTES, f"MathJax takes {size} bytes"
    assert not (site / "_static" / "mathjax").exists(), "MathJax must not be in _static/"
    for rel in site_pages(site):
        html = (site / rel).read_text(encoding="utf-8")
        if re.search(r'http-equiv="refresh"', html, re.IGNORECASE):
            continue  # index.html only redirects to the first chapter
        # Exactly one configuration and one MathJax script on every page, even on pages
        # without equations (the navigation shows chapter titles with math).
        scripts = re.findall(r'<script[^>]* src="([^"]*mathjax/[^"]*)"', html)
        assert len(scripts) == 1 and MATHJAX_FILE in scripts[0], (rel, scripts)
        configs = re.findall(r"<script>window\.MathJax = (\{.*?\})</script>", html, re.DOTALL)
        assert len(configs) == 1, (rel, configs)
        packages = json.loads(configs[0])["tex"]["packages"]
        assert "noundefined" in packages["[-]"], f"{rel}: undefined macros must be errors"


def test_screenshot_of_a_derivation_page(reports: dict[str, PageReport], site: Path) -> None:
    shot = SCREENSHOTS / (Path(derivation_page(site)).stem + ".png")
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_missing_chromium_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(FileNotFoundError) as err:
        find_chromium()
    assert "apt-get install -y chromium" in str(err.value)
    assert "playwright install" in CHROMIUM_MISSING  # says not to download a browser


@pytest.fixture(scope="module")
def broken_site(site: Path, tmp_path_factory) -> tuple[Path, str]:
    """A copy of the site whose derivation page has broken LaTeX, a console error, a request
    to another host and a missing file; and a page whose MathJax script is missing."""
    copy = tmp_path_factory.mktemp("broken-site") / "html"
    shutil.copytree(site, copy)
    rel = derivation_page(copy)
    page = copy / rel
    html = page.read_text(encoding="utf-8")
    assert "</article>" in html
    bad = (
        DISPLAY_MATH + r"\[\frac{\partial S_j}{\partial z_k} = \undefinedmacro{S_j}\]</div>"
        '<img src="https://example.invalid/pixel.png" alt="an image on another host">'
        '<img src="no-such-image.png" alt="a missing image">'
        "<script>console.error('deliberate error')</script>"
    )
    page.write_text(html.replace("</article>", bad + "</article>", 1), encoding="utf-8")
    no_mathjax = re.sub(r'<script defer="defer" src="[^"]*mathjax/[^"]*"></script>', "", html)
    assert no_mathjax != html
    (page.parent / "no_mathjax.html").write_text(no_mathjax, encoding="utf-8")
    return copy, rel


def test_checker_catches_a_broken_page(broken_site: tuple[Path, str], browser) -> None:
    copy, rel = broken_site
    with serve(copy) as url:
        report = check_page(browser, url + rel)
        missing = check_page(browser, url + str(Path(rel).parent / "no_mathjax.html"))
    assert any("undefinedmacro" in m for m in report.merrors), report
    assert "deliberate error" in " ".join(report.console_errors), report
    assert report.external_requests == ["https://example.invalid/pixel.png"], report
    assert any("404" in r and "no-such-image.png" in r for r in report.failed_responses), report
    assert report.problems()
    assert not missing.mathjax_loaded and missing.math_elements > 0
    assert len(missing.untypeset) == missing.math_elements
    assert "page has math but MathJax did not load" in missing.problems()
