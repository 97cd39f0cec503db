"""Lecture slides: a reveal.js deck per chapter, from the cells marked with Jupyter's
``slideshow`` metadata, made by nbconvert's exporter (tools/slides_template) from the build's
plain notebooks into ``slides/`` in the site, with npm's reveal.js and the site's MathJax.

    .venv/bin/python -m tools.slides [SITE]      # SITE: the built site, _build/html
"""

from __future__ import annotations

import argparse
import copy
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
    if VEGALITE in data:
        spec = json.dumps(data[VEGALITE], separators=(",", ":")).replace("</", "<\\/")
        return (
            f'<figure class="live-figure"><script type="application/json">{spec}</script>'
            f'<div class="live-view"></div><figcaption>{caption}</figcaption></figure>'
        )
    png = data["image/png"].strip()
    return (
        f'<figure><img src="data:image/png;base64,{png}" alt="{alt}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def deck_notebook(notebook: dict, name: str) -> dict | None:
    """The cells of the deck (None: no cell is marked); figures as captioned images."""
    deck = copy.deepcopy(notebook)
    cells = []
    for cell in deck["cells"]:
        metadata = cell["metadata"]
        kind = metadata.get("slideshow", {}).get("slide_type", "skip")
        if kind == "skip":
            continue
        if SOLUTION.search("".join(cell["source"])):
            raise ValueError(f"{name}: an exercise's solution is marked {kind!r}")
        metadata["slideshow"] = {"slide_type": kind}
        figure = metadata.get("mystnb", {}).get("figure")
        hidden = metadata.get("jupyter", {}).get("source_hidden")
        if cell["cell_type"] == "code" and (figure or hidden):
            metadata["tags"] = sorted({*metadata.get("tags", []), "hide-input"})
        if cell["cell_type"] == "code" and figure:
            data = {"text/html": figure_html(metadata["mystnb"], cell["outputs"])}
            if 'class="live-figure"' in data["text/html"]:
                deck["metadata"]["explorable"] = True
            cell["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": data}]
        cells.append(cell)
    deck["cells"] = cells
    return deck if cells else None


def title(notebook: dict) -> str:
    """The chapter's heading, without TeX: the title of the deck's page."""
    text = "".join(
        "".join(c["source"]) + "\n" for c in notebook["cells"] if c["cell_type"] == "markdown"
    )
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
    from traitlets.config import Config

    config = Config(
        SlidesExporter={
            "reveal_url_prefix": "reveal.js",
            "reveal_theme": "white",
            "mathjax_url": "../mathjax/tex-chtml-full.js",
            "exclude_input_prompt": True,
            "exclude_output_prompt": True,
        },
        TagRemovePreprocessor={"enabled": True, "remove_input_tags": {"hide-input"}},
    )
    exporter = SlidesExporter(
        config=config,
        template_name="slides_template",
        extra_template_basedirs=[str(ROOT / "tools")],
    )
    out = site / DECKS
    shutil.rmtree(out, ignore_errors=True)
    for name in ["LICENSE", *(f"dist/{name}" for name in REVEAL_DIST)]:
        (out / "reveal.js" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REVEAL / name, out / "reveal.js" / name)
    written = []
    for path in sorted((site / PLAIN).glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if (deck := deck_notebook(notebook, path.stem)) is None:
            continue
        explorable = "explorable" in deck["metadata"]
        resources = {"metadata": {"name": title(notebook)}, "explorable": explorable}
        page, _ = exporter.from_notebook_node(nbformat.reads(json.dumps(deck), 4), resources)
        written.append(out / f"{path.stem}.html")
        written[-1].write_text(relink(page, path.stem), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "_build" / "html")
    site = parser.parse_args(argv).site
    if not (site / PLAIN).is_dir():
        print(f"No plain notebooks in {site / PLAIN}: build the book first.", file=sys.stderr)
        return 1
    print(f"{len(build(site))} decks in {site / DECKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
