"""Plain-text tables for ``__str__`` of summaries: text columns left, numbers right."""

from __future__ import annotations

__all__ = ["text_grid"]


def text_grid(headers: list[str], rows: list[list[str]], *, numeric: int) -> str:
    """Rows of text in aligned columns; the last ``numeric`` columns are right-aligned.

    Examples
    --------
    >>> print(text_grid(["name", "n"], [["a", "1"], ["bb", "10"]], numeric=1))
    name   n
    a      1
    bb    10
    """
    cells = [headers, *rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    first_numeric = len(headers) - numeric
    lines = []
    for r in cells:
        parts = [
            c.rjust(w) if i >= first_numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)
