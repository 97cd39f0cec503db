"""The stored outputs the site is built from are those of a clean top-to-bottom run: no
error, no stderr, no local path (nbval compares them with a fresh run; the build shows them)."""

import json
import re

import pytest

from conftest import ROOT
from tools.notebook_form import cell_source, markup_problems, normalise

NOTEBOOKS = sorted(ROOT.glob("chapters/*.ipynb"))
MACHINE_PATH = re.compile(r"/work/|/home/|/root/|/tmp/|/Users/|site-packages|[A-Z]:\\\\")
RERUN = "execute it from a fresh kernel and store it (make notebook NB=...)"


def problems(notebook: dict) -> list[str]:
    """What is wrong with a notebook's stored outputs, as sentences; empty if nothing."""
    found = []
    kernelspec = notebook["metadata"].get("kernelspec", {})
    if (kernelspec.get("name"), kernelspec.get("language")) != ("python3", "python"):
        found.append(f"the kernel is not python3: {kernelspec}")
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code" and cell_source(c).strip()]
    counts = [cell.get("execution_count") for cell in cells]
    if counts != list(range(1, len(cells) + 1)):
        found.append(f"execution counts {counts} are not 1, 2, 3 ...: {RERUN}")
    if cells and not any(cell.get("outputs") for cell in cells):
        found.append(f"no stored output: {RERUN}")
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                found.append(f"cell {index} stores an error: {output.get('ename')}")
            if output.get("name") == "stderr":
                found.append(f"cell {index} writes to stderr: {output.get('text')!r:.80}")
            if path := MACHINE_PATH.search(json.dumps(output)):
                found.append(f"cell {index} shows a local path: {path.group()}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_stored_outputs_are_a_clean_run_and_the_form_is_kept(path):
    """The form (CONTRIBUTING.md): solutions and checks collapsed, no markup shown raw."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert problems(notebook) + normalise(notebook) + markup_problems(notebook["cells"]) == []


def clean() -> dict:
    code = {"cell_type": "code", "execution_count": 1, "outputs": []}
    stdout = [{"output_type": "stream", "name": "stdout", "text": "1\n"}]
    return {
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "cells": [
            {"cell_type": "markdown", "source": "# A page"},
            code | {"source": "x = 1"},
            code | {"source": ["print(", "x)"], "execution_count": 2, "outputs": stdout},
            code | {"source": "\n", "execution_count": None},
        ],
    }


def output(output_type: str, **fields):
    return lambda nb: nb["cells"][2]["outputs"].append({"output_type": output_type, **fields})


# (what is wrong, the change that makes it so, words of the problem reported)
BROKEN = [
    ("other kernel", lambda nb: nb["metadata"].update(kernelspec={"name": "j"}), "not python3"),
    ("no kernelspec", lambda nb: nb["metadata"].pop("kernelspec"), "not python3"),
    ("not executed", lambda nb: nb["cells"][2].update(execution_count=None), "execution counts"),
    ("re-run by hand", lambda nb: nb["cells"][2].update(execution_count=7), "execution counts"),
    ("out of order", lambda nb: nb["cells"][1].update(execution_count=3), "execution counts"),
    ("outputs cleared", lambda nb: nb["cells"][2].update(outputs=[]), "no stored output"),
    ("an error", output("error", ename="ValueError"), "stores an error: ValueError"),
    ("stderr", output("stream", name="stderr", text="RuntimeWarning"), "writes to stderr"),
    ("a path", output("stream", name="stdout", text="saved /home/me/x"), "local path: /home/"),
]


@pytest.mark.parametrize(("change", "words"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_each_problem_is_found(change, words):
    notebook = clean()
    change(notebook)
    found = problems(notebook)
    assert len(found) == 1 and words in found[0], found  # one problem: the clean notebook has none
