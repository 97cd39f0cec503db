"""The notebooks as a learner sees them in JupyterLab (jupyterlab-myst), in Chromium, over a
copy of chapters/ or LAB_NOTEBOOKS=folder (README.md, `make test-all`)."""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from tools.notebook_form import cell_source, directives, solution_cells

NOTEBOOKS = Path(os.environ.get("LAB_NOTEBOOKS") or ROOT / "chapters").resolve()
SCREENSHOT = ROOT / "_build" / "screenshots" / "lab-exercise.png"
REPORT = ROOT / "_build" / "lab-check.json"
TIMEOUT_MS, RUN_TIMEOUT_MS = 120_000, 900_000  # open and render a notebook; Run All
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# Every cell attached to the page (to inspect each), no autosave, no news (no network).
SETTINGS = {
    "notebook-extension/tracker": {"windowingMode": "none"},
    "docmanager-extension/plugin": {"autosave": False},
    "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}
FINISHED = "Run All has finished"  # printed by a last cell added to each copy
RAW_MYST = {
    "directive or role name": re.compile(r"\{(?:[a-z][\w-]*:)?[a-z][\w-]+\}"),
    "option line": re.compile(r"^\s*:[a-z][\w-]*:(?:\s|$)", re.M),
    "target line": re.compile(r"^\s*\([\w:.-]+\)=\s*$", re.M),
    "colon fence": re.compile(r"^\s*:::", re.M),
}

# Each markdown cell: rendered?, its text without the math (which has braces of its own),
# unresolved references, links showing a file name, whether each dropdown is open. Each code
# cell: what of its source and outputs is visible.
STATE_JS = """(panel) => {
  const all = (sel) => [...document.querySelectorAll(panel + ' ' + sel)];
  const markdown = all('.jp-MarkdownCell').map(cell => {
    const out = cell.querySelector('.myst');
    if (!out || !cell.classList.contains('jp-mod-rendered')) { return {rendered: false}; }
    const clone = out.cloneNode(true), probe = document.createElement('div');
    clone.querySelectorAll('.katex, .katex-display, mjx-container, math, script, style')
      .forEach(e => e.remove());
    clone.querySelectorAll('details').forEach(d => { d.open = true; });
    probe.style.cssText = `position: absolute; left: -10000px; width: ${out.clientWidth}px`;
    probe.appendChild(clone);
    document.body.appendChild(probe);  // innerText needs a rendered element
    const text = clone.innerText;
    probe.remove();
    const file = (a) => decodeURIComponent(a.getAttribute('href').split('?')[0].split('/').pop());
    return {rendered: true, text,
      unresolved: [...out.querySelectorAll('[title="Cross Reference Not Found"]')]
        .map(e => e.innerText.trim()),
      fileLinks: [...out.querySelectorAll('a[href]')].map(a => [a.innerText.trim(), file(a)])
        .filter(([t, f]) => t && (t === f || t + '.ipynb' === f)).map(([t]) => t),
      details: [...out.querySelectorAll('details')].map(d => d.open)};
  });
  const code = all('.jp-CodeCell').map(cell => {
    const output = [...cell.querySelectorAll('.jp-OutputArea-output')]
      .filter(o => o.checkVisibility()).map(o => o.innerText).join(' ');
    const editor = cell.querySelector('.jp-InputArea-editor');
    if (editor?.checkVisibility()) return {collapsed: false, visible: editor.innerText, output};
    const line = cell.querySelector('.jp-InputPlaceholder .jp-PlaceholderText');
    return {collapsed: true, output, visible: line?.checkVisibility() ? line.innerText : ''};
  });
  return {markdown, code};
}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a copy of the notebooks: (URL, token, the copy's folder)."""
    work = tmp_path_factory.mktemp("lab")
    root, settings = work / "notebooks", work / "settings" / "@jupyterlab"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for path in root.glob("*.ipynb"):  # the last cell tells when Run All has finished
        notebook = nbformat.read(path, as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(f"print({FINISHED!r})", id="finished"))
        nbformat.write(notebook, path)
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port, token = sock.getsockname()[1], secrets.token_hex(16)
    command = [Path(sys.executable).parent / "jupyter-lab", "--no-browser", "--ip=127.0.0.1"]
    command += [f"--port={port}", f"--IdentityProvider.token={token}"]
    command += [f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={work / 'w'}"]
    command += ["--allow-root"] if os.geteuid() == 0 else []
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings.parent))
    env["JUPYTER_RUNTIME_DIR"] = str(work / "runtime")
    log, deadline = work / "lab.log", time.monotonic() + 120
    with log.open("w") as out, subprocess.Popen(command, stdout=out, stderr=out, env=env) as lab:
        try:
            while not list((work / "runtime").glob("jpserver-*.json")):  # once it serves
                if lab.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{log.read_text()}")
                time.sleep(0.5)
            yield f"http://127.0.0.1:{port}", token, root
        finally:
            lab.terminate()


