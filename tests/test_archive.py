"""The offline copy (tools/make_archive.py), the zip in the built site: what it holds, its
links, its pages from the disk (file://)."""

import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import DOWNLOADS, ROOT, TOC, measure, open_deck, site_pages

LINK = re.compile(r'\b(?:href|src)="([^"]*)"')
# Links that leave the copy on purpose: other sites, mail, data and in-page anchors.
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#)", re.IGNORECASE)
# What a page loads from another host (http:, https: or scheme-relative).
REMOTE = re.compile(r'<(?:script|img|source|link)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]*)"')


@pytest.fixture(scope="module")
def copy(site: Path, tmp_path_factory) -> Path:
    archive = site / DOWNLOADS["archive"]
    if not archive.is_file():
        pytest.fail(f"No {archive}: run `make archive` (part of `make test`).", pytrace=False)
    target = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(target)
    (top,) = target.iterdir()
    return top


def test_archive_holds_site_notebooks_and_requirements(copy: Path, site: Path) -> None:
    for entry in TOC:
        assert (copy / "site" / f"{entry}.html").is_file(), entry
    assert (copy / "site" / "mathjax" / "tex-chtml-full.js").is_file()
    assert not list(copy.glob("site/*.zip")), "the zip does not hold itself"
    decks = sorted(p.name for p in site.glob("slides/*.html"))
    assert decks == sorted(p.name for p in copy.glob("site/slides/*.html"))
    notebooks = {p.name: p.read_bytes() for p in (ROOT / "chapters").glob("*.ipynb")}
    copied = {p.name: p.read_bytes() for p in copy.glob("chapters/*.ipynb")}
    assert notebooks and notebooks == copied
    requirements = (copy / "requirements.txt").read_text(encoding="utf-8")
    assert requirements == (ROOT / "requirements.txt").read_text(encoding="utf-8")
    # Each local package that requirements.txt installs (with extras: `-e ./code[fast]`).
    for path in re.findall(r"(?m)^-e\s+([^\s\[]+)", requirements):
        assert (copy / path / "pyproject.toml").is_file(), path
    assert (copy / "code" / "softmax_derivative" / "__init__.py").is_file()
    assert not list(copy.rglob("__pycache__"))
    readme = (copy / "README.txt").read_text(encoding="utf-8")
    assert "site/index.html" in readme and "pip install -r requirements.txt" in readme


def test_every_link_of_the_offline_site_resolves(copy: Path, site: Path) -> None:
    """Every href and src of every page (the slides' too) is relative and names a file of the
    copy, and an anchor in it. Not there: the zip itself, and the PDF when `make pdf` has not
    run (tests/test_pdf.py checks it)."""
    offline, broken, remote = (copy / "site").resolve(), [], []
    absent = {DOWNLOADS["archive"]} | ({DOWNLOADS["pdf"]} - {p.name for p in site.glob("*.pdf")})
    for rel in site_pages(offline, skip=("_static",)):
        page = offline / rel
        html = page.read_text(encoding="utf-8")
        remote += [f"{rel}: {url}" for url in REMOTE.findall(html)]
        for url in LINK.findall(html):
            path = unquote(urlsplit(url).path)
            anchor = urlsplit(url).fragment if path.endswith(".html") else ""
            if EXTERNAL.match(url) or not path:
                continue
            target = (page.parent / path).resolve()
            if path.startswith("/") or not target.is_relative_to(offline):
                broken.append(f"{rel}: {url} (outside the site)")
            elif not target.exists() and target.name not in absent:
                broken.append(f"{rel}: {url}")
            elif anchor and f'id="{anchor}"' not in target.read_text(encoding="utf-8"):
                broken.append(f"{rel}: {url} (no such anchor)")
    assert not remote, f"resources from other hosts: {remote[:10]}"
    assert not broken, f"links to files missing from the copy: {broken[:10]}"


def test_offline_pages_work_from_the_disk(copy: Path, context, page) -> None:
    """Each page passes the checks of tests/test_site.py that need no server; a deck works
    with the copy's reveal.js and MathJax."""
    pages = ["chapters/03_case_j_equals_k.html", "chapters/bibliography.html", "search.html"]
    typeset = 0
    for rel in pages:
        seen = measure(context, (copy / "site" / rel).as_uri(), themes=())
        assert not any(seen["problems"].values()), (rel, seen["problems"])
        assert seen["final_url"].startswith("file://"), seen["final_url"]
        typeset += seen["typeset"]
    assert typeset > 0
    open_deck(page, next(copy.glob("site/slides/*.html")).as_uri())
    assert page.evaluate("Reveal.getTotalSlides()") > 1
    assert page.locator("mjx-container").count() > 0
    assert page.locator("mjx-merror").count() == 0
