"""Help text for the terminal from the commands' docstrings."""

from __future__ import annotations

import re

# ``:class:`~skae.X``` and ``:func:`skae.x``` (Sphinx roles); ``~`` keeps the
# last dotted name, as Sphinx shows it.
_ROLE = re.compile(r":[a-z]+:`(~?)([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def plain_text(text: str) -> str:
    """Return reStructuredText ``text`` without its markup: roles become the
    names they refer to and literals their contents."""

    def role(match: re.Match) -> str:
        name = match.group(2)
        return name.rsplit(".", 1)[-1] if match.group(1) else name

    return _LITERAL.sub(r"\1", _ROLE.sub(role, text))


def command_description(docstring: str) -> str:
    """The description of a command: the second paragraph of its module's
    docstring, in plain text."""
    return plain_text(docstring.split("\n\n")[1])
