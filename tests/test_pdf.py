"""The book as one PDF (`make pdf`): pdftotext (poppler-utils) finds every chapter of _toc.yml
in its contents under its title and number, and no unresolved reference (??); the LaTeX log
no missing glyph, undefined reference or citation; the PDF has the book's figures, theorem
and exercise boxes and bibliography; the site links the copy built. Needs TeX: not in make test."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CONFIG, DOWNLOADS, ROOT, SITE, TOC

PDF_NAME = DOWNLOADS["pdf"]
BUILT = SITE.parent / "pdf" / "_build" / "latex" / PDF_NAME  # make pdf, beside the site


def title(entry: str) -> str:
    """The title of a page of _toc.yml: the first level-1 heading of its notebook or page."""
    path = ROOT / f"{entry}.ipynb"
    if path.is_file():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = (ROOT / f"{entry}.md").read_text(encoding="utf-8")
    return re.search(r"(?m)^# (.*)$", text).group(1).strip()


def contents_pattern(number: int, title: str) -> str:
    """The line of the PDF's contents for chapter `number`: number, title, page. The title's
    words as written, any spacing; each piece of math ($...$), which pdftotext prints as
    Unicode math letters, a short wildcard."""
    parts = re.split(r"\$[^$]+\$", title)
    pattern = r".{1,40}?".join(r"\s+".join(map(re.escape, p.split())) for p in parts)
    return rf"(?m)^\s*{number}\s+{pattern}\s+\d+\s*$"


def run(*command: str) -> str:
    if not shutil.which(command[0]):
        pytest.fail(f"No {command[0]}: sudo apt-get install -y poppler-utils", pytrace=False)
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pdf() -> Path:
    if not BUILT.is_file():
        pytest.fail(f"No {BUILT}: run `make pdf` first.", pytrace=False)
    return BUILT


@pytest.fixture(scope="module")
def text(pdf: Path) -> str:
    return run("pdftotext", "-layout", str(pdf), "-")


def test_the_site_links_the_pdf_that_was_built(pdf: Path) -> None:
    assert (SITE / PDF_NAME).is_file(), "missing: `make pdf` copies the PDF into the site"
    assert (SITE / PDF_NAME).read_bytes() == pdf.read_bytes()
    page = (SITE / "chapters" / "intro.html").read_text(encoding="utf-8")
    assert f'href="../{PDF_NAME}"' in page, "the site's download link"


def test_every_chapter_is_in_the_table_of_contents(text: str) -> None:
    """Chapter N of the PDF is the Nth page after the root in _toc.yml, under its title."""
    root, *chapters = TOC
    assert CONFIG["title"] in text[:2000]
    missing = [
        f"{number} {title(entry)}"
        for number, entry in enumerate(chapters, start=1)
        if not re.search(contents_pattern(number, title(entry)), text)
    ]
    assert not missing, f"chapters missing from the PDF's contents: {missing}"


def test_contents_pattern_tells_titles_apart() -> None:
    line = "  4 Case 𝑗 ≠ 𝑘: the off-diagonal derivatives          31"
    title = "Case $j \\neq k$: the off-diagonal derivatives"
    assert re.search(contents_pattern(4, title), line)
    assert not re.search(contents_pattern(3, title), line)
    assert not re.search(contents_pattern(4, "Case $j = k$: the diagonal"), line)


def test_no_unresolved_reference(text: str) -> None:
    lines = [line.strip() for line in text.splitlines() if "??" in line]
    assert not lines, f"unresolved references (??) in the PDF: {lines[:10]}"


def test_latex_log_is_clean(pdf: Path) -> None:
    log = pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no .*", log)))
    assert not missing, f"glyphs missing from the PDF's fonts: {missing[:10]}"
    undefined = re.findall(r"LaTeX Warning: (?:Reference|Citation|Hyper reference) .*", log)
    assert not undefined, undefined[:10]


def test_pdf_has_the_books_parts(pdf: Path, text: str) -> None:
    """Equations, figures, theorem and exercise boxes, solutions and the bibliography."""
    tex = pdf.with_suffix(".tex").read_text(encoding="utf-8")
    assert tex.count(r"\begin{equation}") > 10
    figures = len(re.findall(r"\\(?:sphinx)?includegraphics", tex))
    images = len(run("pdfimages", "-list", str(pdf)).splitlines()) - 2  # two header lines
    assert figures > 0 and images >= figures, (figures, images)
    for heading in ("Theorem 1", "Exercise 1", "Solution to Exercise 1"):
        assert re.search(rf"\b{heading}\b", text), heading
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    years = re.findall(r"(?im)^\s*year\s*=\s*[{\"]?(\d{4})", bib)
    assert years and all(year in text for year in years)
    assert re.search(r"(?m)^\s*\d+\s+Bibliography\s+\d+\s*$", text)