@pytest.fixture(scope="module")
def report():
    """Each notebook's counts and findings; at the end, with totals, to lab-check.json."""
    results, started = {}, time.monotonic()
    yield results
    shot = results.pop("screenshot", None)
    keys = ["raw_markup", "errors", "solutions_visible", "markdown_cells", "code_cells"]
    summary = {"folder": str(NOTEBOOKS), "notebooks": len(results)}
    summary |= {key: sum(r[key] for r in results.values()) for key in keys + ["solution_cells"]}
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["screenshot"] = f"{SCREENSHOT.relative_to(ROOT)} ({shot})" if shot else None
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({**summary, "per_notebook": results}, indent=1))


def raw_markup(state: dict) -> list[str]:
    """The raw MyST one rendered markdown cell shows."""
    if not state["rendered"]:
        return ["cell not rendered"]
    found = [
        f"{what}: {m[0]!r}" for what, p in RAW_MYST.items() for m in p.finditer(state["text"])
    ]
    found += [f"unresolved reference shown raw: {label!r}" for label in state["unresolved"]]
    return found + [f"link showing a file name: {text!r}" for text in state["fileLinks"]]


def solution_leaks(cells: list[dict], code: list[dict], markdown: list[dict]) -> list[str]:
    """Solution code, its stored output or its text visible without a click."""
    kinds = [cell["cell_type"] for cell in cells]
    leaks = []
    for i in solution_cells(cells):
        state = code[kinds[:i].count("code")]
        lines = [line.strip() for line in cell_source(cells[i]).splitlines()]
        shown = [line for line in lines if line and line[0] != "#" and line in state["visible"]]
        if not state["collapsed"] or shown:
            leaks.append(f"cell {i}: solution code visible: {shown[:2]}")
        if state["output"].strip():
            leaks.append(f"cell {i}: solution output visible: {state['output'][:40]!r}")
    for i, cell in enumerate(cells):
        names = [d.name for d in directives(cell_source(cell))] if kinds[i] == "markdown" else []
        opened = markdown[kinds[:i].count("markdown")].get("details") if names else None
        if "solution-start" in names and (not opened or any(opened)):
            leaks.append(f"cell {i}: solution text not in a closed dropdown")
    return leaks


def run_all(page) -> float:
    """Run All from the Run menu; the seconds until the last cell (added to the copy) printed
    its line, or Run All stopped at an error and the kernel is idle."""
    started = time.monotonic()
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_function(
        f"""finished => {{
          const outputs = [...document.querySelectorAll("{PANEL} .jp-OutputArea-output")];
          if (outputs.some(o => o.innerText.trim() === finished)) return true;
          const status = document.querySelector("{PANEL} [data-status]");
          return status && status.dataset.status === 'idle'
            && ![...document.querySelectorAll("{PANEL} .jp-InputArea-prompt")]
                .some(p => p.innerText.includes('*'))
            && outputs.some(o => o.dataset.mimeType === 'application/vnd.jupyter.stderr');
        }}""",
        arg=FINISHED,
        timeout=RUN_TIMEOUT_MS,
        polling=1000,
    )
    return time.monotonic() - started


