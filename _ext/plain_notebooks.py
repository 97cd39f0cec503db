"""Plain notebooks for Colab and downloads: the chapters with no MyST left.

Colab and plain Jupyter render only Markdown, so every chapter is converted, at the end of
the book build, with the numbers the book gives:

- theorems, proofs, admonitions and exercises become bold-titled paragraphs with their
  numbers (``**Theorem 5** (The diagonal)``); dropdowns and solutions go behind HTML
  ``<details>``;
- references become links with their text and numbers (``[Theorem 5](#thm-03-diagonal)``,
  ``[Case $j = k$](03_case_j_equals_k.ipynb)``), labelled equations get ``\\tag{n}``,
  citations read ``(Kinsley and Kukieła, 2020)``;
- a first code cell installs the companion package when it is missing (Colab), from the
  repository named once in ``_config.yml``; a notebook that reads files under ``data/``
  (copied next to it) gets a second cell that fetches them from the ``notebooks`` branch
  where it was opened alone; solution code cells are collapsed (Jupyter's
  ``source_hidden``, Colab's form view).

A Sphinx extension (``_config.yml``: ``sphinx: local_extensions``), it writes the notebooks to
``_build/html/_notebooks/`` (same paths as the sources) and points the page's ``.ipynb``
download button there, and its Colab launch button to the same notebook on the repository's
``notebooks`` branch, which the publishing workflow fills from ``_build/html/_notebooks``.
The build fails if MyST is left in a plain notebook. It reads MyST with the patterns of
``tools/notebook_form.py``, so it is loaded by its name from the repository's root.
"""

from __future__ import annotations

import copy
import json
import posixpath
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.notebook_form import (
    ANCHOR_LINK,
    DIRECTIVE,
    OPTION,
    TARGET,
    closes,
    dumps,
    solution_cells,
)

NOTEBOOKS_DIR = "_notebooks"
NOTEBOOKS_BRANCH = "notebooks"

CODE_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})")
LABELLED_MATH_END = re.compile(r"^(?P<math>.*)\$\$[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$")
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
EXPLICIT = re.compile(r"^(?P<text>.+?)\s*<(?P<target>[^<>]+)>$")

# What is left of MyST in a notebook that is not plain (checked on every plain notebook).
MYST_LEFT = [
    re.compile(r"^\s*(?:`{3,}|:{3,})\{[\w:-]+\}", re.M),  # directive fence
    re.compile(r"\{[\w:-]+\}`"),  # role
    re.compile(r"^\s*\([^()\s]+\)=\s*$", re.M),  # target
    re.compile(r"^\s*:(?:label|class|name|nonumber|dropdown):", re.M),  # option line
    re.compile(r"\$\$\s*\([^()\s]+\)\s*$", re.M),  # labelled equation
]

ADMONITION_TITLES = {
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
}


@dataclass
class Target:
    """Where a label points: its notebook, and the text a reference to it shows."""

    docname: str
    text: str


@dataclass
class Index:
    """Labels, numbers and titles of the whole book, as the book build gives them."""

    docname: str = ""  # the notebook being converted
    targets: dict[str, Target] = field(default_factory=dict)  # label -> target
    numbers: dict[str, str] = field(default_factory=dict)  # label -> "Theorem 5"
    equations: dict[str, str] = field(default_factory=dict)  # label -> "3"
    titles: dict[str, str] = field(default_factory=dict)  # docname -> title (Markdown)
    cite: Callable[[str, bool], str] = lambda keys, textual: f"({keys})"

    def href(self, docname: str, label: str = "") -> str:
        """A link from the current notebook to ``label`` in ``docname``."""
        anchor = f"#{label}" if label else ""
        if docname == self.docname:
            return anchor or "#"
        here = Path(self.docname).parent
        there = Path(docname)
        if there.parent == here:
            return f"{there.name}.ipynb{anchor}"
        return f"{Path(*(['..'] * len(here.parts)), docname)}.ipynb{anchor}"


