"""The index of slips (chapters/source_slips.md) lists exactly the chapters' slip boxes: each
"Where the sources slip" box has a label (slip-NN-name)= on the line before, in its cell
(JupyterLab parses each cell alone), NN its chapter; the index cites each with {ref}."""

import json
import re
from pathlib import Path

import pytest

from tools.book_metrics import SLIP_BOX, page_metrics
from tools.notebook_form import markdown_cells

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
LABEL = re.compile(r"^\((slip-[A-Za-z0-9_-]+)\)=\s*$")
LABEL_NAME = re.compile(r"^slip-(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*$")
REFERENCE = re.compile(r"\{ref\}`(?:[^`<]*<)?(slip-[A-Za-z0-9_-]+)>?`")


def slips(notebook: Path) -> tuple[list[tuple[str, str, str]], int]:
    """(label, its cell, the next non-blank line of the cell) per label, and the slip boxes
    (the slips column of tools/book_metrics.py)."""
    labels = []
    for where, text in markdown_cells(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for line, following in zip(lines, [*lines[1:], ""], strict=True):
            if match := LABEL.match(line):
                labels.append((match.group(1), where, following))
    return labels, page_metrics(notebook)[0]["slips"]


SLIPS = {path.name: slips(path) for path in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))}
LABELS = [label for labels, _ in SLIPS.values() for label, _, _ in labels]


@pytest.mark.parametrize("chapter", sorted(SLIPS))
def test_every_slip_box_has_a_label_naming_its_chapter(chapter):
    labels, boxes = SLIPS[chapter]
    for label, cell, following in labels:
        where = f"{chapter}, {cell}: ({label})="
        assert SLIP_BOX.match(following), f"{where} must precede a slip box, not {following!r}"
        match = LABEL_NAME.match(label)
        assert match and match.group(1) == chapter[:2], f"{chapter}: {label} is not slip-NN-..."
    assert boxes == len(labels), f"{chapter}: {boxes} slip boxes, {len(labels)} slip labels"


def test_the_index_references_every_slip_once_and_nothing_else():
    assert len(SLIPS) >= 10, f"expected the numbered chapters in {CHAPTERS}"
    assert not sorted({label for label in LABELS if LABELS.count(label) > 1}), "duplicates"
    indexed = REFERENCE.findall((CHAPTERS / "source_slips.md").read_text(encoding="utf-8"))
    assert sorted(set(indexed)) == sorted(LABELS), (set(LABELS) ^ set(indexed), "missing/unknown")


def test_the_parsers_see_what_they_should():
    assert LABEL.match("(slip-03-split-fraction)=").group(1) == "slip-03-split-fraction"
    assert not LABEL.match("(thm-03-diagonal)=")
    assert SLIP_BOX.match(":::{admonition} Where the sources slip: Source 1's fraction")
    assert SLIP_BOX.match("```{admonition} Where the sources slip")
    assert SLIP_BOX.findall("- item\n\n  :::{admonition} Where the sources slip\n  :::")
    assert not SLIP_BOX.match(":::{note} Where the sources slip")
    assert not SLIP_BOX.match(":::{admonition} Where the sources slipped")
    text = "{ref}`slip-01-a` and {ref}`the b slip <slip-07-b>` but not {doc}`slip-09-c`"
    assert REFERENCE.findall(text) == ["slip-01-a", "slip-07-b"]
    assert LABEL_NAME.match("slip-03-split-fraction")
    assert not LABEL_NAME.match("slip-3-split")