@pytest.mark.parametrize("name", sorted(path.name for path in NOTEBOOKS.glob("*.ipynb")))
def test_notebook_in_jupyterlab(lab, browser, report, name: str) -> None:
    base, token, root = lab
    cells = json.loads((root / name).read_text(encoding="utf-8"))["cells"]
    kinds = [cell["cell_type"] for cell in cells]
    started, page = time.monotonic(), browser.new_page(viewport={"width": 1280, "height": 1000})
    count = f"n => document.querySelectorAll('{PANEL} %s').length >= n"
    try:
        page.goto(f"{base}/lab/workspaces/w{secrets.token_hex(4)}/tree/{name}?reset&token={token}")
        page.wait_for_function(count % ".jp-Cell", arg=len(cells), timeout=TIMEOUT_MS)
        page.wait_for_selector(f"{PANEL} [data-status='idle']", timeout=TIMEOUT_MS)
        rendered = count % ".jp-MarkdownCell.jp-mod-rendered .myst"
        page.wait_for_function(rendered, arg=kinds.count("markdown"), timeout=TIMEOUT_MS)
        time.sleep(1)  # references are resolved across the notebook after each cell renders
        state = page.evaluate(STATE_JS, PANEL)
        assert len(state["code"]) == kinds.count("code")
        where = [i for i, kind in enumerate(kinds) if kind == "markdown"]
        found = zip(where, map(raw_markup, state["markdown"]), strict=True)
        markup = {i: raw for i, raw in found if raw}
        leaks = solution_leaks(cells, state["code"], state["markdown"])
        if "screenshot" not in report and "exercise-start" in json.dumps(cells):
            exercise = page.locator(f"{PANEL} .jp-MarkdownCell:has(.myst-exercise)").first
            exercise.evaluate("e => e.scrollIntoView({block: 'start'})")
            time.sleep(1)
            page.screenshot(path=SCREENSHOT)
            report["screenshot"] = name
        # The explorable figures: Lab's own Vega draws them, and a slider's input (as a drag
        # makes; Lab keeps the keyboard's focus on the notebook) redraws them.
        figures = [
            out
            for cell in cells
            for out in cell.get("outputs", [])
            if "application/vnd.vegalite.v5+json" in out.get("data", {})
        ]
        page.wait_for_function(count % ".vega-embed :is(canvas, svg)", arg=len(figures))
        still = []
        for i in range(len(figures)):
            embed = page.locator(f"{PANEL} .vega-embed").nth(i)
            picture = "e => e.querySelector('canvas')?.toDataURL() ?? e.innerHTML"
            before = embed.evaluate(picture)
            slider = embed.locator("input[type=range]").first
            slider.evaluate("s => { s.stepDown(); s.dispatchEvent(new Event('input')); }")
            time.sleep(0.5)
            still += [i] if embed.evaluate(picture) == before else []
        run_seconds = run_all(page)
        errors = page.eval_on_selector_all(
            f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
            "els => els.map(e => e.innerText.slice(0, 300))",
        )
        after = page.evaluate(STATE_JS, PANEL)  # new outputs show: only the code counts
        leaks += [
            f"after Run All: {leak}"
            for leak in solution_leaks(cells, after["code"], state["markdown"])
            if "solution code" in leak
        ]
    finally:
        page.close()
    report[name] = {
        "markdown_cells": kinds.count("markdown"),
        "code_cells": kinds.count("code") - 1,  # without the added last cell
        "solution_cells": len(solution_cells(cells)),
        "raw_markup": sum(len(found) for found in markup.values()),
        "errors": len(errors),
        "figures": len(figures),
        "figures_not_responding": len(still),
        "solutions_visible": len({leak.removeprefix("after Run All: ") for leak in leaks}),
        "run_all_seconds": round(run_seconds, 1),
        "seconds": round(time.monotonic() - started, 1),
        "findings": {"raw_markup": markup, "errors": errors, "solutions_visible": leaks},
    }
    assert not markup, f"raw MyST visible in JupyterLab: {json.dumps(markup, indent=1)}"
    assert not errors, f"errors after Run All: {errors}"
    assert not leaks, f"solutions visible without a click: {leaks}"
    assert not still, f"explorable figures that do not move with their slider: {still}"


def test_there_are_notebooks_to_check():
    assert list(NOTEBOOKS.glob("*.ipynb")), f"no notebook in {NOTEBOOKS}"
