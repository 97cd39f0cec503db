"""Small fixes to the HTML the book's extensions write, so every page passes WCAG 2 A/AA;
and each chapter notebook links its deck of slides (tools/slides.py)."""

from pathlib import PurePosixPath

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
    """Each chapter notebook links its deck from the download menu (a chapter without one
    fails the offline copy's link check, tests/test_archive.py)."""
    if context.get("page_source_suffix") != ".ipynb":
        return
    deck = {
        "type": "link",
        "url": f"{context['pathto']('slides', 1)}/{PurePosixPath(pagename).name}.html",
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
