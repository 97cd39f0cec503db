"""Every page in chapters/ is in _toc.yml, and every entry exists (else toc_pages raises)."""

from conftest import ROOT
from tools.book_metrics import toc_pages


def toc_files() -> list[str]:
    return [str(page.relative_to(ROOT).with_suffix("")) for page in toc_pages()]


def test_every_page_is_in_the_toc_and_every_entry_exists():
    assert toc_files()[0] == "chapters/intro"
    pages = {*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("chapters/*.md")}
    assert len(pages) >= 15 and not sorted(pages - set(toc_pages())), "missing from _toc.yml"
