"""Plain notebooks for Colab and downloads: the chapters with no MyST left (a Sphinx extension).

After the HTML build, each chapter in plain Markdown with the book's numbers, an install cell
first (and one fetching ``data/``), in ``_build/html/_notebooks/``, where the page's ``.ipynb``
and Colab buttons point. MyST left fails the build. Why hand-written: tools/README.md.
"""

import copy
import json
import posixpath
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nbformat.v4 import new_code_cell
from sphinx.addnodes import pending_xref

from tools import notebook_form as form

NOTEBOOKS_DIR = "_notebooks"
NOTEBOOKS_BRANCH = "notebooks"

ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
HIDDEN = {"source_hidden": True, "outputs_hidden": True}  # collapsed in JupyterLab
ADMONITIONS = "admonition attention caution danger error hint important note tip warning".split()
DATA_FILE = re.compile(r"""["'](data/[\w./-]+)["']""")  # a file the code reads

INSTALL = """\
# The companion package of the book: installed here only where it is missing
# (Google Colab, a fresh Jupyter), from the book's repository.
try:
    import softmax_derivative  # noqa: F401
except ImportError:
    %pip install --quiet "softmax-derivative[fast] @ git+{url}#subdirectory=code"
"""
FETCH_DATA = """\
# The data this notebook reads, next to it; fetched where it was opened alone.
import pathlib
import urllib.request

base = "{base}"
for name in {files!r}:
    if not pathlib.Path(name).exists():
        pathlib.Path(name).parent.mkdir(parents=True, exist_ok=True)
        urllib.request.urlretrieve(f"{{base}}/{{name}}", name)
"""

MYST_LEFT = [  # MyST that must not be left in a plain notebook
    re.compile(r"^\s*(?:`{3,}|:{3,})\{[\w:-]+\}", re.M),  # directive fence
    re.compile(r"\{[\w:-]+\}`"),  # role
    re.compile(r"^\s*\([^()\s]+\)=\s*$", re.M),  # target
    re.compile(r"^\s*:(?:label|class|name|nonumber|dropdown):", re.M),  # option line
    re.compile(r"\$\$\s*\([^()\s]+\)\s*$", re.M),  # labelled equation
    re.compile(r"\[\]\(#[^)\s]+\)"),  # a link whose text MyST fills in
]


@dataclass
class Target:
    """Where a label points: its notebook, and its title (empty for an untitled label)."""

    docname: str
    text: str


@dataclass
class Index:
    """Labels and numbers of the whole book, as the book build gives them."""

    docname: str = ""  # the notebook being converted
    targets: dict[str, Target] = field(default_factory=dict)  # label -> target
    numbers: dict[str, str] = field(default_factory=dict)  # label -> "Theorem 5"
    equations: dict[str, str] = field(default_factory=dict)  # label -> "3"
    cite: Callable[[str, str], str] = lambda keys, role: f"({keys})"  # keys, role -> text

    def link(self, label: str, text: str | None = None) -> str:
        """``[text](href)`` from the current notebook to a label: an error if there is none."""
        target = self.targets.get(label)
        if target is None:
            raise KeyError(f"{self.docname}: no target for {label!r}")
        text = text or target.text or self.numbers.get(label, label)  # its title, else number
        if target.docname == self.docname:
            return f"[{text}](#{label})"
        path = posixpath.relpath(target.docname, posixpath.dirname(self.docname) or ".")
        return f"[{text}]({path}.ipynb#{label})"


def kind_title(name: str) -> str:
    """``prf:theorem`` -> ``Theorem``; ``exercise`` -> ``Exercise``."""
    return name.split(":")[-1].replace("-", " ").capitalize()


def convert_role(match: re.Match, index: Index) -> str:
    """One MyST role as plain Markdown; ``{doc}`` (not in the form) is left, for ``myst_left``."""
    role, body = match["role"], match["body"]
    explicit = form.EXPLICIT_TEXT.match(body)
    text, label = (explicit["text"], explicit["label"]) if explicit else (None, body)
    if role in ("prf:ref", "ref", "numref"):
        number = index.numbers.get(label) if role == "numref" else None
        return index.link(label, text or number)
    if role == "eq":  # "(3)", as the page shows it, whatever the text
        if label not in index.equations:
            raise KeyError(f"{index.docname}: no equation {label!r}")
        return index.link(label, f"({index.equations[label]})")
    if role.startswith("cite"):
        return index.cite(body, role)
    return match[0]


