"""TouchResult: touch scores of a portfolio, split by touch point, channel and synchrony."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import (
    array_field,
    named_columns,
    nullable,
    optional_array,
    readonly,
    readonly_arrays,
)
from successkit._html import head_table
from successkit._optional import import_optional
from successkit._rows import as_rows, row_of
from successkit.data.column import Column
from successkit.data.kinds import Kind
from successkit.touch.touch_summary import TouchSummary

__all__ = ["RULE_KINDS", "TouchResult"]

FloatArray = npt.NDArray[np.float64]

#: The names a touch result gives rules (``touch.score``, ...) and their kinds.
RULE_KINDS: Mapping[str, Kind] = MappingProxyType(
    {
        "score": Kind.NUMBER,
        "total": Kind.NUMBER,
        "synchronous": Kind.NUMBER,
        "asynchronous": Kind.NUMBER,
    }
)


def _to_names(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _to_channels(value: Any) -> tuple[str | None, ...]:
    return tuple(None if v is None else str(v) for v in value)


def _to_flags(value: Any) -> tuple[bool, ...]:
    return tuple(bool(v) for v in value)


def _ids(value: Any) -> npt.NDArray[np.str_]:
    array = np.asarray(value, dtype=np.str_) if len(value) else np.zeros(0, dtype="<U1")
    return readonly(array)


@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class TouchResult:
    """Touch scores of a portfolio (from :meth:`TouchModel.score`), aligned with its ids.

    Arrays (read-only numpy, one entry per account in :attr:`ids` order):

    ``score``
        The total per seat; NaN where the account's seats are missing or zero (see
        :attr:`no_seats`). Without a seats column (``per=None``) the total itself.
    ``total``
        Points earned (after window and decay), before dividing by seats.
    ``events``
        Events counted (inside the window, for accounts of the portfolio).
    ``seats``
        The divisor per account (NaN where missing), or ``None`` with ``per=None``.
    :attr:`synchronous` / :attr:`asynchronous`
        The total split by the touch points' ``synchronous`` flag.
    :attr:`by_touchpoint` / :attr:`by_channel`
        Read-only mappings name → points per account (``touchpoint_matrix`` holds them as
        an accounts × touch points array).

    Events of accounts outside the portfolio are reported: :attr:`unmatched` (their ids,
    sorted) and :attr:`unmatched_events` (how many events).

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.TouchModel.sansan()
    >>> pf = sk.Portfolio.from_columns({"id": ["acme", "globex"], "seats": [5, 0]},
    ...                                as_of="2026-10-01")
    >>> events = {"account_id": ["acme", "acme", "globex", "initech"],
    ...           "touchpoint": ["elearning", "event_attendance", "web_access", "video"],
    ...           "at": ["2026-09-01"] * 4, "progress": [1.0, None, None, 0.5]}
    >>> result = model.score(events, pf)
    >>> result.total.tolist(), result.score.tolist()
    ([15.0, 1.0], [3.0, nan])
    >>> result.synchronous.tolist(), result.asynchronous.tolist()
    ([10.0, 1.0], [5.0, 0.0])
    >>> result.by_channel["offline"].tolist()
    [10.0, 0.0]
    >>> result.no_seats.tolist(), result.unmatched.tolist(), result.unmatched_events
    (['globex'], ['initech'], 1)
    """

    ids: npt.NDArray[np.str_] = array_field()
    score: FloatArray = array_field()
    total: FloatArray = array_field()
    touchpoint_matrix: FloatArray = array_field()
    events: npt.NDArray[np.int64] = array_field()
    seats: FloatArray | None = array_field(converter=optional_array(np.float64))
    touchpoints: tuple[str, ...] = attrs.field(converter=_to_names)
    touchpoint_channels: tuple[str | None, ...] = attrs.field(converter=_to_channels)
    touchpoint_synchronous: tuple[bool, ...] = attrs.field(converter=_to_flags)
    per: str | None = "seats"
    unmatched: npt.NDArray[np.str_] = array_field(converter=_ids, factory=tuple)
    unmatched_events: int = 0
    fingerprint: str = ""
    as_of: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        n = self.ids.shape[0]
        for name in ("score", "total", "events"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have one entry per account")
        k = len(self.touchpoints)
        if self.touchpoint_matrix.shape != (n, k):
            raise ValueError("touchpoint_matrix must be accounts × touch points")
        if len(self.touchpoint_channels) != k or len(self.touchpoint_synchronous) != k:
            raise ValueError("give a channel and a synchronous flag per touch point")
        if self.seats is not None and self.seats.shape != (n,):
            raise ValueError("seats must have one entry per account")

    # -- arrays -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @cached_property
    def by_touchpoint(self) -> Mapping[str, FloatArray]:
        """Touch point name → points per account."""
        return named_columns(self.touchpoint_matrix, self.touchpoints)

    @property
    def channels(self) -> tuple[str, ...]:
        """The distinct channels of the touch points, in model order (touch points without
        a channel are in no channel)."""
        return tuple(dict.fromkeys(c for c in self.touchpoint_channels if c is not None))

    @cached_property
    def by_channel(self) -> Mapping[str, FloatArray]:
        """Channel → points per account (e.g. Sansan's ``online`` and ``offline``)."""
        out = {}
        for channel in self.channels:
            columns = [k for k, c in enumerate(self.touchpoint_channels) if c == channel]
            out[channel] = readonly(self.touchpoint_matrix[:, columns].sum(axis=1))
        return MappingProxyType(out)

    def _split(self, synchronous: bool) -> FloatArray:
        columns = [k for k, s in enumerate(self.touchpoint_synchronous) if s == synchronous]
        return readonly(self.touchpoint_matrix[:, columns].sum(axis=1))

    @cached_property
    def synchronous(self) -> FloatArray:
        """Points from synchronous touch points, per account."""
        return self._split(True)

    @cached_property
    def asynchronous(self) -> FloatArray:
        """Points from asynchronous touch points (``synchronous=False``), per account."""
        return self._split(False)

    @cached_property
    def no_seats(self) -> npt.NDArray[np.str_]:
        """Ids of the accounts whose seats are missing or zero (their score is missing)."""
        if self.seats is None:
            return readonly(np.zeros(0, dtype=self.ids.dtype))
        return readonly(self.ids[~(self.seats > 0)])

    def index(self, account_id: str) -> int:
        """The row of ``account_id`` (a DataError, with did-you-mean, when unknown)."""
        return row_of(self.ids, account_id)

    def take(self, rows: npt.ArrayLike) -> TouchResult:
        """The result for the accounts at ``rows`` (positions or a boolean mask).

        Unmatched events stay reported as they were.
        """
        index = as_rows(rows, len(self))
        return attrs.evolve(
            self,
            ids=self.ids[index],
            score=self.score[index],
            total=self.total[index],
            touchpoint_matrix=self.touchpoint_matrix[index],
            events=self.events[index],
            seats=None if self.seats is None else self.seats[index],
        )

    # -- rules --------------------------------------------------------------------------------

    def rule_columns(self) -> Mapping[str, Column]:
        """The values rules read as ``touch.*``: ``score``, ``total``, ``synchronous`` and
        ``asynchronous`` (numbers).

        Examples
        --------
        >>> import successkit as sk
        >>> pf = sk.Portfolio.from_columns({"id": ["a"], "seats": [2]}, as_of="2026-10-01")
        >>> events = {"account_id": ["a"], "touchpoint": ["web_access"], "at": ["2026-09-30"]}
        >>> cols = sk.TouchModel.sansan().score(events, pf).rule_columns()
        >>> list(cols), cols["score"].to_list()
        (['score', 'total', 'synchronous', 'asynchronous'], [0.5])
        """
        return MappingProxyType(
            {
                "score": Column.number(self.score),
                "total": Column.number(self.total),
                "synchronous": Column.number(self.synchronous),
                "asynchronous": Column.number(self.asynchronous),
            }
        )

    def rule_schema(self) -> Mapping[str, Kind]:
        """The kinds of :meth:`rule_columns`."""
        return RULE_KINDS

    # -- output -------------------------------------------------------------------------------

    def summary(self) -> TouchSummary:
        """Points per touch point across the portfolio, with the score's mean and median.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.TouchModel([sk.TouchPoint("web", points=1, combine="sum",
        ...                                      channel="online")])
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "seats": [1, 4]})
        >>> events = {"account_id": ["a", "a", "b"], "touchpoint": ["web"] * 3,
        ...           "at": ["2026-01-01"] * 3}
        >>> print(model.score(events, pf).summary())
        2 accounts, touch score mean 1.125, median 1.125; 0 without events
        touch point  channel  sync  points  share  accounts
        web          online   yes        3   100%         2
        """
        matrix = self.touchpoint_matrix
        scored = self.score[~np.isnan(self.score)]
        return TouchSummary(
            accounts=len(self),
            mean_score=float(scored.mean()) if scored.size else float("nan"),
            median_score=float(np.median(scored)) if scored.size else float("nan"),
            without_events=int((self.events == 0).sum()),
            touchpoints=self.touchpoints,
            channels=self.touchpoint_channels,
            synchronous=self.touchpoint_synchronous,
            points=tuple(float(v) for v in matrix.sum(axis=0)),
            accounts_touched=tuple(int(v) for v in (matrix > 0).sum(axis=0)),
            no_seats=int(self.no_seats.shape[0]),
            unmatched_accounts=int(self.unmatched.shape[0]),
            unmatched_events=self.unmatched_events,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ids, score, total, synchronous, asynchronous, events, seats,
        points by touch point and by channel (``None`` for missing), the unmatched report,
        the model fingerprint and the date."""
        return {
            "fingerprint": self.fingerprint,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "per": self.per,
            "ids": self.ids.tolist(),
            "score": nullable(self.score),
            "total": nullable(self.total),
            "synchronous": nullable(self.synchronous),
            "asynchronous": nullable(self.asynchronous),
            "events": self.events.tolist(),
            "seats": None if self.seats is None else nullable(self.seats),
            "by_touchpoint": {name: nullable(v) for name, v in self.by_touchpoint.items()},
            "by_channel": {name: nullable(v) for name, v in self.by_channel.items()},
            "no_seats": self.no_seats.tolist(),
            "unmatched": self.unmatched.tolist(),
            "unmatched_events": self.unmatched_events,
        }

    def _table(self) -> dict[str, Any]:
        table: dict[str, Any] = {
            "score": self.score,
            "total": self.total,
            "synchronous": self.synchronous,
            "asynchronous": self.asynchronous,
            "events": self.events,
        }
        if self.seats is not None:
            table["seats"] = self.seats
        for prefix, parts in (("touchpoint", self.by_touchpoint), ("channel", self.by_channel)):
            for name, values in parts.items():
                table[f"{prefix}:{name}" if name in table else name] = values
        return table

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` indexed by account id (needs ``successkit[pandas]``): score,
        total, synchronous, asynchronous, events, seats, then one column per touch point and
        per channel (prefixed ``touchpoint:`` / ``channel:`` only when a name is taken)."""
        pd = import_optional("pandas", purpose="TouchResult.to_frame()")
        data = {name: np.array(values) for name, values in self._table().items()}
        return pd.DataFrame(data, index=pd.Index(self.ids.tolist(), name="id", dtype=object))

    def __repr__(self) -> str:
        as_of = "" if self.as_of is None else f", as_of={self.as_of.isoformat()}"
        scored = self.score[~np.isnan(self.score)]
        mean = f", mean score {scored.mean():.3g}" if scored.size else ""
        unmatched = (
            f", {self.unmatched_events} unmatched events" if self.unmatched_events else ""
        )
        return (
            f"TouchResult({len(self)} accounts{as_of}{mean}{unmatched}, "
            f"fingerprint={self.fingerprint})"
        )

    def _repr_html_(self) -> str:
        return head_table(self.ids, self._table(), caption=repr(self))
