"""Lecture slides: a reveal.js deck per chapter, from the cells marked with Jupyter's
``slideshow`` metadata, made by nbconvert's exporter (tools/slides_template) from the build's
plain notebooks into ``slides/`` in the site, with npm's reveal.js and the site's MathJax.

    .venv/bin/python -m tools.slides [SITE]      # SITE: the built site, _build/html
"""

import html
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REVEAL = ROOT / "node_modules" / "reveal.js"
REVEAL_DIST = ("reveal.css", "reveal.js", "theme/white.css", "plugin/notes.js")  # and LICENSE
PLAIN = Path("_notebooks", "chapters")  # in the site, as _ext/plain_notebooks.py writes
DECKS = "slides"  # in the site
HREF = re.compile(r'href="(?P<doc>[\w-]+\.ipynb)?(?:#(?P<label>[^"]*))?"')
VEGALITE = "application/vnd.vegalite.v5+json"
SOLUTION = re.compile(r"<summary>Solution|^# @title Solution", re.M)


def figure_html(mystnb: dict, outputs: list[dict]) -> str:
    """A figure with the book's caption: an explorable one live (its Vega-Lite spec), else PNG."""
    caption = html.escape(mystnb["figure"]["caption"])
    alt = html.escape(mystnb.get("image", {}).get("alt") or mystnb["figure"]["caption"])
    data = next(o["data"] for o in outputs if "image/png" in o.get("data", {}))
    if VEGALITE in data:  # drawn in the deck by the site's Vega
        spec = json.dumps(data[VEGALITE], separators=(",", ":")).replace("</", "<\\/")
        shown = f'<figure class="live-figure"><script type="application/json">{spec}</script>'
        shown += '<div class="live-view"></div>'
    else:
        png = data["image/png"].strip()
        shown = f'<figure><img src="data:image/png;base64,{png}" alt="{alt}">'
    return f"{shown}<figcaption>{caption}</figcaption></figure>"


def cut_to_deck(notebook: dict, name: str) -> list[dict]:
    """Keep the marked cells of ``notebook`` (in place), figures as captioned images."""
    cells = []
    for cell in notebook["cells"]:
        metadata = cell["metadata"]
        kind = metadata.get("slideshow", {}).get("slide_type", "skip")
        if kind == "skip":
            continue
        if SOLUTION.search(cell["source"]):
            raise ValueError(f"{name}: an exercise's solution is marked {kind!r}")
        figure = metadata.get("mystnb", {}).get("figure")
        hidden = metadata.get("jupyter", {}).get("source_hidden")
        if cell["cell_type"] == "code" and (figure or hidden):
            metadata["tags"] = sorted({*metadata.get("tags", []), "hide-input"})
            metadata["transient"] = {"remove_source": True}  # as nbconvert's TagRemovePreprocessor
        if cell["cell_type"] == "code" and figure:
            data = {"text/html": figure_html(metadata["mystnb"], cell["outputs"])}
            if 'class="live-figure"' in data["text/html"]:
                notebook["metadata"]["explorable"] = True
            cell["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": data}]
        cells.append(cell)
    notebook["cells"] = cells
    return cells


def title(notebook: dict) -> str:
    """The chapter's heading, without TeX: the title of the deck's page."""
    text = "\n".join(c["source"] for c in notebook["cells"] if c["cell_type"] == "markdown")
    heading = next((ln[2:] for ln in text.splitlines() if ln.startswith("# ")), "Slides")
    heading = re.sub(r"\\neq?\b", "≠", heading)
    return re.sub(r"[$\\]", "", heading).strip()


def relink(page: str, chapter: str) -> str:
    """Links of the plain notebook, from the deck: to a label on a slide, or to the book."""
    shown = set(re.findall(r'id="([^"]+)"', page))

    def link(match: re.Match) -> str:
        doc, label = match["doc"], match["label"] or ""
        if not doc and (not label or label in shown):
            return match[0]
        target = (doc or f"{chapter}.ipynb").removesuffix(".ipynb")
        anchor = f"equation-{label}" if label.startswith("eq-") else label
        return f'href="../chapters/{target}.html{"#" + anchor if anchor else ""}"'

    return HREF.sub(link, page)


def build(site: Path) -> list[Path]:
    """Write a deck for each plain notebook with marked cells; return their paths."""
    import nbformat
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        template_name="slides_template",
        extra_template_basedirs=[str(ROOT / "tools")],
        reveal_url_prefix="reveal.js",
        reveal_theme="white",
        mathjax_url="../mathjax/tex-chtml-full.js",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    out = site / DECKS
    shutil.rmtree(out, ignore_errors=True)
    for name in ["LICENSE", *(f"dist/{name}" for name in REVEAL_DIST)]:
        (out / "reveal.js" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REVEAL / name, out / "reveal.js" / name)
    written = []
    for path in sorted((site / PLAIN).glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        resources = {"metadata": {"name": title(notebook)}}
        if not cut_to_deck(notebook, path.stem):
            continue
        resources["explorable"] = "explorable" in notebook["metadata"]
        page, _ = exporter.from_notebook_node(notebook, resources)
        written.append(out / f"{path.stem}.html")
        written[-1].write_text(relink(page, path.stem), encoding="utf-8")
    return written


if __name__ == "__main__":
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"
    if not (site / PLAIN).is_dir():
        sys.exit(f"No plain notebooks in {site / PLAIN}: build the book first.")
    print(f"{len(build(site))} decks in {site / DECKS}")
