"""tools/book_metrics.py counts what it says it counts."""

from __future__ import annotations

import json
from pathlib import Path

from tools import book_metrics

ROOT = Path(__file__).resolve().parent.parent


def _notebook(path: Path, cells: list[dict]) -> Path:
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}))
    return path


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str, metadata: dict | None = None) -> dict:
    return {"cell_type": "code", "metadata": metadata or {}, "source": text, "outputs": []}


def test_a_small_notebook_is_counted_right(tmp_path):
    long_line = "x = " + "1 + " * 30 + "1"
    cells = [
        _markdown("# Title\n\nfour words of text, the next cell checks"),
        _code("symbolic.verify(a, b)\nsd.check_gradient(f, g, z)\nassert np.allclose(a, b)"),
        _code("# Check\nsymbolic.is_identity(a, b)", {"tags": ["hide-input"]}),
        _code("# Solution\npass", {"jupyter": {"source_hidden": True}}),
        _code(long_line),
        _markdown(
            "(slip-01-x)=\n:::{admonition} Where the sources slip: a slip\n:::\n\n"
            ":::{admonition} Where the sources slipped\n:::"
        ),
        _markdown("```{exercise-start} Pen and paper: a proof\n:label: ex-01-a\n```"),
        _markdown("```{exercise-start} Code: a function\n:label: ex-01-b\n```"),
        _markdown("::::{exercise} Challenge: hard\n:label: ex-01-c\n::::"),
        _markdown("```{exercise-start}\n:label: ex-01-d\n```"),
    ]
    metrics = book_metrics.page_metrics(_notebook(tmp_path / "01_x.ipynb", cells))
    assert metrics.words == len(
        " ".join(c["source"] for c in cells if "markdown" in c["cell_type"]).split()
    )
    assert (metrics.verify, metrics.sympy, metrics.numeric) == (1, 2, 2)
    assert (metrics.code, metrics.collapsed) == (4, 2)
    assert metrics.slips == 1
    assert (metrics.pen_and_paper, metrics.code_ex, metrics.challenge, metrics.other_ex) == (
        1,
        1,
        1,
        1,
    )
    assert metrics.long == 1 and len(long_line) > book_metrics.MAX_CODE_LINE
    assert metrics.next_cell == 1


def test_a_markdown_page_counts_all_its_words(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# A page\n\nwith | a | table |\n")
    assert book_metrics.page_metrics(page).words == 9  # "#" and "|" count too


def test_the_pages_follow_the_table_of_contents():
    pages = book_metrics.toc_pages()
    assert pages[0].name == "intro.md"
    assert {p.name for p in pages} >= {p.name for p in (ROOT / "chapters").glob("*.ipynb")}


def test_violations_name_each_limit():
    over = book_metrics.PageMetrics(page="x", words=book_metrics.MAX_BOOK_WORDS + 1, long=2)
    problems = book_metrics.violations([over])
    assert len(problems) == 2 and "words" in problems[0] and "longer" in problems[1]
    assert book_metrics.violations([book_metrics.PageMetrics(page="y", words=10)]) == []
    (pages, budget), *_ = book_metrics.WORD_BUDGETS.items()
    rows = [book_metrics.PageMetrics(page=page, words=budget // len(pages)) for page in pages]
    rows[0].words += 1 + budget % len(pages)
    assert book_metrics.violations(rows) == [
        f"{budget + 1} words in {' + '.join(pages)} > {budget}"
    ]


def test_the_book_keeps_its_limits():
    """The limits at the top of tools/book_metrics.py: words, budgets, 88-character lines."""
    rows = book_metrics.book_metrics()
    assert book_metrics.violations(rows) == [], "long code lines: " + ", ".join(
        book_metrics.total(rows).long_lines
    )
