"""Small fixes to the HTML the book's extensions write, so every page passes WCAG 2 A/AA.

The bibliography: docutils marks each entry `role="doc-biblioentry"`, a role that
DPUB-ARIA 1.1 deprecates in favour of `listitem`; inside the `role="list"` that holds them,
assistive technology then finds a list without list items.

Collapsed code cells (tag `hide-input`): MyST-NB names their toggle "Toggle hidden content"
with `aria-label`, while its visible text is "Show code cell source"; a spoken name that
differs from the visible one fails WCAG 2.5.3 (label in name). Without the attribute, the
toggle's name is its visible text.

Slides: a chapter with cells marked for slides (Jupyter's slideshow metadata) links its
lecture deck, which tools/slides.py writes to slides/ in the site, from the page's download
menu.
"""

from __future__ import annotations

import json
from pathlib import Path

REPLACEMENTS = {
    'role="doc-biblioentry"': 'role="listitem"',
    '<summary aria-label="Toggle hidden content">': "<summary>",
}


def fix_accessibility(app, pagename, templatename, context, doctree) -> None:
    """Give bibliography entries the role their list expects, and toggles their visible name."""
    body = context.get("body")
    if not body:
        return
    for old, new in REPLACEMENTS.items():
        body = body.replace(old, new)
    context["body"] = body


def link_slides(app, pagename, templatename, context, doctree) -> None:
    """A chapter whose cells are marked for slides links its deck (tools/slides.py writes
    it to slides/ in the site) from the page's download menu."""
    if pagename not in app.env.found_docs:
        return
    source = Path(app.env.doc2path(pagename))
    if source.suffix != ".ipynb":
        return
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    kinds = {c["metadata"].get("slideshow", {}).get("slide_type", "skip") for c in cells}
    if not kinds - {"skip"}:
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
