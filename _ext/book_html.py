"""Small fixes to the HTML the book's extensions write, so every page passes WCAG 2 A/AA.

The bibliography: docutils marks each entry `role="doc-biblioentry"`, a role that
DPUB-ARIA 1.1 deprecates in favour of `listitem`; inside the `role="list"` that holds them,
assistive technology then finds a list without list items.

Collapsed code cells (tag `hide-input`): MyST-NB names their toggle "Toggle hidden content"
with `aria-label`, while its visible text is "Show code cell source"; a spoken name that
differs from the visible one fails WCAG 2.5.3 (label in name). Without the attribute, the
toggle's name is its visible text.
"""

from __future__ import annotations

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


def setup(app):
    app.connect("html-page-context", fix_accessibility)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
