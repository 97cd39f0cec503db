"""Write the book's offline copy: one zip with the built site, the notebooks and what runs them.

    softmax-derivative-book/
        README.txt          how to read the site and run the notebooks
        site/               _build/html: open site/index.html (every link is relative, MathJax
                            is part of the site), with the PDF when `make pdf` has run and
                            the lecture slides (slides/)
        chapters/           the notebooks and pages of the book, and their data
        code/               the package softmax_derivative, which the notebooks import
        requirements.txt    the pinned environment (`-e ./code` installs the package)

The zip is written into the site (`make archive`), which links it from every page; the copy
of the site inside the zip leaves the zip itself out. Entries are sorted and dated alike, so
the same inputs give the same bytes.

Usage: python tools/make_archive.py _build/html/softmax-derivative-book.zip
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
# Sources copied beside the site; caches and build leftovers are not.
SOURCES = ("chapters", "code")
SKIPPED_PARTS = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"})
SKIPPED_SUFFIXES = (".egg-info", ".pyc")
DATE = (2026, 1, 1, 0, 0, 0)

README = """\
{title}: offline copy

site/index.html     the book: open it in a browser; it needs no network (every link is
                    relative, and MathJax, which typesets the equations, is part of the site)
site/slides/        the lecture slides, a deck per chapter (also linked from each chapter's
                    page); add ?print-pdf to a deck's address to print it, one slide a page
{pdf_line}chapters/           the notebooks of the book, to run and change
code/               softmax_derivative, the package the notebooks import
requirements.txt    the exact versions the book is tested with

To run the notebooks (Python 3.11 or newer), from this folder:

    python3 -m venv .venv
    .venv/bin/pip install -r requirements.txt
    .venv/bin/jupyter lab chapters/

pip downloads the packages once; after that nothing needs the network.
"""


def wanted(path: Path) -> bool:
    """False for caches and build leftovers (by any part of the relative `path`)."""
    return not any(part in SKIPPED_PARTS or part.endswith(SKIPPED_SUFFIXES) for part in path.parts)


def entries(site: Path, archive: Path) -> Iterator[tuple[str, Path]]:
    """(name in the zip, file on disk) for every file of the offline copy."""
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.resolve() != archive.resolve():
            yield f"site/{path.relative_to(site).as_posix()}", path
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*")):
            if path.is_file() and wanted(path.relative_to(ROOT)):
                yield path.relative_to(ROOT).as_posix(), path
    for path in sorted(ROOT.glob("requirements*.txt")):
        yield path.name, path


def write_archive(archive: Path, site: Path = SITE, title: str = "The Derivative of Softmax"):
    """Write the zip; return (number of files, bytes of the zip)."""
    if not (site / "index.html").is_file():
        raise SystemExit(f"No built site in {site}: run `make book` first.")
    top = archive.stem
    pdf = sorted(p.name for p in site.glob("*.pdf"))
    pdf_line = "".join(f"site/{name}  the book as a PDF\n" for name in pdf)
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".part")
    count = 0
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        readme = README.format(title=title, pdf_line=pdf_line)
        zf.writestr(_info(f"{top}/README.txt"), readme)
        for name, path in entries(site, archive):
            zf.writestr(_info(f"{top}/{name}"), path.read_bytes())
            count += 1
    partial.replace(archive)
    return count + 1, archive.stat().st_size


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def main(output: str) -> None:
    files, size = write_archive(Path(output))
    print(f"{output}: {files} files, {size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main(*sys.argv[1:])
