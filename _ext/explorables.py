"""Explorable figures on the site: a notebook's Vega-Lite output, embedded with the site's Vega.

A MyST-NB mime render plugin for the Vega-Lite type, preferred to the PNG by the HTML builders
only (the PDF keeps the PNG), which adds itself to MyST-NB's list (no entry point). npm's Vega
builds are copied to ``explorables/`` and loaded by the pages with a figure.
"""

import json
import shutil
from pathlib import Path

from docutils import nodes
from myst_nb.core.render import load_mime_renders

VEGALITE = "application/vnd.vegalite.v5+json"
HTML_BUILDERS = ("html", "dirhtml", "singlehtml", "readthedocs", "readthedocsdirhtml")
FOLDER = "explorables"
PACKAGES = ("vega", "vega-lite", "vega-embed")
SCRIPTS = {f"{name}.min.js": f"{name}/build/{name}.min.js" for name in PACKAGES}  # site: npm
LICENSES = {f"{name}-LICENSE": f"{name}/LICENSE" for name in PACKAGES}
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
    raws = doctree.findall(nodes.raw) if doctree is not None else ()
    if not any("vegalite" in node["classes"] for node in raws):
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
