"""The index of slips (chapters/source_slips.md) lists exactly the slip boxes of the chapters.

Every "Where the sources slip" box of a chapter carries a label ``(slip-NN-name)=`` on the
line before it, in the same cell (JupyterLab parses each cell alone), NN being the chapter's
number; the index references each label with ``{ref}``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
INDEX = CHAPTERS / "source_slips.md"

LABEL = re.compile(r"^\((slip-[A-Za-z0-9_-]+)\)=\s*$")
LABEL_NAME = re.compile(r"^slip-(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*$")
SLIP_BOX = re.compile(r"^(?::{3,}|`{3,})\{admonition\}\s*Where the sources slip\b")
REFERENCE = re.compile(r"\{ref\}`(?:[^`<]*<)?(slip-[A-Za-z0-9_-]+)>?`")


def slips(notebook: Path) -> tuple[list[tuple[str, int, str]], int]:
    """(label, cell number, the next non-blank line of its cell) per label, and the boxes."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    texts = ["".join(c["source"]).splitlines() for c in cells if c["cell_type"] == "markdown"]
    labels, boxes = [], 0
    for number, lines in enumerate(texts):
        stripped = [line.strip() for line in lines]
        boxes += sum(bool(SLIP_BOX.match(line)) for line in stripped)
        for position, line in enumerate(stripped):
            if LABEL.match(line):
                following = next((x for x in stripped[position + 1 :] if x), "")
                labels.append((LABEL.match(line).group(1), number, following))
    return labels, boxes


SLIPS = {path.name: slips(path) for path in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))}
LABELS = [label for labels, _ in SLIPS.values() for label, _, _ in labels]


def test_the_chapters_are_found():
    assert len(SLIPS) >= 10, f"expected the numbered chapters in {CHAPTERS}"


@pytest.mark.parametrize("chapter", sorted(SLIPS))
def test_every_slip_box_has_a_label_naming_its_chapter(chapter):
    labels, boxes = SLIPS[chapter]
    for label, cell, following in labels:
        assert SLIP_BOX.match(following), (
            f"{chapter}: the label ({label})= in markdown cell {cell + 1} must be followed, in "
            f"the same cell, by a 'Where the sources slip' admonition; found {following!r}"
        )
        match = LABEL_NAME.match(label)
        assert match and match.group(1) == chapter[:2], f"{chapter}: {label} is not slip-NN-..."
    assert boxes == len(labels), (
        f"{chapter} has {boxes} 'Where the sources slip' boxes but {len(labels)} slip labels: "
        "put a label (slip-NN-name)= right before each box"
    )


def test_the_index_references_every_slip_once_and_nothing_else():
    duplicates = sorted({label for label in LABELS if LABELS.count(label) > 1})
    assert not duplicates, f"slip labels used more than once: {duplicates}"
    indexed = set(REFERENCE.findall(INDEX.read_text(encoding="utf-8")))
    missing, unknown = sorted(set(LABELS) - indexed), sorted(indexed - set(LABELS))
    assert not missing, f"slip boxes missing from {INDEX.name}: {missing}"
    assert not unknown, f"{INDEX.name} references slips that no chapter has: {unknown}"


def test_the_parsers_see_what_they_should():
    """The regular expressions match the forms the chapters use, and only those."""
    assert LABEL.match("(slip-03-split-fraction)=").group(1) == "slip-03-split-fraction"
    assert not LABEL.match("(thm-03-diagonal)=")
    assert SLIP_BOX.match(":::{admonition} Where the sources slip: Source 1's fraction")
    assert SLIP_BOX.match("```{admonition} Where the sources slip")
    assert not SLIP_BOX.match(":::{note} Where the sources slip")
    assert not SLIP_BOX.match(":::{admonition} Where the sources slipped")
    text = "{ref}`slip-01-a` and {ref}`the b slip <slip-07-b>` but not {doc}`slip-09-c`"
    assert REFERENCE.findall(text) == ["slip-01-a", "slip-07-b"]
    assert LABEL_NAME.match("slip-03-split-fraction")
    assert not LABEL_NAME.match("slip-3-split")
