"""Churn broken down by band, by risk decile and by predicted probability.

Each breakdown is a :class:`RateTable`: accounts, churned accounts and (with ARR) ARR and
churned ARR per row. Deciles are cut by rank, riskiest first. Accounts with tied scores are
never split arbitrarily between two deciles (the result would depend on the order of the
input): a tie that straddles a decile edge is shared across it in proportion, which is the
expected table under random tie-breaking. Decile counts may therefore be fractional.
"""

from __future__ import annotations

import itertools
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import (
    BoolArray,
    FloatArray,
    array_field,
    nullable,
    optional_array,
    readonly_arrays,
)

__all__ = ["RateTable", "band_table", "decile_table", "reliability_table"]



def _to_labels(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _sums(
    codes: npt.NDArray[np.intp], weights: FloatArray | None, length: int
) -> FloatArray:
    """Per-code sums of ``weights`` (counts without weights), as floats."""
    return np.bincount(codes, weights, minlength=length).astype(np.float64)


def _churn_sums(
    codes: npt.NDArray[np.intp], churned: BoolArray, arr: FloatArray | None, length: int
) -> tuple[FloatArray, FloatArray | None, FloatArray | None]:
    """Per-code churned accounts, ARR and churned ARR (the ARR sums ``None`` without ARR)."""
    churn = _sums(codes, churned.astype(np.float64), length)
    if arr is None:
        return churn, None, None
    return churn, _sums(codes, arr, length), _sums(codes, np.where(churned, arr, 0.0), length)


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1),
                        np.nan)


