"""Reading the inputs of outcome validation: scores, outcomes, ARR and probabilities.

Every function here turns user input into plain float / bool arrays, or raises a
:class:`~successkit.DataError` that names the first offending account (or row, when there
are no ids). Nothing here computes a statistic.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray
from successkit.data._keyed import align_by_id, plain
from successkit.errors import DataError, ModelError
from successkit.scoring.bands import Bands

__all__ = [
    "Scored",
    "align_by_id",
    "both_outcomes",
    "read_arr",
    "read_count",
    "read_labels",
    "read_outcome",
    "read_probability",
    "read_scores",
]



@attrs.frozen(kw_only=True, eq=False)
class Scored:
    """Scores as evaluation reads them, whatever they came from."""

    score: FloatArray
    ids: npt.NDArray[np.str_] | None
    bands: npt.NDArray[np.object_] | None  # band label per account, None where missing
    band_order: tuple[str, ...]  # worst (lowest scores) first
    metric_scores: Mapping[str, FloatArray]
    fingerprint: str | None

    def outcomes(self, churned: Any) -> tuple[BoolArray, BoolArray]:
        """:func:`read_labels` for these scores (aligned by id when ``churned`` has ids)."""
        return read_labels(churned, self.score.shape[0], ids=self.ids)

    def arr_of(self, arr: Any) -> FloatArray | None:
        """:func:`read_arr` for these scores; no ARR (``None``) stays ``None``."""
        return None if arr is None else read_arr(arr, self.score.shape[0], ids=self.ids)

    def probability_of(self, probability: Any) -> FloatArray | None:
        """:func:`read_probability` for these scores; ``None`` stays ``None``."""
        if probability is None:
            return None
        return read_probability(probability, self.score.shape[0], ids=self.ids)


def _where(ids: npt.NDArray[np.str_] | None, row: int) -> dict[str, Any]:
    if ids is not None and row < ids.shape[0]:
        return {"account": str(ids[row])}
    return {"row": row}


def _is_result(value: Any) -> bool:
    return hasattr(value, "score") and hasattr(value, "ids") and not isinstance(value, Mapping)


def _floats(value: Any, *, what: str, ids: npt.NDArray[np.str_] | None) -> FloatArray:
    if isinstance(value, (str, bytes)) or np.isscalar(value):
        raise DataError(f"{what} must be a sequence of numbers, got {value!r}")
    if isinstance(value, np.ma.MaskedArray):
        value = np.ma.filled(value.astype(np.float64), np.nan)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raw = np.asarray(value, dtype=object)
        for row, item in enumerate(raw.reshape(-1)):
            try:
                float(item if item is not None else np.nan)
            except (TypeError, ValueError):
                raise DataError(
                    f"{what} must be numbers, got {item!r}", **_where(ids, row)
                ) from None
        raise DataError(f"{what} must be a one-dimensional sequence of numbers") from None
    if array.ndim != 1:
        raise DataError(f"{what} must be one-dimensional, got shape {array.shape}")
    return array


def _check_length(array: npt.NDArray[Any], n: int, what: str) -> None:
    if array.shape[0] != n:
        raise DataError(f"{what} has {array.shape[0]} values but there are {n} scores")


def _labels(raw: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Band labels as text, ``None`` where missing (``None`` or NaN)."""
    missing = np.asarray(raw == None, dtype=np.bool_)  # noqa: E711 - elementwise
    missing |= np.asarray(raw != raw, dtype=np.bool_)  # NaN is the one value unequal to itself
    labels = raw.astype(str).astype(object)
    labels[missing] = None
    return labels


def _ordered_by_score(
    labels: npt.NDArray[np.object_], score: FloatArray
) -> tuple[str, ...]:
    """Band labels ordered by the mean score of their accounts (worst first)."""
    present = np.asarray(labels != None, dtype=np.bool_)  # noqa: E711 - elementwise
    names = np.unique(labels[present].astype(str)).tolist()
    if not names:
        return ()
    codes = np.searchsorted(np.asarray(names, dtype=object), labels[present])
    values = score[present]
    finite = np.isfinite(values)
    sums = np.bincount(codes[finite], values[finite], minlength=len(names))
    counts = np.bincount(codes[finite], minlength=len(names))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.inf)
    order = np.lexsort((np.arange(len(names)), means))
    return tuple(names[k] for k in order)


