"""Small fixes to the HTML the book's extensions write, so every page passes WCAG 2 A/AA.

The bibliography: docutils marks each entry `role="doc-biblioentry"`, a role that
DPUB-ARIA 1.1 deprecates in favour of `listitem`; inside the `role="list"` that holds them,
assistive technology then finds a list without list items.
"""

from __future__ import annotations

DEPRECATED_ROLES = {'role="doc-biblioentry"': 'role="listitem"'}


def replace_deprecated_roles(app, pagename, templatename, context, doctree) -> None:
    """Give bibliography entries the role that their list expects."""
    body = context.get("body")
    if not body:
        return
    for old, new in DEPRECATED_ROLES.items():
        body = body.replace(old, new)
    context["body"] = body


def setup(app):
    app.connect("html-page-context", replace_deprecated_roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
