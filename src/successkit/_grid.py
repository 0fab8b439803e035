"""Summaries as tables: aligned plain text for ``__str__`` (text left, numbers right) and HTML
for notebooks, from one list of rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from successkit._html import html_table

__all__ = ["GridSummary", "text_grid"]


def text_grid(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: int, trailing: int = 0
) -> str:
    """Rows of text in aligned columns: the ``numeric`` columns before the last ``trailing``
    ones are right-aligned, every other column left-aligned.

    Examples
    --------
    >>> print(text_grid(["name", "n"], [["a", "1"], ["bb", "10"]], numeric=1))
    name   n
    a      1
    bb    10
    >>> print(text_grid(["name", "n", "note"], [["a", "1", "new"], ["bb", "10", ""]],
    ...                 numeric=1, trailing=1))
    name   n  note
    a      1  new
    bb    10
    """
    cells = [headers, *rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    stop = len(headers) - trailing
    start = stop - numeric
    lines = []
    for r in cells:
        parts = [
            c.rjust(w) if start <= i < stop else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


class GridSummary:
    """A summary shown as one table: ``str()`` as aligned text, ``_repr_html_`` as HTML.

    Subclasses (frozen attrs classes) give ``_rows()`` → ``(headers, rows)`` and a
    ``_caption``; every column but the first is numeric. ``_row_styles()`` may colour rows.
    """

    __slots__ = ()
    _caption: ClassVar[str] = ""

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        raise NotImplementedError

    def _row_styles(self) -> Sequence[str | None] | None:
        return None

    def __str__(self) -> str:
        headers, rows = self._rows()
        return text_grid(headers, rows, numeric=len(headers) - 1)

    def _repr_html_(self) -> str:
        headers, rows = self._rows()
        table = {h: [r[i] for r in rows] for i, h in enumerate(headers)}
        return html_table(table, caption=self._caption, row_styles=self._row_styles())
