"""The built site, as a reader sees it: every page of _build/html in a real browser.

For every page: MathJax (served by the site itself) has typeset every equation, with no
MathJax error; no console error; no request to any host but 127.0.0.1; no response >= 400;
every content image has real alt text. Then, with every collapsed block opened, in the light
and in the dark theme: the theme is in effect, every equation is displayed in a colour that
contrasts with its background, and axe-core (WCAG 2 A and AA rules) finds no serious or
critical violation. A screenshot of a derivation page is saved under _build/screenshots/,
and each check is shown to catch a page that breaks it.

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
    AXE_IMPACTS,
    BLOCKING_IMPACTS,
    SUMMARY_KEY,
    THEMES,
    PageReport,
    check_page,
    find_chromium,
    serve,
    site_pages,
)
from test_toc import toc_files

ROOT = Path(__file__).resolve().parents[1]
# The built site; SITE_HTML=path/to/html checks another build (e.g. a trial copy of the book).
SITE = Path(os.environ.get("SITE_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = SITE.parent / "screenshots"
SUMMARY_FILE = SITE.parent / "site-check.json"
MATHJAX_FILE = "mathjax/tex-chtml-full.js"
MATHJAX_BUDGET_BYTES = 5 * 1024 * 1024
DISPLAY_MATH = '<div class="math notranslate nohighlight">'
# axe-core from npm (package-lock.json), injected into every page by the check.
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Pages the build writes besides those of _toc.yml: the redirect to the first chapter,
# Sphinx's index and search pages, and sphinx-proof's index of theorems.
GENERATED_PAGES = frozenset({"index.html", "genindex.html", "search.html", "prf-prf.html"})


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
def axe_script() -> Path:
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"No {AXE_SCRIPT}: run `make site-assets` (npm ci).", pytrace=False)
    return AXE_SCRIPT


@pytest.fixture(scope="session")
def server(site: Path):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def reports(site: Path, server: str, browser, axe_script: Path, request) -> dict[str, PageReport]:
    """Load every page once; every test below reads these reports."""
    start = time.perf_counter()
    shot_page = derivation_page(site)
    shot = SCREENSHOTS / (Path(shot_page).stem + ".png")
    out = {
        rel: check_page(
            browser,
            server + rel,
            screenshot=shot if rel == shot_page else None,
            axe_script=axe_script,
        )
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
        "accessibility_seconds": round(sum(r.accessibility_seconds for r in out.values()), 1),
        "screenshot": str(shot),
        "axe_rules_run": len(set().union(*(r.axe_rules for r in out.values()))),
        "axe_violations": axe_counts(out),
        "math_checked": {t: sum(r.math_checked.get(t, 0) for r in out.values()) for t in THEMES},
    }
    SUMMARY_FILE.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    request.config.stash[SUMMARY_KEY] = summary
    return out


def axe_counts(reports: dict[str, PageReport]) -> dict[str, dict[str, dict[str, int]]]:
    """Per theme and impact: violations (one per rule and page) and the elements in them."""
    counts = {t: {i: {"violations": 0, "elements": 0} for i in AXE_IMPACTS} for t in THEMES}
    for report in reports.values():
        for theme, violations in report.axe_violations.items():
            for v in violations:
                counts[theme][v["impact"]]["violations"] += 1
                counts[theme][v["impact"]]["elements"] += v["count"]
    return counts


def failures(reports: dict[str, PageReport], attribute: str) -> dict[str, list[str]]:
    return {page: getattr(r, attribute) for page, r in reports.items() if getattr(r, attribute)}


def blocking_violations(reports: dict[str, PageReport]) -> dict[str, list[str]]:
    """Serious and critical axe-core violations, per page and theme."""
    out = {}
    for page, report in reports.items():
        for theme, violations in report.axe_violations.items():
            found = [
                f"{v['impact']} {v['id']}: {v['help']} ({v['count']}): " + "; ".join(v["nodes"])
                for v in violations
                if v["impact"] in BLOCKING_IMPACTS
            ]
            if found:
                out[f"{page} ({theme})"] = found
    return out


def invisible_math(reports: dict[str, PageReport]) -> dict[str, list[str]]:
    """Equations not displayed, or in a colour too close to their background, per theme."""
    return {
        f"{page} ({theme})": hidden
        for page, report in reports.items()
        for theme, hidden in report.hidden_math.items()
        if hidden
    }


def test_every_page_is_checked(reports: dict[str, PageReport]) -> None:
    """The pages checked are those the table of contents implies, and no others."""
    expected = {f"{entry}.html" for entry in toc_files()} | GENERATED_PAGES
    checked = set(reports)
    assert checked == expected, (
        f"not checked: {sorted(expected - checked)}; unexpected: {sorted(checked - expected)}"
    )


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


def test_no_serious_accessibility_violation(reports: dict[str, PageReport]) -> None:
    assert not blocking_violations(reports)


def test_axe_ran_on_every_page_in_both_themes(reports: dict[str, PageReport]) -> None:
    not_run = [p for p, r in reports.items() if set(r.axe_violations) != set(THEMES)]
    assert not not_run, f"axe-core did not run in both themes on {not_run}"
    # WCAG 2 A/AA holds about 50 rules in axe-core 4; fewer means the tags were not applied.
    assert len(set().union(*(r.axe_rules for r in reports.values()))) >= 40


def test_both_themes_take_effect(reports: dict[str, PageReport]) -> None:
    assert not failures(reports, "theme_errors")


def test_every_equation_is_visible_in_both_themes(reports: dict[str, PageReport]) -> None:
    assert not invisible_math(reports)
    seen = {theme: [r.math_checked.get(theme, 0) for r in reports.values()] for theme in THEMES}
    assert seen["light"] == seen["dark"] and sum(seen["light"]) > 0, seen


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
    message = str(err.value)
    assert "at CHROMIUM=/nonexistent/chromium" in message  # names the path that was tried
    assert "apt-get install -y chromium" in message
    assert "Do not run `playwright install`" in message  # says not to download a browser


@pytest.fixture(scope="module")
def broken_site(site: Path, tmp_path_factory) -> tuple[Path, str]:
    """A copy of the site whose derivation page has broken LaTeX, an equation drawn in the
    page's background colour, text of low contrast, a list without list items, a console
    error, a request to another host and a missing file; a page whose MathJax script is
    missing, and one without the theme's style sheet (so its dark theme does not work)."""
    copy = tmp_path_factory.mktemp("broken-site") / "html"
    shutil.copytree(site, copy)
    rel = derivation_page(copy)
    page = copy / rel
    html = page.read_text(encoding="utf-8")
    assert "</article>" in html
    bad = (
        DISPLAY_MATH
        + r"\[\frac{\partial S_j}{\partial z_k} = \undefinedmacro{S_j}\]</div>"
        + DISPLAY_MATH.replace(">", ' style="color: var(--pst-color-background)">', 1)
        + r"\[S_j(1 - S_j)\]</div>"
        '<p style="color: #767676; background: #808080">grey on grey</p>'
        '<div role="list"><a href="#">a list item that is not one</a></div>'
        '<img src="https://example.invalid/pixel.png" alt="an image on another host">'
        '<img src="no-such-image.png" alt="a missing image">'
        "<script>console.error('deliberate error')</script>"
    )
    page.write_text(html.replace("</article>", bad + "</article>", 1), encoding="utf-8")
    no_mathjax = re.sub(r'<script defer="defer" src="[^"]*mathjax/[^"]*"></script>', "", html)
    assert no_mathjax != html
    (page.parent / "no_mathjax.html").write_text(no_mathjax, encoding="utf-8")
    no_theme = re.sub(r"<link [^>]*pydata-sphinx-theme\.css[^>]*>", "", html)
    assert no_theme != html
    (page.parent / "no_theme.html").write_text(no_theme, encoding="utf-8")
    return copy, rel