@readonly_arrays
@attrs.frozen(kw_only=True)
class RateTable:
    """Accounts and churn per row of a breakdown: bands, risk deciles or probability bins.

    .. versionadded:: 0.1

    Attributes
    ----------
    kind:
        ``"band"``, ``"decile"`` (``"bin"`` for other rank bins) or ``"probability"``.
    labels:
        The rows: band labels worst first, deciles ``"1"`` (riskiest) to ``"10"``, or
        probability bins.
    accounts, churned:
        Accounts and churned accounts per row (fractional for deciles cut through ties).
    low, high:
        The lowest and highest score of each row (for probability bins: the bin's edges).
    arr, churned_arr:
        ARR and churned ARR per row, or ``None`` when no ARR was given.
    predicted:
        Mean predicted churn probability per row (probability bins only, else ``None``).

    Examples
    --------
    >>> import numpy as np
    >>> import successkit as sk
    >>> report = sk.evaluate(np.array([10.0, 20, 80, 90]), [True, False, False, False],
    ...                      bands=sk.Bands(), n_boot=0)
    >>> report.bands.labels, report.bands.churn_rate.tolist()
    (('red', 'yellow', 'green'), [0.5, nan, 0.0])
    """

    kind: str
    labels: tuple[str, ...] = attrs.field(converter=_to_labels)
    accounts: FloatArray = array_field()
    churned: FloatArray = array_field()
    low: FloatArray = array_field()
    high: FloatArray = array_field()
    arr: FloatArray | None = array_field(default=None, converter=optional_array(np.float64))
    churned_arr: FloatArray | None = array_field(default=None, converter=optional_array(np.float64))
    predicted: FloatArray | None = array_field(default=None, converter=optional_array(np.float64))

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def churn_rate(self) -> FloatArray:
        """Churned accounts / accounts per row (NaN for an empty row)."""
        return _ratio(self.churned, self.accounts)

    @property
    def arr_churn_rate(self) -> FloatArray | None:
        """Churned ARR / ARR per row, or ``None`` without ARR."""
        if self.arr is None or self.churned_arr is None:
            return None
        return _ratio(self.churned_arr, self.arr)

    def columns(self) -> dict[str, Any]:
        """The table as named columns (numpy arrays; labels as a list)."""
        out: dict[str, Any] = {
            self.kind: list(self.labels),
            "accounts": self.accounts,
            "churned": self.churned,
            "churn_rate": self.churn_rate,
        }
        if self.predicted is not None:
            out["predicted"] = self.predicted
        out["low"], out["high"] = self.low, self.high
        if self.arr is not None and self.churned_arr is not None:
            out["arr"] = self.arr
            out["churned_arr"] = self.churned_arr
            out["arr_churn_rate"] = self.arr_churn_rate
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: one list per column, ``None`` for undefined rates."""
        return {
            name: values if isinstance(values, list) else nullable(values)
            for name, values in self.columns().items()
        }


def band_table(
    labels: npt.NDArray[np.object_],
    order: tuple[str, ...],
    score: FloatArray,
    churned: BoolArray,
    arr: FloatArray | None,
) -> RateTable:
    """Churn per band, bands from worst to best (``order``)."""
    codes = np.full(labels.shape[0], -1, dtype=np.intp)
    for code, label in enumerate(order):  # a loop over bands, not accounts
        codes[labels == label] = code
    known = codes >= 0
    k = len(order)
    counts = _sums(codes[known], None, k)
    churn, arr_sums, churned_arr = _churn_sums(
        codes[known], churned[known], None if arr is None else arr[known], k
    )
    low = np.full(k, np.nan)
    high = np.full(k, np.nan)
    if known.any():
        np.fmin.at(low, codes[known], score[known])
        np.fmax.at(high, codes[known], score[known])
    return RateTable(
        kind="band",
        labels=order,
        accounts=counts, churned=churn,
        low=low, high=high,  # the band's score range among the evaluated accounts
        arr=arr_sums, churned_arr=churned_arr,
    )


def decile_table(
    score: FloatArray,
    churned: BoolArray,
    arr: FloatArray | None,
    *,
    bins: int = 10,
    higher_is_better: bool = True,
) -> RateTable:
    """Churn per rank bin (decile by default), riskiest first; ties shared across edges."""
    n = score.shape[0]
    key = score if higher_is_better else -score  # ascending key = descending risk
    values, inverse, sizes = np.unique(key, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    churn, group_arr, group_churned_arr = _churn_sums(inverse, churned, arr, values.shape[0])
    ends = np.cumsum(sizes).astype(np.float64)
    starts = ends - sizes
    edges = np.linspace(0.0, float(n), bins + 1)
    # overlap[g, d]: how many positions of tie group g fall into bin d (fractional).
    overlap = np.clip(
        np.minimum(ends[:, None], edges[None, 1:]) - np.maximum(starts[:, None], edges[None, :-1]),
        0.0,
        None,
    )
    share = overlap / sizes[:, None]
    present = overlap > 0
    first = np.argmax(present, axis=0)
    last = present.shape[0] - 1 - np.argmax(present[::-1], axis=0)
    group_scores = values if higher_is_better else -values
    empty = ~present.any(axis=0)
    low = np.where(empty, np.nan, group_scores[np.minimum(first, last)])
    high = np.where(empty, np.nan, group_scores[np.maximum(first, last)])
    if not higher_is_better:
        low, high = high, low
    return RateTable(
        kind="decile" if bins == 10 else "bin",
        labels=[str(d + 1) for d in range(bins)],
        accounts=overlap.sum(axis=0),
        churned=churn @ share,
        low=low,
        high=high,
        arr=None if group_arr is None else group_arr @ share,
        churned_arr=None if group_churned_arr is None else group_churned_arr @ share,
    )


def reliability_table(
    probability: FloatArray,
    churned: BoolArray,
    arr: FloatArray | None,
    *,
    bins: int = 10,
) -> RateTable:
    """Predicted against observed churn per equal-width probability bin."""
    edges = np.round(np.linspace(0.0, 1.0, bins + 1), 12)
    codes = np.minimum((probability * bins).astype(np.intp), bins - 1)
    counts = _sums(codes, None, bins)
    churn, arr_sums, churned_arr = _churn_sums(codes, churned, arr, bins)
    predicted = _ratio(_sums(codes, probability, length=bins), counts)
    labels = [f"{lo:.2g}–{hi:.2g}" for lo, hi in itertools.pairwise(edges)]
    return RateTable(
        kind="probability",
        labels=labels,
        accounts=counts,
        churned=churn,
        low=edges[:-1],
        high=edges[1:],
        arr=arr_sums,
        churned_arr=churned_arr,
        predicted=predicted,
    )
