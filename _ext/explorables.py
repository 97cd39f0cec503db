"""Explorable figures on the site: a notebook's Vega-Lite output, embedded with the site's Vega.

A figure cell (softmax_derivative.explorable) outputs a Vega-Lite spec
(``application/vnd.vegalite.v5+json``, which JupyterLab and Colab render themselves), a PNG
of its initial state and a text alternative. MyST-NB renders a notebook output through the
highest-priority mime type its builder knows; this extension is a MyST-NB mime render plugin
(the ``MimeRenderPlugin`` protocol of myst_nb.core.render) for the Vega-Lite type, given
priority over the PNG for the HTML builders only, so the PDF keeps the PNG. MyST-NB finds
plugins through an entry point of an installed package; the book's extension is not one,
so it adds itself to the list MyST-NB loads them into.

On the site the figure is a ``<div class="explorable">`` holding its spec, embedded when the
page loads by vega-embed with the controls the spec binds (range sliders, radio buttons; each
slider is named by its label alone, not label and value, and radio buttons form a named
group); the view is kept on the element (``element.vegaView``) and ``data-ready`` set to the
time (ms since navigation) it became interactive, for tests/test_site_explorables.py. The
JavaScript is the site's own, from npm (package-lock.json): Vega, Vega-Lite and vega-embed's
minified UMD builds, copied to ``explorables/`` in the site (beside ``mathjax/``, not in
``_static/``) and loaded only by pages with a figure, as classic scripts, so they also run
from file://.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from docutils import nodes
from myst_nb.core.render import load_mime_renders

VEGALITE = "application/vnd.vegalite.v5+json"
HTML_BUILDERS = ("html", "dirhtml", "singlehtml", "readthedocs", "readthedocsdirhtml")
FOLDER = "explorables"
SCRIPTS = {  # file in the site: the package's file under node_modules
    "vega.min.js": "vega/build/vega.min.js",
    "vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
    "vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
}
LICENSES = {f"{name}-LICENSE": f"{name}/LICENSE" for name in ("vega", "vega-lite", "vega-embed")}
EMBED = """
document.addEventListener("DOMContentLoaded", () => {
  for (const figure of document.querySelectorAll("div.explorable")) {
    const spec = JSON.parse(figure.querySelector("script").textContent);
    delete spec.$schema;  // written for JupyterLab's Vega-Lite 5; runs as is on 6
    vegaEmbed(figure.querySelector(".explorable-view"), spec, {actions: false, mode: "vega-lite"})
      .then((result) => {
        for (const bind of figure.querySelectorAll(".vega-bind")) {  // names for a reader
          const name = bind.querySelector(".vega-bind-name").textContent.trim();
          const radios = bind.querySelector(".vega-bind-radio");
          const named = radios || bind.querySelector("input");  // not "z1 2.5"
          named.setAttribute("aria-label", name);
          if (radios) { radios.setAttribute("role", "radiogroup"); }
        }
        figure.vegaView = result.view;
        figure.dataset.ready = performance.now().toFixed(0);
      })
      .catch((error) => { figure.dataset.error = error; console.error(error); });
  }
});
"""


class VegaLiteRenderer:
    """MyST-NB mime render plugin: a Vega-Lite output as an explorable figure (HTML only)."""

    mime_priority_overrides = [(builder, VEGALITE, 5) for builder in HTML_BUILDERS]

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        if inline or data.mime_type != VEGALITE:
            return None
        spec = data.content if isinstance(data.content, dict) else json.loads(data.content)
        text = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
        markup = (
            '<div class="explorable">'
            f'<script type="application/json">{text}</script>'
            '<div class="explorable-view"></div></div>'
        )
        return [nodes.raw("", markup, format="html", classes=["output", "vegalite"])]


def add_scripts(app, pagename, templatename, context, doctree) -> None:
    """Load Vega and the embedding script on the pages that have an explorable figure."""
    if doctree is None or not any(
        "vegalite" in node["classes"] for node in doctree.findall(nodes.raw)
    ):
        return
    for name in SCRIPTS:
        app.add_js_file(f"../{FOLDER}/{name}", priority=600, defer="defer")
    app.add_js_file(None, body=EMBED, priority=601)


def copy_scripts(app, exception) -> None:
    """Copy the npm packages' builds (and licences) into the site's explorables/ folder."""
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    modules = Path(app.srcdir) / "node_modules"
    target = Path(app.outdir) / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    for name, source in {**SCRIPTS, **LICENSES}.items():
        if not (modules / source).is_file():
            raise FileNotFoundError(f"{modules / source} is missing: run `npm ci` first.")
        shutil.copyfile(modules / source, target / name)


def setup(app):
    plugins = load_mime_renders()  # cached by MyST-NB: every later call returns this list
    if VegaLiteRenderer not in plugins:
        plugins.append(VegaLiteRenderer)
    app.connect("html-page-context", add_scripts)
    app.connect("build-finished", copy_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
