"""Lists of models that turn into DataFrames and show as tables in Jupyter."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from .errors import ConfigError
from .quips import EMPTY

if TYPE_CHECKING:
    import pandas

M = TypeVar("M", bound=BaseModel)


class Records(list[M]):
    """A list of typed results; ``to_pandas()`` for analysis, a table when shown in Jupyter."""

    def to_dicts(self) -> list[dict[str, Any]]:
        return [item.model_dump(mode="python") for item in self]

    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame with one row per item (needs the ``notebook`` extra: pandas)."""
        try:
            import pandas
        except ImportError as exc:
            raise ConfigError(
                "to_pandas() needs pandas: pip install 'worksinprod[notebook]'"
            ) from exc
        return pandas.DataFrame(self.to_dicts())

    def _repr_html_(self) -> str:
        rows = self.to_dicts()
        if not rows:
            return f"<p><em>{EMPTY}</em> (no rows)</p>"
        columns = list(rows[0])
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in columns) + "</tr>"
            for r in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
