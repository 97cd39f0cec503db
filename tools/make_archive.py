"""The book's offline copy: one zip of the built site (less the zip), the chapters, the package
and requirements.txt, with a README.txt; entries sorted and dated alike, so the same inputs
give the same bytes.

    python -m tools.make_archive _build/html/softmax-derivative-book.zip
"""

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}  # and below
SKIPPED_SUFFIXES = (".egg-info", ".pyc")
TITLE = "The Derivative of Softmax"
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


def entries(site: Path, archive: Path):
    """(name in the zip, file on disk) for every file of the offline copy."""
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.resolve() != archive.resolve():
            yield f"site/{path.relative_to(site).as_posix()}", path
    for path in sorted([*(ROOT / "chapters").rglob("*"), *(ROOT / "code").rglob("*")]):
        parts = path.relative_to(ROOT).parts
        if path.is_file() and not any(p in SKIPPED or p.endswith(SKIPPED_SUFFIXES) for p in parts):
            yield path.relative_to(ROOT).as_posix(), path
    for path in sorted(ROOT.glob("requirements*.txt")):
        yield path.name, path


def write_archive(archive: Path):
    """Write the zip into the built site it copies; return (files, bytes of the zip)."""
    site = archive.parent
    if not (site / "index.html").is_file():
        raise SystemExit(f"No built site in {site}: run `make book` first.")
    pdf_line = "".join(f"site/{p.name}  the book as a PDF\n" for p in sorted(site.glob("*.pdf")))
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".part")
    files = [("README.txt", README.format(title=TITLE, pdf_line=pdf_line).encode())]
    files += [(name, path.read_bytes()) for name, path in entries(site, archive)]
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(f"{archive.stem}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    partial.replace(archive)
    return len(files), archive.stat().st_size


if __name__ == "__main__":
    files, size = write_archive(Path(sys.argv[1]))
    print(f"{sys.argv[1]}: {files} files, {size / 2**20:.1f} MiB")
