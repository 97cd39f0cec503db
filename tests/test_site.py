"""Every page of the built site in Chromium, in the light and the dark theme (README.md,
"Checks"): measured once by conftest.measure, to _build/site-check.json and a screenshot."""

import json
import re
import time
from pathlib import Path

import pytest

from conftest import CHECKS, SCREENSHOTS, THEMES, TOC, find_chromium, measure, site_pages

MATHJAX_FILE = "mathjax/tex-chtml-full.js"
DISPLAY_MATH = '<div class="math notranslate nohighlight">'
# The redirect to the first chapter, Sphinx's index and search, sphinx-proof's index.
GENERATED_PAGES = {"index.html", "genindex.html", "search.html", "prf-prf.html"}
PAGES = sorted({f"{entry}.html" for entry in TOC} | GENERATED_PAGES)
SHOT_PAGE = "chapters/03_case_j_equals_k.html"  # the most display equations
SHOT = SCREENSHOTS / Path(SHOT_PAGE).with_suffix(".png").name
BROKEN_AXE = ("serious color-contrast", "critical aria-required-children", "critical image-alt")


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def site_context(browser_type, browser_type_launch_args: dict, tmp_path_factory):
    """A persistent context: Chromium keeps the compiled MathJax in its profile (an incognito
    `context` compiles it on every page: 10 to 25 % more time)."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with browser_type.launch_persistent_context(profile, **browser_type_launch_args) as context:
        yield context


@pytest.fixture(scope="module")
def seen(site_context, site: Path, site_url: str):
    """seen(page): what the page did, measured once; at the end, the counts to site-check.json."""
    results, start = {}, time.perf_counter()

    def seen(rel: str) -> dict:
        if rel not in results:
            shot = SHOT if rel == SHOT_PAGE else None
            results[rel] = measure(site_context, site_url + rel, screenshot=shot)
        return results[rel]

    yield seen
    pages = list(results.values())
    summary = {"pages": len(pages), "seconds": round(time.perf_counter() - start, 1)}
    summary |= {key: sum(s[key] for s in pages) for key in ("math", "typeset", "images")}
    summary |= {check: sum(len(s["problems"][check]) for s in pages) for check in CHECKS}
    summary |= {f"equations shown ({t})": sum(s["checked"][t] for s in pages) for t in THEMES}
    summary |= {"site_bytes": tree_size(site), "mathjax_bytes": tree_size(site / "mathjax")}
    (site.parent / "site-check.json").write_text(json.dumps(summary, indent=2) + "\n")


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("path", PAGES)
def test_page(seen, path: str, check: str) -> None:
    found = seen(path)["problems"][check]
    assert not found, "\n".join(found)


def test_every_page_is_checked_and_seen(seen, site: Path) -> None:
    """The pages checked are those built; equations and figures were found, each theme showed
    the same equations, and the screenshot was taken."""
    built = set(site_pages(site))
    assert built == set(PAGES), f"not built: {set(PAGES) - built}; unchecked: {built - set(PAGES)}"
    pages = [seen(page) for page in PAGES]
    assert sum(s["typeset"] for s in pages) > 0 and sum(s["images"] for s in pages) > 0
    for s in pages:
        assert s["checked"]["light"] == s["checked"]["dark"], s["final_url"]
    assert SHOT.is_file() and SHOT.stat().st_size > 10_000


def test_mathjax_is_served_by_the_site(site: Path) -> None:
    """One MathJax on every page (the navigation has math too), from the site's own copy."""
    assert (site / MATHJAX_FILE).is_file(), "run `make site-assets` (part of `make book`)"
    assert tree_size(site / "mathjax") <= 5 * 2**20
    assert not (site / "_static" / "mathjax").exists(), "MathJax must not be in _static/"
    for rel in site_pages(site):
        html = (site / rel).read_text(encoding="utf-8")
        scripts = re.findall(r'<script[^>]* src="([^"]*mathjax/[^"]*)"', html)
        if 'http-equiv="refresh"' not in html.lower():  # index.html only redirects to a chapter
            assert len(scripts) == 1 and MATHJAX_FILE in scripts[0], (rel, scripts)


def test_missing_chromium_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(pytest.fail.Exception) as err:
        find_chromium()
    told = ("at /nonexistent/chromium.", "apt-get install -y chromium", "not run `playwright")
    assert all(words in str(err.value) for words in told), err.value


def test_checks_catch_a_broken_page(site_context, site: Path, site_url: str) -> None:
    """Each check fails on copies of a chapter that the browser gets in place of the server's:
    one with broken LaTeX, an equation in the background's colour, grey text on grey, a list
    without list items, an image without alt text, a console error, a request to another host
    and a missing file; one without MathJax and the theme's CSS."""
    html = (site / SHOT_PAGE).read_text(encoding="utf-8")
    bad = (
        DISPLAY_MATH
        + r"\[\frac{\partial S_j}{\partial z_k} = \undefinedmacro{S_j}\]</div>"
        + DISPLAY_MATH.replace(">", ' style="color: var(--pst-color-background)">', 1)
        + r"\[S_j(1 - S_j)\]</div>"
        '<p style="color: #767676; background: #808080">grey on grey</p>'
        '<div role="list"><a href="#">a list item that is not one</a></div>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<img src="https://example.invalid/pixel.png" alt="an image on another host">'
        '<img src="no-such-image.png" alt="a missing image">'
        "<script>console.error('deliberate error')</script>"
    )
    bare = re.sub(r'<script defer="defer" src="[^"]*mathjax/[^"]*"></script>', "", html)
    folder = site_url + SHOT_PAGE.rpartition("/")[0] + "/"
    fulfill = {
        folder + "broken.html": html.replace("</article>", bad + "</article>", 1),
        folder + "bare.html": re.sub(r"<link [^>]*pydata-sphinx-theme\.css[^>]*>", "", bare),
    }

    broken = measure(site_context, folder + "broken.html", fulfill=fulfill)
    found = {check: " ".join(problems) for check, problems in broken["problems"].items()}
    assert "undefinedmacro" in found["mathjax-errors"]
    assert "deliberate error" in found["console-errors"]
    assert found["offsite-requests"] == "https://example.invalid/pixel.png"
    assert "404" in found["failed-responses"] and "no-such-image.png" in found["failed-responses"]
    assert "data:image/gif" in found["alt-text"]
    for theme in THEMES:
        assert "contrast 1.00: " in found[f"equations-visible ({theme})"]
        axe = found[f"axe ({theme})"]
        assert all(rule in axe for rule in BROKEN_AXE), (theme, axe)

    bare = measure(site_context, folder + "bare.html", fulfill=fulfill)
    untypeset = bare["problems"]["equations-typeset"]
    assert "page has math but MathJax did not load" in untypeset
    assert len(untypeset) == bare["math"] + 1 > 1
    found = bare["problems"]["theme-in-effect (dark)"]
    assert any(problem.startswith("dark theme not in effect") for problem in found), found
