"""Every notebook in chapters/ is in the table of contents, and every entry exists."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_every_notebook_is_in_the_toc():
    listed = set(toc_files())
    notebooks = {str(p.relative_to(ROOT).with_suffix("")) for p in ROOT.glob("chapters/*.ipynb")}
    assert notebooks, "no notebook found in chapters/"
    missing = sorted(notebooks - listed)
    assert not missing, f"notebooks missing from _toc.yml: {missing}"


@pytest.mark.parametrize("entry", toc_files())
def test_every_toc_entry_exists(entry):
    candidates = [ROOT / f"{entry}{ext}" for ext in (".ipynb", ".md")]
    assert any(p.exists() for p in candidates), f"_toc.yml lists {entry}, which does not exist"


def test_every_page_in_chapters_is_in_the_toc():
    listed = set(toc_files())
    pages = {str(p.relative_to(ROOT).with_suffix("")) for p in ROOT.glob("chapters/*.md")}
    assert not sorted(pages - listed), f"pages missing from _toc.yml: {sorted(pages - listed)}"
