"""A fix to sphinx-proof's LaTeX output, so every theorem of the PDF has its number and label.

sphinx-proof 0.4.0 finds a theorem's document by walking up to a section named like the
document's title (``find_parent``); in the PDF's single doctree it finds none for some
chapters, whose theorems then get ``\\label{None:...}`` and print "??". There the walk goes
on to the top of the tree: the document read from a source file, which names it.
"""

import sphinx_proof.nodes
from docutils import nodes

_find_parent = sphinx_proof.nodes.find_parent


def find_document(env, node, parent_tag):
    """sphinx-proof's answer, or else the document that the PDF's doctree says holds `node`."""
    found = _find_parent(env, node, parent_tag)
    if found is not None:
        return found
    while node.parent is not None:
        node = node.parent
    if isinstance(node, nodes.document) and node.get("source"):
        return env.path2doc(node["source"])
    return None


def setup(app):
    sphinx_proof.nodes.find_parent = find_document
    return {"parallel_read_safe": True, "parallel_write_safe": True}
