"""The plain-notebook converter (_ext/plain_notebooks.py) on small, known inputs, and the
citations of the built site's plain notebooks."""

import copy
import html
import re

import nbformat.v4 as nbf
import pytest

from _ext import plain_notebooks as pn

URL = "https://github.com/owner/book"


def index(docname="chapters/03_case"):
    return pn.Index(
        docname=docname,
        targets={
            "thm-03-diag": pn.Target("chapters/03_case", "Theorem 5"),
            "thm-02-rule": pn.Target("chapters/02_rule", "Theorem 2"),
            "ex-03-a": pn.Target("chapters/03_case", "Exercise 7"),
            "eq-03-diag": pn.Target("chapters/03_case", "(1)"),
            "slip-03-x": pn.Target("chapters/03_case", "Where the sources slip: x"),
            "goal": pn.Target("intro", "The goal"),
        },
        numbers={"thm-03-diag": "Theorem 5", "thm-02-rule": "Theorem 2", "ex-03-a": "Exercise 7"},
        equations={"eq-03-diag": "1"},
        cite=lambda keys, role: "Kinsley [2020]" if role == "cite:t" else "[Kinsley, 2020]",
    )


def convert(text):
    out = pn.convert_markdown(text, index())
    assert pn.myst_left({"cells": [{"cell_type": "markdown", "source": out}]}) == [], out
    return out


def test_theorem_proof_slip_box_and_dropdown_with_numbers_anchors_and_tagged_equation():
    out = convert(
        ":::{prf:theorem} The diagonal\n:label: thm-03-diag\n\nFor every $j$,\n\n$$\n"
        "S_j(1 - S_j)\n$$ (eq-03-diag)\n:::\n\n:::{prf:proof}\nFive steps.\n:::\n\n"
        "(slip-03-x)=\n:::{admonition} Where the sources slip: x\n:class: warning\nBody.\n:::\n\n"
        ":::{admonition} More\n:class: dropdown\nHidden.\n:::"
    )
    parts = ['<a id="thm-03-diag"></a>', "**Theorem 5** (The diagonal)", "*Proof.* Five steps."]
    parts += ['S_j(1 - S_j)\n\\tag{1}$$\n<a id="eq-03-diag"></a>']
    parts += ['<a id="slip-03-x"></a>\n**Where the sources slip: x**\n\nBody.']
    parts += ["<details>\n<summary>More</summary>\n\nHidden.\n\n</details>"]
    assert [part for part in parts if part not in out] == []


def test_references_become_links_with_numbers_and_titles_also_between_folders():
    out = convert(
        "By {prf:ref}`thm-03-diag`, {eq}`eq-03-diag`, {prf:ref}`the rule <thm-02-rule>`, "
        "{prf:ref}`thm-02-rule`, {numref}`ex-03-a`, {ref}`slip-03-x` [](#ex-03-a), "
        "{eq}`text <eq-03-diag>` and {cite}`kinsley2020nnfs`; {cite:t}`kinsley2020nnfs` says so."
    )
    links = ["[Theorem 5](#thm-03-diag)", "[(1)](#eq-03-diag)", "[Exercise 7](#ex-03-a)"]
    links += ["[the rule](02_rule.ipynb#thm-02-rule)", "[Theorem 2](02_rule.ipynb#thm-02-rule)"]
    links += ["[Where the sources slip: x](#slip-03-x) [Exercise 7](#ex-03-a)"]  # and [](#label)
    links += ["[(1)](#eq-03-diag) and [Kinsley, 2020]; Kinsley [2020] says so"]  # {eq}: number
    assert [link for link in links if link not in out] == []
    # from another notebook, across folders
    assert index("chapters/02_rule").link("thm-02-rule") == "[Theorem 2](#thm-02-rule)"
    assert index("intro").link("thm-02-rule", "x") == "[x](chapters/02_rule.ipynb#thm-02-rule)"
    assert index("chapters/a").link("goal") == "[The goal](../intro.ipynb#goal)"


@pytest.mark.parametrize("text", ["{prf:ref}`thm-99`", "{eq}`thm-99`", ":::{math}\nx = 1\n:::"])
def test_an_unknown_label_or_directive_is_an_error_not_silent_text(text):
    with pytest.raises((KeyError, ValueError), match=r"'thm-99'|directive \{math\}"):
        pn.convert_markdown(text, index())