def kind_title(name: str) -> str:
    """``prf:theorem`` -> ``Theorem``."""
    return name.split(":")[-1].replace("-", " ").capitalize()


def convert_role(role: str, body: str, index: Index) -> str:
    """One MyST role as plain Markdown."""
    explicit = EXPLICIT.match(body)
    text, label = (explicit["text"], explicit["target"]) if explicit else (None, body)
    if role == "doc":
        docname = str(Path(index.docname).parent / label) if "/" not in label else label
        title = text or index.titles.get(docname, label)
        return f"[{title}]({index.href(docname)})"
    if role in ("prf:ref", "ref", "numref"):
        target = index.targets.get(label)
        if target is None:
            raise KeyError(f"{index.docname}: no target for {{{role}}}`{body}`")
        shown = text or (index.numbers.get(label) if role == "numref" else None) or target.text
        if role == "numref" and text and "%s" in text:
            shown = text.replace("%s", index.numbers.get(label, "").split(" ")[-1])
        return f"[{shown}]({index.href(target.docname, label)})"
    if role == "eq":
        target = index.targets.get(label)
        if target is None or label not in index.equations:
            raise KeyError(f"{index.docname}: no equation {label!r}")
        return f"[({index.equations[label]})]({index.href(target.docname, label)})"
    if role.startswith("cite"):
        return index.cite(body, role in ("cite:t", "cite:alt"))
    if role == "math":
        return f"${body}$"
    return body  # abbr, sub, sup, ...: the text itself


def convert_inline(line: str, index: Index) -> str:
    """Roles and ``[](#label)`` links of one line of Markdown."""
    line = ROLE.sub(lambda m: convert_role(m["role"], m["body"], index), line)

    def anchor(match: re.Match) -> str:
        label = match["label"]
        target = index.targets.get(label)
        if target is None:
            return match[0]
        text = match["text"] or index.numbers.get(label) or target.text
        return f"[{text}]({index.href(target.docname, label)})"

    return ANCHOR_LINK.sub(anchor, line)


def split_block(lines: list[str], start: int, fence: str) -> int:
    """The index of the line closing the block opened at ``start`` with ``fence``."""
    ends = (i for i in range(start + 1, len(lines)) if closes(lines[i].strip(), fence))
    return next(ends, len(lines))


def render_directive(
    name: str, arg: str, options: dict[str, str], body: str, index: Index
) -> tuple[str, bool]:
    """A directive as Markdown; the flag asks to put the rest of the cell in <details>."""
    label = options.get("label") or options.get("name") or ""
    anchor = f'<a id="{label}"></a>\n\n' if label else ""
    classes = options.get("class", "").split()
    title = convert_inline(arg, index)
    if name == "prf:proof":
        return f"*Proof.* {body}\n\n$\\blacksquare$".replace("*Proof.* \n", "*Proof.*\n"), False
    if name.startswith("prf:") or name in ("exercise", "exercise-start"):
        number = index.numbers.get(label) or kind_title(name.removesuffix("-start"))
        head = f"**{number}**" + (f" ({title})" if title else "")
        return f"{anchor}{head}\n\n{body}".rstrip(), False
    if name in ("exercise-end", "solution-end"):
        return "", False
    if name in ("solution", "solution-start"):
        exercise = index.numbers.get(arg, "the exercise")
        summary = f"<details>\n<summary>Solution to {exercise}</summary>\n\n"
        if name == "solution":
            return f"{summary}{body}\n\n</details>", False
        return summary, True
    if name == "math":
        return f"$$\n{body}\n$$", False
    if name in ("code-block", "code"):
        return f"```{arg}\n{body}\n```", False
    if name == "dropdown" or "dropdown" in classes:
        shown = title or ADMONITION_TITLES.get(name, kind_title(name))
        return f"{anchor}<details>\n<summary>{shown}</summary>\n\n{body}\n\n</details>", False
    shown = title if name == "admonition" else ADMONITION_TITLES.get(name, kind_title(name))
    if title and name != "admonition":
        shown = f"{shown}: {title}"
    return f"{anchor}**{shown}**\n\n{body}".rstrip(), False


