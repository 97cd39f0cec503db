"""No placeholder (OWNER, ...) reaches what a reader reads or copies: the README files, the
notebooks, the built pages, their sources and plain notebooks, the offline copy's README; and
every address of the book's repository in them is the one of _config.yml (`repository: url:`),
from which the site's buttons are derived."""

import re
import zipfile

import pytest

from conftest import CONFIG, DOWNLOADS, ROOT, SITE

REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
OWNER, NAME = REPOSITORY.removeprefix("https://github.com/").split("/")
ARCHIVE = SITE / DOWNLOADS["archive"]
PLACEHOLDERS = re.compile(
    r"\bOWNER\b|<owner>|\{owner\}|\bYOUR[-_ ]?(?:NAME|USER(?:NAME)?|ORG|REPO)\b"
    r"|github\.com/(?:owner|user|username|your-?name|your-?org|example|org)/",
    re.IGNORECASE,
)
# An address of the book's repository: GitHub's pages and raw files, Colab's and Binder's paths.
REPOSITORY_ADDRESS = re.compile(
    rf"(?:github\.com|githubusercontent\.com|/gh|/github)/([\w.-]+)/{re.escape(NAME)}\b"
)


def problems(texts: dict[str, str]) -> list[str]:
    """The placeholders, and the addresses of the book's repository under another owner."""
    found = [
        f"{name}: {m.group(0)!r}" for name, t in texts.items() for m in PLACEHOLDERS.finditer(t)
    ]
    return found + [
        f"{name}: {m.group(0)}"
        for name, text in texts.items()
        for m in REPOSITORY_ADDRESS.finditer(text)
        if m.group(1) != OWNER
    ]


@pytest.fixture(scope="module")
def texts(site) -> dict[str, str]:
    """Name and text of every file a reader reads or copies from."""
    files = [ROOT / "README.md", ROOT / "code" / "README.md", *sorted(ROOT.glob("chapters/*.*"))]
    files += [p for p in sorted(site.rglob("*.html")) if p.relative_to(site).parts[0] != "_static"]
    files += sorted((site / "_notebooks").rglob("*.ipynb"))  # Colab, downloads
    files += [p for p in sorted((site / "_sources").rglob("*")) if p.is_file()]
    out = {p.as_posix(): p.read_text(encoding="utf-8") for p in files}
    if ARCHIVE.is_file():
        with zipfile.ZipFile(ARCHIVE) as zf:
            readme = next(n for n in zf.namelist() if n.endswith("/README.txt"))
            out[f"{ARCHIVE.name}:{readme}"] = zf.read(readme).decode("utf-8")
    return out


def test_no_placeholder_and_one_repository_everywhere(texts, site) -> None:
    assert len(texts) > 30  # the README files, the notebooks, the built pages and sources
    assert not problems(texts), problems(texts)[:20]
    chapter = (site / "chapters" / "01_softmax_function.html").read_text(encoding="utf-8")
    assert f'href="{REPOSITORY}"' in chapter  # the site's buttons: the configured address
    assert f"colab.research.google.com/github/{OWNER}/{NAME}/blob/" in chapter
    how_to = texts[(ROOT / "chapters" / "running_the_notebooks.md").as_posix()]
    assert re.findall(r"git clone (\S+)", how_to) == [f"{REPOSITORY}.git"], "the clone command"


def test_the_checks_catch_a_placeholder_and_another_home() -> None:
    texts = {
        "a": "git clone https://github.com/OWNER/softmax-derivative-book.git",
        "b": f"see https://github.com/someone-else/{NAME}",
        "c": f"{REPOSITORY} and https://colab.research.google.com/github/{OWNER}/{NAME}/blob/x",
        "d": f"https://raw.githubusercontent.com/someone-else/{NAME}/notebooks/data/x.json",
    }
    assert problems(texts) == [
        "a: 'github.com/OWNER/'",
        f"a: github.com/OWNER/{NAME}",
        f"b: github.com/someone-else/{NAME}",
        f"d: githubusercontent.com/someone-else/{NAME}",
    ]
