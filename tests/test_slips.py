"""The index of slips (chapters/source_slips.md) lists exactly the chapters' slip boxes: each
"Where the sources slip" box has a label (slip-NN-name)= on the line before, in its cell
(JupyterLab parses each cell alone), NN its chapter; the index cites each with {ref}."""

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tools.book_metrics import SLIP_BOX, page_metrics
from tools.notebook_form import TARGET, markdown_cells

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
REFERENCE = re.compile(r"\{ref\}`(?:[^`<]*<)?(slip-[A-Za-z0-9_-]+)>?`")


def slips(notebook: Path) -> tuple[list[tuple[str, str, str]], int]:
    """(label, its cell, the next non-blank line of the cell) per slip label, and the slip
    boxes (the slips column of tools/book_metrics.py)."""
    labels = []
    for where, text in markdown_cells(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for line, following in itertools.pairwise([*lines, ""]):
            if (match := TARGET.match(line)) and match["label"].startswith("slip-"):
                labels.append((match["label"], where, following))
    return labels, page_metrics(notebook)[0]["slips"]


SLIPS = {path.name: slips(path) for path in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))}
LABELS = [label for labels, _ in SLIPS.values() for label, _, _ in labels]


@pytest.mark.parametrize("chapter", sorted(SLIPS))
def test_every_slip_box_has_a_label_naming_its_chapter(chapter):
    labels, boxes = SLIPS[chapter]
    for label, cell, following in labels:
        where = f"{chapter}, {cell}: ({label})="
        assert SLIP_BOX.match(following), f"{where} must precede a slip box, not {following!r}"
        pattern = rf"slip-{chapter[:2]}(-[a-z0-9]+)+"
        assert re.fullmatch(pattern, label), f"{where}: not slip-{chapter[:2]}-a-z0-9-words"
    assert boxes == len(labels), f"{chapter}: {boxes} slip boxes, {len(labels)} slip labels"


def test_the_index_references_every_slip_once_and_nothing_else():
    assert len(SLIPS) >= 10, f"expected the numbered chapters in {CHAPTERS}"
    indexed = set(REFERENCE.findall((CHAPTERS / "source_slips.md").read_text(encoding="utf-8")))
    assert Counter(LABELS) == Counter(indexed), "each label once in the chapters and in the index"


def test_the_reference_parser_sees_what_it_should():
    text = "{ref}`slip-01-a` and {ref}`the b slip <slip-07-b>` but not {doc}`slip-09-c`"
    assert REFERENCE.findall(text) == ["slip-01-a", "slip-07-b"]
