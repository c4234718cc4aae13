"""How options look in ``--help``: a flag takes no value, so it shows no type.

Typer's rich help prints every option's type, flags included (``--json <bool>``), which reads
as if the flag wanted a value. Flags (``--json``, ``--debug``, ``--help``, ``--serve/--no-serve``)
show nothing there; options that take a value keep their type or metavar.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

_display_type_rich = TyperOption.display_type_rich


def _without_flag_types(self: TyperOption, ctx: Any) -> str | None:
    return None if self.is_flag else _display_type_rich(self, ctx)


TyperOption.display_type_rich = _without_flag_types  # type: ignore[method-assign]
