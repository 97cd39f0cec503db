"""The notebook-form tool (tools/notebook_form.py): what it fixes and what it reports."""

import json

import nbformat.v4 as nbf
import pytest

from tools import notebook_form


def markdown(text):
    return nbf.new_markdown_cell(text, id=f"m{abs(hash(text)) % 10**8}")


def code(text, **metadata):
    return nbf.new_code_cell(text, id=f"c{abs(hash(text)) % 10**8}", metadata=metadata)


def gated_exercise(title="Code: the diagonal", solution_class=":class: dropdown"):
    return [
        markdown(f"```{{exercise-start}} {title}\n:label: ex-1\n```\n\nWrite `f`."),
        code("def f():\n    return 1"),
        markdown(
            "```{exercise-end}\n```\n\n```{solution-start} ex-1\n"
            f"{solution_class}\n```\n\nThe answer."
        ),
        code("def f():\n    return 2"),
        markdown("```{solution-end}\n```\n\n## Summary\n\nSee {numref}`ex-1`."),
    ]


def notebook(cells):
    return nbf.new_notebook(cells=cells, metadata={})


def test_solution_cells_are_collapsed_and_start_with_the_solution_line():
    nb = notebook(gated_exercise())
    changes = notebook_form.normalise(nb)
    solution = nb["cells"][3]
    assert solution["metadata"]["tags"] == ["hide-input"]
    assert solution["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert "".join(solution["source"]).startswith("# Solution\ndef f():")
    exercise_code = nb["cells"][1]
    assert exercise_code["metadata"] == {}, "the learner's cell stays open"
    assert len(changes) == 2
    assert notebook_form.normalise(nb) == [], "a second run changes nothing"


def test_verification_cells_with_hide_input_are_collapsed_in_lab():
    nb = notebook([code("# Check: sympy\nassert True", tags=["hide-input"])])
    assert notebook_form.normalise(nb) == ["cell 0: hide-input cell collapsed in JupyterLab"]
    assert nb["cells"][0]["metadata"]["jupyter"]["source_hidden"] is True
    assert "".join(nb["cells"][0]["source"]).startswith("# Check"), "not a solution"


def test_the_agreed_form_has_no_problems():
    cells = [
        markdown(
            "(slip-03-x)=\n:::{admonition} Where the sources slip: x\n:class: warning\nx\n:::"
        ),
        markdown(":::{prf:theorem} T\n:label: thm-03-t\n$$\nx\n$$ (eq-03-x)\n:::"),
        markdown(
            "By {prf:ref}`thm-03-t` and {eq}`eq-03-x`, {ref}`slip-03-x`; "
            "{prf:ref}`the rule <thm-02-rule>`; [Chapter 2](02_quotient_rule.ipynb); "
            "[](#slip-03-x); {cite}`kinsley2020nnfs`."
        ),
        *gated_exercise(),
    ]
    assert notebook_form.markup_problems(cells) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See {doc}`02_quotient_rule`.", "[Chapter title](02_quotient_rule.ipynb)"),
        ("See {prf:ref}`thm-02-rule`.", "no label 'thm-02-rule'"),
        ("See {numref}`fig-01-t`.", "no label 'fig-01-t'"),
        ("See [](#thm-03-t).", "fails in the book for a theorem label"),
        ("See [](#nowhere).", "no label 'nowhere'"),
        ("See [](02_quotient_rule.ipynb).", "has no text"),
    ],
)
def test_each_markup_problem_is_reported(text, expected):
    cells = [markdown(":::{prf:theorem} T\n:label: thm-03-t\n:::"), markdown(text)]
    problems = notebook_form.markup_problems(cells)
    assert any(expected in problem for problem in problems), problems


def test_exercise_form_problems_are_reported():
    problems = notebook_form.markup_problems(gated_exercise(title="", solution_class=""))
    assert any("must begin with one of" in p for p in problems)
    assert any("needs ':class: dropdown'" in p for p in problems)
    unbalanced = notebook_form.markup_problems(gated_exercise()[:3])
    assert unbalanced == ["end of notebook: the last solution-start is never ended"]


def test_code_blocks_in_markdown_are_not_directives():
    assert notebook_form.directives("```python\n```{exercise-start}\n```\n") == []


def test_command_line_fixes_in_place_and_check_changes_nothing(tmp_path, capsys):
    path = tmp_path / "chapter.ipynb"
    path.write_text(notebook_form.dumps(notebook(gated_exercise())), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    assert notebook_form.main(["--check", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == before
    assert notebook_form.main([str(path)]) == 0, capsys.readouterr().out
    fixed = json.loads(path.read_text(encoding="utf-8"))
    assert fixed["cells"][3]["metadata"]["jupyter"]["source_hidden"] is True
    assert [c["id"] for c in fixed["cells"]] == [c["id"] for c in gated_exercise()]
    assert notebook_form.main(["--check", str(path)]) == 0
