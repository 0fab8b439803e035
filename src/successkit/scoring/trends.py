"""Trend: how each account's health moved over a window of snapshots."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray, array_field, nullable, readonly_arrays
from successkit._html import head_table
from successkit._optional import import_optional
from successkit._rows import positions
from successkit.data.dates import duration_days
from successkit.data.history import History
from successkit.errors import DataError, ModelError
from successkit.scoring._serial import number
from successkit.scoring.result import HealthResult
from successkit.scoring.trend_summary import DIRECTIONS, TrendSummary

__all__ = ["TrendResult", "trend"]



def _present(labels: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """Where an object array of labels holds a label rather than ``None``."""
    return labels.astype(np.bool_)  # labels are non-empty text, so only None is falsy


@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class TrendResult:
    """Per-account movement of the health score, aligned with the latest snapshot's ids.

    ``delta``
        Latest score minus the score at the baseline snapshot ``since`` (the snapshot
        closest to ``as_of − window``), NaN where either is missing.
    ``slope``
        Least-squares score change per day over the snapshots from ``since`` to ``as_of``
        (NaN with fewer than two scores).
    ``direction``
        ``"up"`` when ``delta > tolerance``, ``"down"`` when ``delta < −tolerance``,
        ``"flat"`` otherwise, ``None`` where ``delta`` is missing.
    ``band_from`` / ``band_to``
        The band at the second-to-last and at the last snapshot (``None`` where none).

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))])
    >>> history = sk.History([
    ...     sk.Portfolio.from_columns({"id": ["a"], "x": [50]}, as_of="2026-08-01"),
    ...     sk.Portfolio.from_columns({"id": ["a"], "x": [30]}, as_of="2026-09-01"),
    ... ])
    >>> result = sk.trend(history, model, window="30d")
    >>> result.direction.tolist(), result.band_from.tolist(), result.band_to.tolist()
    (['down'], ['yellow'], ['red'])
    """

    ids: npt.NDArray[np.str_] = array_field()
    as_of: dt.date
    since: dt.date | None
    score: FloatArray = array_field()
    delta: FloatArray = array_field()
    slope: FloatArray = array_field()
    direction: npt.NDArray[np.object_] = array_field()
    band_from: npt.NDArray[np.object_] = array_field()
    band_to: npt.NDArray[np.object_] = array_field()
    tolerance: float

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def changed(self) -> npt.NDArray[np.bool_]:
        """Where the band changed between the last two snapshots (both known)."""
        known = _present(self.band_from) & _present(self.band_to)
        changed: npt.NDArray[np.bool_] = known & (self.band_from != self.band_to)
        return changed

    def transitions(self) -> dict[tuple[str, str], int]:
        """Counts of band changes ``(from, to)`` between the last two snapshots.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))])
        >>> history = sk.History([
        ...     sk.Portfolio.from_columns({"id": ["a", "b"], "x": [80, 50]}, as_of="2026-08-01"),
        ...     sk.Portfolio.from_columns({"id": ["a", "b"], "x": [60, 30]}, as_of="2026-09-01"),
        ... ])
        >>> sk.trend(history, model, window="30d").transitions()
        {('green', 'yellow'): 1, ('yellow', 'red'): 1}
        """
        moved = self.changed
        before = self.band_from[moved].astype(str)
        after = self.band_to[moved].astype(str)
        labels, codes = np.unique(np.concatenate([before, after]), return_inverse=True)
        k = len(labels)
        pairs = codes[: len(before)] * k + codes[len(before) :]
        counts = np.bincount(pairs, minlength=k * k)
        found = np.flatnonzero(counts)
        return {
            (str(labels[p // k]), str(labels[p % k])): int(counts[p]) for p in found.tolist()
        }

    def summary(self) -> TrendSummary:
        """Accounts per direction (``up``, ``flat``, ``down``, ``unknown``) and band changes."""
        direction = self.direction
        counts = {d: int(np.count_nonzero(direction == d)) for d in DIRECTIONS[:-1]}
        counts["unknown"] = int(np.count_nonzero(~_present(direction)))
        return TrendSummary(directions=counts, transitions=self.transitions())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (``None`` for missing)."""
        return {
            "as_of": self.as_of.isoformat(),
            "since": None if self.since is None else self.since.isoformat(),
            "tolerance": self.tolerance,
            "ids": self.ids.tolist(),
            "score": nullable(self.score),
            "delta": nullable(self.delta),
            "slope": nullable(self.slope),
            "direction": self.direction.tolist(),
            "band_from": self.band_from.tolist(),
            "band_to": self.band_to.tolist(),
        }

    def _table(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "delta": self.delta,
            "slope": self.slope,
            "direction": self.direction,
            "band_from": self.band_from,
            "band_to": self.band_to,
        }

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` indexed by account id."""
        pd = import_optional("pandas", purpose="TrendResult.to_frame()")
        return pd.DataFrame(
            {k: np.array(v) for k, v in self._table().items()},
            index=pd.Index(self.ids.tolist(), name="id", dtype=object),
        )

    def __repr__(self) -> str:
        since = "" if self.since is None else f" since {self.since.isoformat()}"
        counts = ", ".join(f"{k} {v}" for k, v in self.summary().directions.items())
        return f"TrendResult({len(self)} accounts{since} to {self.as_of.isoformat()}: {counts})"

    def _repr_html_(self) -> str:
        return head_table(self.ids, self._table(), caption=repr(self))


def _at(values: npt.NDArray[Any], rows: npt.NDArray[np.intp], fill: Any) -> npt.NDArray[Any]:
    """``values[rows]``, with ``fill`` where the row is ``-1``."""
    out = np.full(rows.shape, fill, dtype=values.dtype)
    found = rows >= 0
    out[found] = values[rows[found]]
    return out


def trend(
    source: History | Sequence[HealthResult],
    model: Any = None,
    *,
    window: Any = "90d",
    tolerance: float = 5.0,
) -> TrendResult:
    """Delta, slope, direction and band changes of each account's health score.

    Parameters
    ----------
    source:
        A :class:`~successkit.History` (then ``model`` scores every snapshot, with band
        hysteresis chained), or health results of several dates.
    model:
        A :class:`HealthModel` or :class:`SegmentedModel`, needed with a History.
    window:
        How far back the baseline is (``"90d"``, ``"3mo"``, days): the snapshot closest to
        ``as_of − window`` (the earlier one on a tie).
    tolerance:
        Score points within which a change counts as ``flat``.

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))])
    >>> history = sk.History([
    ...     sk.Portfolio.from_columns({"id": ["a", "b"], "x": [40, 50]}, as_of="2026-07-01"),
    ...     sk.Portfolio.from_columns({"id": ["a", "b"], "x": [50, 48]}, as_of="2026-07-31"),
    ...     sk.Portfolio.from_columns({"id": ["a", "b"], "x": [60, 47]}, as_of="2026-08-30"),
    ... ])
    >>> result = sk.trend(history, model, window="60d", tolerance=5)
    >>> result.delta.tolist(), result.direction.tolist()
    ([20.0, -3.0], ['up', 'flat'])
    >>> result.slope.round(3).tolist()
    [0.333, -0.05]
    """
    if isinstance(source, History):
        if model is None:
            raise DataError("trend() over a History needs the model that scores it")
        if not callable(getattr(model, "score_history", None)):
            raise ModelError(f"trend() scores a History with a health model, got "
                             f"{type(model).__name__}")
        results = model.score_history(source)
    elif isinstance(source, (HealthResult, str, bytes)) or not isinstance(source, Iterable):
        raise DataError(f"trend() takes a History or a sequence of HealthResults, got "
                        f"{type(source).__name__}")
    else:
        results = tuple(source)
        for r in results:
            if not isinstance(r, HealthResult):
                raise DataError(f"trend() takes a History or HealthResults, got {type(r).__name__}")
    if not results:
        raise DataError("trend() needs at least one snapshot")
    if any(r.as_of is None for r in results):
        raise DataError("every health result needs an as_of date for a trend")
    results = tuple(sorted(results, key=lambda r: r.as_of))
    dates = [r.as_of for r in results]
    for before, after in itertools.pairwise(dates):
        if before == after:
            raise DataError(f"two health results have the same as_of date {after}")
    days = duration_days(window, what="window")
    margin = number(tolerance, what="tolerance")
    if margin < 0:
        raise DataError(f"tolerance must not be negative, got {margin:g}")

    latest = results[-1]
    assert latest.as_of is not None
    ids = latest.ids
    n = len(ids)
    target = latest.as_of - dt.timedelta(days=days)
    earlier = results[:-1]
    since: dt.date | None = None
    delta = np.full(n, np.nan)
    slope = np.full(n, np.nan)
    band_from = np.full(n, None, dtype=object)
    if earlier:
        gaps = [abs((r.as_of - target).days) for r in earlier if r.as_of is not None]
        k = int(np.argmin(gaps))  # first minimum: the earlier snapshot on a tie
        since = earlier[k].as_of
        assert since is not None
        # Each earlier snapshot in the window is aligned with the latest ids once; the
        # baseline is the first of them and the previous band comes from the last.
        rows = [positions(r.ids, ids) for r in earlier[k:]]
        scores = [_at(r.score, at, np.nan) for r, at in zip(earlier[k:], rows, strict=True)]
        delta = latest.score - scores[0]
        band_from = _at(earlier[-1].band, rows[-1], None)
        # Least squares per account over the snapshots in the window, skipping missing.
        count = np.zeros(n)
        sx = np.zeros(n)
        sy = np.zeros(n)
        sxx = np.zeros(n)
        sxy = np.zeros(n)
        for r, y in zip(results[k:], [*scores, latest.score], strict=True):
            assert r.as_of is not None
            x = float((r.as_of - since).days)
            present = ~np.isnan(y)
            y0 = np.where(present, y, 0.0)
            count += present
            sx += present * x
            sxx += present * x * x
            sy += y0
            sxy += y0 * x
        denominator = count * sxx - sx * sx
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = (count * sxy - sx * sy) / denominator
        slope[(count < 2) | (denominator <= 0)] = np.nan
    direction = np.full(n, None, dtype=object)
    known = ~np.isnan(delta)
    direction[known] = "flat"
    direction[known & (delta > margin)] = "up"
    direction[known & (delta < -margin)] = "down"
    return TrendResult(
        ids=ids,
        as_of=latest.as_of,
        since=since,
        score=latest.score,
        delta=delta,
        slope=slope,
        direction=direction,
        band_from=band_from,
        band_to=np.array(latest.band, dtype=object),
        tolerance=margin,
    )
