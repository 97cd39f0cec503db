"""The notebooks as a learner sees them in JupyterLab (jupyterlab-myst), in a real browser.

A JupyterLab server is started on 127.0.0.1 over a copy of the chapters (the test never
writes to the repository's notebooks), and every notebook is opened in Chromium driven by
Playwright. For each notebook:

- every markdown cell is rendered by jupyterlab-myst and shows no raw MyST: no directive
  fence or name (``{exercise-start}``), no option line (``:label:``), no role
  (``{prf:ref}``), no ``(label)=`` target, no cross-reference JupyterLab could not resolve
  (shown as the bare label), no link that shows a file name;
- no solution is visible before it is expanded: solution code cells are collapsed and
  their collapsed line shows no code, solution texts are inside a closed dropdown;
- Run All (the Run menu) executes every cell with no error and no stderr output, and the
  solutions are still collapsed afterwards.

The counts and times go to ``_build/lab-check.json``; a screenshot of an exercise goes to
``_build/screenshots/lab-exercise.png``. ``LAB_NOTEBOOKS=/some/folder`` checks the notebooks
of another folder (e.g. copies brought to the form by tools/notebook_form.py). Run it with
``make test-lab``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from site_check import CHROMIUM_ARGS, find_chromium

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from notebook_form import cell_source, directives, solution_cells  # noqa: E402

NOTEBOOKS = Path(os.environ.get("LAB_NOTEBOOKS") or ROOT / "chapters").resolve()
BUILD = ROOT / "_build"
SCREENSHOT = BUILD / "screenshots" / "lab-exercise.png"
REPORT = BUILD / "lab-check.json"
TIMEOUT_MS = 120_000  # opening a notebook, rendering it
RUN_TIMEOUT_S = 900  # Run All of one notebook

# Lab settings for the test: every cell attached to the page (so every cell can be
# inspected), no autosave, no news or update checks (no network).
TEST_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

FINISHED = "Run All has finished"
FINISHED_CELL = {
    "cell_type": "code",
    "execution_count": None,
    "id": "run-all-finished",
    "metadata": {},
    "outputs": [],
    "source": f"print({FINISHED!r})",
}

RAW_MYST = [
    ("directive or role name", re.compile(r"\{(?:[a-z][\w-]*:)?[a-z][\w-]+\}")),
    ("option line", re.compile(r"^\s*:[a-z][\w-]*:(?:\s|$)", re.M)),
    ("target line", re.compile(r"^\s*\([\w:.-]+\)=\s*$", re.M)),
    ("colon fence", re.compile(r"^\s*:::", re.M)),
]

# In the page: the visible text of each rendered markdown cell (math removed, since
# rendered math has braces of its own), its unresolved references and file-name links.
MARKDOWN_STATE_JS = """
cells => cells.map(cell => {
  const out = cell.querySelector('.myst');
  if (!out || !cell.classList.contains('jp-mod-rendered')) {
    return {rendered: false};
  }
  const clone = out.cloneNode(true);
  clone.querySelectorAll('.katex, .katex-display, mjx-container, math, script, style')
    .forEach(e => e.remove());
  clone.querySelectorAll('details').forEach(d => { d.open = true; });  // check hidden text too
  // innerText needs a rendered element: measure the clone off-screen
  const probe = document.createElement('div');
  probe.style.position = 'absolute';
  probe.style.left = '-10000px';
  probe.style.width = out.clientWidth + 'px';
  probe.appendChild(clone);
  document.body.appendChild(probe);
  const text = clone.innerText;
  probe.remove();
  const unresolved = [...out.querySelectorAll('[title="Cross Reference Not Found"]')]
    .map(e => e.innerText.trim());
  const fileLinks = [...out.querySelectorAll('a[href]')]
    .filter(a => {
      const name = decodeURIComponent(a.getAttribute('href').split('?')[0].split('/').pop());
      const text = a.innerText.trim();
      return text && (text === name || text + '.ipynb' === name);
    })
    .map(a => a.innerText.trim());
  const details = [...out.querySelectorAll('details')].map(d => d.open);
  return {rendered: true, text, unresolved, fileLinks, details};
})
"""

# In the page: what of each code cell's source is visible (editor or collapsed line).
CODE_STATE_JS = """
cells => cells.map(cell => {
  const output = [...cell.querySelectorAll('.jp-OutputArea-output')]
    .filter(o => o.checkVisibility()).map(o => o.innerText).join(' ');
  const editor = cell.querySelector('.jp-InputArea-editor');
  if (editor && editor.checkVisibility()) {
    return {collapsed: false, visible: editor.innerText, output};
  }
  const line = cell.querySelector('.jp-InputPlaceholder .jp-PlaceholderText');
  return {collapsed: true, visible: line && line.checkVisibility() ? line.innerText : '', output};
})
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def notebook_names() -> list[str]:
    return sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a copy of the notebooks' folder: (base URL, token, folder)."""
    work = tmp_path_factory.mktemp("lab")
    root = work / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for path in root.glob("*.ipynb"):  # the last cell tells when Run All has finished
        notebook = json.loads(path.read_text(encoding="utf-8"))
        notebook["cells"].append(FINISHED_CELL)
        path.write_text(json.dumps(notebook), encoding="utf-8")
    settings = work / "settings"
    for name, values in TEST_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    command = [
        str(Path(sys.executable).parent / "jupyter-lab"),
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={work / 'workspaces'}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTER_RUNTIME_DIR=str(work / "runtime"),
    )
    log = (work / "lab.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "JupyterLab did not start:\n" + (work / "lab.log").read_text()
                    ) from None
                time.sleep(0.5)
        yield base, token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def report():
    results: dict[str, dict] = {}
    started = time.monotonic()
    yield results
    shot_of = results.pop("screenshot", None)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    totals = {
        key: sum(result.get(key, 0) for result in results.values())
        for key in (
            "raw_markup",
            "errors",
            "solutions_visible",
            "markdown_cells",
            "code_cells",
            "solution_cells",
        )
    }
    summary = {
        "folder": str(NOTEBOOKS),
        "notebooks": len(results),
        **totals,
        "seconds": round(time.monotonic() - started, 1),
        "screenshot": f"{SCREENSHOT.relative_to(ROOT)} ({shot_of})" if shot_of else None,
        "per_notebook": results,
    }
    REPORT.write_text(json.dumps(summary, indent=1))


