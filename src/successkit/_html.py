"""Small, escaped HTML tables for ``_repr_html_`` in notebooks."""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["HEAD_ROWS", "background", "format_value", "head_table", "html_table"]

#: How many rows a result's notebook table shows.
HEAD_ROWS = 10


def format_value(value: Any) -> str:
    """A short display form of one value: numbers to 4 significant digits, ``—`` for missing.

    Examples
    --------
    >>> format_value(0.123456), format_value(float("nan")), format_value(None), format_value(12)
    ('0.1235', '—', '—', '12')
    """
    if value is None:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return "—"
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return f"{number:.4g}"
    if isinstance(value, np.datetime64):
        return "—" if np.isnat(value) else str(value.astype("datetime64[D]"))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def html_table(
    columns: Mapping[str, Sequence[Any]],
    *,
    caption: str,
    total: int | None = None,
    row_styles: Sequence[str | None] | None = None,
) -> str:
    """An HTML table of the given columns (already cut to the rows to show), escaped.

    ``total`` is the full number of rows, to say how many are not shown; ``row_styles``
    gives an optional inline CSS style per shown row (e.g. a band colour).
    """
    names = list(columns)
    shown = len(next(iter(columns.values()))) if columns else 0
    head = "".join(f"<th>{html.escape(name)}</th>" for name in names)
    body = []
    for i in range(shown):
        style = row_styles[i] if row_styles is not None else None
        attr = f' style="{html.escape(style)}"' if style else ""
        cells = "".join(f"<td>{html.escape(format_value(columns[n][i]))}</td>" for n in names)
        body.append(f"<tr{attr}>{cells}</tr>")
    more = ""
    if total is not None and total > shown:
        more = (
            f'<tr><td colspan="{len(names)}"><em>… {total - shown} more rows</em></td></tr>'
        )
    return (
        '<table class="successkit">'
        f"<caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}{more}</tbody></table>"
    )


def head_table(
    ids: Any,
    columns: Mapping[str, Any],
    *,
    caption: str,
    row_styles: Sequence[str | None] | None = None,
) -> str:
    """The HTML table of a result's first :data:`HEAD_ROWS` accounts: an ``id`` column, then
    ``columns`` (whole arrays aligned with ``ids``; they are cut here).

    Examples
    --------
    >>> import numpy as np
    >>> html = head_table(np.array(["a", "b"]), {"score": np.array([1.5, np.nan])},
    ...                   caption="2 accounts")
    >>> "<td>a</td><td>1.5</td>" in html, "<td>b</td><td>—</td>" in html
    (True, True)
    """
    shown = min(len(ids), HEAD_ROWS)
    table: dict[str, list[Any]] = {"id": list(ids[:shown])}
    for name, values in columns.items():
        table[name] = list(values[:shown])
    return html_table(table, caption=caption, total=len(ids), row_styles=row_styles)


def background(colours: Iterable[str | None]) -> list[str | None]:
    """Inline CSS row styles from colours (``None``: no style), e.g. for band colours.

    Examples
    --------
    >>> background(["#d9534f", None])
    ['background-color: #d9534f', None]
    """
    return [f"background-color: {colour}" if colour else None for colour in colours]
