"""tools/book_metrics.py counts what it says it counts, and the book keeps its limits."""

from collections import Counter

import nbformat
import nbformat.v4 as nbf

from tools import book_metrics

code, markdown = nbf.new_code_cell, nbf.new_markdown_cell


def test_a_small_notebook_is_counted_right(tmp_path):
    long_line = "x = " + "1 + " * 30 + "1"
    cells = [
        markdown("# Title\n\nfour words of text, the next cell checks"),
        code("symbolic.verify(a, b)\nsd.check_gradient(f, g, z)\nassert np.allclose(a, b)"),
        code("# Check\nsymbolic.is_identity(a, b)", metadata={"tags": ["hide-input"]}),
        code("# Solution\npass", metadata={"jupyter": {"source_hidden": True}}),
        code(long_line),
        markdown(
            "(slip-01-x)=\n:::{admonition} Where the sources slip: a slip\n:::\n\n"
            ":::{admonition} Where the sources slipped\n:::\n\n:::{note} Where the sources slip\n"
            ":::\n\n```{admonition} Where the sources slip\n```\n\n"
            "- item\n\n  :::{admonition} Where the sources slip\n  :::"
        ),
        markdown("```{exercise-start} Pen and paper: a proof\n:label: ex-01-a\n```"),
        markdown("```{exercise-start} Code: a function\n:label: ex-01-b\n```"),
        markdown("::::{exercise} Challenge: hard\n:label: ex-01-c\n::::"),
        markdown("```{exercise-start}\n:label: ex-01-d\n```"),
    ]
    path = tmp_path / "01_x.ipynb"
    path.write_text(nbformat.writes(nbf.new_notebook(cells=cells)))
    words = len(" ".join(c.source for c in cells if c.cell_type == "markdown").split())
    expected = dict(words=words, verify=1, sympy=2, numeric=2, code=4, collapsed=2, slips=3)
    expected |= dict(pen_and_paper=1, code_ex=1, challenge=1, other_ex=1, long=1, next_cell=1)
    assert book_metrics.page_metrics(path) == (Counter(expected), ["01_x.ipynb cell 4 line 1"])
    assert set(expected) == set(book_metrics.COLUMNS)


def test_a_markdown_page_counts_all_its_words(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# A page\n\nwith | a | table |\n")
    assert book_metrics.page_metrics(page)[0]["words"] == 9  # "#" and "|" count too


def test_violations_name_each_limit():
    over = Counter(words=book_metrics.MAX_BOOK_WORDS + 1, long=2)
    problems = book_metrics.violations({"x": over})
    assert len(problems) == 2 and "words" in problems[0] and "longer" in problems[1]
    assert book_metrics.violations({"y": Counter(words=10)}) == []
    (group, budget), *_ = book_metrics.WORD_BUDGETS.items()
    pages = group.split(" + ")
    rows = {page: Counter(words=budget // len(pages)) for page in pages}
    rows[pages[0]]["words"] += 1 + budget % len(pages)
    assert book_metrics.violations(rows) == [f"{budget + 1} words in {group} > {budget}"]


def test_the_book_keeps_its_limits():
    """The limits at the top of tools/book_metrics.py (the printed output says which, where)."""
    assert book_metrics.main(["--check", "--verbose"]) == 0


def test_every_page_is_in_the_toc_and_every_entry_exists():
    """toc_pages raises for an entry without a file; every page of chapters/ is an entry."""
    pages = book_metrics.toc_pages()
    assert pages[0] == book_metrics.ROOT / "chapters" / "intro.md"
    found = {*book_metrics.ROOT.glob("chapters/*.ipynb"), *book_metrics.ROOT.glob("chapters/*.md")}
    assert len(found) >= 15 and sorted(found - set(pages)) == [], "missing from _toc.yml"
