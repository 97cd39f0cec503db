"""The MyST syntax that the notebook tools read, one pattern per construct, in one place.

Used by ``notebook_form.py`` (the notebook form of the chapters) and ``plain_notebooks.py``
(plain notebooks for Colab); each adds the patterns only it needs.
"""

import re

# A directive's opening fence: ```{name} argument  or  :::{name} argument
DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$")
# A directive option line: :key: value
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
# A target line: (label)=
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*$")
# A Markdown link to a label on the same page: [text](#label)
ANCHOR_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\(#(?P<label>[^)\s]+)\)")
