"""The notebooks as a learner sees them in JupyterLab (jupyterlab-myst), in Chromium, over a
copy of chapters/ or LAB_NOTEBOOKS=folder (README.md, `make test-all`)."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, SCREENSHOTS
from tools.notebook_form import cell_source, directives, solution_cells

NOTEBOOKS = Path(os.environ.get("LAB_NOTEBOOKS") or ROOT / "chapters").resolve()
SCREENSHOT = SCREENSHOTS / "lab-exercise.png"
TIMEOUT_MS, RUN_TIMEOUT_MS = 120_000, 900_000  # open and render a notebook; Run All
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# Every cell attached to the page (to inspect each), no autosave, no news (no network).
SETTINGS = {  # the defaults of these @jupyterlab plugins, in overrides.json
    "notebook-extension:tracker": {"windowingMode": "none"},
    "docmanager-extension:plugin": {"autosave": False},
    "apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
FINISHED = "Run All has finished"  # printed by a last cell added to each copy
RAW_MYST = {
    "directive or role name": re.compile(r"\{(?:[a-z][\w-]*:)?[a-z][\w-]+\}"),
    "option line": re.compile(r"^\s*:[a-z][\w-]*:(?:\s|$)", re.M),
    "target line": re.compile(r"^\s*\([\w:.-]+\)=\s*$", re.M),
    "colon fence": re.compile(r"^\s*:::", re.M),
}
PICTURE_JS = "e => e.querySelector('canvas')?.toDataURL() ?? e.innerHTML"
# A slider's input, as a drag makes (Lab keeps the keyboard's focus on the notebook).
NUDGE_JS = "s => { s.stepDown(); s.dispatchEvent(new Event('input')); }"
# Run All is over: no cell is queued or running ([*]), and the last cell (added to each copy)
# printed its line, or an error stopped Run All.
DONE_JS = """([panel, finished]) => {
  const all = (selector) => [...document.querySelectorAll(panel + ' ' + selector)];
  return !all('.jp-InputArea-prompt').some(p => p.innerText.includes('*'))
    && all('.jp-OutputArea-output').some(o => o.innerText.trim() === finished
      || o.dataset.mimeType === 'application/vnd.jupyter.stderr');
}"""

# Each cell, in order. Markdown: rendered?, its text without the math (braces of its own),
# unresolved references, links showing a file name, each dropdown open?; code: what is visible.
STATE_JS = """(panel) => [...document.querySelectorAll(panel + ' .jp-Cell')].map(cell => {
  if (cell.classList.contains('jp-CodeCell')) {
    const shown = (e) => e?.checkVisibility() ? e.innerText : '';
    const editor = cell.querySelector('.jp-InputArea-editor');
    const line = cell.querySelector('.jp-InputPlaceholder .jp-PlaceholderText');
    return {collapsed: !editor?.checkVisibility(), visible: shown(editor) || shown(line),
      output: [...cell.querySelectorAll('.jp-OutputArea-output')].map(shown).join(' ').trim()};
  }
  const out = cell.querySelector('.myst');
  if (!out || !cell.classList.contains('jp-mod-rendered')) { return {rendered: false}; }
  const clone = out.cloneNode(true);
  clone.querySelectorAll('.katex, .katex-display, mjx-container, math, script, style')
    .forEach(e => e.remove());
  clone.querySelectorAll('details').forEach(d => { d.open = true; });
  clone.style.cssText = `position: absolute; left: -10000px; width: ${out.clientWidth}px`;
  document.body.appendChild(clone);  // innerText needs a rendered element
  const text = clone.innerText;
  clone.remove();
  const file = (a) => decodeURIComponent(a.getAttribute('href').split('?')[0].split('/').pop());
  return {rendered: true, text,
    unresolved: [...out.querySelectorAll('[title="Cross Reference Not Found"]')]
      .map(e => e.innerText.trim()),
    fileLinks: [...out.querySelectorAll('a[href]')].map(a => [a.innerText.trim(), file(a)])
      .filter(([t, f]) => t && (t === f || t + '.ipynb' === f)).map(([t]) => t),
    details: [...out.querySelectorAll('details')].map(d => d.open)};
})"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a copy of the notebooks: (URL, token, the copy's folder)."""
    work = tmp_path_factory.mktemp("lab")
    root = work / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for path in root.glob("*.ipynb"):  # the last cell tells when Run All has finished
        notebook = nbformat.read(path, as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(f"print({FINISHED!r})", id="finished"))
        nbformat.write(notebook, path)
    overrides = {f"@jupyterlab/{plugin}": values for plugin, values in SETTINGS.items()}
    (work / "overrides.json").write_text(json.dumps(overrides))
    SCREENSHOT.unlink(missing_ok=True)  # taken afresh, of the first notebook with an exercise
    command = [Path(sys.executable).parent / "jupyter-lab", "--no-browser", "--ip=127.0.0.1"]
    command += ["--port=0", f"--ServerApp.root_dir={root}", "--allow-root"]  # harmless if not root
    command += [
        f"--LabApp.{d}_dir={work}" for d in ("workspaces", "app_settings", "user_settings")
    ]
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(work / "runtime"))
    log, deadline = work / "lab.log", time.monotonic() + 120
    with log.open("w") as out, subprocess.Popen(command, stdout=out, stderr=out, env=env) as lab:
        try:
            # The server writes its port and token there once it serves.
            while not (info := list((work / "runtime").glob("jpserver-*.json"))):
                if lab.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{log.read_text()}")
                time.sleep(0.5)
            server = json.loads(info[0].read_text())
            yield f"http://127.0.0.1:{server['port']}", server["token"], root
        finally:
            lab.terminate()