def read_scores(
    scores: Any,
    *,
    bands: Any = None,
    ids: Any = None,
) -> Scored:
    """Scores from a float array or a health result, with band labels when known.

    ``bands`` may be a :class:`~successkit.Bands` (labels are assigned from the scores) or
    labels aligned with the scores (ordered worst to best by their accounts' mean score). A
    health result brings its own bands, metric scores, ids and model fingerprint.
    """
    account_ids = None if ids is None else np.asarray(ids).astype(str)
    if account_ids is not None and account_ids.ndim != 1:
        raise DataError(f"ids must be a sequence of account ids, one per score, got "
                        f"{type(ids).__name__}")
    labels: npt.NDArray[np.object_] | None = None
    order: tuple[str, ...] = ()
    metric_scores: dict[str, FloatArray] = {}
    stamp: str | None = None
    if _is_result(scores):
        account_ids = np.asarray(scores.ids).astype(str)
        score = _floats(scores.score, what="score", ids=account_ids)
        result_bands = getattr(scores, "bands", None)
        band = getattr(scores, "band", None)
        if bands is None and band is not None:
            labels = np.asarray(band, dtype=object)
            order = (
                tuple(result_bands.labels)
                if isinstance(result_bands, Bands)
                else _ordered_by_score(labels, score)
            )
        for name, values in dict(getattr(scores, "metric_scores", None) or {}).items():
            metric_scores[str(name)] = _floats(
                values, what=f"metric score {name!r}", ids=account_ids
            )
        fp = getattr(scores, "fingerprint", None)
        stamp = fp if isinstance(fp, str) else None
    else:
        score = _floats(scores, what="scores", ids=account_ids)
    n = score.shape[0]
    if account_ids is not None:
        _check_length(account_ids, n, "ids")
    infinite = np.isinf(score)
    if infinite.any():
        row = int(np.flatnonzero(infinite)[0])
        raise DataError("scores must be finite (NaN marks a missing score)",
                        **_where(account_ids, row))
    if isinstance(bands, Bands):
        labels = bands.assign(score)
        order = bands.labels
    elif bands is not None:
        if isinstance(bands, (str, bytes)) or np.isscalar(bands):
            raise DataError(f"bands must be a Bands or a band label per account, got {bands!r}")
        raw = np.asarray(bands, dtype=object)
        if raw.ndim != 1:
            raise DataError(f"bands must be one-dimensional, got shape {raw.shape}")
        _check_length(raw, n, "bands")
        labels = _labels(raw)
        order = _ordered_by_score(labels, score)
    if labels is not None:
        _check_length(labels, n, "band")
    for name, values in metric_scores.items():
        _check_length(values, n, f"metric score {name!r}")
    return Scored(
        score=score,
        ids=account_ids,
        bands=labels,
        band_order=order,
        metric_scores=MappingProxyType(metric_scores),
        fingerprint=stamp,
    )


# The Python types an outcome may hold (None: missing, reported as such below).
_OUTCOME_TYPES = (bool, int, float, np.number, np.bool_, type(None))


def read_outcome(
    churned: Any, n: int, *, ids: npt.NDArray[np.str_] | None, what: str = "churned"
) -> BoolArray:
    """Churn outcomes as booleans: ``bool`` values or the numbers 0 and 1, none missing.

    A mapping (keys) or a pandas Series with a non-default index carries account ids: its
    values are lined up with ``ids`` by id, never by position.
    """
    y, known = read_labels(churned, n, ids=ids, what=what)
    if not known.all():
        row = int(np.flatnonzero(~known)[0])
        raise DataError(f"{what} is missing; every evaluated account needs an outcome",
                        **_where(ids, row))
    return y


def _text_hint(item: object, what: str) -> str:
    """How to turn text labels into outcomes: a word is never guessed to mean churned."""
    if not isinstance(item, str):
        return ""
    return (f"; text labels are not read as outcomes, compare them yourself "
            f"(e.g. {what} = labels == 'Yes')")