def raw_markup(state: dict) -> list[str]:
    """The raw MyST one rendered markdown cell shows."""
    if not state["rendered"]:
        return ["cell not rendered"]
    found = [
        f"{what}: {m[0]!r}" for what, pattern in RAW_MYST for m in pattern.finditer(state["text"])
    ]
    found += [f"unresolved reference shown raw: {label!r}" for label in state["unresolved"]]
    found += [f"link showing a file name: {text!r}" for text in state["fileLinks"]]
    return found


def solution_leaks(
    notebook: dict,
    code_states: list[dict],
    code_index: dict[int, int],
    markdown_states: list[dict],
    markdown_index: dict[int, int],
) -> list[str]:
    """Solution code, its stored output or its text visible without a click. (Running a
    cell shows its new output in JupyterLab whatever its metadata, so after Run All only the
    code is checked.)"""
    cells = notebook["cells"]
    leaks = []
    for index in solution_cells(cells):
        state = code_states[code_index[index]]
        code_lines = [
            line.strip()
            for line in cell_source(cells[index]).splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]
        shown = [line for line in code_lines if line in state["visible"]]
        if not state["collapsed"] or shown:
            leaks.append(f"cell {index}: solution code visible: {shown[:2]}")
        if state["output"].strip():
            leaks.append(f"cell {index}: solution output visible: {state['output'][:40]!r}")
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        if any(d.name == "solution-start" for d in directives(cell_source(cell))):
            opened = markdown_states[markdown_index[index]].get("details", [])
            if not opened or any(opened):
                leaks.append(f"cell {index}: solution text not in a closed dropdown")
    return leaks


def open_notebook(browser, base: str, token: str, name: str, cells: int):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    workspace = f"check-{secrets.token_hex(4)}"
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{name}?reset&token={token}")
    panel = ".jp-NotebookPanel:not(.lm-mod-hidden)"
    page.wait_for_function(
        f"n => document.querySelectorAll('{panel} .jp-Cell').length >= n",
        arg=cells,
        timeout=TIMEOUT_MS,
    )
    page.wait_for_selector(f"{panel} [data-status='idle']", timeout=TIMEOUT_MS)
    return page, panel


