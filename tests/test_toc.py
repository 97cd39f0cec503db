"""Every page in chapters/ is in the table of contents, and every entry exists."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]


@pytest.mark.parametrize("suffix", [".ipynb", ".md"])
def test_every_page_in_chapters_is_in_the_toc(suffix):
    pages = {str(p.relative_to(ROOT).with_suffix("")) for p in ROOT.glob(f"chapters/*{suffix}")}
    assert pages, f"no chapters/*{suffix} found"
    assert not sorted(pages - set(toc_files())), (
        f"missing from _toc.yml: {pages - set(toc_files())}"
    )


@pytest.mark.parametrize("entry", toc_files())
def test_every_toc_entry_exists(entry):
    assert any((ROOT / f"{entry}{ext}").exists() for ext in (".ipynb", ".md")), entry
