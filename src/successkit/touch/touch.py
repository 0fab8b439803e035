"""TouchModel: Sansan's touch score — points for every way a customer's people touch us,
per contracted user ID."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from successkit._fingerprint import fingerprint as _hash
from successkit._keys import at, read_dict
from successkit.data.account import Account
from successkit.data.dates import model_duration
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio, portfolio_of
from successkit.errors import DataError, ModelError, did_you_mean_suffix
from successkit.scoring._serial import VERSION, check_version, field, number
from successkit.touch._touch_compute import PointTable, select_events, touch_totals
from successkit.touch._touch_events import EventTable, check_events, detached, read_events
from successkit.touch.touch_point import TouchPoint
from successkit.touch.touch_presets import sansan_touchpoints
from successkit.touch.touch_result import RULE_KINDS, TouchResult

__all__ = ["BoundTouchModel", "TouchModel"]

FloatArray = npt.NDArray[np.float64]


def _to_touchpoints(value: Any) -> tuple[TouchPoint, ...]:
    if isinstance(value, (str, bytes, TouchPoint)) or not isinstance(value, Iterable):
        raise ModelError(f"TouchModel takes a sequence of TouchPoint, got {value!r}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, TouchPoint):
            raise ModelError(f"expected TouchPoint objects, got {type(item).__name__}")
    return items


def _days(value: Any, what: str) -> int | None:
    if value is None:
        return None
    days = model_duration(value, what=what)
    if days <= 0:
        raise ModelError(f"{what} must be at least one day, got {value!r}")
    return days


def _whole_days(value: Any, what: str) -> int:
    """A stored number of days; a fraction is refused, not cut (2.5 is not 2)."""
    days = number(value, what=what)
    if days != int(days):
        raise ModelError(f"{what} must be a whole number of days, got {value!r}")
    return int(days)


def _to_window(value: Any) -> int | None:
    return _days(value, "window")


def _to_half_life(value: Any) -> int | None:
    return _days(value, "half_life")


def _to_per(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not value):
        raise ModelError(f"per must name the seats column (or be None), got {value!r}")
    return value


@attrs.frozen(repr=False)
class TouchModel:
    """A touch score: points for each touch event, added up per account, per seat.

    ``score(events, portfolio)`` counts the events of each account of the portfolio:

    1. each event earns its touch point's points (fixed, or by the tier its ``progress``
       reaches); for ``combine="max"`` touch points only the best event per (account,
       user, item) counts;
    2. with ``window`` (a duration: ``"90d"``, ``"1y"``, days), only events less than that
       many days before the portfolio's ``as_of`` count — the window is the ``window``
       days ending on ``as_of`` inclusive;
    3. with ``half_life``, an event's points decay by age:
       ``points × 0.5 ** (age_days / half_life)`` (an event on ``as_of`` counts fully);
    4. the total is divided by the account's seats — the column ``per`` of the portfolio
       (Sansan: the number of user IDs); ``per=None`` keeps the total.

    Accounts without events score 0. An account whose seats are missing or zero gets a
    missing score (its total is still computed) and is listed in
    :attr:`TouchResult.no_seats`; negative seats are a :class:`~successkit.DataError`.

    Events for accounts that are not in the portfolio are not counted and are *reported*,
    never silently dropped: :attr:`TouchResult.unmatched` lists their account ids and
    :attr:`TouchResult.unmatched_events` counts them (event logs routinely hold accounts
    outside the scored portfolio — churned customers, other segments). Only events that
    would count are reported: inside the window, not after ``as_of``. Pass
    ``unmatched="error"`` to make them a :class:`~successkit.DataError` instead.

    Bad events are a :class:`~successkit.DataError` naming the column and the 0-based row
    of the first offending event: an unknown or missing touch point, progress outside
    [0, 1], a tiered touch point without progress, a missing date, or a date after
    ``as_of``.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.TouchModel([
    ...     sk.TouchPoint("video", tiers={0.2: 1, 0.6: 2, 1.0: 3}),
    ...     sk.TouchPoint("web_access", points=1, combine="sum"),
    ... ])
    >>> pf = sk.Portfolio.from_columns({"id": ["acme", "globex"], "seats": [4, 10]},
    ...                                as_of="2026-10-01")
    >>> events = {
    ...     "account_id": ["acme", "acme", "acme", "globex"],
    ...     "touchpoint": ["video", "video", "web_access", "web_access"],
    ...     "at": ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-03"],
    ...     "user_id": ["u1", "u1", "u2", "u9"],
    ...     "item": ["intro", "intro", None, None],
    ...     "progress": [0.3, 1.0, None, None],
    ... }
    >>> result = model.score(events, pf)
    >>> result.total.tolist(), result.score.tolist()
    ([4.0, 1.0], [1.0, 0.1])
    """

    touchpoints: tuple[TouchPoint, ...] = attrs.field(converter=_to_touchpoints)
    window: int | None = attrs.field(default=None, kw_only=True, converter=_to_window)
    half_life: int | None = attrs.field(
        default=None, kw_only=True, converter=_to_half_life
    )
    per: str | None = attrs.field(default="seats", kw_only=True, converter=_to_per)

    def __attrs_post_init__(self) -> None:
        if not self.touchpoints:
            raise ModelError("a touch model needs at least one touch point")
        seen: set[str] = set()
        for tp in self.touchpoints:
            if tp.name in seen:
                raise ModelError("two touch points have this name", where=f"touch point "
                                 f"{tp.name!r}")
            seen.add(tp.name)

    # -- access -------------------------------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """Touch point names, in model order."""
        return tuple(tp.name for tp in self.touchpoints)

    def __getitem__(self, name: str) -> TouchPoint:
        """The touch point ``name`` (a ModelError, with did-you-mean, when unknown)."""
        for tp in self.touchpoints:
            if tp.name == name:
                return tp
        suffix = did_you_mean_suffix(name, list(self.names))
        raise ModelError(f"no touch point {name!r}{suffix}")

    @cached_property
    def _table(self) -> PointTable:
        return PointTable.of(self.touchpoints)

    @cached_property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`to_dict`, stamped on every result of this model."""
        return _hash(self.to_dict())

    def rule_schema(self) -> Mapping[str, Kind]:
        """The names a touch result gives rules (as ``touch.<name>``), with their kinds.

        Examples
        --------
        >>> import successkit as sk
        >>> dict(sk.TouchModel.sansan().rule_schema())
        {'score': <Kind.NUMBER: 'number'>, 'total': <Kind.NUMBER: 'number'>, ...}
        """
        return dict(RULE_KINDS)

    # -- scoring ------------------------------------------------------------------------------

    def read_events(self, events: Any, *, count: str | bool | None = None) -> EventTable:
        """Read and type an event table once, to score it against several portfolios (e.g.
        each snapshot of a history) without reading it again. ``count`` as in
        :meth:`score`."""
        return read_events(events, self.names, count=count)

    def bind(self, events: Any, *, count: str | bool | None = None) -> BoundTouchModel:
        """This model with its event log, read once: an object that scores any snapshot
        with ``score(portfolio)``, skipping events after the snapshot's ``as_of``.

        Pass it to a playbook as ``touch=`` over a :class:`~successkit.History`, and rules
        can compare touch scores over time (each snapshot scored from the same log).

        Examples
        --------
        >>> import successkit as sk
        >>> events = {"account_id": ["a", "a"], "touchpoint": ["web_access"] * 2,
        ...           "at": ["2026-08-15", "2026-09-15"]}
        >>> bound = sk.TouchModel.sansan(per=None).bind(events)
        >>> pf = sk.Portfolio.from_columns({"id": ["a"]}, as_of="2026-09-01")
        >>> bound.score(pf).total.tolist(), bound.score(pf.with_as_of("2026-10-01")).total.tolist()
        ([1.0], [2.0])
        """
        return BoundTouchModel(self, detached(self.read_events(events, count=count)))

    def score(
        self,
        events: Any,
        portfolio: Portfolio | Account,
        *,
        unmatched: Literal["report", "error"] = "report",
        future: Literal["error", "ignore"] = "error",
        count: str | bool | None = None,
    ) -> TouchResult:
        """Touch scores of every account of ``portfolio`` from ``events``.

        Parameters
        ----------
        events:
            A mapping of columns or a pandas, polars or pyarrow table with ``account_id``,
            ``touchpoint``, ``at`` and optionally ``user_id``, ``item``, ``progress``
            (or an :class:`~successkit.data.events.Events`, or the output of
            :meth:`read_events`).
        portfolio:
            The accounts to score (an :class:`~successkit.Account` is a portfolio of one).
            Its ``as_of`` is the clock for windows, decay and the future-date check.
        unmatched:
            ``"report"`` (default) lists events of accounts outside the portfolio in the
            result; ``"error"`` raises a DataError for the first one.
        future:
            ``"error"`` (default): an event after ``as_of`` is a DataError. ``"ignore"``
            skips such events (for scoring past snapshots from one event log).
        count:
            The column of events per row, for pre-aggregated rows ("12 web accesses on
            this day"): a row earns its points that many times (a ``combine="max"`` touch
            point still keeps its best once). A count-like column (``count``, ``n``,
            ``events``...) left unread is a DataError; ``count=False`` ignores it.

        Raises
        ------
        DataError
            Bad events (see the class description), a missing seats column, negative
            seats, or a window/half-life without an ``as_of`` date.
        """
        if unmatched not in ("report", "error"):
            raise ModelError(f"unmatched must be 'report' or 'error', got {unmatched!r}")
        if future not in ("error", "ignore"):
            raise ModelError(f"future must be 'error' or 'ignore', got {future!r}")
        pf = portfolio_of(portfolio)
        if (self.window is not None or self.half_life is not None) and pf.as_of is None:
            raise DataError("the portfolio has no as_of date, which a touch window or "
                            "half-life counts from")
        table = read_events(events, self.names, count=count)
        if table.touchpoints != self.names:
            raise ModelError("these events were read for a model with other touch points")
        seats = self._seats(pf)
        skip = check_events(table, tiered=self._table.tiered, as_of=pf.as_of, future=future)
        chosen, ages = select_events(
            table, window=self.window, half_life=self.half_life, as_of=pf.as_of, skip=skip
        )
        rows = table.rows_in(pf.ids, chosen)
        outside = chosen[rows < 0]
        if outside.size and unmatched == "error":
            row = int(outside[0])
            raise DataError("the event's account is not in the portfolio", column="account_id",
                            account=str(table.account_ids(outside[:1])[0]), row=row)
        matrix, counted = touch_totals(
            table,
            chosen,
            rows,
            ages=ages,
            accounts=len(pf),
            points=self._table,
            half_life=self.half_life,
        )
        total = matrix.sum(axis=1)
        if seats is None:
            score = total.copy()
        else:
            usable = seats > 0
            score = np.divide(total, seats, out=np.full(len(pf), np.nan), where=usable)
        return TouchResult(
            ids=pf.ids,
            score=score,
            total=total,
            touchpoint_matrix=matrix,
            events=counted,
            seats=seats,
            touchpoints=self.names,
            touchpoint_channels=tuple(tp.channel for tp in self.touchpoints),
            touchpoint_synchronous=tuple(tp.synchronous for tp in self.touchpoints),
            per=self.per,
            # Codes, not strings, are made unique (names are sorted, so the ids come out
            # sorted as np.unique would give them).
            unmatched=table.account_names[np.unique(table.account[outside])],
            unmatched_events=int(outside.size if table.weight is None
                                 else table.weight[outside].sum()),
            fingerprint=self.fingerprint,
            as_of=pf.as_of,
        )

    def _seats(self, pf: Portfolio) -> FloatArray | None:
        if self.per is None:
            return None
        seats = pf.column(self.per, "number").values
        negative = seats < 0
        if negative.any():
            row = int(np.argmax(negative))
            raise DataError(f"seats must not be negative, got {seats[row]:g}",
                            column=self.per, account=str(pf.ids[row]))
        return seats

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"type": "touch", "version": 1, "touchpoints": [...],
        "window": days | null, "half_life": days | null, "per": "seats" | null}``."""
        return {
            "type": "touch",
            "version": VERSION,
            "touchpoints": [tp.to_dict() for tp in self.touchpoints],
            "window": self.window,
            "half_life": self.half_life,
            "per": self.per,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TouchModel:
        """Rebuild a model from :meth:`to_dict` output (ModelError when malformed).

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.TouchModel.sansan()
        >>> sk.TouchModel.from_dict(model.to_dict()) == model
        True
        """
        data = read_dict(data, ("type", "version", "touchpoints", "window", "half_life", "per"),
                         what="a touch model")
        check_version(data, kind="touch")
        touchpoints = field(data, "touchpoints", where="touch model", of=list)
        window = data.get("window")
        half_life = data.get("half_life")
        read = []
        with at("touchpoints"):
            for i, tp in enumerate(touchpoints):
                with at(i):
                    read.append(TouchPoint.from_dict(tp))
        return cls(
            read,
            window=None if window is None else _whole_days(window, "window"),
            half_life=None if half_life is None else _whole_days(half_life, "half_life"),
            per=data.get("per", "seats"),
        )

    # -- presets ------------------------------------------------------------------------------

    @classmethod
    def sansan(
        cls, *, window: Any = None, half_life: Any = None, per: str | None = "seats"
    ) -> TouchModel:
        """Sansan's touch score (seed 003): its touch points, points, channels and
        synchronous / asynchronous marking. See :doc:`/touch` for the table.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.TouchModel.sansan()
        >>> model.names
        ('video', 'elearning', 'web_access', 'email_click', 'midterm_review', ...)
        >>> model["elearning"].describe(), model["elearning"].synchronous
        ('0% → 1, 50% → 3, 100% → 5', False)
        """
        return cls(sansan_touchpoints(), window=window, half_life=half_life, per=per)

    def __repr__(self) -> str:
        extra = ""
        if self.window is not None:
            extra += f", window={self.window}"
        if self.half_life is not None:
            extra += f", half_life={self.half_life}"
        if self.per != "seats":
            extra += f", per={self.per!r}"
        return f"TouchModel({list(self.names)!r}{extra})"


@attrs.frozen(repr=False)
class BoundTouchModel:
    """A :class:`TouchModel` with its event log (from :meth:`TouchModel.bind`): a model of
    one argument, scored per snapshot, as playbooks score models over a history."""

    model: TouchModel
    events: EventTable = attrs.field(eq=False)

    @property
    def fingerprint(self) -> str:
        """The model's fingerprint."""
        return self.model.fingerprint

    def rule_schema(self) -> Mapping[str, Kind]:
        """The names a touch result gives rules (see :meth:`TouchModel.rule_schema`)."""
        return self.model.rule_schema()

    def score(self, portfolio: Portfolio | Account, *, previous: Any = None) -> TouchResult:
        """Touch scores of ``portfolio`` from the bound events; events after its ``as_of``
        are skipped (``previous`` is accepted for symmetry with health models and unused).
        """
        return self.model.score(self.events, portfolio, future="ignore")

    def __repr__(self) -> str:
        return f"{self.model!r}.bind(<{len(self.events)} events>)"
