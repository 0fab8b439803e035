"""QuadrantTransitions: how accounts moved between quadrants from one date to the next."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, readonly, readonly_arrays
from successkit._grid import text_grid
from successkit._html import html_table
from successkit._optional import import_optional
from successkit.errors import DataError, ModelError

__all__ = ["QuadrantTransitions"]

Codes = npt.NDArray[np.int8]


def quadrant_labels(value: Any) -> tuple[str, str, str, str]:
    """Four distinct non-empty quadrant names (a matrix's labels, or its transitions')."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ModelError(f"labels must be four names, got {value!r}")
    labels = tuple(value)
    if len(labels) != 4 or not all(isinstance(v, str) and v for v in labels):
        raise ModelError(f"labels must be four non-empty names, got {value!r}")
    if len(set(labels)) != 4:
        raise ModelError(f"quadrant labels must differ, got {value!r}")
    return labels


def _one_dimensional(value: Any, what: str) -> npt.NDArray[Any]:
    """``value`` as a fresh 1-d array (a copy: the caller may reuse theirs)."""
    if isinstance(value, (str, bytes)):
        raise DataError(f"{what} must be a sequence, got {value!r}")
    try:
        array = np.array(value)
    except (TypeError, ValueError) as error:  # ragged nesting
        raise DataError(f"{what} must be a flat sequence: {error}") from None
    if array.ndim != 1:
        raise DataError(f"{what} must be one-dimensional, got shape {array.shape}")
    return array


def _to_text_ids(value: Any) -> npt.NDArray[np.str_]:
    ids = _one_dimensional(value, "ids")
    if ids.size and ids.dtype.kind not in "UiuO":
        raise DataError(f"ids must be text, got values of dtype {ids.dtype}")
    return readonly(ids.astype(np.str_))


def _to_codes(value: Any) -> Codes:
    codes = _one_dimensional(value, "quadrant codes")
    if not codes.size:
        return readonly(np.zeros(0, dtype=np.int8))
    if codes.dtype.kind not in "iu":
        raise DataError("quadrant codes must be whole numbers 0–3 (-1: no quadrant), got "
                        f"values of dtype {codes.dtype}")
    outside = (codes < -1) | (codes > 3)
    if outside.any():
        row = int(np.flatnonzero(outside)[0])
        raise DataError(f"quadrant code {int(codes[row])} is not 0–3 (-1: no quadrant)",
                        row=row)
    return readonly(codes.astype(np.int8))


def quadrant_code(labels: tuple[str, ...], label: str) -> int:
    """The code of quadrant ``label`` (a DataError naming the quadrants when unknown)."""
    if label not in labels:
        raise DataError(f"no quadrant {label!r}; the quadrants are {', '.join(labels)}")
    return labels.index(label)


