"""Small fixes to the HTML the book's extensions write, so every page passes WCAG 2 A/AA;
and a chapter with cells marked for slides links its deck (tools/slides.py)."""

from __future__ import annotations

import json
from pathlib import Path

REPLACEMENTS = {
    # docutils' doc-biblioentry, deprecated by DPUB-ARIA 1.1, leaves role="list" without items
    'role="doc-biblioentry"': 'role="listitem"',
    # MyST-NB's label of a collapsed cell's toggle differs from its visible text (WCAG 2.5.3)
    '<summary aria-label="Toggle hidden content">': "<summary>",
}


def fix_accessibility(app, pagename, templatename, context, doctree) -> None:
    """Give bibliography entries the role their list expects, and toggles their visible name."""
    if context.get("body"):
        for old, new in REPLACEMENTS.items():
            context["body"] = context["body"].replace(old, new)


def link_slides(app, pagename, templatename, context, doctree) -> None:
    """A chapter with cells marked for slides links its deck from the download menu."""
    source = Path(app.env.doc2path(pagename)) if pagename in app.env.found_docs else Path()
    if source.suffix != ".ipynb":
        return
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    if {c["metadata"].get("slideshow", {}).get("slide_type", "skip") for c in cells} <= {"skip"}:
        return
    deck = {
        "type": "link",
        "url": f"{context['pathto']('slides', 1)}/{source.stem}.html",
        "text": "Slides",
        "tooltip": "Lecture slides of this chapter (to print: add ?print-pdf to the address)",
        "icon": "fas fa-person-chalkboard",
        "label": "slides-button",
    }
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append(deck)


def setup(app):
    app.connect("html-page-context", fix_accessibility)
    app.connect("html-page-context", link_slides, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