def test_gated_exercise_and_solution_behind_details():
    exercise = convert("```{exercise-start} Code: the diagonal\n:label: ex-03-a\n```\n\nWrite it.")
    assert exercise == '<a id="ex-03-a"></a>\n\n**Exercise 7** (Code: the diagonal)\n\nWrite it.'
    solution = convert(
        "```{exercise-end}\n```\n\n```{solution-start} ex-03-a\n:class: dropdown\n```\n\nWhy."
    )
    assert solution == "<details>\n<summary>Solution to Exercise 7</summary>\n\nWhy.\n\n</details>"
    assert convert("```{solution-end}\n```\n\n## Summary") == "## Summary"


def test_code_blocks_and_doc_roles_are_left_as_they_are():
    """A ``{doc}`` is not in the form (a chapter is linked in Markdown): the check reports it."""
    text = "```python\nx = {1: 2}\n```\n\nSee {doc}`02_rule`."
    assert pn.convert_markdown(text, index()) == text
    assert pn.myst_left({"cells": [nbf.new_markdown_cell(text)]}) == ["cell 0: '{doc}`'"]


def notebook():
    solution = nbf.new_code_cell("# Solution\ndef f():\n    return 1", execution_count=3)
    solution.metadata = {"tags": ["hide-input"], "jupyter": {"source_hidden": True}}
    solution.outputs = [nbf.new_output("stream", name="stdout", text="ok\n")]
    cells = [
        nbf.new_markdown_cell("# Case $j = k$\n\nSee {prf:ref}`thm-03-diag`."),
        nbf.new_markdown_cell("```{solution-start} ex-03-a\n:class: dropdown\n```\n\nWhy."),
        solution,
        nbf.new_markdown_cell("```{solution-end}\n```"),
    ]
    return nbf.new_notebook(cells=cells)


def test_notebook_gets_install_cell_and_collapsed_solutions():
    source = notebook()
    before = copy.deepcopy(source)
    plain = pn.convert_notebook(source, index(), URL)
    assert source == before, "the source is not changed"
    install = "".join(plain["cells"][0]["source"])
    pip = f'%pip install --quiet "softmax-derivative[fast] @ git+{URL}#subdirectory=code"'
    assert "import softmax_derivative" in install and pip in install
    assert len(plain["cells"]) == 4, "no data cell; the cell holding only solution-end dropped"
    solution = plain["cells"][3]
    assert "".join(solution["source"]).startswith("# @title Solution")
    hidden = {"source_hidden": True, "outputs_hidden": True}  # collapsed in JupyterLab and Colab
    assert solution["metadata"] == {"tags": ["hide-input"], "jupyter": hidden, "cellView": "form"}
    assert solution["outputs"] == source["cells"][2]["outputs"], "outputs kept"
    assert pn.myst_left(plain) == []
    assert pn.myst_left(source), "the check sees MyST where there is some"


def test_citations_read_as_on_the_site(site):
    """Each chapter's citations, in its plain notebook as on its page (sphinxcontrib-bibtex's)."""
    cited, missing = 0, []
    for plain in sorted((site / pn.NOTEBOOKS_DIR / "chapters").glob("*.ipynb")):
        text = plain.read_text(encoding="utf-8")  # JSON; no citation holds a quote or backslash
        page = (site / "chapters" / f"{plain.stem}.html").read_text(encoding="utf-8")
        spans = re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', page, re.S)
        citations = [html.unescape(re.sub(r"<[^>]+>", "", span)) for span in spans]
        cited += len(citations)
        missing += [f"{plain.stem}: {citation}" for citation in citations if citation not in text]
    assert cited and missing == [], missing


def test_a_notebook_that_reads_data_fetches_it_only_where_it_is_missing(tmp_path, monkeypatch):
    source = notebook()
    source["cells"][2]["source"] = 'path = Path("data/runs.json")\nx = "data/a/b.csv"\n'
    plain = pn.convert_notebook(source, index("chapters/10_perf"), URL)
    cell = "".join(plain["cells"][1]["source"])
    base = "https://raw.githubusercontent.com/owner/book/notebooks/chapters"
    assert f'base = "{base}"' in cell and "['data/a/b.csv', 'data/runs.json']" in cell
    fetched = []
    monkeypatch.setattr("urllib.request.urlretrieve", lambda url, name: fetched.append(url))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "runs.json").write_text("{}")
    exec(cell, {})
    assert fetched == [f"{base}/data/a/b.csv"], "only the missing file is fetched"
    assert (tmp_path / "data" / "a").is_dir()
