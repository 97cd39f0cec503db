"""Measure the book: words, checks, collapsed cells, slip boxes, exercises, long code lines.

``python -m tools.book_metrics`` prints one row per page of ``_toc.yml`` and a total
(words: the ``\\S+`` tokens of markdown); ``--check`` exits 1 when a limit below is exceeded.
"""

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

from tools.notebook_form import EXERCISE_KINDS, cell_source, directives

ROOT = Path(__file__).resolve().parent.parent

MAX_BOOK_WORDS = 13_000  # all markdown of the book, notebooks and pages
MAX_CODE_LINE = 88  # characters per line of a notebook code cell
WORD_BUDGETS = {  # words of one page, or of the pages "a + b + ..." together
    "intro.md + source_slips.md + bibliography.md": 1_000,
    # The derivation, each case once.
    "02_quotient_rule.ipynb + 03_case_j_equals_k.ipynb + 04_case_j_not_k.ipynb"
    " + 05_kronecker_delta.ipynb": 2_600,
    "08_cross_entropy.ipynb": 1_700,
    "10_performance.ipynb": 1_200,  # optional: what a student needs from performance
    "11_training_a_classifier.ipynb": 1_600,
}

COLUMNS = """words verify sympy numeric code collapsed slips pen_and_paper code_ex challenge
    other_ex long next_cell""".split()
KIND_COLUMNS = dict(zip(EXERCISE_KINDS, ("pen_and_paper", "code_ex", "challenge"), strict=True))
COLLAPSING_TAGS = {"hide-input", "hide-cell", "remove-input"}  # or JupyterLab's source_hidden
SLIP_BOX = re.compile(r"^[ \t]*(?::{3,}|`{3,})\{admonition\}[ \t]*Where the sources slip\b", re.M)
NARRATION = re.compile(r"\b(?:the next cell|the cell below|the following cell)", re.IGNORECASE)
SYMPY_CALL = re.compile(r"\b(?:verify|is_identity)\(")
NUMERIC_CALL = re.compile(r"\b(?:check_gradient|numerical_jacobian|assert_allclose|allclose)\(")


def toc_pages() -> list[Path]:
    """The pages of ``_toc.yml`` in reading order (the root first)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = []
    for name in [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]:
        found = [ROOT / f"{name}{s}" for s in (".ipynb", ".md") if (ROOT / f"{name}{s}").exists()]
        if not found:
            raise FileNotFoundError(f"_toc.yml lists {name}, which has no .ipynb or .md file")
        pages.append(found[0])
    return pages


def page_metrics(path: Path) -> tuple[Counter[str], list[str]]:
    """The counts of one page by column, and where its long code lines are."""
    counts, long_lines = Counter(), []
    text = path.read_text(encoding="utf-8")
    cells = [{"cell_type": "markdown", "source": text}] if path.suffix == ".md" else None
    for index, cell in enumerate(cells or json.loads(text)["cells"]):
        source = cell_source(cell)
        if cell["cell_type"] == "markdown":
            counts["words"] += len(source.split())
            counts["slips"] += len(SLIP_BOX.findall(source))
            counts["next_cell"] += len(NARRATION.findall(source))
            for name, arg, _ in directives(source):
                if name in ("exercise", "exercise-start"):
                    kinds = (c for kind, c in KIND_COLUMNS.items() if arg.startswith(kind))
                    counts[next(kinds, "other_ex")] += 1
        elif cell["cell_type"] == "code":
            meta = cell.get("metadata", {})
            counts["code"] += 1
            counts["collapsed"] += bool(
                set(meta.get("tags", [])) & COLLAPSING_TAGS
                or meta.get("jupyter", {}).get("source_hidden")
            )
            counts["verify"] += source.count("verify(")
            counts["sympy"] += len(SYMPY_CALL.findall(source))
            counts["numeric"] += len(NUMERIC_CALL.findall(source))
            for number, line in enumerate(source.splitlines(), 1):
                if len(line) > MAX_CODE_LINE:
                    counts["long"] += 1
                    long_lines.append(f"{path.name} cell {index} line {number}")
    return counts, long_lines


def format_table(rows: dict[str, Counter]) -> str:
    """A plain-text table of the rows (page: counts) and their total."""
    table = [["page", *(name.replace("_", " ") for name in COLUMNS)]]
    for page, counts in [*rows.items(), ("total", sum(rows.values(), Counter()))]:
        table.append([page, *(str(counts[name]) for name in COLUMNS)])
    widths = [max(map(len, column)) for column in zip(*table, strict=True)]
    rule = ["-" * width for width in widths]
    table = [table[0], rule, *table[1:-1], rule, table[-1]]  # header, pages, total
    return "\n".join(
        "  ".join([r[0].ljust(widths[0]), *map(str.rjust, r[1:], widths[1:])]) for r in table
    )


def violations(rows: dict[str, Counter]) -> list[str]:
    """The limits the book exceeds, as sentences (empty when it keeps them all)."""
    summed, found = sum(rows.values(), Counter()), []
    if summed["words"] > MAX_BOOK_WORDS:
        found.append(f"{summed['words']} words of markdown > {MAX_BOOK_WORDS}")
    if summed["long"]:
        found.append(f"{summed['long']} code lines longer than {MAX_CODE_LINE} characters")
    for pages, budget in WORD_BUDGETS.items():
        used = sum(rows[page]["words"] for page in pages.split(" + ") if page in rows)
        if used > budget:
            found.append(f"{used} words in {pages} > {budget}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a limit is exceeded")
    parser.add_argument("--verbose", action="store_true", help="list the long code lines")
    args = parser.parse_args(argv)
    measured = {path.name: page_metrics(path) for path in toc_pages()}
    rows = {page: counts for page, (counts, _) in measured.items()}
    problems = violations(rows)
    print(format_table(rows))
    print(f"\nlimits: at most {MAX_BOOK_WORDS} words, code lines of at most {MAX_CODE_LINE}")
    report = [f"budget: at most {words} words in {group}" for group, words in WORD_BUDGETS.items()]
    report += [f"exceeded: {problem}" for problem in problems] or ["all limits kept"]
    if args.verbose:
        report += [f"long line: {where}" for _, lines in measured.values() for where in lines]
    print("\n".join(report))
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