def convert_markdown(text: str, index: Index) -> str:
    """A MyST markdown cell as plain Markdown."""
    lines = text.splitlines()
    out: list[str] = []
    details_open = False
    position = 0
    while position < len(lines):
        line = lines[position]
        stripped = line.strip()
        directive = DIRECTIVE.match(stripped)
        if directive:
            fence = directive["fence"]
            end = split_block(lines, position, fence)
            options: dict[str, str] = {}
            body_start = position + 1
            while body_start < end and OPTION.match(lines[body_start].strip()):
                option = OPTION.match(lines[body_start].strip())
                options[option["key"]] = option["value"].strip()
                body_start += 1
            body = convert_markdown("\n".join(lines[body_start:end]).strip("\n"), index)
            rendered, opens = render_directive(
                directive["name"], directive["arg"].strip(), options, body, index
            )
            if directive["name"] == "solution-end" and details_open:
                out.append("\n</details>")
                details_open = False
            out.append(rendered)
            details_open = details_open or opens
            position = end + 1
            continue
        code = CODE_FENCE.match(stripped)
        if code:
            end = split_block(lines, position, code["fence"])
            out.extend(lines[position : end + 1])
            position = end + 1
            continue
        target = TARGET.match(stripped)
        if target:
            out.append(f'<a id="{target["label"]}"></a>')
        elif LABELLED_MATH_END.match(stripped):
            match = LABELLED_MATH_END.match(stripped)
            number = index.equations.get(match["label"], "")
            tag = f"\\tag{{{number}}}" if number else ""
            out.append(f"{convert_inline(match['math'], index)}{tag}$$")
            out.append(f'<a id="{match["label"]}"></a>')
        else:
            out.append(convert_inline(line, index))
        position += 1
    if details_open:
        out.append("\n</details>")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def setup_cell(cell_id: str, source: str) -> dict:
    """A code cell, tagged ``install``, that prepares a notebook opened on its own."""
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": {"tags": ["install"]},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }


def install_cell(repository_url: str) -> dict:
    """The first cell: installs the companion package where it is missing (Colab)."""
    source = (
        "# The companion package of the book: installed here only where it is missing\n"
        "# (Google Colab, a fresh Jupyter), from the book's repository.\n"
        "try:\n"
        "    import softmax_derivative  # noqa: F401\n"
        "except ImportError:\n"
        '    %pip install --quiet "softmax-derivative[fast] @ '
        f'git+{repository_url}#subdirectory=code"\n'
    )
    return setup_cell("install-companion-package", source)


#: A file the notebook's code names under ``data/`` (copied next to the plain notebooks).
DATA_FILE = re.compile(r"""["'](data/[\w./-]+)["']""")


