"""Measure the book: words, checks, collapsed cells, slip boxes, exercises, long code lines.

A report, not a test: ``python tools/book_metrics.py`` (or ``make metrics``) prints one row
per page of ``_toc.yml`` and a total. The limits the book keeps are the constants below;
``--check`` exits with status 1 when one is exceeded.

What is counted, per page:

- words: the ``\\S+`` tokens of the markdown cells of a notebook, or of a whole ``.md`` page;
- verify: the calls ``verify(`` in code cells (sympy checks of a derivation step);
- sympy: ``verify(`` and ``is_identity(`` calls; numeric: ``check_gradient(``,
  ``numerical_jacobian(``, ``assert_allclose(`` and ``allclose(`` calls;
- code / collapsed: code cells, and those collapsed on the site (tag ``hide-input``,
  ``hide-cell`` or ``remove-input``) or in JupyterLab (``jupyter.source_hidden``);
- slips: "Where the sources slip" admonitions;
- exercises by kind: the title prefix of each ``exercise`` / ``exercise-start`` directive,
  ``Pen and paper:``, ``Code:`` or ``Challenge:`` (anything else counts as ``other``);
- long: code lines longer than ``MAX_CODE_LINE`` characters;
- next-cell: phrases that narrate a check ("the next cell", "the cell below").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MAX_BOOK_WORDS = 15_000  # all markdown of the book, notebooks and pages
MAX_CODE_LINE = 88  # characters per line of a notebook code cell
# Word budgets of single pages or groups of pages (the chapters' own are set when written).
WORD_BUDGETS = {
    ("intro.md", "source_slips.md", "bibliography.md"): 1_000,
    ("10_performance.ipynb",): 2_000,
    ("11_training_a_classifier.ipynb",): 1_300,
}
EXERCISE_KINDS = ("Pen and paper", "Code", "Challenge")

COLLAPSING_TAGS = {"hide-input", "hide-cell", "remove-input"}
SLIP_BOX = re.compile(r"^[`:]{3,}\{admonition\}\s*Where the sources slip\b", re.MULTILINE)
EXERCISE = re.compile(r"^[`:]{3,}\{exercise(?:-start)?\}[ \t]*(.*)$", re.MULTILINE)
NARRATION = re.compile(r"\b(?:the next cell|the cell below|the following cell)", re.IGNORECASE)
SYMPY_CALL = re.compile(r"\b(?:verify|is_identity)\(")
NUMERIC_CALL = re.compile(r"\b(?:check_gradient|numerical_jacobian|assert_allclose|allclose)\(")


@dataclass
class PageMetrics:
    """The counts of one page (a notebook or a markdown file)."""

    page: str
    words: int = 0
    verify: int = 0
    sympy: int = 0
    numeric: int = 0
    code: int = 0
    collapsed: int = 0
    slips: int = 0
    pen_and_paper: int = 0
    code_ex: int = 0
    challenge: int = 0
    other_ex: int = 0
    long: int = 0
    next_cell: int = 0
    long_lines: list[str] = field(default_factory=list, repr=False)


COLUMNS = [f.name for f in fields(PageMetrics) if f.name not in ("page", "long_lines")]
HEADERS = {
    "pen_and_paper": "pen&paper",
    "code_ex": "code ex",
    "challenge": "challenge",
    "other_ex": "other ex",
    "next_cell": "next-cell",
}


def toc_pages(root: Path = ROOT) -> list[Path]:
    """The pages of ``_toc.yml`` in reading order (the root first)."""
    text = (root / "_toc.yml").read_text(encoding="utf-8")
    names = re.findall(r"^\s*(?:root|-\s*file)\s*:\s*(\S+)\s*$", text, re.MULTILINE)
    pages = []
    for name in names:
        for suffix in (".ipynb", ".md"):
            path = root / f"{name}{suffix}"
            if path.exists():
                pages.append(path)
                break
        else:
            raise FileNotFoundError(f"_toc.yml lists {name}, which has no .ipynb or .md file")
    return pages


def _count_exercises(text: str, metrics: PageMetrics) -> None:
    for title in EXERCISE.findall(text):
        kind = title.split(":", 1)[0].strip() if ":" in title else ""
        attribute = {
            "Pen and paper": "pen_and_paper",
            "Code": "code_ex",
            "Challenge": "challenge",
        }.get(kind, "other_ex")
        setattr(metrics, attribute, getattr(metrics, attribute) + 1)


def _count_markdown(text: str, metrics: PageMetrics) -> None:
    metrics.words += len(text.split())
    metrics.slips += len(SLIP_BOX.findall(text))
    metrics.next_cell += len(NARRATION.findall(text))
    _count_exercises(text, metrics)


def _is_collapsed(cell: dict) -> bool:
    metadata = cell.get("metadata", {})
    tags = set(metadata.get("tags", []))
    return bool(tags & COLLAPSING_TAGS) or bool(metadata.get("jupyter", {}).get("source_hidden"))


def page_metrics(path: Path) -> PageMetrics:
    """Count one page."""
    metrics = PageMetrics(page=path.name)
    if path.suffix == ".md":
        _count_markdown(path.read_text(encoding="utf-8"), metrics)
        return metrics
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            _count_markdown(source, metrics)
        elif cell["cell_type"] == "code":
            metrics.code += 1
            metrics.collapsed += _is_collapsed(cell)
            metrics.verify += source.count("verify(")
            metrics.sympy += len(SYMPY_CALL.findall(source))
            metrics.numeric += len(NUMERIC_CALL.findall(source))
            for number, line in enumerate(source.splitlines(), 1):
                if len(line) > MAX_CODE_LINE:
                    metrics.long += 1
                    metrics.long_lines.append(f"{path.name} cell {index} line {number}")
    return metrics


def book_metrics(root: Path = ROOT) -> list[PageMetrics]:
    """One :class:`PageMetrics` per page of the table of contents."""
    return [page_metrics(path) for path in toc_pages(root)]


def total(rows: list[PageMetrics]) -> PageMetrics:
    """The column sums."""
    summed = PageMetrics(page="total")
    for row in rows:
        for name in COLUMNS:
            setattr(summed, name, getattr(summed, name) + getattr(row, name))
        summed.long_lines.extend(row.long_lines)
    return summed


def format_table(rows: list[PageMetrics]) -> str:
    """A plain-text table of the rows and their total."""
    everything = [*rows, total(rows)]
    headers = ["page", *(HEADERS.get(name, name) for name in COLUMNS)]
    cells = [[row.page, *(str(getattr(row, name)) for name in COLUMNS)] for row in everything]
    widths = [max(len(r[c]) for r in [headers, *cells]) for c in range(len(headers))]

    def line(values):
        first = values[0].ljust(widths[0])
        return "  ".join(
            [first, *(v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True))]
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(c) for c in cells[:-1]), rule, line(cells[-1])])


def violations(rows: list[PageMetrics]) -> list[str]:
    """The limits the book exceeds, as sentences (empty when it keeps them all)."""
    summed = total(rows)
    found = []
    if summed.words > MAX_BOOK_WORDS:
        found.append(f"{summed.words} words of markdown > {MAX_BOOK_WORDS}")
    if summed.long:
        found.append(f"{summed.long} code lines longer than {MAX_CODE_LINE} characters")
    words = {row.page: row.words for row in rows}
    for pages, budget in WORD_BUDGETS.items():
        used = sum(words.get(page, 0) for page in pages)
        if used > budget:
            found.append(f"{used} words in {' + '.join(pages)} > {budget}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder")
    parser.add_argument("--check", action="store_true", help="exit 1 if a limit is exceeded")
    parser.add_argument("--verbose", action="store_true", help="list the long code lines")
    args = parser.parse_args(argv)
    rows = book_metrics(args.root)
    print(format_table(rows))
    problems = violations(rows)
    print()
    print(f"limits: at most {MAX_BOOK_WORDS} words, code lines of at most {MAX_CODE_LINE}")
    for pages, budget in WORD_BUDGETS.items():
        print(f"budget: at most {budget} words in {' + '.join(pages)}")
    for problem in problems:
        print(f"exceeded: {problem}")
    if args.verbose:
        for where in total(rows).long_lines:
            print(f"long line: {where}")
    if not problems:
        print("all limits kept")
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
