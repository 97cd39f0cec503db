"""Every page of the built site in Chromium, in the light and the dark theme (README.md,
"Checks"): measured once by conftest.measure, to _build/site-check.json and a screenshot."""

import json
import re
import time
from pathlib import Path

import pytest
from test_toc import toc_files

import conftest
from conftest import PAGE_CHECKS, THEME_CHECKS, THEMES, measure, site_pages

MATHJAX_FILE = "mathjax/tex-chtml-full.js"
DISPLAY_MATH = '<div class="math notranslate nohighlight">'
# The redirect to the first chapter, Sphinx's index and search, sphinx-proof's index.
GENERATED_PAGES = {"index.html", "genindex.html", "search.html", "prf-prf.html"}
PAGES = sorted({f"{entry}.html" for entry in toc_files()} | GENERATED_PAGES)
BROKEN_AXE = ("serious color-contrast", "critical aria-required-children", "critical image-alt")


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def screenshot_page(site: Path) -> str:
    """The chapter with the most display equations."""
    chapters = sorted((site / "chapters").glob("*.html"))
    best = max(chapters, key=lambda p: p.read_text(encoding="utf-8").count(DISPLAY_MATH))
    return best.relative_to(site).as_posix()


@pytest.fixture(scope="module")
def site_context(browser_type, browser_type_launch_args: dict, tmp_path_factory):
    """A persistent context: Chromium keeps the compiled MathJax in its profile (an incognito
    `context` compiles it on every page: 10 to 25 % more time)."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    context = browser_type.launch_persistent_context(profile, **browser_type_launch_args)
    yield context
    context.close()


@pytest.fixture(scope="module")
def seen(site_context, site: Path, site_url: str, request):
    """seen(page): what the page did, measured once; at the end, all to site-check.json."""
    shot_page, results, start = screenshot_page(site), {}, time.perf_counter()
    shot = site.parent / "screenshots" / (Path(shot_page).stem + ".png")

    def seen(rel: str) -> dict:
        if rel not in results:
            results[rel] = measure(
                site_context, site_url + rel, screenshot=shot if rel == shot_page else None
            )
        return results[rel]

    yield seen
    pages = list(results.values())
    themes = [(name, t) for s in pages for name, t in s["themes"].items()]
    summary = {"pages": len(pages), "seconds": round(time.perf_counter() - start, 1)}
    summary |= {key: sum(s[key] for s in pages) for key in ("math", "typeset", "images")}
    summary |= {key: sum(len(s["problems"][key]) for s in pages) for key in PAGE_CHECKS}
    summary["known_console_errors"] = sum(len(s["known_console"]) for s in pages)
    summary["axe_rules_run"] = len({rule for _, t in themes for rule in t["rules"]})
    for name in THEMES:
        of = [t for n, t in themes if n == name]
        summary |= {f"{c}_{name}": sum(len(t["problems"][c]) for t in of) for c in THEME_CHECKS}
        summary[f"equations_shown_{name}"] = sum(t["checked"] for t in of)
    summary |= {"site_bytes": tree_size(site), "mathjax_bytes": tree_size(site / "mathjax")}
    summary["screenshot"] = str(shot)
    (site.parent / "site-check.json").write_text(json.dumps(summary, indent=2) + "\n")
    request.config.stash[conftest.SUMMARY_KEY] = summary


@pytest.mark.parametrize("check", PAGE_CHECKS)
@pytest.mark.parametrize("path", PAGES)
def test_page(seen, path: str, check: str) -> None:
    found = seen(path)["problems"][check]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("check", THEME_CHECKS)
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("path", PAGES)
def test_page_in_theme(seen, path: str, theme: str, check: str) -> None:
    found = seen(path)["themes"][theme]["problems"][check]
    assert not found, "\n".join(found)


def test_every_page_is_checked_and_seen(seen, site: Path) -> None:
    """The pages checked are those built; equations and figures were found, each theme showed
    the same equations, and the screenshot was taken."""
    built = set(site_pages(site))
    assert built == set(PAGES), f"not built: {set(PAGES) - built}; unchecked: {built - set(PAGES)}"
    pages = [seen(page) for page in PAGES]
    assert sum(s["typeset"] for s in pages) > 0 and sum(s["images"] for s in pages) > 0
    for s in pages:
        assert s["themes"]["light"]["checked"] == s["themes"]["dark"]["checked"], s["final_url"]
    shot = site.parent / "screenshots" / (Path(screenshot_page(site)).stem + ".png")
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_mathjax_is_served_by_the_site(site: Path) -> None:
    assert (site / MATHJAX_FILE).is_file(), "run `make site-assets` (part of `make book`)"
    assert tree_size(site / "mathjax") <= 5 * 2**20
    assert not (site / "_static" / "mathjax").exists(), "MathJax must not be in _static/"
    for rel in site_pages(site):
        html = (site / rel).read_text(encoding="utf-8")
        if re.search(r'http-equiv="refresh"', html, re.IGNORECASE):
            continue  # index.html only redirects to the first chapter
        # One configuration and one MathJax on every page (the navigation has math too).
        scripts = re.findall(r'<script[^>]* src="([^"]*mathjax/[^"]*)"', html)
        assert len(scripts) == 1 and MATHJAX_FILE in scripts[0], (rel, scripts)
        configs = re.findall(r"<script>window\.MathJax = (\{.*?\})</script>", html, re.DOTALL)
        assert len(configs) == 1, (rel, configs)
        packages = json.loads(configs[0])["tex"]["packages"]
        assert "noundefined" in packages["[-]"], f"{rel}: undefined macros must be errors"


def test_missing_chromium_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(pytest.fail.Exception) as err:
        conftest.find_chromium()
    told = ("at /nonexistent/chromium.", "apt-get install -y chromium", "not run `playwright")
    assert all(words in str(err.value) for words in told), err.value


def test_checks_catch_a_broken_page(site_context, site: Path, site_url: str) -> None:
    """Each check fails on copies of a chapter that the browser gets in place of the server's:
    one with broken LaTeX, an equation in the background's colour, grey text on grey, a list
    without list items, an image without alt text, a console error, a request to another host
    and a missing file; one without MathJax, one without the theme's CSS."""
    rel = screenshot_page(site)
    html = (site / rel).read_text(encoding="utf-8")
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
    copies = {
        "broken": html.replace("</article>", bad + "</article>", 1),
        "no_mathjax": re.sub(
            r'<script defer="defer" src="[^"]*mathjax/[^"]*"></script>', "", html
        ),
        "no_theme": re.sub(r"<link [^>]*pydata-sphinx-theme\.css[^>]*>", "", html),
    }
    assert all(copy != html for copy in copies.values())
    folder = site_url + rel.rpartition("/")[0] + "/"
    fulfill = {f"{folder}{name}.html": copy for name, copy in copies.items()}

    broken = measure(site_context, folder + "broken.html", fulfill=fulfill)
    found = {check: " ".join(problems) for check, problems in broken["problems"].items()}
    assert "undefinedmacro" in found["mathjax-errors"]
    assert "deliberate error" in found["console-errors"]
    assert found["offsite-requests"] == "https://example.invalid/pixel.png"
    assert "404" in found["failed-responses"] and "no-such-image.png" in found["failed-responses"]
    assert "data:image/gif" in found["alt-text"]
    for theme in THEMES:
        found = {c: " ".join(p) for c, p in broken["themes"][theme]["problems"].items()}
        assert "contrast 1.00: " in found["equations-visible"]
        assert all(rule in found["axe"] for rule in BROKEN_AXE), (theme, found["axe"])

    missing = measure(site_context, folder + "no_mathjax.html", themes=(), fulfill=fulfill)
    assert "page has math but MathJax did not load" in missing["problems"]["equations-typeset"]
    assert len(missing["problems"]["equations-typeset"]) == missing["math"] + 1 > 1

    unstyled = measure(site_context, folder + "no_theme.html", with_axe=False, fulfill=fulfill)
    found = unstyled["themes"]["dark"]["problems"]["theme-in-effect"]
    assert any(problem.startswith("dark theme not in effect") for problem in found), found
