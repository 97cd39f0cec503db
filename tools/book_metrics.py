"""Measure the book: words, checks, collapsed cells, slip boxes, exercises, long code lines.

``python3 -m tools.book_metrics`` prints one row per page of ``_toc.yml`` and a total
(words: the ``\\S+`` tokens of markdown); ``--check`` exits 1 when a limit below is exceeded.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MAX_BOOK_WORDS = 13_000  # all markdown of the book, notebooks and pages
MAX_CODE_LINE = 88  # characters per line of a notebook code cell
WORD_BUDGETS = {  # words of one page or of a group of pages together
    ("intro.md", "source_slips.md", "bibliography.md"): 1_000,
    # The derivation, each case once.
    (
        "02_quotient_rule.ipynb",
        "03_case_j_equals_k.ipynb",
        "04_case_j_not_k.ipynb",
        "05_kronecker_delta.ipynb",
    ): 2_600,
    ("08_cross_entropy.ipynb",): 1_700,
    ("10_performance.ipynb",): 1_200,  # optional: what a student needs from performance
    ("11_training_a_classifier.ipynb",): 1_600,
}

COLLAPSING_TAGS = {"hide-input", "hide-cell", "remove-input"}  # or JupyterLab's source_hidden
SLIP_BOX = re.compile(r"^[`:]{3,}\{admonition\}\s*Where the sources slip\b", re.MULTILINE)
EXERCISE = re.compile(r"^[`:]{3,}\{exercise(?:-start)?\}[ \t]*(.*)$", re.MULTILINE)
EXERCISE_KINDS = {"Pen and paper": "pen_and_paper", "Code": "code_ex", "Challenge": "challenge"}
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


def toc_pages(root: Path = ROOT) -> list[Path]:
    """The pages of ``_toc.yml`` in reading order (the root first)."""
    text = (root / "_toc.yml").read_text(encoding="utf-8")
    pages = []
    for name in re.findall(r"^\s*(?:root|-\s*file)\s*:\s*(\S+)\s*$", text, re.MULTILINE):
        found = [root / f"{name}{s}" for s in (".ipynb", ".md") if (root / f"{name}{s}").exists()]
        if not found:
            raise FileNotFoundError(f"_toc.yml lists {name}, which has no .ipynb or .md file")
        pages.append(found[0])
    return pages


def page_metrics(path: Path) -> PageMetrics:
    """Count one page."""
    metrics, text = PageMetrics(page=path.name), path.read_text(encoding="utf-8")
    cells = [{"cell_type": "markdown", "source": text}] if path.suffix == ".md" else None
    for index, cell in enumerate(cells or json.loads(text)["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            metrics.words += len(source.split())
            metrics.slips += len(SLIP_BOX.findall(source))
            metrics.next_cell += len(NARRATION.findall(source))
            for title in EXERCISE.findall(source):
                kind = title.split(":", 1)[0].strip() if ":" in title else ""
                kind = EXERCISE_KINDS.get(kind, "other_ex")
                setattr(metrics, kind, getattr(metrics, kind) + 1)
        elif cell["cell_type"] == "code":
            meta = cell.get("metadata", {})
            metrics.code += 1
            metrics.collapsed += bool(
                set(meta.get("tags", [])) & COLLAPSING_TAGS
                or meta.get("jupyter", {}).get("source_hidden")
            )
            metrics.verify += source.count("verify(")
            metrics.sympy += len(SYMPY_CALL.findall(source))
            metrics.numeric += len(NUMERIC_CALL.findall(source))
            for number, line in enumerate(source.splitlines(), 1):
                if len(line) > MAX_CODE_LINE:
                    metrics.long += 1
                    metrics.long_lines.append(f"{path.name} cell {index} line {number}")
    return metrics


def total(rows: list[PageMetrics]) -> PageMetrics:
    """The column sums."""
    summed = PageMetrics("total", *(sum(getattr(r, n) for r in rows) for n in COLUMNS))
    summed.long_lines = [where for row in rows for where in row.long_lines]
    return summed


def format_table(rows: list[PageMetrics]) -> str:
    """A plain-text table of the rows and their total."""
    headers = ["page", *(name.replace("_", " ") for name in COLUMNS)]
    cells = [[r.page, *(str(getattr(r, n)) for n in COLUMNS)] for r in [*rows, total(rows)]]
    widths = [max(len(r[c]) for r in [headers, *cells]) for c in range(len(headers))]
    lines = [
        "  ".join([r[0].ljust(widths[0]), *map(str.rjust, r[1:], widths[1:])])
        for r in [headers, *cells]
    ]
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([lines[0], rule, *lines[1:-1], rule, lines[-1]])


def violations(rows: list[PageMetrics]) -> list[str]:
    """The limits the book exceeds, as sentences (empty when it keeps them all)."""
    summed, words = total(rows), {row.page: row.words for row in rows}
    found = []
    if summed.words > MAX_BOOK_WORDS:
        found.append(f"{summed.words} words of markdown > {MAX_BOOK_WORDS}")
    if summed.long:
        found.append(f"{summed.long} code lines longer than {MAX_CODE_LINE} characters")
    for pages, budget in WORD_BUDGETS.items():
        if (used := sum(words.get(page, 0) for page in pages)) > budget:
            found.append(f"{used} words in {' + '.join(pages)} > {budget}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder")
    parser.add_argument("--check", action="store_true", help="exit 1 if a limit is exceeded")
    parser.add_argument("--verbose", action="store_true", help="list the long code lines")
    args = parser.parse_args(argv)
    rows = [page_metrics(path) for path in toc_pages(args.root)]
    problems = violations(rows)
    print(format_table(rows))
    print(f"\nlimits: at most {MAX_BOOK_WORDS} words, code lines of at most {MAX_CODE_LINE}")
    for pages, budget in WORD_BUDGETS.items():
        print(f"budget: at most {budget} words in {' + '.join(pages)}")
    print("".join(f"exceeded: {problem}\n" for problem in problems), end="")
    print("".join(f"long line: {w}\n" for w in total(rows).long_lines if args.verbose), end="")
    if not problems:
        print("all limits kept")
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
