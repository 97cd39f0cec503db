"""Bring a chapter notebook to the form that renders in the book and in JupyterLab.

The form is in CONTRIBUTING.md; this fixes the collapsed cells and reports the markup that
needs a hand (exit status 1 while anything is reported; ``--check``: or would be fixed).

    python -m tools.notebook_form chapters/03_case_j_equals_k.ipynb   # fix in place, report
    python -m tools.notebook_form --check chapters/*.ipynb            # report only
"""

import argparse
import itertools
import json
import re
import sys
from collections import namedtuple
from pathlib import Path

# A directive's opening fence: ```{name} argument  or  :::{name} argument
DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")  # :key: value
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*$")  # (label)=
ANCHOR_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\(#(?P<label>[^)\s]+)\)")  # [text](#label)

SOLUTION_FIRST_LINE = "# Solution"
EXERCISE_KINDS = ("Pen and paper:", "Code:", "Challenge:")
GATES = ("exercise-start", "exercise-end", "solution-start", "solution-end")

CODE_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?!\{)")
EQUATION_LABEL = re.compile(r"\$\$[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$")
ROLE = re.compile(r"\{(?P<role>prf:ref|ref|numref|eq|doc)\}`(?P<body>[^`]+)`")
EXPLICIT_TEXT = re.compile(r"^(?P<text>.+?)\s*<(?P<label>[^<>]+)>$")
FILE_LINK = re.compile(r"\[\]\((?P<target>[^)#\s]+\.(?:ipynb|md))\)")
# A directive found in a markdown cell: its name, argument and options (a dict).
Directive = namedtuple("Directive", "name arg options")


def cell_source(cell: dict) -> str:
    """The source of a cell as one string (nbformat stores a string or a list of lines)."""
    return "".join(cell.get("source", ""))


def closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes a block opened with ``fence`` (same character, as long)."""
    return len(line) >= len(fence) and set(line) == {fence[0]}


def directives(markdown: str) -> list[Directive]:
    """Every directive opened in ``markdown``, with its options; code blocks are skipped."""
    found: list[Directive] = []
    open_fences: list[tuple[str, bool]] = []  # (fence, is a plain code block)
    lines = [line.strip() for line in markdown.splitlines()]
    for index, line in enumerate(lines):
        if open_fences and closes(line, open_fences[-1][0]):
            open_fences.pop()
        elif open_fences and open_fences[-1][1]:
            continue
        elif match := DIRECTIVE.match(line):
            matches = itertools.takewhile(bool, map(OPTION.match, lines[index + 1 :]))
            options = {option["key"]: option["value"].strip() for option in matches}
            found.append(Directive(match["name"], match["arg"].strip(), options))
            open_fences.append((match["fence"], False))
        elif code := CODE_FENCE.match(line):
            open_fences.append((code["fence"], True))
    return found


def markdown_cells(cells: list[dict]) -> list[tuple[str, str]]:
    """(``cell N``, source) of each markdown cell."""
    return [
        (f"cell {n}", cell_source(c)) for n, c in enumerate(cells) if c["cell_type"] == "markdown"
    ]


def markup_problems(cells: list[dict]) -> list[str]:
    """What in the markdown cells JupyterLab cannot render right, with cell numbers."""
    markdown = [(where, text, directives(text)) for where, text in markdown_cells(cells)]
    found = [directive for *_, cell_directives in markdown for directive in cell_directives]
    proof_labels = {d.options.get("label") for d in found if d.name.startswith("prf:")}
    lines = [line.strip() for _, text, _ in markdown for line in text.splitlines()]
    labels = {d.options.get("label") for d in found} | {
        m["label"] for line in lines for p in (TARGET, EQUATION_LABEL) if (m := p.search(line))
    }
    problems: list[str] = []
    open_gate = ""  # "exercise" or "solution" while inside a gated directive
    for where, text, cell_directives in markdown:
        said = []  # of this cell
        for name, arg, options in cell_directives:
            if name in GATES:
                kind, gate = name.split("-")
                if gate == "start" and open_gate:
                    said.append(f"{{{name}}} inside an open {open_gate}")
                if gate == "end" and open_gate != kind:
                    said.append(f"{{{name}}} without its {kind}-start")
                open_gate = kind if gate == "start" else ""
            if name in ("exercise", "exercise-start") and not arg.startswith(EXERCISE_KINDS):
                said.append(f"exercise title {arg!r} must begin with one of {EXERCISE_KINDS}")
            if name == "solution-start" and "dropdown" not in options.get("class", "").split():
                said.append("solution-start needs ':class: dropdown'")
        for match in ROLE.finditer(text):
            role, body = match["role"], match["body"]
            explicit = EXPLICIT_TEXT.match(body)
            if role == "doc":
                said.append(
                    f"{match[0]} renders as a file name in JupyterLab; write a link with text,"
                    f" e.g. [Chapter title]({explicit['label'] if explicit else body}.ipynb)"
                )
            elif not explicit and body not in labels:
                said.append(
                    f"{match[0]}: JupyterLab sees no label {body!r} in this notebook (another"
                    " notebook's, or a figure named in code-cell metadata) and shows it raw;"
                    f" give the text: {{{role}}}`some text <{body}>`"
                )
        for match in ANCHOR_LINK.finditer(text):
            if (label := match["label"]) in proof_labels:
                said.append(
                    f"{match[0]} fails in the book for a theorem label; use {{prf:ref}}`{label}`"
                )
            elif label not in labels:
                said.append(f"{match[0]}: no label {label!r} in this notebook")
        said += [
            f"{match[0]} has no text (JupyterLab shows the file name); write the chapter's title"
            " as the link text"
            for match in FILE_LINK.finditer(text)
        ]
        problems += [f"{where}: {problem}" for problem in said]
    if open_gate:
        problems.append(f"end of notebook: the last {open_gate}-start is never ended")
    return problems


def solution_cells(cells: list[dict]) -> list[int]:
    """Indices of the code cells between a solution-start and its solution-end."""
    inside, found = False, []
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code" and inside:
            found.append(index)
        for directive in directives(cell_source(cell)) if cell["cell_type"] == "markdown" else []:
            if directive.name in ("solution-start", "solution-end"):
                inside = directive.name == "solution-start"
    return found


def normalise(notebook: dict) -> list[str]:
    """Collapse the solutions (with their printed answers) and hide-input cells of ``notebook``
    in place, also in JupyterLab; return what was changed."""
    changes = []
    solutions = set(solution_cells(notebook["cells"]))
    for index, cell in enumerate(notebook["cells"]):
        metadata = cell["metadata"]
        if index in solutions:
            hidden = ["source_hidden", "outputs_hidden"]
            change = "solution collapsed (source and outputs)"
        elif cell["cell_type"] == "code" and "hide-input" in metadata.get("tags", []):
            hidden = ["source_hidden"]
            change = "hide-input cell collapsed in JupyterLab"
        else:
            continue
        before = json.dumps(metadata)
        if "hide-input" not in metadata.setdefault("tags", []):
            metadata["tags"].append("hide-input")
        metadata.setdefault("jupyter", {}).update(dict.fromkeys(hidden, True))
        if json.dumps(metadata) != before:
            changes.append(f"cell {index}: {change}")
        if index in solutions and not cell_source(cell).startswith(SOLUTION_FIRST_LINE):
            source = f"{SOLUTION_FIRST_LINE}\n{cell_source(cell)}"
            cell["source"] = source.splitlines(keepends=True)
            changes.append(f"cell {index}: first line '{SOLUTION_FIRST_LINE}' added")
    return changes


def dumps(notebook: dict) -> str:
    """The notebook as nbformat writes it (so a re-save by JupyterLab changes nothing)."""
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report only, change nothing")
    args = parser.parse_args(argv)
    findings = 0
    for path in args.notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        changes = normalise(notebook)
        if changes and not args.check:
            path.write_text(dumps(notebook), encoding="utf-8")
        verb = "would fix" if args.check else "fixed"
        report = [f"{verb}: {change}" for change in changes] + markup_problems(notebook["cells"])
        print("".join(f"{path}: {line}\n" for line in report), end="")
        findings += len(report) if args.check else len(report) - len(changes)
    if findings:
        print(f"{findings} finding(s); the form is described in CONTRIBUTING.md")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