def data_files(notebook: dict) -> list[str]:
    """The files under ``data/`` that the notebook's code cells name."""
    code = ("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    return sorted({name for source in code for name in DATA_FILE.findall(source)})


def data_cell(files: list[str], base_url: str) -> dict:
    """The second cell of a notebook that reads ``files``: they sit next to it, except where
    the notebook was opened alone (Colab opens one file of the notebooks branch); there
    they are fetched from ``base_url``, the notebook's folder on that branch."""
    source = (
        "# The data this notebook reads, next to it; fetched where it was opened alone.\n"
        "import pathlib\n"
        "import urllib.request\n"
        "\n"
        f'base = "{base_url}"\n'
        f"for name in {files!r}:\n"
        "    if not pathlib.Path(name).exists():\n"
        "        pathlib.Path(name).parent.mkdir(parents=True, exist_ok=True)\n"
        '        urllib.request.urlretrieve(f"{base}/{name}", name)\n'
    )
    return setup_cell("fetch-data", source)


def convert_notebook(notebook: dict, index: Index, repository_url: str) -> dict:
    """A chapter notebook as a plain notebook (a new dict; the input is not changed)."""
    plain = copy.deepcopy(notebook)
    solutions = set(solution_cells(plain["cells"]))
    for position, cell in enumerate(plain["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            cell["source"] = convert_markdown(source, index).splitlines(keepends=True)
            cell.get("metadata", {}).pop("tags", None)
        elif position in solutions:
            # Colab's form view shows the title line only; Jupyter collapses the source.
            lines = source.splitlines()
            if lines and lines[0].startswith("# Solution"):
                lines = lines[1:]
            cell["source"] = "\n".join(["# @title Solution (show the code)", *lines])
            cell["source"] = cell["source"].splitlines(keepends=True)
            cell["metadata"]["cellView"] = "form"
            cell["metadata"].setdefault("jupyter", {}).update(
                source_hidden=True, outputs_hidden=True
            )
    # Cells that held only a gate (exercise-end, solution-end) are empty now.
    plain["cells"] = [
        cell
        for cell in plain["cells"]
        if cell["cell_type"] != "markdown" or "".join(cell["source"]).strip()
    ]
    plain["cells"].insert(0, install_cell(repository_url))
    files = data_files(notebook)
    if files:
        raw = repository_url.replace("https://github.com/", "https://raw.githubusercontent.com/")
        folder = posixpath.dirname(index.docname)
        base_url = "/".join(part for part in (raw, NOTEBOOKS_BRANCH, folder) if part)
        plain["cells"].insert(1, data_cell(files, base_url))
    plain["metadata"].pop("mystnb", None)
    return plain


def myst_left(notebook: dict) -> list[str]:
    """The MyST still in a notebook's markdown cells (empty for a plain notebook)."""
    found = []
    for position, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        for pattern in MYST_LEFT:
            found += [f"cell {position}: {m[0].strip()!r}" for m in pattern.finditer(text)]
    return found


# --- citations from the book's BibTeX file --------------------------------------------


def bibtex_citer(bib_files: list[Path]) -> Callable[[str, bool], str]:
    """A function turning ``key1,key2`` into ``(Author, 2020; ...)`` (author-year)."""
    import codecs

    import latexcodec  # noqa: F401  (registers the "ulatex" codec; a pybtex dependency)
    from pybtex.database import parse_file

    entries = {}
    for path in bib_files:
        entries.update(parse_file(str(path)).entries)

    def authors(key: str) -> tuple[str, str]:
        entry = entries[key]
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [" ".join(person.last_names) for person in people]
        names = [re.sub(r"[{}]", "", codecs.decode(name, "ulatex")) for name in names]
        if not names:
            who = re.sub(r"[{}]", "", entry.fields.get("title", key))
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return who, entry.fields.get("year", "n.d.")

    def cite(keys: str, textual: bool) -> str:
        parts = [authors(key.strip()) for key in keys.split(",")]
        if textual:
            return "; ".join(f"{who} ({year})" for who, year in parts)
        return "(" + "; ".join(f"{who}, {year}" for who, year in parts) + ")"

    return cite


# --- the Sphinx extension ----------------------------------------------------------------


def book_index(app) -> Index:
    """Labels, numbers, equation numbers and titles from the finished Sphinx environment."""
    env = app.env
    index = Index()
    for docname in env.found_docs:
        source = Path(env.doc2path(docname))
        if source.suffix == ".ipynb":
            first = json.loads(source.read_text(encoding="utf-8"))["cells"][0]
            heading = next(
                (ln for ln in "".join(first["source"]).splitlines() if ln.startswith("# ")), ""
            )
            index.titles[docname] = heading[2:].strip() or docname
        elif docname in env.titles:
            index.titles[docname] = env.titles[docname].astext()
    std = env.get_domain("std")
    for label, (docname, _anchor, title) in std.labels.items():
        index.targets[label] = Target(docname, title or label)
    for label, (docname, _anchor) in std.anonlabels.items():
        index.targets.setdefault(label, Target(docname, label))
    names = {"figure": "Fig.", "table": "Table", "code-block": "Listing"}
    for docname, figtypes in env.toc_fignumbers.items():
        for figtype, ids in figtypes.items():
            for node_id, number in ids.items():
                word = names.get(figtype, kind_title(figtype))
                text = f"{word} {'.'.join(map(str, number))}"
                index.numbers[node_id] = text
                target = index.targets.get(node_id)
                if target is None or target.text == node_id:
                    index.targets[node_id] = Target(docname, text)
    # The number the page shows (numfig: numbered across the book), not the math domain's
    # number within one document.
    for label, (docname, number) in env.get_domain("math").data["objects"].items():
        shown = env.toc_fignumbers.get(docname, {}).get("displaymath", {})
        number = ".".join(map(str, shown.get(f"equation-{label}", (number,))))
        index.targets[label] = Target(docname, f"({number})")
        index.equations[label] = number
    # sphinx-proof and sphinx-exercise labels without a number (e.g. :nonumber:)
    prf = env.domains.get("prf")
    if prf is not None:
        for label, value in prf.data.get("objects", {}).items():
            name = label[-1] if isinstance(label, tuple) else label
            docname = value[0] if isinstance(value, tuple) else value
            index.targets.setdefault(name, Target(docname, index.numbers.get(name, name)))
    for label, number in index.numbers.items():
        if label in index.targets and index.targets[label].text in (label, ""):
            index.targets[label].text = number
    bib = [Path(app.srcdir, path) for path in app.config.bibtex_bibfiles or []]
    if bib:
        index.cite = bibtex_citer(bib)
    return index


def repository_url(app) -> str:
    options = app.config.html_theme_options or {}
    return (options.get("repository_url") or "").rstrip("/")


def notebook_docnames(app) -> list[str]:
    return sorted(
        docname
        for docname in app.env.found_docs
        if Path(app.env.doc2path(docname)).suffix == ".ipynb"
    )


def write_plain_notebooks(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    index = book_index(app)
    out = Path(app.outdir, NOTEBOOKS_DIR)
    for docname in notebook_docnames(app):
        index.docname = docname
        source = Path(app.env.doc2path(docname))
        notebook = json.loads(source.read_text(encoding="utf-8"))
        plain = convert_notebook(notebook, index, repository_url(app))
        left = myst_left(plain)
        if left:
            raise RuntimeError(f"{docname}: MyST left in the plain notebook: {left}")
        path = out / f"{docname}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(plain), encoding="utf-8")
        data = source.parent / "data"
        if data.is_dir():  # files the notebooks read, next to them
            shutil.copytree(data, path.parent / "data", dirs_exist_ok=True)


def point_buttons(app, pagename, templatename, context, doctree) -> None:
    """The .ipynb download and the Colab launch button open the plain notebook."""
    if pagename not in notebook_docnames(app):
        return
    pathto = context["pathto"]
    plain = f"{pathto(NOTEBOOKS_DIR, 1)}/{pagename}.ipynb"
    repo = repository_url(app).removeprefix("https://github.com/")
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if group.get("label") == "download-buttons" and button.get("text") == ".ipynb":
                button["url"] = plain
                button["tooltip"] = "Download the notebook (plain Jupyter, no MyST)"
            if group.get("label") == "launch-buttons" and button.get("text") == "Colab":
                colab = app.config.html_theme_options["launch_buttons"]["colab_url"]
                button["url"] = (
                    f"{colab.rstrip('/')}/github/{repo}/blob/{NOTEBOOKS_BRANCH}/{pagename}.ipynb"
                )


def setup(app):
    app.connect("html-page-context", point_buttons, priority=600)
    app.connect("build-finished", write_plain_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
