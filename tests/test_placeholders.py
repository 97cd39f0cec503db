"""No placeholder reaches what a reader reads or copies, and the book names one repository.

The repository's address is set once, in _config.yml (`repository: url:`); the launch and
repository buttons of the built site are derived from it. Every page of the built site,
its page sources, the notebooks, the README files and the offline copy's README are
searched for placeholders such as OWNER, and every address of the book's repository in
them must be the configured one.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
OWNER, NAME = REPOSITORY.removeprefix("https://github.com/").split("/")
ARCHIVE = SITE / CONFIG["sphinx"]["config"]["html_context"]["book_downloads"]["archive"]

PLACEHOLDERS = re.compile(
    r"\bOWNER\b|<owner>|\{owner\}|\bYOUR[-_ ]?(?:NAME|USER(?:NAME)?|ORG|REPO)\b"
    r"|github\.com/(?:owner|user|username|your-?name|your-?org|example|org)/",
    re.IGNORECASE,
)
# An address of this book's repository, on GitHub (pages and raw files) or through Colab's and
# Binder's GitHub paths.
REPOSITORY_ADDRESS = re.compile(
    rf"(?:github\.com|githubusercontent\.com|/gh|/github)/([\w.-]+)/{re.escape(NAME)}\b"
)


def reader_files() -> dict[str, str]:
    """Name and text of every file a reader reads or copies from."""
    files = [ROOT / "README.md", ROOT / "code" / "README.md"]
    files += sorted((ROOT / "chapters").glob("*.ipynb")) + sorted((ROOT / "chapters").glob("*.md"))
    out = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in files}
    if SITE.is_dir():
        for path in sorted(SITE.rglob("*.html")):  # the pages (_static holds the theme's)
            if path.relative_to(SITE).parts[0] != "_static":
                out[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
        for path in sorted((SITE / "_notebooks").rglob("*.ipynb")):  # Colab, downloads
            out[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
        for path in sorted((SITE / "_sources").rglob("*")):
            if path.is_file():
                out[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    if ARCHIVE.is_file():
        with zipfile.ZipFile(ARCHIVE) as zf:
            readme = next(n for n in zf.namelist() if n.endswith("/README.txt"))
            out[f"{ARCHIVE.name}:{readme}"] = zf.read(readme).decode("utf-8")
    return out


def placeholders(texts: dict[str, str]) -> list[str]:
    return [
        f"{name}: {match.group(0)!r}"
        for name, text in texts.items()
        for match in PLACEHOLDERS.finditer(text)
    ]


def other_homes(texts: dict[str, str]) -> list[str]:
    """Addresses of the book's repository under another owner than the configured one."""
    return [
        f"{name}: {match.group(0)}"
        for name, text in texts.items()
        for match in REPOSITORY_ADDRESS.finditer(text)
        if match.group(1) != OWNER
    ]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"No built site in {SITE}: run `make book` first.", pytrace=False)
    return reader_files()


def test_no_placeholder_reaches_a_reader(texts: dict[str, str]) -> None:
    assert len(texts) > 30  # the README files, the notebooks, the built pages and sources
    found = placeholders(texts)
    assert not found, found[:20]


def test_one_repository_everywhere(texts: dict[str, str]) -> None:
    assert not other_homes(texts), other_homes(texts)[:20]
    # The site's buttons come from the configured address.
    chapter = texts["_build/html/chapters/01_softmax_function.html"]
    assert f'href="{REPOSITORY}"' in chapter
    assert f"colab.research.google.com/github/{OWNER}/{NAME}/blob/" in chapter


def test_the_checks_catch_a_placeholder_and_another_home() -> None:
    texts = {
        "a": "git clone https://github.com/OWNER/softmax-derivative-book.git",
        "b": f"see https://github.com/someone-else/{NAME}",
        "c": f"{REPOSITORY} and https://colab.research.google.com/github/{OWNER}/{NAME}/blob/x",
        "d": f"https://raw.githubusercontent.com/someone-else/{NAME}/notebooks/data/x.json",
    }
    assert placeholders(texts) == ["a: 'github.com/OWNER/'"]
    assert other_homes(texts) == [
        f"a: github.com/OWNER/{NAME}",
        f"b: github.com/someone-else/{NAME}",
        f"d: githubusercontent.com/someone-else/{NAME}",
    ]
