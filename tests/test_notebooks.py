"""The stored outputs the site is built from: a clean top-to-bottom run, no error, no stderr.

`make test` compares every stored output with a fresh run (nbval, natively and under another
machine's arithmetic) and then builds the site from the stored outputs without executing the
notebooks again. These checks make sure what is stored is what such a run leaves.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("chapters/*.ipynb"))
#: Paths that exist only on the machine that ran the notebook.
MACHINE_PATH = re.compile(r"/work/|/home/|/root/|/tmp/|/Users/|site-packages|[A-Z]:\\\\")
RERUN = "execute it from a fresh kernel and store it (jupyter nbconvert --execute --inplace)"


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def problems(notebook: dict) -> list[str]:
    """What is wrong with a notebook's stored outputs, as sentences; empty if nothing."""
    found = []
    kernelspec = notebook["metadata"].get("kernelspec", {})
    if (kernelspec.get("name"), kernelspec.get("language")) != ("python3", "python"):
        found.append(f"the kernel is not python3: {kernelspec}")
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code" and source(c).strip()]
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
            path = MACHINE_PATH.search(json.dumps(output))
            if path:
                found.append(f"cell {index} shows a local path: {path.group()}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_stored_outputs_are_a_clean_run(path):
    assert problems(json.loads(path.read_text())) == []


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 10


def _clean() -> dict:
    return {
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "cells": [
            {"cell_type": "markdown", "source": "# A page"},
            {"cell_type": "code", "source": "x = 1", "execution_count": 1, "outputs": []},
            {
                "cell_type": "code",
                "source": ["print(", "x)"],
                "execution_count": 2,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}],
            },
            {"cell_type": "code", "source": "\n", "execution_count": None, "outputs": []},
        ],
    }


def _output(output_type: str, **fields):
    return lambda nb: nb["cells"][2]["outputs"].append({"output_type": output_type, **fields})


# (what is wrong, the change that makes it so, words of the problem reported)
BROKEN = [
    ("other kernel", lambda nb: nb["metadata"].update(kernelspec={"name": "j"}), "not python3"),
    ("no kernelspec", lambda nb: nb["metadata"].pop("kernelspec"), "not python3"),
    ("not executed", lambda nb: nb["cells"][2].update(execution_count=None), "execution counts"),
    ("re-run by hand", lambda nb: nb["cells"][2].update(execution_count=7), "execution counts"),
    ("out of order", lambda nb: nb["cells"][1].update(execution_count=3), "execution counts"),
    ("outputs cleared", lambda nb: nb["cells"][2].update(outputs=[]), "no stored output"),
    ("an error", _output("error", ename="ValueError"), "stores an error: ValueError"),
    ("stderr", _output("stream", name="stderr", text="RuntimeWarning"), "writes to stderr"),
    ("a path", _output("stream", name="stdout", text="saved /home/me/x"), "local path: /home/"),
]


def test_the_clean_example_has_no_problem():
    assert problems(_clean()) == []


@pytest.mark.parametrize(("change", "words"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_each_problem_is_found(change, words):
    notebook = _clean()
    change(notebook)
    found = problems(notebook)
    assert len(found) == 1 and words in found[0], found
