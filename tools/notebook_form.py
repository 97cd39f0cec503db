"""Bring a chapter notebook to the form that renders both in the book and in JupyterLab.

The form is described in tools/README.md: solution code cells collapsed (with their outputs)
and starting with ``# Solution``, every other ``hide-input`` cell collapsed in JupyterLab too;
what needs an author's hand (markup JupyterLab shows raw or wrongly) is reported.

    python -m tools.notebook_form chapters/03_case_j_equals_k.ipynb   # fix in place, report
    python -m tools.notebook_form --check chapters/*.ipynb            # report only

The exit status is 1 while anything is reported (with ``--check``: or would be fixed). The
file is written as nbformat writes it, cell ids kept. The MyST patterns below are also those
the plain notebooks read (_ext/plain_notebooks.py).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# A directive's opening fence: ```{name} argument  or  :::{name} argument
DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")  # :key: value
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*$")  # (label)=
ANCHOR_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\(#(?P<label>[^)\s]+)\)")  # [text](#label)

SOLUTION_FIRST_LINE = "# Solution"
HIDE_INPUT = "hide-input"
EXERCISE_KINDS = ("Pen and paper:", "Code:", "Challenge:")
GATES = ("exercise-start", "exercise-end", "solution-start", "solution-end")

CODE_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?!\{)")
EQUATION_LABEL = re.compile(r"\$\$[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$")
ROLE = re.compile(r"\{(?P<role>prf:ref|ref|numref|eq|doc)\}`(?P<body>[^`]+)`")
EXPLICIT_TEXT = re.compile(r"^(?P<text>.+?)\s*<(?P<label>[^<>]+)>$")
FILE_LINK = re.compile(r"\[\]\((?P<target>[^)#\s]+\.(?:ipynb|md))\)")


@dataclass
class Directive:
    """A directive found in a markdown cell: its name, argument, options and fence."""

    name: str
    arg: str
    fence: str
    options: dict[str, str] = field(default_factory=dict)


def cell_source(cell: dict) -> str:
    """The source of a cell as one string (nbformat stores a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def set_cell_source(cell: dict, text: str) -> None:
    """Store ``text`` as nbformat writes a source: a list of lines with their endings."""
    cell["source"] = text.splitlines(keepends=True)


def closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes a block opened with ``fence`` (same character, as long)."""
    return len(line) >= len(fence) and set(line) == {fence[0]}


def directives(markdown: str) -> list[Directive]:
    """Every directive opened in ``markdown``, with the options that follow its fence.

    Plain code blocks (```python ...```) are skipped.

    Examples
    --------
    >>> [d.name for d in directives("```{exercise-start}\\n:label: ex-1\\n```\\ntext")]
    ['exercise-start']
    >>> directives(":::{prf:theorem} T\\n:label: thm-1\\n:::")[0].options
    {'label': 'thm-1'}
    """
    found: list[Directive] = []
    open_fences: list[tuple[str, bool]] = []  # (fence, is a plain code block)
    lines = markdown.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if open_fences and closes(stripped, open_fences[-1][0]):
            open_fences.pop()
            continue
        if open_fences and open_fences[-1][1]:
            continue
        match = DIRECTIVE.match(stripped)
        if match:
            directive = Directive(match["name"], match["arg"].strip(), match["fence"])
            for option_line in lines[index + 1 :]:
                option = OPTION.match(option_line.strip())
                if not option:
                    break
                directive.options[option["key"]] = option["value"].strip()
            found.append(directive)
            open_fences.append((match["fence"], False))
            continue
        code = CODE_FENCE.match(stripped)
        if code:
            open_fences.append((code["fence"], True))
    return found


def labels_defined(cells: list[dict]) -> tuple[set[str], set[str]]:
    """The labels a notebook defines: all of them, and those of sphinx-proof directives."""
    labels: set[str] = set()
    proof_labels: set[str] = set()
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = cell_source(cell)
        for directive in directives(text):
            label = directive.options.get("label")
            if label:
                labels.add(label)
                if directive.name.startswith("prf:"):
                    proof_labels.add(label)
        for line in text.splitlines():
            for pattern in (TARGET, EQUATION_LABEL):
                match = pattern.search(line.strip())
                if match:
                    labels.add(match["label"])
    return labels, proof_labels


def markup_problems(cells: list[dict]) -> list[str]:
    """What in the markdown cells JupyterLab cannot render right, with cell numbers."""
    labels, proof_labels = labels_defined(cells)
    problems: list[str] = []
    open_gate = ""  # "exercise" or "solution" while inside a gated directive
    for number, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        text = cell_source(cell)
        where = f"cell {number}"
        for directive in directives(text):
            name = directive.name
            if name in GATES:
                kind, gate = name.split("-")
                if gate == "start":
                    if open_gate:
                        problems.append(f"{where}: {{{name}}} inside an open {open_gate}")
                    open_gate = kind
                else:
                    if open_gate != kind:
                        problems.append(f"{where}: {{{name}}} without its {kind}-start")
                    open_gate = ""
            if name in ("exercise", "exercise-start") and not directive.arg.startswith(
                EXERCISE_KINDS
            ):
                problems.append(
                    f"{where}: exercise title {directive.arg!r} must begin with one of "
                    + ", ".join(repr(k) for k in EXERCISE_KINDS)
                )
            if (
                name == "solution-start"
                and "dropdown" not in directive.options.get("class", "").split()
            ):
                problems.append(f"{where}: solution-start needs ':class: dropdown'")
        for match in ROLE.finditer(text):
            role, body = match["role"], match["body"]
            explicit = EXPLICIT_TEXT.match(body)
            if role == "doc":
                target = explicit["label"] if explicit else body
                problems.append(
                    f"{where}: {match[0]} renders as a file name in JupyterLab; write a link"
                    f" with text, e.g. [Chapter title]({target}.ipynb)"
                )
            elif not explicit and body not in labels:
                problems.append(
                    f"{where}: {match[0]}: JupyterLab sees no label {body!r} in this notebook"
                    " (another notebook's, or a figure named in code-cell metadata) and"
                    f" shows it raw; give the text: {{{role}}}`some text <{body}>`"
                )
        for match in ANCHOR_LINK.finditer(text):
            label = match["label"]
            if label in proof_labels:
                problems.append(
                    f"{where}: {match[0]} fails in the book for a theorem label;"
                    f" use {{prf:ref}}`{label}`"
                )
            elif label not in labels:
                problems.append(f"{where}: {match[0]}: no label {label!r} in this notebook")
        for match in FILE_LINK.finditer(text):
            problems.append(
                f"{where}: {match[0]} has no text (JupyterLab shows the file name);"
                " write the chapter's title as the link text"
            )
    if open_gate:
        problems.append(f"end of notebook: the last {open_gate}-start is never ended")
    return problems


def hide_cell(cell: dict, outputs: bool = False) -> bool:
    """Collapse a code cell on the site and in JupyterLab (with ``outputs``, its outputs too
    in JupyterLab: a solution's printed answer). Returns whether it changed."""
    metadata = cell.setdefault("metadata", {})
    tags = metadata.setdefault("tags", [])
    jupyter = metadata.setdefault("jupyter", {})
    changed = False
    if HIDE_INPUT not in tags:
        tags.append(HIDE_INPUT)
        changed = True
    hidden = ["source_hidden", "outputs_hidden"] if outputs else ["source_hidden"]
    for key in hidden:
        if jupyter.get(key) is not True:
            jupyter[key] = True
            changed = True
    return changed


def solution_cells(cells: list[dict]) -> list[int]:
    """Indices of the code cells between a solution-start and its solution-end."""
    inside = False
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            for directive in directives(cell_source(cell)):
                if directive.name == "solution-start":
                    inside = True
                elif directive.name == "solution-end":
                    inside = False
        elif cell["cell_type"] == "code" and inside:
            found.append(index)
    return found


def normalise(notebook: dict) -> list[str]:
    """Fix the collapsed cells of ``notebook`` in place; return what was changed."""
    cells = notebook["cells"]
    changes = []
    solutions = set(solution_cells(cells))
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        if index in solutions:
            if hide_cell(cell, outputs=True):
                changes.append(f"cell {index}: solution collapsed (source and outputs)")
            source = cell_source(cell)
            if not source.startswith(SOLUTION_FIRST_LINE):
                set_cell_source(cell, f"{SOLUTION_FIRST_LINE}\n{source}")
                changes.append(f"cell {index}: first line '{SOLUTION_FIRST_LINE}' added")
        elif HIDE_INPUT in cell.get("metadata", {}).get("tags", []):
            if hide_cell(cell):
                changes.append(f"cell {index}: hide-input cell collapsed in JupyterLab")
    return changes


def dumps(notebook: dict) -> str:
    """The notebook as nbformat writes it (so a re-save by JupyterLab changes nothing)."""
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def process(path: Path, check: bool) -> int:
    """Fix (unless ``check``) and report one notebook; return the number of findings."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    changes = normalise(notebook)
    problems = markup_problems(notebook["cells"])
    for change in changes:
        print(f"{path}: {'would fix' if check else 'fixed'}: {change}")
    if changes and not check:
        path.write_text(dumps(notebook), encoding="utf-8")
    for problem in problems:
        print(f"{path}: {problem}")
    return len(problems) + (len(changes) if check else 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report only, change nothing")
    args = parser.parse_args(argv)
    findings = sum(process(path, args.check) for path in args.notebooks)
    if findings:
        print(f"{findings} finding(s); the form is described in tools/README.md")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
