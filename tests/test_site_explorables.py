"""The explorable figures (_ext/explorables.py) compute what the package computes: each
control moved, by keyboard and as a drag, through extreme logits (±50) and a small
temperature, the figure's values within a relative error of 1e-12 (README.md, "Checks")."""

import json
import re

import numpy as np
import pytest

import softmax_derivative as sd
from conftest import SCREENSHOTS, SITE, THEME_JS, THEMES, axe, block_offsite, site_pages

PAGES = [rel for rel in site_pages(SITE) if 'class="explorable"' in (SITE / rel).read_text()]
TOLERANCE, TINY = 1e-12, np.finfo(float).tiny
READY = "[...document.querySelectorAll('div.explorable')].every(f => f.dataset.ready)"
READ = """async (figure, names) => {
  const view = figure.vegaView;
  await Promise.race([view.runAsync(), new Promise((r) => setTimeout(r, 20000))]);
  const plain = (row) => Object.fromEntries(Object.entries(row).filter(
    ([, v]) => typeof v !== 'object' || v.every?.((x) => typeof x === 'number')));
  const state = view.getState({data: vega.truthy, signals: vega.falsy, recurse: true});
  const datasets = Object.keys(state.data).filter((name) => !name.endsWith('_marks'));
  return {signals: Object.fromEntries(names.map((n) => [n, view.signal(n)])),
          data: datasets.map((name) => view.data(name).map(plain))};
}"""
CONTROLS = """es => es.map(e => [...e.labels].every(l => l.checkVisibility() && l.innerText.trim())
  && e.labels.length > 0 ? e.name : `${e.name} without a visible label`)"""
# The positions each figure is moved through: "control:Key" presses a key, "control=value"
# sets the value. (z1=20 z2=0 z3=0: an output within 1e-8 of 1.)
LOGITS = ["", "z1:End", "z2:Home z3:ArrowRight z3:ArrowRight", "z1=3.7 z2=3.7 z3=-50"]
LOGITS += ["z1=50 z2=-50 z3=50", "z1=12.3 z2=-0.4 z3=7.9", "z1=20 z2=0 z3=0"]
LOGITS += ["z1=-0.1 z2=0.1 z3:PageDown"]
MOVES = {
    "softmax": LOGITS + ["T:Home", "z4:End T=0.05", "T=5"],
    "jacobian": LOGITS + ["z1=17.1 z2=0 z3=-3"],
    "cross-entropy": LOGITS + ["c:ArrowRight", "c=1 z1=-50"],
    "training": ["", "snapshot:Home", "snapshot:ArrowRight", "snapshot=5"]
    + ["snapshot:End snapshot:ArrowLeft"],
}
SIGNALS = {"softmax": "z1 z2 z3 z4 T", "jacobian": "z1 z2 z3", "cross-entropy": "z1 z2 z3 c"}
SIGNALS["training"] = "snapshot"
REPORT: dict = {"figures": {}, "axe_violations": {}}  # to _build/explorables-check.json


def rows(data: list[list[dict]], *fields: str, by: tuple[str, ...] = ()) -> list[dict]:
    """The rows of the first dataset that has every one of `fields`, sorted by the fields `by`."""
    found = next(d for d in data if d and all(f in d[0] for f in fields))
    return sorted(found, key=lambda r: [r[f] for f in by])


def errors(shown: list[dict], **expected) -> float:
    """The largest relative error |a - b| / max(|b|, tiny) of each field's values a from b."""
    return max(
        np.max(np.abs(np.subtract([r[field] for r in shown], b)) / np.maximum(np.abs(b), TINY))
        for field, b in expected.items()
    )


