"""Quadrants: the health × touch matrix of Sansan's touch score, and moves between quadrants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_equal, array_field, nullable, readonly, readonly_arrays
from successkit._fingerprint import fingerprint as _hash
from successkit._html import head_table
from successkit._keys import read_dict
from successkit._optional import import_optional
from successkit._rows import first_duplicate
from successkit.data._text_keys import match
from successkit.data.column import Column, labelled_codes
from successkit.data.kinds import Kind
from successkit.errors import DataError, ModelError
from successkit.scoring._serial import VERSION, check_version, number
from successkit.touch.quadrant_plot import plot_quadrants
from successkit.touch.quadrant_summary import QuadrantSummary
from successkit.touch.quadrant_transitions import (
    QuadrantTransitions,
    quadrant_code,
    quadrant_labels,
)
from successkit.touch.touch_result import RULE_KINDS

__all__ = ["QuadrantResult", "Quadrants"]

FloatArray = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int8]


def _to_health_cut(value: Any) -> float:
    cut = number(value, what="the health cut")
    if not 0.0 <= cut <= 100.0:
        # Health scores run from 0 to 100: a cut outside puts every account on one side.
        raise ModelError(f"the health cut is a health score from 0 to 100, got {value!r}")
    return cut


def _to_touch_cut(value: Any) -> float:
    return number(value, what="the touch cut")


def _floats(values: Any, what: str, ids: npt.NDArray[np.str_] | None = None) -> FloatArray:
    """``values`` as a fresh float array (never a view of the caller's); text is a
    DataError naming the first value that is not a number."""
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        items = np.asarray(values, dtype=object).reshape(-1)
        for row, value in enumerate(items):  # the error path only
            try:
                float(value)
            except (TypeError, ValueError):
                account = None if ids is None or row >= ids.shape[0] else str(ids[row])
                raise DataError(f"{what} scores must be numbers, got {value!r}",
                                row=row, account=account) from None
        raise DataError(f"{what} scores must be numbers") from None


def _scores(result: Any, what: str) -> tuple[npt.NDArray[np.str_], FloatArray]:
    if not (hasattr(result, "ids") and hasattr(result, "score")):
        raise DataError(
            f"{what} must be a result with ids and score (e.g. a {what.capitalize()}Result), "
            f"got {type(result).__name__}"
        )
    # Copies: a result holds them, and the caller may reuse their arrays afterwards.
    ids = np.array(result.ids, dtype=np.str_)
    score = _floats(result.score, f"the {what} result's", ids)
    if ids.shape != score.shape or ids.ndim != 1:
        raise DataError(f"the {what} result's ids and scores differ in length")
    order = np.argsort(ids, kind="stable")
    duplicate = first_duplicate(ids, order)
    if duplicate is not None:
        # Matching by id would pick one of the rows by their order: refused instead.
        first, again = duplicate
        raise DataError(f"the {what} result repeats this account id (rows {first} and "
                        f"{again})", account=str(ids[again]), row=again)
    return ids, score


def _rows(target: npt.NDArray[np.str_], ids: npt.NDArray[np.str_]) -> npt.NDArray[np.intp]:
    """Row in ``ids`` of each id of ``target`` (``-1``: absent)."""
    if array_equal(target, ids):
        return np.arange(target.shape[0], dtype=np.intp)
    return match(target, ids)


@attrs.frozen(repr=False)
class Quadrants:
    """The health × touch matrix: each account in one of four quadrants by two cuts.

    Sansan plots every customer with health on the vertical axis (cut at 40) and the touch
    score on the horizontal axis (cut at 0.5); the top row is ``A B``, the bottom row
    ``C D``, and the KPI is the number of accounts that move into A. With the default
    ``labels=("A", "B", "C", "D")``:

    ===========  ====================  ===================
    health       touch ≥ cut           touch < cut
    ===========  ====================  ===================
    ≥ cut        **A** (top right)     **B** (top left)
    < cut        **C** (bottom right)  **D** (bottom left)
    ===========  ====================  ===================

    A is healthy and in touch (the goal); B healthy but barely touched (build touch
    points before health slips); C in touch but unhealthy (the relationship exists — fix
    adoption); D neither (the riskiest). A score equal to a cut belongs to the higher side;
    an account with a missing health or touch score has no quadrant (``None``).

    ``labels`` renames the quadrants in that order: (high health & high touch, high health
    & low touch, low health & high touch, low health & low touch).

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> quadrants = sk.Quadrants(health=40, touch=0.5)
    >>> quadrants.assign([80, 80, 20, 20, 40, float("nan")],
    ...                  [0.9, 0.1, 0.9, 0.1, 0.5, 1.0]).tolist()
    ['A', 'B', 'C', 'D', 'A', None]
    """

    health: float = attrs.field(default=40.0, converter=_to_health_cut)
    touch: float = attrs.field(default=0.5, converter=_to_touch_cut)
    labels: tuple[str, str, str, str] = attrs.field(
        default=("A", "B", "C", "D"), converter=quadrant_labels
    )

    # -- classification -----------------------------------------------------------------------

    def codes(self, health: npt.ArrayLike, touch: npt.ArrayLike) -> Codes:
        """Quadrant codes (0–3 in :attr:`labels` order, ``-1`` where a score is missing)."""
        h = _floats(health, "health")
        t = _floats(touch, "touch")
        codes = np.where(h >= self.health, 0, 2) + np.where(t >= self.touch, 0, 1)
        return np.where(np.isnan(h) | np.isnan(t), -1, codes).astype(np.int8)

    def assign(self, health: npt.ArrayLike, touch: npt.ArrayLike) -> npt.NDArray[np.object_]:
        """Quadrant labels for aligned health and touch scores (``None`` where missing)."""
        table = np.array([*self.labels, None], dtype=object)
        return table[self.codes(health, touch)]

    def classify(self, health: Any, touch: Any) -> QuadrantResult:
        """The quadrant of every account of ``health`` (a :class:`HealthResult`, or any
        result with ``ids`` and ``score``), with its touch score from ``touch`` (a
        :class:`TouchResult`, or any result with ``ids`` and ``score``), matched by id.

        The result follows the health result's accounts; an account the touch result lacks
        has a missing touch score and no quadrant.

        Examples
        --------
        >>> import successkit as sk
        >>> health = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 1))])
        >>> pf = sk.Portfolio.from_columns(
        ...     {"id": ["a", "b", "c"], "login_rate": [0.9, 0.2, 0.6], "seats": [2, 2, 2]},
        ...     as_of="2026-10-01")
        >>> events = {"account_id": ["b", "b", "c"], "touchpoint": ["event_attendance"] * 3,
        ...           "item": ["e1", "e2", "e1"], "at": ["2026-09-01"] * 3}
        >>> touch = sk.TouchModel.sansan().score(events, pf)
        >>> result = sk.Quadrants().classify(health.score(pf), touch)
        >>> result.quadrant.tolist(), result.touch.tolist()
        (['B', 'C', 'A'], [0.0, 10.0, 5.0])
        """
        ids, health_score = _scores(health, "health")
        touch_ids, touch_score = _scores(touch, "touch")
        rows = _rows(ids, touch_ids)
        score = Column.number(touch_score).take(rows)  # row -1: a missing touch score
        if hasattr(touch, "rule_columns"):
            columns: dict[str, Column] = {
                k: c.take(rows) for k, c in touch.rule_columns().items()
            }
        else:
            columns = {"score": score}
        aligned = score.values
        as_of = getattr(health, "as_of", None) or getattr(touch, "as_of", None)
        return QuadrantResult(
            ids=ids,
            codes=self.codes(health_score, aligned),
            health=health_score,
            touch=aligned,
            quadrants=self,
            touch_columns=columns,
            as_of=as_of,
        )

    def transitions(self, before: QuadrantResult, after: QuadrantResult) -> QuadrantTransitions:
        """How accounts moved between two classifications (e.g. last quarter and now),
        matched by id; accounts in only one of them are left out.

        Examples
        --------
        >>> import successkit as sk
        >>> q = sk.Quadrants()
        >>> class Scores:  # any result with ids and score
        ...     def __init__(self, score): self.ids, self.score = ["a", "b", "c"], score
        >>> before = q.classify(Scores([80, 20, 20]), Scores([0.1, 0.9, 0.1]))
        >>> after = q.classify(Scores([80, 50, 20]), Scores([0.6, 0.9, 0.2]))
        >>> moves = q.transitions(before, after)
        >>> moves.moved_into("A").tolist(), int(moves.counts[3, 3])
        (['a', 'b'], 1)
        """
        for name, value in (("before", before), ("after", after)):
            if not isinstance(value, QuadrantResult):
                raise DataError(
                    f"{name} must be a QuadrantResult (from Quadrants.classify()), "
                    f"got {type(value).__name__}"
                )
        if before.quadrants.labels != self.labels or after.quadrants.labels != self.labels:
            raise ModelError("both classifications must use this matrix's quadrant labels")
        for name, value in (("before", before), ("after", after)):
            cuts = value.quadrants
            if (cuts.health, cuts.touch) != (self.health, self.touch):
                # A move would then mix the accounts' change with the cuts' change.
                raise ModelError(
                    f"{name} was classified with other cuts (health {cuts.health:g}, touch "
                    f"{cuts.touch:g}) than this matrix's (health {self.health:g}, touch "
                    f"{self.touch:g}): classify both with one matrix")
        rows = _rows(after.ids, before.ids)
        kept = np.flatnonzero(rows >= 0)
        return QuadrantTransitions(
            labels=self.labels,
            ids=after.ids[kept],
            before=before.codes[rows[kept]],
            after=after.codes[kept],
        )

    def rule_schema(self) -> Mapping[str, Kind]:
        """The names a quadrant result gives rules (``touch.quadrant`` and the touch
        result's names), with their kinds.

        Examples
        --------
        >>> import successkit as sk
        >>> sk.Quadrants().rule_schema()["quadrant"]
        <Kind.CATEGORY: 'category'>
        """
        return MappingProxyType({**RULE_KINDS, "quadrant": Kind.CATEGORY})

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"type": "quadrants", "version": 1, "health", "touch",
        "labels"}``."""
        return {
            "type": "quadrants",
            "version": VERSION,
            "health": self.health,
            "touch": self.touch,
            "labels": list(self.labels),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Quadrants:
        """Rebuild the matrix from :meth:`to_dict` output.

        Examples
        --------
        >>> import successkit as sk
        >>> q = sk.Quadrants(health=50, labels=("top", "nurture", "fix", "risk"))
        >>> sk.Quadrants.from_dict(q.to_dict()) == q
        True
        """
        data = read_dict(data, ("type", "version", "health", "touch", "labels"),
                         what="quadrants")
        check_version(data, kind="quadrants")
        labels = data.get("labels", ("A", "B", "C", "D"))
        return cls(data.get("health", 40.0), data.get("touch", 0.5), labels)

    @property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`to_dict`."""
        return _hash(self.to_dict())

    def __repr__(self) -> str:
        labels = "" if self.labels == ("A", "B", "C", "D") else f", labels={self.labels!r}"
        return f"Quadrants(health={self.health:g}, touch={self.touch:g}{labels})"


def _freeze(value: Mapping[str, Column]) -> Mapping[str, Column]:
    return MappingProxyType(dict(value))


@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class QuadrantResult:
    """The quadrant of every account (from :meth:`Quadrants.classify`), aligned with
    :attr:`ids`, with the health and touch scores it was placed by.

    Pass it to a playbook as ``touch=`` and rules read ``touch.quadrant`` (a category) as
    well as the touch result's ``touch.score``, ``touch.total``, ….

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> class Scores:
    ...     def __init__(self, score): self.ids, self.score = ["a", "b"], score
    >>> result = sk.Quadrants().classify(Scores([75, 30]), Scores([0.8, 0.2]))
    >>> result.quadrant.tolist(), result.counts()
    (['A', 'D'], {'A': 1, 'B': 0, 'C': 0, 'D': 1})
    >>> result.rule_columns()["quadrant"].to_list()
    ['A', 'D']
    """

    ids: npt.NDArray[np.str_] = array_field()
    codes: Codes = array_field()
    health: FloatArray = array_field()
    touch: FloatArray = array_field()
    quadrants: Quadrants
    touch_columns: Mapping[str, Column] = attrs.field(converter=_freeze, eq=False)
    as_of: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        n = self.ids.shape[0]
        for name in ("codes", "health", "touch"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have one entry per account")

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def labels(self) -> tuple[str, str, str, str]:
        """The quadrant labels, in code order."""
        return self.quadrants.labels

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the :class:`Quadrants` that made this result."""
        return self.quadrants.fingerprint

    @cached_property
    def quadrant(self) -> npt.NDArray[np.object_]:
        """Quadrant labels (object array), ``None`` where a score is missing."""
        return readonly(np.array([*self.labels, None], dtype=object)[self.codes])

    def counts(self) -> dict[str, int]:
        """Accounts per quadrant (accounts without a quadrant are not counted)."""
        found = np.bincount(self.codes[self.codes >= 0], minlength=4)
        return {label: int(found[k]) for k, label in enumerate(self.labels)}

    def ids_in(self, label: str) -> npt.NDArray[np.str_]:
        """Ids of the accounts in quadrant ``label``."""
        return readonly(self.ids[self.codes == quadrant_code(self.labels, label)])

    # -- rules --------------------------------------------------------------------------------

    def rule_columns(self) -> Mapping[str, Column]:
        """The touch result's rule columns plus ``quadrant`` (a category)."""
        columns = dict(self.touch_columns)
        columns["quadrant"] = labelled_codes(self.codes, self.labels)
        return MappingProxyType(columns)

    def rule_schema(self) -> Mapping[str, Kind]:
        """The kinds of :meth:`rule_columns`."""
        return MappingProxyType({k: c.kind for k, c in self.rule_columns().items()})

    # -- output -------------------------------------------------------------------------------

    def summary(self) -> QuadrantSummary:
        """Accounts per quadrant, with the cuts; ``str()`` of it is a small text table.

        Examples
        --------
        >>> import successkit as sk
        >>> class Scores:
        ...     def __init__(self, score): self.ids, self.score = ["a", "b", "c"], score
        >>> print(sk.Quadrants().classify(Scores([75, 30, 50]),
        ...                               Scores([0.8, 0.2, None])).summary())
        quadrant  health  touch  accounts  share
        A         ≥ 40    ≥ 0.5         1    50%
        B         ≥ 40    < 0.5         0     0%
        C         < 40    ≥ 0.5         0     0%
        D         < 40    < 0.5         1    50%
        1 account without a quadrant (missing health or touch score)
        """
        counts = self.counts()
        return QuadrantSummary(
            labels=self.labels,
            health=self.quadrants.health,
            touch=self.quadrants.touch,
            accounts=tuple(counts.values()),
            unplaced=len(self) - sum(counts.values()),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: the matrix, ids, quadrant, health and touch (``None`` where
        missing)."""
        return {
            "quadrants": self.quadrants.to_dict(),
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "ids": self.ids.tolist(),
            "quadrant": self.quadrant.tolist(),
            "health": nullable(self.health),
            "touch": nullable(self.touch),
        }

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` indexed by account id: quadrant (categorical), health,
        touch (needs ``successkit[pandas]``)."""
        pd = import_optional("pandas", purpose="QuadrantResult.to_frame()")
        quadrant = pd.Categorical.from_codes(np.array(self.codes), categories=list(self.labels))
        return pd.DataFrame(
            {"quadrant": quadrant, "health": np.array(self.health),
             "touch": np.array(self.touch)},
            index=pd.Index(self.ids.tolist(), name="id", dtype=object),
        )

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """Scatter the accounts on the matrix: see :func:`successkit.plot_quadrants`."""
        return plot_quadrants(self, ax=ax, **options)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in self.counts().items())
        return f"QuadrantResult({len(self)} accounts, {counts})"

    def _repr_html_(self) -> str:
        table = {"quadrant": self.quadrant, "health": self.health, "touch": self.touch}
        return head_table(self.ids, table, caption=repr(self))
