"""The index of slips (chapters/source_slips.md) lists exactly the slip boxes of the chapters.

Every "Where the sources slip" box of a chapter carries a label ``(slip-NN-name)=`` right
before it, NN being the chapter's number; the index references each label with ``{ref}``.
These tests fail when a box is added, removed or relabelled in a chapter without the index
following (or the other way round).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
INDEX = CHAPTERS / "source_slips.md"

LABEL = re.compile(r"^\((slip-[A-Za-z0-9_-]+)\)=\s*$")
LABEL_NAME = re.compile(r"^slip-(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*$")
SLIP_BOX = re.compile(r"^(?::{3,}|`{3,})\{admonition\}\s*Where the sources slip\b")
REFERENCE = re.compile(r"\{ref\}`(?:[^`<]*<)?(slip-[A-Za-z0-9_-]+)>?`")


def markdown_cells(notebook: Path) -> list[list[str]]:
    """The lines of each markdown cell of a notebook, in order."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]).splitlines() for c in cells if c["cell_type"] == "markdown"]


def chapter_slips() -> dict[str, list[tuple[str, int, str]]]:
    """Per chapter file: (label, cell number, the next non-blank line of the same cell).

    The box must follow its label in the same cell: JupyterLab parses each cell on its own.
    """
    found = {}
    for notebook in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb")):
        entries = []
        for cell_number, lines in enumerate(markdown_cells(notebook)):
            for number, line in enumerate(lines):
                match = LABEL.match(line.strip())
                if match:
                    rest = (x.strip() for x in lines[number + 1 :] if x.strip())
                    entries.append((match.group(1), cell_number, next(rest, "")))
        found[notebook.name] = entries
    return found


def box_count(notebook: Path) -> int:
    lines = [line for cell in markdown_cells(notebook) for line in cell]
    return sum(bool(SLIP_BOX.match(line.strip())) for line in lines)


def index_references() -> list[str]:
    return REFERENCE.findall(INDEX.read_text(encoding="utf-8"))


SLIPS = chapter_slips()
LABELS = [label for entries in SLIPS.values() for label, _, _ in entries]


def test_the_chapters_are_found():
    assert len(SLIPS) >= 10, f"expected the numbered chapters in {CHAPTERS}"


@pytest.mark.parametrize("chapter", sorted(SLIPS))
def test_every_label_sits_right_before_a_slip_box(chapter):
    for label, cell, following in SLIPS[chapter]:
        assert SLIP_BOX.match(following), (
            f"{chapter}: the label ({label})= in markdown cell {cell + 1} must be followed, "
            f"in the same cell, by a 'Where the sources slip' admonition; found {following!r}"
        )


@pytest.mark.parametrize("chapter", sorted(SLIPS))
def test_every_slip_box_has_a_label(chapter):
    boxes = box_count(CHAPTERS / chapter)
    labelled = len(SLIPS[chapter])
    assert boxes == labelled, (
        f"{chapter} has {boxes} 'Where the sources slip' boxes but {labelled} slip labels: "
        "put a label (slip-NN-name)= right before each box"
    )


@pytest.mark.parametrize("chapter", sorted(SLIPS))
def test_labels_name_their_chapter(chapter):
    for label, _, _ in SLIPS[chapter]:
        match = LABEL_NAME.match(label)
        assert match, f"{chapter}: {label} is not of the form slip-NN-short-name"
        assert match.group(1) == chapter[:2], f"{chapter}: {label} names another chapter"


def test_labels_are_unique():
    duplicates = sorted({label for label in LABELS if LABELS.count(label) > 1})
    assert not duplicates, f"slip labels used more than once: {duplicates}"


def test_the_index_references_every_slip_and_nothing_else():
    indexed = set(index_references())
    labelled = set(LABELS)
    assert labelled - indexed == set(), (
        f"slip boxes missing from {INDEX.name}: {sorted(labelled - indexed)}"
    )
    assert indexed - labelled == set(), (
        f"{INDEX.name} references slips that no chapter has: {sorted(indexed - labelled)}"
    )


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