def raw_markup(cell: dict) -> list[str]:
    """The raw MyST one markdown cell shows in Lab (its state from STATE_JS)."""
    if not cell["rendered"]:
        return ["cell not rendered"]
    found = [f"{what}: {m[0]!r}" for what, p in RAW_MYST.items() for m in p.finditer(cell["text"])]
    found += [f"unresolved reference shown raw: {label!r}" for label in cell["unresolved"]]
    return found + [f"link showing a file name: {text!r}" for text in cell["fileLinks"]]


def solution_leaks(cells: list[dict], state: list[dict]) -> list[str]:
    """Solution code, its stored output or its text visible without a click."""
    leaks = []
    for i in solution_cells(cells):
        lines = [line.strip() for line in cell_source(cells[i]).splitlines()]
        shown = [line for line in lines if line and line[0] != "#" and line in state[i]["visible"]]
        if not state[i]["collapsed"] or shown:
            leaks.append(f"cell {i}: solution code visible: {shown[:2]}")
        if state[i]["output"].strip():
            leaks.append(f"cell {i}: solution output visible: {state[i]['output'][:40]!r}")
    for i, cell in enumerate(cells):
        opened = state[i].get("details")  # each dropdown of a markdown cell: open?
        if cell["cell_type"] == "markdown" and (not opened or any(opened)):
            if "solution-start" in [d.name for d in directives(cell_source(cell))]:
                leaks.append(f"cell {i}: solution text not in a closed dropdown")
    return leaks


@pytest.mark.parametrize("name", sorted(path.name for path in NOTEBOOKS.glob("*.ipynb")))
def test_notebook_in_jupyterlab(lab, page, name: str) -> None:
    base, token, root = lab
    cells = nbformat.read(root / name, as_version=4).cells
    markdown = [i for i, cell in enumerate(cells) if cell["cell_type"] == "markdown"]
    page.set_viewport_size({"width": 1280, "height": 1000})
    count = f"n => document.querySelectorAll('{PANEL} %s').length >= n"
    page.goto(f"{base}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={token}")
    page.wait_for_function(count % ".jp-Cell", arg=len(cells), timeout=TIMEOUT_MS)
    page.wait_for_selector(f"{PANEL} [data-status='idle']", timeout=TIMEOUT_MS)
    rendered = count % ".jp-MarkdownCell.jp-mod-rendered .myst"
    page.wait_for_function(rendered, arg=len(markdown), timeout=TIMEOUT_MS)
    time.sleep(1)  # references are resolved across the notebook after each cell renders
    state = page.evaluate(STATE_JS, PANEL)
    assert len(state) == len(cells)
    markup = {i: found for i in markdown if (found := raw_markup(state[i]))}
    leaks = solution_leaks(cells, state)
    if not SCREENSHOT.exists() and "exercise-start" in json.dumps(cells):
        exercise = page.locator(f"{PANEL} .jp-MarkdownCell:has(.myst-exercise)").first
        exercise.evaluate("e => e.scrollIntoView({block: 'start'})")
        time.sleep(1)
        page.screenshot(path=SCREENSHOT)
    # The explorable figures (each an output's key): drawn by Lab's Vega, redrawn by a slider.
    figures = json.dumps(cells).count('"application/vnd.vegalite.v5+json"')
    page.wait_for_function(count % ".vega-embed :is(canvas, svg)", arg=figures)
    still = []
    for i, embed in enumerate(page.locator(f"{PANEL} .vega-embed").all()):
        before = embed.evaluate(PICTURE_JS)
        embed.locator("input[type=range]").first.evaluate(NUDGE_JS)
        time.sleep(0.5)
        if embed.evaluate(PICTURE_JS) == before:
            still.append(i)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_function(DONE_JS, arg=[PANEL, FINISHED], timeout=RUN_TIMEOUT_MS, polling=1000)
    stderr = page.locator(f"{PANEL} [data-mime-type='application/vnd.jupyter.stderr']")
    errors = [text[:300] for text in stderr.all_inner_texts()]
    # Run All shows the new outputs: only the solution code must stay hidden.
    after = solution_leaks(cells, page.evaluate(STATE_JS, PANEL))
    leaks += [f"after Run All: {leak}" for leak in after if "solution code" in leak]

    assert not markup, f"raw MyST visible in JupyterLab: {json.dumps(markup, indent=1)}"
    assert not errors, f"errors after Run All: {errors}"
    assert not leaks, f"solutions visible without a click: {leaks}"
    assert not still, f"explorable figures that do not move with their slider: {still}"


def test_there_are_notebooks_to_check():
    assert list(NOTEBOOKS.glob("*.ipynb")), f"no notebook in {NOTEBOOKS}"
