"""User data as plain text in the terminal: never markup, never a control sequence.

Tool names, owners, flows, run messages and error messages can hold anything a writer typed
(or a database row holds): ``[link=https://evil.example]Click[/link]`` would render as a link,
``[/]`` would crash Rich, and an ESC sequence would reach the terminal. Every table cell and
print of user data goes through ``plain``.
"""

from __future__ import annotations

import re

from rich.markup import escape

# C0 and C1 controls (ESC, BEL, the 8-bit CSI), DEL, and the bidirectional overrides that
# reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE_LIKE = re.compile("[\t\n\r\x0b\x0c]+")


def printable(value: object) -> str:
    """``value`` with control characters gone (line breaks and tabs become a space), for
    ``Text`` objects and cells that are escaped where they are drawn."""
    return _CONTROL.sub("", _SPACE_LIKE.sub(" ", str(value)))


def plain(value: object) -> str:
    """``value`` as text Rich prints literally: control characters gone, markup escaped."""
    return escape(printable(value))