def wait_rendered(page, panel: str, markdown_cells: int) -> None:
    page.wait_for_function(
        f"n => document.querySelectorAll('{panel} .jp-MarkdownCell.jp-mod-rendered .myst')"
        ".length >= n",
        arg=markdown_cells,
        timeout=TIMEOUT_MS,
    )
    time.sleep(1)  # references are resolved across the notebook after each cell renders


def run_all(page, panel: str) -> float:
    """Run All from the Run menu; wait until it has finished. Returns the seconds.

    Finished means: the last cell (added to the copy) printed its line, or Run All stopped
    at an error (JupyterLab then runs no further cell) and the kernel is idle.
    """
    started = time.monotonic()
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_function(
        f"""finished => {{
          const outputs = [...document.querySelectorAll("{panel} .jp-OutputArea-output")];
          if (outputs.some(o => o.innerText.trim() === finished)) return true;
          const status = document.querySelector("{panel} [data-status]");
          const prompts = [...document.querySelectorAll("{panel} .jp-InputArea-prompt")];
          return status && status.dataset.status === 'idle'
            && !prompts.some(p => p.innerText.includes('*'))
            && outputs.some(o => o.dataset.mimeType === 'application/vnd.jupyter.stderr');
        }}""",
        arg=FINISHED,
        timeout=RUN_TIMEOUT_S * 1000,
        polling=1000,
    )
    return time.monotonic() - started


@pytest.mark.parametrize("name", notebook_names())
def test_notebook_in_jupyterlab(lab, browser, report, name):
    base, token, root = lab
    notebook = json.loads((root / name).read_text(encoding="utf-8"))
    cells = notebook["cells"]
    kinds = [cell["cell_type"] for cell in cells]
    markdown_index = {
        i: kinds[:i].count("markdown") for i, k in enumerate(kinds) if k == "markdown"
    }
    code_index = {i: kinds[:i].count("code") for i, k in enumerate(kinds) if k == "code"}
    started = time.monotonic()
    page, panel = open_notebook(browser, base, token, name, len(cells))
    try:
        wait_rendered(page, panel, len(markdown_index))
        markdown = page.eval_on_selector_all(f"{panel} .jp-MarkdownCell", MARKDOWN_STATE_JS)
        code = page.eval_on_selector_all(f"{panel} .jp-CodeCell", CODE_STATE_JS)
        assert (len(markdown), len(code)) == (len(markdown_index), len(code_index))
        markup = {
            i: found for i, m in markdown_index.items() if (found := raw_markup(markdown[m]))
        }
        leaks = solution_leaks(notebook, code, code_index, markdown, markdown_index)

        if not report.get("screenshot") and "exercise-start" in json.dumps(cells):
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            exercise = page.locator(f"{panel} .jp-MarkdownCell:has(.myst-exercise)").first
            exercise.evaluate("e => e.scrollIntoView({block: 'start'})")
            time.sleep(1)
            page.screenshot(path=str(SCREENSHOT))
            report["screenshot"] = name

        run_seconds = run_all(page, panel)
        errors = page.eval_on_selector_all(
            f"{panel} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
            "els => els.map(e => e.innerText.slice(0, 300))",
        )
        code_after = page.eval_on_selector_all(f"{panel} .jp-CodeCell", CODE_STATE_JS)
        leaks += [
            f"after Run All: {leak}"
            for leak in solution_leaks(notebook, code_after, code_index, markdown, markdown_index)
            if "solution code" in leak
        ]
    finally:
        page.close()
    report[name] = {
        "markdown_cells": len(markdown_index),
        "code_cells": len(code_index) - 1,  # without the added last cell
        "solution_cells": len(solution_cells(cells)),
        "raw_markup": sum(len(found) for found in markup.values()),
        "errors": len(errors),
        "solutions_visible": len({leak.removeprefix("after Run All: ") for leak in leaks}),
        "run_all_seconds": round(run_seconds, 1),
        "seconds": round(time.monotonic() - started, 1),
        "findings": {
            "raw_markup": {str(i): found for i, found in markup.items()},
            "errors": errors,
            "solutions_visible": leaks,
        },
    }
    assert not markup, f"raw MyST visible in JupyterLab: {json.dumps(markup, indent=1)}"
    assert not errors, f"errors after Run All: {errors}"
    assert not leaks, f"solutions visible without a click: {leaks}"


def test_there_are_notebooks_to_check():
    assert notebook_names(), f"no notebook in {NOTEBOOKS}"