def test_checker_catches_a_broken_page(broken_site: tuple[Path, str], browser) -> None:
    """Each check of the site above reports the defect it is for, through the same
    functions the tests above use."""
    copy, rel = broken_site
    folder = Path(rel).parent
    with serve(copy) as url:
        broken = {rel: check_page(browser, url + rel, axe_script=AXE_SCRIPT)}
        missing = {"no_mathjax": check_page(browser, url + str(folder / "no_mathjax.html"))}
        unstyled = {
            "no_theme": check_page(browser, url + str(folder / "no_theme.html"), themes=True)
        }
    report = broken[rel]
    assert any("undefinedmacro" in m for m in failures(broken, "merrors")[rel]), report
    assert "deliberate error" in " ".join(failures(broken, "console_errors")[rel]), report
    assert failures(broken, "external_requests") == {rel: ["https://example.invalid/pixel.png"]}
    assert any("404" in r and "no-such-image.png" in r for r in report.failed_responses), report
    # Accessibility, in both themes: the grey text and the list without items.
    blocking = blocking_violations(broken)
    for theme in THEMES:
        found = " ".join(blocking.get(f"{rel} ({theme})", []))
        assert "serious color-contrast" in found, (theme, blocking)
        assert "critical aria-required-children" in found, (theme, blocking)
        # The equation in the background's colour is typeset but not visible.
        hidden = invisible_math(broken).get(f"{rel} ({theme})", [])
        assert any(h.startswith("contrast 1.00: ") for h in hidden), (theme, hidden)
    # The page without MathJax: no equation typeset.
    page = missing["no_mathjax"]
    assert not page.mathjax_loaded and page.math_elements > 0
    assert len(failures(missing, "untypeset")["no_mathjax"]) == page.math_elements
    assert "page has math but MathJax did not load" in page.problems()
    # The page without the theme's style sheet: its dark theme is not in effect.
    themes = failures(unstyled, "theme_errors").get("no_theme", [])
    assert any(t.startswith("dark theme not in effect") for t in themes), themes