@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class QuadrantTransitions:
    """Moves between quadrants from one classification to the next (from
    :meth:`Quadrants.transitions`), for the accounts present in both.

    ``counts[i, j]`` is the number of accounts in quadrant ``labels[i]`` before and
    ``labels[j]`` after (accounts without a quadrant on either date are not counted, see
    :attr:`unclassified`). :meth:`moved_into` lists the accounts that entered a quadrant
    from another one — Sansan's KPI is ``len(moves.moved_into("A"))``.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> moves = sk.QuadrantTransitions(labels=("A", "B", "C", "D"), ids=["x", "y", "z"],
    ...                                before=[3, 1, -1], after=[0, 0, 0])
    >>> moves.moved_into("A").tolist(), moves.unclassified
    (['x', 'y'], 1)
    >>> print(moves)
    before \\ after  A  B  C  D
    A               0  0  0  0
    B               1  0  0  0
    C               0  0  0  0
    D               1  0  0  0
    moved into A: 2, B: 0, C: 0, D: 0
    """

    labels: tuple[str, ...] = attrs.field(converter=quadrant_labels)
    ids: npt.NDArray[np.str_] = array_field(converter=_to_text_ids)
    before: Codes = array_field(converter=_to_codes)
    after: Codes = array_field(converter=_to_codes)

    def __attrs_post_init__(self) -> None:
        n = self.ids.shape[0]
        for name in ("before", "after"):
            size = getattr(self, name).shape[0]
            if size != n:
                raise DataError(f"{name} has {size} quadrant codes but there are {n} ids")

    @cached_property
    def counts(self) -> npt.NDArray[np.int64]:
        """Accounts per (before, after) quadrant pair, a 4 × 4 array."""
        k = len(self.labels)
        both = (self.before >= 0) & (self.after >= 0)
        cells = self.before[both].astype(np.int64) * k + self.after[both]
        return readonly(np.bincount(cells, minlength=k * k).reshape(k, k))

    @property
    def unclassified(self) -> int:
        """Accounts without a quadrant before or after (not in :attr:`counts`)."""
        return int(((self.before < 0) | (self.after < 0)).sum())

    def moved_into(self, label: str) -> npt.NDArray[np.str_]:
        """Ids of the accounts in ``label`` after that were in another quadrant before."""
        code = quadrant_code(self.labels, label)
        moved = (self.after == code) & (self.before >= 0) & (self.before != code)
        return readonly(self.ids[moved])

    def moved_out_of(self, label: str) -> npt.NDArray[np.str_]:
        """Ids of the accounts in ``label`` before that are in another quadrant after."""
        code = quadrant_code(self.labels, label)
        moved = (self.before == code) & (self.after >= 0) & (self.after != code)
        return readonly(self.ids[moved])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: labels, the counts matrix (rows: before), the accounts that
        moved into each quadrant, and the number unclassified."""
        return {
            "labels": list(self.labels),
            "counts": self.counts.tolist(),
            "moved_into": {label: self.moved_into(label).tolist() for label in self.labels},
            "unclassified": self.unclassified,
        }

    def to_frame(self) -> Any:
        """The counts as a pandas ``DataFrame`` (rows: before, columns: after)."""
        pd = import_optional("pandas", purpose="QuadrantTransitions.to_frame()")
        return pd.DataFrame(
            np.array(self.counts),
            index=pd.Index(list(self.labels), name="before"),
            columns=pd.Index(list(self.labels), name="after"),
        )

    def _moved_into_counts(self) -> npt.NDArray[np.int64]:
        """How many accounts :meth:`moved_into` each quadrant: off the diagonal of counts."""
        moved: npt.NDArray[np.int64] = self.counts.sum(axis=0) - np.diagonal(self.counts)
        return moved

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """The before × after counts as a shaded grid, each cell labelled (needs
        ``successkit[plot]``); ``kwargs`` go to ``Axes.imshow``. Returns the ``Axes``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import successkit as sk
        >>> moves = sk.QuadrantTransitions(labels=("A", "B", "C", "D"), ids=["x", "y"],
        ...                                before=[3, 0], after=[0, 0])
        >>> moves.plot().get_title()
        'Moved into A: 1, B: 0, C: 0, D: 0'
        """
        from successkit.touch._plots import plot_transitions

        return plot_transitions(self, ax, **kwargs)

    def __str__(self) -> str:
        rows = [[label, *(f"{v:,}" for v in self.counts[i])]
                for i, label in enumerate(self.labels)]
        table = text_grid(["before \\ after", *self.labels], rows, numeric=len(self.labels))
        moved = ", ".join(f"{label}: {n:,}"
                          for label, n in zip(self.labels, self._moved_into_counts().tolist(),
                                              strict=True))
        return f"{table}\nmoved into {moved}"

    def __repr__(self) -> str:
        into = int(self._moved_into_counts()[0])
        return (f"QuadrantTransitions({self.ids.shape[0]} accounts, {into} moved into "
                f"{self.labels[0]})")

    def _repr_html_(self) -> str:
        table: dict[str, list[Any]] = {"before \\ after": list(self.labels)}
        for j, label in enumerate(self.labels):
            table[label] = self.counts[:, j].tolist()
        return html_table(table, caption=repr(self))