def convert_inline(line: str, index: Index) -> str:
    """The roles and ``[](#label)`` links (the form allows them) of one line of Markdown."""

    def anchor(m: re.Match) -> str:
        return m[0] if m["text"] else index.link(m["label"], index.numbers.get(m["label"]))

    return form.ANCHOR_LINK.sub(anchor, ROLE.sub(lambda match: convert_role(match, index), line))


def block_end(lines: list[str], start: int, fence: str) -> int:
    """The index of the line closing the block opened at ``start`` with ``fence``."""
    ends = (i for i in range(start + 1, len(lines)) if form.closes(lines[i].strip(), fence))
    return next(ends, len(lines))


def render_directive(name: str, arg: str, options: dict, body: str, index: Index) -> str:
    """A directive as Markdown (``solution-start`` opens a ``<details>`` left open)."""
    label = options.get("label") or options.get("name") or ""
    anchor = f'<a id="{label}"></a>\n\n' if label else ""
    title = convert_inline(arg, index)
    if name == "prf:proof":
        return f"*Proof.* {body}\n\n$\\blacksquare$".replace("*Proof.* \n", "*Proof.*\n")
    if name.startswith("prf:") or name in ("exercise", "exercise-start"):
        number = index.numbers.get(label) or kind_title(name.removesuffix("-start"))
        return f"{anchor}**{number}**{f' ({title})' if title else ''}\n\n{body}".rstrip()
    if name in ("exercise-end", "solution-end"):
        return ""
    if name == "solution-start":
        number = index.numbers.get(arg, "the exercise")
        return f"<details>\n<summary>Solution to {number}</summary>\n\n"
    if name == "dropdown" or "dropdown" in options.get("class", "").split():
        shown = title or kind_title(name)
        return f"{anchor}<details>\n<summary>{shown}</summary>\n\n{body}\n\n</details>"
    if name not in ADMONITIONS:
        raise ValueError(f"{index.docname}: no plain Markdown for the directive {{{name}}}")
    shown = title if name == "admonition" else ": ".join(filter(None, [kind_title(name), title]))
    return f"{anchor}**{shown}**\n\n{body}".rstrip()


def convert_markdown(text: str, index: Index) -> str:
    """A MyST markdown cell as plain Markdown."""
    lines, out, details_open, position = text.splitlines(), [], False, 0
    while position < len(lines):
        line = lines[position]
        stripped = line.strip()
        if fence := form.DIRECTIVE.match(stripped):
            end = block_end(lines, position, fence["fence"])
            name, arg, options = form.directives("\n".join(lines[position:end]))[0]
            start = position + 1 + len(options)  # the body, after the option lines
            body = convert_markdown("\n".join(lines[start:end]).strip("\n"), index)
            if name == "solution-end" and details_open:
                out.append("\n</details>")
                details_open = False
            out.append(render_directive(name, arg, options, body, index))
            details_open = details_open or name == "solution-start"
            position = end + 1
        elif code := form.CODE_FENCE.match(stripped):
            end = block_end(lines, position, code["fence"])
            out.extend(lines[position : end + 1])
            position = end + 1
        else:
            if target := form.TARGET.match(stripped):
                out.append(f'<a id="{target["label"]}"></a>')
            elif math := form.EQUATION_LABEL.search(stripped):
                number = index.equations.get(math["label"], "")
                tag = f"\\tag{{{number}}}" if number else ""
                out.append(f"{convert_inline(stripped[: math.start()], index)}{tag}$$")
                out.append(f'<a id="{math["label"]}"></a>')
            else:
                out.append(convert_inline(line, index))
            position += 1
    if details_open:
        out.append("\n</details>")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def setup_cell(cell_id: str, source: str) -> dict:
    """A code cell, tagged ``install``, that prepares a notebook opened on its own."""
    return new_code_cell(source.splitlines(True), id=cell_id, metadata={"tags": ["install"]})