def read_labels(
    churned: Any, n: int, *, ids: npt.NDArray[np.str_] | None, what: str = "churned"
) -> tuple[BoolArray, BoolArray]:
    """Churn outcomes and where they are known: ``None`` or NaN is an *unknown* label (a
    censored snapshot), left out by the caller and counted; other values as
    :func:`read_outcome`."""
    churned = align_by_id(churned, ids, what=what)
    if isinstance(churned, (str, bytes)) or np.isscalar(churned):
        hint = ("; pass the outcomes themselves, not a column's name (e.g. "
                f"portfolio[{churned!r}] == 'Yes')") if isinstance(churned, str) else ""
        raise DataError(f"{what} must be a sequence of booleans, got {churned!r}{hint}")
    unknown_mask: BoolArray | None = None
    if isinstance(churned, np.ma.MaskedArray):
        unknown_mask = np.ma.getmaskarray(churned)
        churned = np.ma.filled(churned.astype(object), None)
    churned = plain(churned)
    try:
        raw = np.asarray(churned)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a one-dimensional sequence of booleans") from None
    if raw.ndim != 1:
        raise DataError(f"{what} must be one-dimensional, got shape {raw.shape}")
    if raw.shape[0] != n:
        counted = "scores" if ids is None else "accounts"
        raise DataError(f"{what} has {raw.shape[0]} values but there are {n} {counted}")
    if raw.dtype == np.bool_:
        known = np.ones(n, np.bool_) if unknown_mask is None else ~unknown_mask
        return raw & known, known
    if raw.dtype.kind in "iuf":
        values = raw.astype(np.float64)
    elif raw.dtype.kind in "OUS":
        # Text or mixed values (a list of Python objects): check the types present, and
        # look for the first offending entry only when there is one.
        objects = raw if raw.dtype == object else np.asarray(list(churned), dtype=object)
        items = objects.tolist()
        if not all(issubclass(t, _OUTCOME_TYPES) for t in set(map(type, items))):
            row, item = next(
                (row, item) for row, item in enumerate(items)
                if not isinstance(item, _OUTCOME_TYPES)
            )
            raise DataError(f"{what} must be true/false or 0/1, got {item!r}"
                            + _text_hint(item, what), **_where(ids, row))
        missing = np.asarray(objects == None, dtype=np.bool_)  # noqa: E711 - elementwise
        values = np.where(missing, np.nan, objects).astype(np.float64)
    else:
        raise DataError(f"{what} must be true/false or 0/1, not {raw.dtype} values")
    known = ~np.isnan(values)
    if unknown_mask is not None:
        known &= ~unknown_mask
    bad = known & ~((values == 0) | (values == 1))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = raw[row]
        value = value.item() if isinstance(value, np.generic) else value
        raise DataError(f"{what} must be true/false or 0/1, got {value!r}",
                        **_where(ids, row))
    return np.asarray(known & (values == 1), dtype=np.bool_), np.asarray(known)


def read_arr(
    arr: Any, n: int, *, ids: npt.NDArray[np.str_] | None, what: str = "arr"
) -> FloatArray:
    """ARR per account: finite, non-negative, none missing (aligned by id when keyed)."""
    values = _floats(plain(align_by_id(arr, ids, what=what)), what=what, ids=ids)
    if values.shape[0] != n:
        raise DataError(f"{what} has {values.shape[0]} values but there are {n} scores")
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = values[row]
        reason = (
            "is missing" if np.isnan(value) else f"must be finite and not negative, got {value:g}"
        )
        raise DataError(f"{what} {reason}", column=what, **_where(ids, row))
    return values


def read_probability(
    probability: Any, n: int, *, ids: npt.NDArray[np.str_] | None
) -> FloatArray:
    """Churn probabilities in [0, 1]; NaN marks a missing prediction (aligned by id when
    keyed)."""
    values = _floats(plain(align_by_id(probability, ids, what="probability")),
                     what="probability", ids=ids)
    if values.shape[0] != n:
        raise DataError(f"probability has {values.shape[0]} values but there are {n} scores")
    bad = ~np.isnan(values) & ~((values >= 0) & (values <= 1))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(f"probability must lie in [0, 1], got {values[row]:g}",
                        **_where(ids, row))
    return values


def both_outcomes(churned: BoolArray, *, accounts: str, need: str) -> int:
    """The number of churned accounts; a ModelError when all churned or all stayed.

    ``accounts`` names the accounts (``"training accounts"``), ``need`` says why both
    outcomes are needed.
    """
    n, n1 = int(churned.shape[0]), int(churned.sum())
    if n1 in (0, n):
        raise ModelError(f"all {n} {accounts} {'churned' if n1 else 'stayed'}; {need}")
    return n1


def read_count(value: Any, what: str, *, least: int = 0) -> int:
    """A whole number of at least ``least`` (0 or 1) from user input (``bool`` is not one)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        sign = "non-negative" if least <= 0 else "positive"
        raise DataError(f"{what} must be a {sign} integer, got {value!r}")
    return int(value)
