"""Retention arithmetic: gross and net revenue retention, logo churn, the ARR bridge.

The cohort is the accounts paying at the start of the period (start ARR > 0). Each is
classified by its end ARR: ``churned`` (0, or gone from the end snapshot), ``contraction``
(lower), ``flat``, ``expansion`` (higher). Accounts paying only at the end are ``new``: they
add to the ending ARR but never to retention, which measures the starting cohort only::

    GRR = (start − contraction − churned ARR) / start          (at most 100 %)
    NRR = (start + expansion − contraction − churned ARR) / start
    logo churn rate = churned accounts / accounts in the cohort

ARR at risk per band lives in :mod:`successkit.outcomes.risk` (imported here too).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray, array_field, readonly, readonly_arrays
from successkit._html import format_value, html_table
from successkit._optional import import_optional
from successkit.contracts.movements import Movements
from successkit.data._keyed import keyed
from successkit.data.convert import convert_ids
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError
from successkit.outcomes.risk import ArrAtRisk, arr_at_risk
from successkit.scoring._outcome_inputs import read_arr

__all__ = ["MOVEMENTS", "ArrAtRisk", "RetentionReport", "arr_at_risk", "retention"]


#: Movement labels, in the order of the ARR bridge.
MOVEMENTS = ("churned", "contraction", "flat", "expansion", "new")


@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class RetentionReport:
    """Revenue and logo retention of a cohort over one period: made by :func:`retention`.

    The ARR bridge is in the properties :attr:`starting_arr`, :attr:`expansion`,
    :attr:`contraction`, :attr:`churned_arr`, :attr:`new_arr` and :attr:`ending_arr`
    (``starting + new + expansion − contraction − churned = ending``); the rates in
    :attr:`grr`, :attr:`nrr` and :attr:`logo_churn_rate`.

    .. versionadded:: 0.1

    Attributes
    ----------
    ids : numpy array of str
        Every account of either period.
    start, end:
        ARR at the start and at the end (0 when not a customer then).
    movement : numpy object array
        Per account: ``churned``, ``contraction``, ``flat``, ``expansion``, ``new``, or
        ``None`` for an account paying neither at the start nor at the end.

    Examples
    --------
    >>> import successkit as sk
    >>> report = sk.retention([100, 200, 50, 0], [120, 150, 0, 80], ids=["a", "b", "c", "d"])
    >>> report.movement.tolist()
    ['expansion', 'contraction', 'churned', 'new']
    >>> report.grr, report.nrr, report.logo_churn_rate
    (0.7142857142857143, 0.7714285714285715, 0.3333333333333333)
    """

    ids: npt.NDArray[np.str_] = array_field()
    start: FloatArray = array_field()
    end: FloatArray = array_field()
    movement: npt.NDArray[np.object_] = array_field()

    @cached_property
    def _masks(self) -> Mapping[str, npt.NDArray[np.bool_]]:
        """Movement label → its accounts: the object array is compared once per label, not
        once per figure asked for."""
        return {label: np.asarray(self.movement == label, dtype=np.bool_) for label in MOVEMENTS}

    def _amount(self, label: str, values: FloatArray) -> float:
        return float(values[self._masks[label]].sum())

    @property
    def starting_arr(self) -> float:
        """ARR of the starting cohort."""
        return float(self.start.sum())

    @property
    def ending_arr(self) -> float:
        """ARR at the end, new accounts included."""
        return float(self.end.sum())

    @property
    def expansion(self) -> float:
        """ARR gained by cohort accounts that grew."""
        return self._amount("expansion", self.end - self.start)

    @property
    def contraction(self) -> float:
        """ARR lost by cohort accounts that shrank but stayed."""
        return self._amount("contraction", self.start - self.end)

    @property
    def churned_arr(self) -> float:
        """Starting ARR of the accounts that churned."""
        return self._amount("churned", self.start)

    @property
    def new_arr(self) -> float:
        """ARR of accounts that were not customers at the start."""
        return self._amount("new", self.end)

    @property
    def accounts(self) -> int:
        """Accounts in the starting cohort (start ARR > 0)."""
        return int((self.start > 0).sum())

    @property
    def churned_accounts(self) -> int:
        """Cohort accounts that churned."""
        return int(self._masks["churned"].sum())

    @property
    def grr(self) -> float:
        """Gross revenue retention: starting ARR kept, expansion not counted (≤ 1)."""
        start = self.starting_arr
        if start <= 0:
            return float("nan")
        return (start - self.contraction - self.churned_arr) / start

    @property
    def nrr(self) -> float:
        """Net revenue retention: the cohort's ending ARR over its starting ARR."""
        start = self.starting_arr
        if start <= 0:
            return float("nan")
        return (start + self.expansion - self.contraction - self.churned_arr) / start

    @property
    def logo_churn_rate(self) -> float:
        """Churned accounts over accounts in the starting cohort."""
        return self.churned_accounts / self.accounts if self.accounts else float("nan")

    def counts(self) -> dict[str, int]:
        """Accounts per movement, in :data:`MOVEMENTS` order."""
        return {label: int(self._masks[label].sum()) for label in MOVEMENTS}

    def summary(self) -> str:
        """The ARR bridge and the three rates, as text.

        Examples
        --------
        >>> import successkit as sk
        >>> print(sk.retention([100, 100], [110, 0]).summary())
        Cohort: 2 accounts, starting ARR 200
        + expansion 10, − contraction 0, − churned 100 (1 account), + new 0 → ending ARR 110
        GRR 50.0%, NRR 55.0%, logo churn 50.0%
        """
        return (
            f"Cohort: {_accounts(self.accounts)}, starting ARR {self.starting_arr:,.0f}\n"
            f"+ expansion {self.expansion:,.0f}, − contraction {self.contraction:,.0f}, "
            f"− churned {self.churned_arr:,.0f} ({_accounts(self.churned_accounts)}), "
            f"+ new {self.new_arr:,.0f} → ending ARR {self.ending_arr:,.0f}\n"
            f"GRR {_pct(self.grr)}, NRR {_pct(self.nrr)}, logo churn {_pct(self.logo_churn_rate)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: the bridge, the rates and the per-account movements."""
        def plain(x: float) -> float | None:
            return None if np.isnan(x) else x

        return {
            "starting_arr": self.starting_arr,
            "expansion": self.expansion,
            "contraction": self.contraction,
            "churned_arr": self.churned_arr,
            "new_arr": self.new_arr,
            "ending_arr": self.ending_arr,
            "accounts": self.accounts,
            "churned_accounts": self.churned_accounts,
            "grr": plain(self.grr),
            "nrr": plain(self.nrr),
            "logo_churn_rate": plain(self.logo_churn_rate),
            "ids": self.ids.tolist(),
            "start": self.start.tolist(),
            "end": self.end.tolist(),
            "movement": self.movement.tolist(),
        }

    def to_frame(self) -> Any:
        """Per-account start, end and movement as a pandas ``DataFrame`` indexed by id."""
        pd = import_optional("pandas", purpose="RetentionReport.to_frame()")
        return pd.DataFrame(
            {"start": np.array(self.start), "end": np.array(self.end),
             "movement": np.array(self.movement)},
            index=pd.Index(self.ids.tolist(), name="id", dtype=object),
        )

    def __repr__(self) -> str:
        return (
            f"RetentionReport({self.accounts} accounts, GRR {_pct(self.grr)}, "
            f"NRR {_pct(self.nrr)}, logo churn {_pct(self.logo_churn_rate)})"
        )

    def _repr_html_(self) -> str:
        figures = {
            "starting ARR": self.starting_arr,
            "+ expansion": self.expansion,
            "− contraction": self.contraction,
            "− churned": self.churned_arr,
            "+ new": self.new_arr,
            "ending ARR": self.ending_arr,
            "GRR": _pct(self.grr),
            "NRR": _pct(self.nrr),
            "logo churn rate": _pct(self.logo_churn_rate),
        }
        return html_table(
            {"measure": list(figures), "value": [format_value(v) for v in figures.values()]},
            caption=repr(self),
        )


def _accounts(n: int) -> str:
    return f"{n} account" if n == 1 else f"{n} accounts"


def _pct(value: float) -> str:
    return "—" if np.isnan(value) else f"{value:.1%}"


def _from_portfolios(
    before: Portfolio, after: Portfolio, arr: str
) -> tuple[npt.NDArray[np.str_], FloatArray, FloatArray]:
    """Start and end ARR over the union of both snapshots' accounts (absent → 0)."""
    combined = np.concatenate([before.ids, after.ids])
    _, first = np.unique(combined, return_index=True)
    ids = combined[np.sort(first)]
    columns = []
    for snapshot, what in ((before, "start"), (after, "end")):
        values = read_arr(snapshot.column(arr, "number").values, len(snapshot),
                          ids=snapshot.ids, what=f"{arr} ({what})")
        rows = snapshot.index_of(ids)
        columns.append(np.where(rows >= 0, values[np.maximum(rows, 0)], 0.0))
    return ids, columns[0], columns[1]


def _from_keyed(start: Any, end: Any) -> tuple[npt.NDArray[np.str_], FloatArray, FloatArray]:
    """Start and end ARR keyed by account id (mappings, Series indexed by id), over the
    union of their ids (absent → 0), like two portfolios."""
    first, second = keyed(start), keyed(end)
    if first is None or second is None:
        raise DataError("start and end must both be keyed by account id (mappings or Series "
                        "indexed by id), or both plain arrays")
    ids = np.unique(np.concatenate([first[0], second[0]]))
    columns = []
    for side, what, keys in ((start, "start", first[0]), (end, "end", second[0])):
        values = read_arr(side, len(keys), ids=keys, what=what)
        rows = Portfolio(keys).index_of(ids)
        columns.append(np.where(rows >= 0, values[np.maximum(rows, 0)], 0.0))
    return ids, columns[0], columns[1]


def retention(
    start: Any, end: Any = None, *, ids: Any = None, arr: str = "arr"
) -> RetentionReport:
    """Gross and net revenue retention and logo churn between two dates.

    Parameters
    ----------
    start, end:
        ARR per account at the start and end of the period (aligned arrays; 0 means not a
        customer then), or two mappings / pandas Series keyed by account id (matched by
        id; an account absent from one has ARR 0 there), or two
        :class:`~successkit.Portfolio` snapshots, matched by account
        id — an account absent from one snapshot has ARR 0 there; or, alone, the
        :class:`~successkit.contracts.Movements` of a contracts table between two dates.
    ids:
        Account ids for arrays (default ``"0"``, ``"1"``, …).
    arr:
        The ARR column, when ``start`` and ``end`` are portfolios.

    Returns
    -------
    RetentionReport

    Raises
    ------
    DataError
        Missing, negative or infinite ARR (naming the account), misaligned arrays, or a
        portfolio without the ARR column.

    Examples
    --------
    >>> import successkit as sk
    >>> q1 = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "arr": [100, 200, 50]})
    >>> q2 = sk.Portfolio.from_columns({"id": ["a", "b", "d"], "arr": [130, 200, 40]})
    >>> report = sk.retention(q1, q2)
    >>> dict(zip(report.ids.tolist(), report.movement.tolist()))
    {'a': 'expansion', 'b': 'flat', 'c': 'churned', 'd': 'new'}
    >>> round(report.nrr, 4), round(report.grr, 4)
    (0.9429, 0.8571)
    """
    if isinstance(start, Movements):
        if end is not None or ids is not None:
            raise DataError("pass movements alone: they bring their own ids and dates")
        account_ids, before, after = start.ids, start.starting_arr, start.ending_arr
    elif end is None:
        raise DataError("retention needs the end ARR (or one Movements object)")
    elif isinstance(start, Portfolio) or isinstance(end, Portfolio):
        if not (isinstance(start, Portfolio) and isinstance(end, Portfolio)):
            raise DataError("pass two portfolios, or two ARR arrays, not one of each")
        if ids is not None:
            raise DataError("ids= is for ARR arrays; portfolios bring their own ids")
        account_ids, before, after = _from_portfolios(start, end, arr)
    elif keyed(start) is not None or keyed(end) is not None:
        if ids is not None:
            raise DataError("ids= is for plain arrays; these values are keyed by account id")
        account_ids, before, after = _from_keyed(start, end)
    else:
        first = np.asarray(start) if not isinstance(start, (str, bytes)) else None
        if first is None or first.ndim != 1:
            raise DataError("start must be a one-dimensional sequence of ARR values")
        n = first.shape[0]
        account_ids = (
            np.arange(n).astype(str) if ids is None else np.asarray(convert_ids(ids))
        )
        if account_ids.shape[0] != n:
            raise DataError(f"ids has {account_ids.shape[0]} values but start has {n}")
        before = read_arr(start, n, ids=account_ids, what="start")
        after = read_arr(end, n, ids=account_ids, what="end")
    movement = np.full(before.shape[0], None, dtype=object)
    cohort = before > 0
    movement[cohort & (after == before)] = "flat"
    movement[cohort & (after > before)] = "expansion"
    movement[cohort & (after < before)] = "contraction"
    movement[cohort & (after == 0)] = "churned"
    movement[~cohort & (after > 0)] = "new"
    return RetentionReport(
        ids=readonly(account_ids), start=before, end=after, movement=movement
    )