def compare(figure: str, spec: dict, signals: dict, data: list[list[dict]]) -> float:
    """The largest relative error of the figure's values at the inputs it reports."""
    if figure == "training":
        shown = rows(data, "w", "pixel", "row", "col")
        stored = {(r["shot"], r["digit"]): r["w"] for r in spec["vconcat"][1]["data"]["values"]}
        assert len(shown) == 640 and {r["shot"] for r in shown} == {signals["snapshot"]}
        assert all(r["w"] == stored[r["shot"], r["digit"]][8 * r["row"] + r["col"]] for r in shown)
        return 0.0
    z = np.array([signals[name] for name in signals if name.startswith("z")])
    s = sd.softmax(z / signals.get("T", 1))  # a temperature T only in the softmax figure
    if figure == "softmax":
        entropy = -np.sum(s[s > 0] * np.log(s[s > 0]))
        return errors(rows(data, "S", "H", by=("j",)), S=s, H=entropy)
    if figure == "jacobian":
        shown = rows(data, "J", "row_sum", by=("j", "k"))
        assert max(abs(r["row_sum"]) for r in shown) <= 4 * np.finfo(float).eps  # the row sums: 0
        assert all(r["J"] <= 0.25 for r in shown if r["j"] == r["k"])  # the diagonal
        return errors(shown, J=sd.jacobian(s).ravel())
    shown = rows(data, "y_hat", "grad", "loss", by=("k",))
    c = signals["c"] - 1
    loss = sd.cross_entropy_from_logits(z, c, reduction="sum")
    return errors(shown, y_hat=s, grad=sd.cross_entropy_grad(s, c, reduction="sum"), loss=loss)


def error_after(moves: str, element, figure: str, spec: dict) -> float:
    """Make the moves on the figure's element; then the largest relative error of its values."""
    for step in moves.split():
        control, key, value = re.fullmatch(r"(\w+)(?::(\w+)|=(.+))", step).groups()
        inputs = element.locator(f'input[name="{control}"]')
        if key:  # a slider, or the chosen radio button (press focuses it first)
            element.locator(f'input[name="{control}"]:is([type=range], :checked)').press(key)
        elif inputs.count() > 1:  # radio buttons
            element.locator(f'input[name="{control}"][value="{value}"]').check()
        else:
            inputs.fill(value)  # a slider's input event, as a drag sends
    return compare(figure, spec, **element.evaluate(READ, SIGNALS[figure].split()))


@pytest.mark.parametrize("path", PAGES)
def test_explorable_figures(page, site_url, path) -> None:
    offsite = block_offsite(page)
    page.goto(site_url + path)
    page.wait_for_function(READY, timeout=30_000)
    for element in page.locator("div.explorable").all():
        spec = json.loads(element.locator("script").text_content())
        controls = set(element.locator("input").evaluate_all(CONTROLS))  # and each labelled
        figure = next((f for f, names in SIGNALS.items() if set(names.split()) == controls), None)
        assert figure, f"{path}: unexpected controls {controls}"
        bound = [name.strip() for name in element.locator(".vega-bind-name").all_inner_texts()]
        named = re.findall(r'- (?:slider|radiogroup) "([^"]*)"', element.aria_snapshot())
        assert named == bound, f"{path}: the controls are named {named} for a reader, not {bound}"
        element.screenshot(path=SCREENSHOTS / f"explorable-{figure}.png")  # the initial state
        worst = max(error_after(moves, element, figure, spec) for moves in MOVES[figure])
        assert worst <= TOLERANCE, f"{figure} in {path}: relative error {worst:.2e}"
        ready_ms = int(element.get_attribute("data-ready"))
        REPORT["figures"][figure] = dict(
            page=path, positions=len(MOVES[figure]), largest_error=worst, interactive_ms=ready_ms
        )
    assert offsite == []
    for theme in THEMES:  # axe-core on the figures, in the light and the dark theme
        page.evaluate(THEME_JS, theme)
        violations = axe(page, "div.explorable")["violations"]
        REPORT["axe_violations"][f"{path} ({theme})"] = violations
        assert violations == [], f"{path}, {theme} theme: {violations}"
    element.screenshot(path=SCREENSHOTS / f"explorable-{figure}-dark.png")  # the last, dark


def test_explorables_offline_and_reported(page) -> None:
    """From disk (file://, as in the offline copy) too; all four figures were checked."""
    assert set(REPORT["figures"]) == set(MOVES), f"figures checked in {SITE}: {REPORT['figures']}"
    offsite = block_offsite(page)
    page.goto((SITE / PAGES[0]).as_uri())
    page.wait_for_function(READY, timeout=30_000)
    assert offsite == []
    REPORT["javascript_bytes"] = sum(f.stat().st_size for f in SITE.glob("explorables/*.js"))
    (SITE.parent / "explorables-check.json").write_text(json.dumps(REPORT, indent=1) + "\n")
    assert REPORT["javascript_bytes"] <= 1.5e6
