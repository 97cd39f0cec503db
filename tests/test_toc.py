"""Every page in chapters/ is in the table of contents, and every entry exists (the same
reading of _toc.yml as tools/book_metrics.py's, which raises for an entry with no file)."""

import yaml

from conftest import ROOT
from tools.book_metrics import toc_pages


def toc_files() -> list[str]:
    return [str(page.relative_to(ROOT).with_suffix("")) for page in toc_pages()]


def test_every_page_is_in_the_toc_and_every_entry_exists():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert toc_files() == entries and entries[0] == "chapters/intro"
    pages = {*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("chapters/*.md")}
    assert len(pages) >= 15 and not sorted(pages - set(toc_pages())), "missing from _toc.yml"
