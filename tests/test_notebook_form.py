"""The notebook-form tool (tools/notebook_form.py): what it fixes and what it reports."""

import nbformat.v4 as nbf
import pytest

from tools import notebook_form

code, markdown = nbf.new_code_cell, nbf.new_markdown_cell


def gated_exercise(title="Code: the diagonal", solution_class=":class: dropdown"):
    return [
        markdown(f"```{{exercise-start}} {title}\n:label: ex-1\n```\n\nWrite `f`."),
        code("def f():\n    return 1"),
        markdown(f"```{{exercise-end}}\n```\n\n```{{solution-start}} ex-1\n{solution_class}\n```"),
        code("def f():\n    return 2"),
        markdown("```{solution-end}\n```\n\n## Summary\n\nSee {numref}`ex-1`."),
    ]


def test_solutions_and_checks_are_collapsed_and_solutions_start_with_their_line():
    check = code("# Check: sympy\nassert True", metadata={"tags": ["hide-input"]})
    nb = nbf.new_notebook(cells=[*gated_exercise(), check])
    assert notebook_form.normalise(nb) == [
        "cell 3: solution collapsed (source and outputs)",
        "cell 3: first line '# Solution' added",
        "cell 5: hide-input cell collapsed in JupyterLab",
    ]
    solution = {"tags": ["hide-input"], "jupyter": {"source_hidden": True, "outputs_hidden": True}}
    shown = {"tags": ["hide-input"], "jupyter": {"source_hidden": True}}  # a check's output
    # the code cells: the learner's stays open, the solution and check are collapsed
    assert [cell["metadata"] for cell in nb["cells"][1::2]] == [{}, solution, shown]
    assert "".join(nb["cells"][3]["source"]).startswith("# Solution\ndef f():")
    assert "".join(check["source"]).startswith("# Check"), "a check is not a solution"
    assert notebook_form.normalise(nb) == [], "a second run changes nothing"


def test_the_agreed_form_has_no_problems():
    text = (
        "(slip-03-x)=\n:::{admonition} Where the sources slip: x\n:class: warning\nx\n:::\n\n"
        ":::{prf:theorem} T\n:label: thm-03-t\n$$\nx\n$$ (eq-03-x)\n:::\n\n"
        "By {prf:ref}`thm-03-t` and {eq}`eq-03-x`, {ref}`slip-03-x`; "
        "{prf:ref}`the rule <thm-02-rule>`; [Chapter 2](02_quotient_rule.ipynb); "
        "[](#slip-03-x); {cite}`kinsley2020nnfs`."
    )
    assert notebook_form.markup_problems([markdown(text), *gated_exercise()]) == []


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([markdown("See {doc}`02_quotient_rule`.")], "[Chapter title](02_quotient_rule.ipynb)"),
        ([markdown("See {prf:ref}`thm-02-rule`.")], "no label 'thm-02-rule'"),
        ([markdown("See {numref}`fig-01-t`.")], "no label 'fig-01-t'"),
        ([markdown("See [](#thm-03-t).")], "fails in the book for a theorem label"),
        ([markdown("See [](#nowhere).")], "no label 'nowhere'"),
        ([markdown("See [](02_quotient_rule.ipynb).")], "has no text"),
        (gated_exercise(title="Write f"), "must begin with one of"),
        (gated_exercise(solution_class=""), "needs ':class: dropdown'"),
        (gated_exercise()[:3], "end of notebook: the last solution-start is never ended"),
        (gated_exercise()[:1] + gated_exercise(), "{exercise-start} inside an open exercise"),
        ([markdown("```{solution-end}\n```")], "{solution-end} without its solution-start"),
    ],
)
def test_each_markup_problem_is_reported(cells, expected):
    theorem = markdown(":::{prf:theorem} T\n:label: thm-03-t\n:::")
    problems = notebook_form.markup_problems([theorem, *cells])
    assert len(problems) == 1 and expected in problems[0], problems


def test_directives_read_their_options_and_skip_code_blocks():
    found = notebook_form.directives(":::{prf:theorem} T\n:label: thm-1\n:::")
    assert found == [("prf:theorem", "T", {"label": "thm-1"})]
    assert notebook_form.directives("```python\n```{exercise-start}\n```\n") == []


def test_command_line_fixes_in_place_and_check_changes_nothing(tmp_path, capsys):
    path, notebook = tmp_path / "chapter.ipynb", nbf.new_notebook(cells=gated_exercise())
    before = notebook_form.dumps(notebook)
    path.write_text(before, encoding="utf-8")
    assert notebook_form.main(["--check", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == before
    assert notebook_form.main([str(path)]) == 0, capsys.readouterr().out
    notebook_form.normalise(notebook)
    assert path.read_text(encoding="utf-8") == notebook_form.dumps(notebook), "cell ids kept"
    assert notebook_form.main(["--check", str(path)]) == 0