def convert_notebook(notebook: dict, index: Index, repository_url: str) -> dict:
    """A chapter notebook as a plain notebook (a new dict; the input is not changed)."""
    plain = copy.deepcopy(notebook)
    solutions = set(form.solution_cells(plain["cells"]))
    cells = [setup_cell("install-companion-package", INSTALL.format(url=repository_url))]
    # The files under data/ that the code names: next to the notebook, or fetched from its branch
    code = (form.cell_source(c) for c in notebook["cells"] if c["cell_type"] == "code")
    if files := sorted({name for source in code for name in DATA_FILE.findall(source)}):
        raw = repository_url.replace("https://github.com/", "https://raw.githubusercontent.com/")
        folder = posixpath.dirname(index.docname)
        base = "/".join(part for part in (raw, NOTEBOOKS_BRANCH, folder) if part)
        cells.append(setup_cell("fetch-data", FETCH_DATA.format(base=base, files=files)))
    for position, cell in enumerate(plain["cells"]):
        if cell["cell_type"] == "markdown":
            source = convert_markdown(form.cell_source(cell), index)
            if not source.strip():  # a cell that held only a gate (exercise-end, solution-end)
                continue
            cell["source"] = source.splitlines(keepends=True)
            cell.get("metadata", {}).pop("tags", None)
        elif position in solutions:  # Colab's form view shows the title line only
            source = re.sub(r"^# Solution.*\n?", "", form.cell_source(cell))
            cell["source"] = f"# @title Solution (show the code)\n{source}".splitlines(True)
            meta = cell["metadata"] | {"cellView": "form"}
            cell["metadata"] = meta | {"jupyter": meta.get("jupyter", {}) | HIDDEN}
        cells.append(cell)
    plain["cells"] = cells
    plain["metadata"].pop("mystnb", None)
    return plain


def myst_left(notebook: dict) -> list[str]:
    """The MyST still in a notebook's markdown cells (empty for a plain notebook)."""
    return [
        f"{where}: {m[0].strip()!r}"
        for where, text in form.markdown_cells(notebook["cells"])
        for pattern in MYST_LEFT
        for m in pattern.finditer(text)
    ]


def book_index(app) -> Index:
    """Labels, numbers and equation numbers from the finished Sphinx environment."""
    env, index = app.env, Index()
    std = env.get_domain("std")
    for label, (docname, _anchor) in std.anonlabels.items():
        index.targets[label] = Target(docname, std.labels.get(label, ("", "", ""))[2])
    # The numbers the pages show (numfig: numbered across the book), equations' in brackets.
    words = {"figure": "Fig.", "code-block": "Listing"}  # otherwise the kind: "Table 2"
    for docname, figtypes in env.toc_fignumbers.items():
        for figtype, ids in figtypes.items():
            for node_id, number in ids.items():
                shown = ".".join(map(str, number))
                if figtype == "displaymath":
                    label = node_id.removeprefix("equation-")
                    index.equations[label] = shown
                    index.targets[label] = Target(docname, f"({shown})")
                else:
                    index.numbers[node_id] = f"{words.get(figtype, kind_title(figtype))} {shown}"
                    index.targets.setdefault(node_id, Target(docname, ""))
    bibtex = env.get_domain("cite")

    def cite(keys: str, role: str) -> str:
        """A citation as its page shows it (sphinxcontrib-bibtex); ``{cite}`` is ``{cite:p}``."""
        kind = role.removeprefix("cite").removeprefix(":") or "p"
        xref = pending_xref(refdomain="cite", reftype=kind)  # where a missing key is reported
        cited = bibtex.resolve_xref(env, index.docname, app.builder, kind, keys, xref, None)
        return cited.astext()

    index.cite = cite
    return index


def write_plain_notebooks(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    index, url = book_index(app), app.config.html_theme_options["repository_url"].rstrip("/")
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        if source.suffix != ".ipynb":  # the chapters written as notebooks
            continue
        index.docname = docname
        plain = convert_notebook(json.loads(source.read_text("utf-8")), index, url)
        if left := myst_left(plain):
            raise RuntimeError(f"{docname}: MyST left in the plain notebook: {left}")
        path = Path(app.outdir, NOTEBOOKS_DIR, f"{docname}.ipynb")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(form.dumps(plain), encoding="utf-8")
        if (source.parent / "data").is_dir():  # files the notebooks read, next to them
            shutil.copytree(source.parent / "data", path.parent / "data", dirs_exist_ok=True)


def point_buttons(app, pagename, templatename, context, doctree) -> None:
    """The .ipynb download and the Colab launch button open the plain notebook."""
    if context.get("page_source_suffix") != ".ipynb":
        return
    options = app.config.html_theme_options
    repo = options["repository_url"].rstrip("/").removeprefix("https://github.com/")
    colab = options["launch_buttons"]["colab_url"].rstrip("/")
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if group.get("label") == "download-buttons" and button.get("text") == ".ipynb":
                button["url"] = f"{context['pathto'](NOTEBOOKS_DIR, 1)}/{pagename}.ipynb"
                button["tooltip"] = "Download the notebook (plain Jupyter, no MyST)"
            if group.get("label") == "launch-buttons" and button.get("text") == "Colab":
                button["url"] = f"{colab}/github/{repo}/blob/{NOTEBOOKS_BRANCH}/{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", point_buttons, priority=600)
    app.connect("build-finished", write_plain_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
