"""A table of subscription periods: one row per contract period per account.

Each row is a period ``[start, end)`` of one account: the end date is *exclusive* (a period
from 2020-01-01 to 2021-01-01 covers all of 2020) and a missing end means the contract is
still running. An account may have many rows: a renewal is a new row that starts on (or,
with a grace gap, shortly after) the day the previous one ends; an upgrade or downgrade is a
new row replacing the old one; an add-on is a row that overlaps others. Overlapping rows
combine in :mod:`successkit.contracts`: seats and revenue sum, the plan comes from one row.

Revenue is recurring revenue, annual (``revenue_kind="arr"``) or monthly (``"mrr"``);
:attr:`Contracts.arr` is always annual (MRR × 12).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, readonly, readonly_arrays
from successkit._options import column_name, one_of
from successkit.data._contract_ends import read_ends
from successkit.data.column import Column
from successkit.data.convert import convert_column, convert_ids
from successkit.data.read import not_the_input, plain_name, read_table_columns
from successkit.errors import DataError

__all__ = ["Contracts", "contracts_of"]

RevenueKind = Literal["arr", "mrr"]

# Column names that almost surely hold recurring revenue: a table with one that is not read
# gives facts, revenue movements and ARR at risk no revenue at all.
REVENUE_LIKE = frozenset({"arr", "mrr", "revenue", "acv", "annual_revenue", "monthly_revenue",
                          "recurring_revenue", "contract_value", "annual_recurring_revenue",
                          "monthly_recurring_revenue", "annual_contract_value"})

# Column names that almost surely hold the other optional fields, by option: one left unread
# silently drops the plan, seats or billing period from every account's facts.
LOOKS_LIKE = {
    "plan": ("the plan", frozenset({"plan", "plan_name", "plan_id", "tier", "edition",
                                    "package", "product_tier", "subscription_plan",
                                    "plan_tier", "pricing_plan"})),
    "seats": ("the contracted seats", frozenset({"seats", "seat_count", "licenses",
                                                 "licences", "license_count",
                                                 "licence_count", "quantity", "num_seats",
                                                 "number_of_seats", "seats_count",
                                                 "licensed_seats"})),
    "billing": ("the billing period", frozenset({"billing", "billing_period", "billing_cycle",
                                                 "billing_interval", "billing_frequency"})),
    "revenue": ("recurring revenue", REVENUE_LIKE),
}

# A currency written after a name says nothing about what the column holds (``arr_usd``).
_CURRENCY = re.compile(r"_(usd|eur|gbp|jpy|cad|aud|chf|cny|inr)$")


def _plain(name: str) -> str:
    """A column name as the lists above spell theirs: lower case, words joined by ``_``,
    without a trailing currency (``"ARR (USD)"`` → ``"arr"``)."""
    return _CURRENCY.sub("", plain_name(name))


# An end date left unread makes every contract run forever: no account would ever churn.
END_LIKE = frozenset({"end_date", "ended_at", "ends_at", "end_at", "period_end",
                      "contract_end", "contract_end_date", "term_end", "end_on", "ended_on",
                      "termination_date", "terminated_at", "churn_date", "churned_at",
                      "cancellation_date", "cancelled_at", "canceled_at", "cancel_date"})


def _optional(columns: Mapping[str, Any], **given: Any) -> dict[str, str | None]:
    """Each optional column to read (``None``: none). One left unnamed while a column looks
    like it is an error with the remedy; ``False`` leaves it out."""
    read: dict[str, str | None] = {}
    for option, name in given.items():
        what, names = LOOKS_LIKE[option]
        if name is None:
            seen = next((n for n in columns if _plain(n) in names), None)
            if seen is not None:
                raise DataError(f"looks like {what} but is not read; pass {option}={seen!r} "
                                f"to read it, or {option}=False to leave it out", column=seen)
        elif name is not False and (not isinstance(name, str) or not name):
            raise DataError(f"{option} must be a column name or False, got {name!r}")
        read[option] = name if isinstance(name, str) else None
    return read


def _end_column(columns: Mapping[str, Any], end: Any) -> str | None:
    """The end column to read (``None``: every contract is running), refusing one that is
    not there: read as no end at all, no contract would ever end."""
    if end is None:
        return None
    if not isinstance(end, str):
        raise DataError(f"end must be a column name or None, got {end!r}")
    if end in columns:
        return end
    seen = next((n for n in columns if _plain(n) in END_LIKE), None)
    remedy = (f"pass end={seen!r} to read it" if seen is not None
              else "name the column with end=")
    raise DataError(f"no such column in the contracts table: {remedy}, or pass end=None if "
                    f"every contract is still running (without end dates no account churns)",
                    column=end)


def _revenue_kind(revenue: str | None, revenue_kind: Any) -> RevenueKind:
    """The kind of the revenue column: a monthly-looking one given no kind is an error
    with the remedy."""
    if revenue_kind is not None:
        one_of(revenue_kind, ("arr", "mrr"), "revenue_kind")
    if revenue is None:
        return "arr" if revenue_kind is None else revenue_kind
    if revenue_kind is None:
        if "mrr" in revenue.lower() or "month" in revenue.lower():
            raise DataError("looks monthly: pass revenue_kind='mrr' (ARR is then × 12), or "
                            "revenue_kind='arr' if it holds annual amounts", column=revenue)
        return "arr"
    return revenue_kind  # type: ignore[no-any-return]


def _dates(raw: Any, name: str) -> npt.NDArray[np.datetime64]:
    return np.asarray(convert_column(raw, name=name, kind="date").values, dtype="datetime64[D]")


def _amounts(raw: Any, name: str) -> npt.NDArray[np.float64]:
    values = np.asarray(convert_column(raw, name=name, kind="number").values, dtype=np.float64)
    negative = values < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise DataError(f"negative value {values[row]}", column=name, row=row)
    return values


def _floats(value: Any) -> npt.NDArray[np.float64] | None:
    return None if value is None else readonly(np.asarray(value, dtype=np.float64))


@readonly_arrays
@attrs.frozen(eq=True)
class Contracts:
    """Contract periods of many accounts, held column by column (one entry per row).

    Build one with :meth:`from_columns`. Arrays are read-only; rows keep the input order.

    .. versionadded:: 0.2

    Examples
    --------
    >>> from successkit.data.contracts import Contracts
    >>> c = Contracts.from_columns({
    ...     "account_id": ["a", "a", "b"],
    ...     "start": ["2020-01-01", "2021-01-01", "2020-03-01"],
    ...     "end": ["2021-01-01", None, "2020-09-01"],
    ...     "arr": [1200, 1500, 600],
    ... }, revenue="arr")
    >>> len(c), c.accounts.tolist()
    (3, ['a', 'b'])
    >>> c.arr.tolist()
    [1200.0, 1500.0, 600.0]
    """

    account: npt.NDArray[np.str_] = array_field()
    start: npt.NDArray[np.datetime64] = array_field()
    end: npt.NDArray[np.datetime64] = array_field()
    plan: Column | None = attrs.field(default=None)
    seats: npt.NDArray[np.float64] | None = array_field(default=None, converter=_floats)
    revenue: npt.NDArray[np.float64] | None = array_field(default=None, converter=_floats)
    revenue_kind: RevenueKind = "arr"
    billing: Column | None = attrs.field(default=None)
    dropped_duplicates: int = 0
    # Work shared by every computation on this table (account codes, the sorted periods):
    # a private cache, not part of the value.
    _memo: dict[Any, Any] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        n = self.account.shape[0]
        for name in ("start", "end", "seats", "revenue"):
            value = getattr(self, name)
            if value is not None and value.shape != (n,):
                raise DataError(f"has {value.shape[0]} values but there are {n} rows", column=name)
        for name in ("plan", "billing"):
            column = getattr(self, name)
            if column is not None and len(column) != n:
                raise DataError(f"has {len(column)} values but there are {n} rows", column=name)
        if self.revenue_kind not in ("arr", "mrr"):
            raise DataError(f"revenue_kind must be 'arr' or 'mrr', not {self.revenue_kind!r}")

    @classmethod
    def from_columns(
        cls,
        data: Any,
        *,
        account: str = "account_id",
        start: str = "start",
        end: str | None = "end",
        plan: str | Literal[False] | None = None,
        seats: str | Literal[False] | None = None,
        revenue: str | Literal[False] | None = None,
        revenue_kind: RevenueKind | None = None,
        billing: str | Literal[False] | None = None,
        duplicates: Literal["error", "drop"] = "error",
        end_inclusive: bool | None = None,
    ) -> Contracts:
        """Contracts from named columns: a mapping, or a pandas, polars or pyarrow table.

        Parameters
        ----------
        data:
            The table, one row per contract period.
        account, start, end:
            Column names of the account id, the first day of the period and the day after
            its last (exclusive end). A missing end is a running contract. A table with no
            end column needs ``end=None`` (every contract running); an ``end`` that is not
            there is an error naming the column that looks like it (``end_date``,
            ``ended_at``, ``cancelled_at`` …), since without ends no account churns.
        plan, seats, revenue, billing:
            Optional column names: the plan (category), the contracted seats, the recurring
            revenue and the billing period (category). A column that looks like one of them
            (``plan``, ``tier``; ``seats``, ``licenses``, ``quantity``; ``arr``, ``mrr``,
            ``revenue``, ``acv``; ``billing_period`` …) is not passed over in silence: name
            it, or pass ``False`` to leave it out.
        revenue_kind:
            ``"arr"`` when ``revenue`` is annual, ``"mrr"`` when monthly. Default ``"arr"``,
            but a revenue column whose name says monthly (``mrr``, ``monthly_…``) needs it
            said: read as annual, it would be a twelfth of the truth.
        end_inclusive:
            ``True`` when each end is the period's last day (2024-01-01 – 2024-12-31 for
            the year 2024), ``False`` when it is the day after (2025-01-01). ``None``, the
            default, reads the day after, but refuses a table where an account's period
            starts one day after its earlier periods end: the mark of last-day ends, which
            read as day-after ends would make every renewal a churn.
        duplicates:
            Rows identical in every column are an error (``"error"``, the default: a
            repeated export usually double counts revenue) or are kept once (``"drop"``;
            the number dropped is :attr:`dropped_duplicates`).

        Raises
        ------
        DataError
            Naming the column and 0-based row: a missing account id or start date, an
            unparseable date, an end on or before the start, negative seats or revenue, a
            duplicate row (unless dropped), or a missing column.

        Examples
        --------
        >>> from successkit.data.contracts import Contracts
        >>> Contracts.from_columns({
        ...     "account_id": ["a", "b"], "start": ["2020-01-01", "2020-05-01"],
        ...     "end": ["2021-01-01", "2020-04-01"],
        ... })
        Traceback (most recent call last):
        ...
        successkit.errors.DataError: column 'end', row 1: end 2020-04-01 is not after start ...
        """
        columns = read_table_columns(data)
        read = _optional(columns, plan=plan, seats=seats, billing=billing, revenue=revenue)
        plan, seats, billing, revenue = (read[o] for o in ("plan", "seats", "billing", "revenue"))
        revenue_kind = _revenue_kind(revenue, revenue_kind)
        end = _end_column(columns, end)
        one_of(duplicates, ("error", "drop"), "duplicates")
        column_name(account, "account")
        column_name(start, "start")

        def get(name: str) -> Any:
            if name not in columns:
                raise DataError("no such column in the contracts table", column=name)
            return columns[name]

        ids = convert_ids(get(account), name=account)
        starts = _dates(get(start), start)
        missing = np.isnat(starts)
        if missing.any():
            raise DataError("missing start date", column=start, row=int(np.flatnonzero(missing)[0]))
        ends = _dates(get(end), end) if end is not None else np.full(len(ids), "NaT", "M8[D]")
        if starts.shape != ids.shape or ends.shape != ids.shape:
            raise DataError("the contract columns have different lengths", column=end)
        distinct, codes = np.unique(ids, return_inverse=True)
        ends = read_ends(starts, ends, codes, ids, inclusive=end_inclusive, column=end)
        plan_col = None if plan is None else convert_column(get(plan), name=plan, kind="category")
        bill_col = (
            None if billing is None else convert_column(get(billing), name=billing, kind="category")
        )
        seat_values = None if seats is None else _amounts(get(seats), seats)
        revenue_values = None if revenue is None else _amounts(get(revenue), revenue)
        for name, column in (
            (plan, plan_col), (billing, bill_col), (seats, seat_values), (revenue, revenue_values)
        ):
            if column is not None and len(column) != len(ids):
                raise DataError("the contract columns have different lengths", column=name)
        read_names = {account, start, end, plan, seats, billing, revenue}
        unread = [_codes_of(values) for name, values in columns.items()
                  if name not in read_names and _length(values) == len(ids)]
        keep = _unique_rows(
            codes, starts, ends, plan_col, bill_col, seat_values, revenue_values, duplicates,
            account, unread,
        )
        dropped = 0 if keep is None else len(ids) - int(keep.size)
        if keep is not None and dropped:
            ids, starts, ends, codes = ids[keep], starts[keep], ends[keep], codes[keep]
            plan_col = None if plan_col is None else plan_col.take(keep)
            bill_col = None if bill_col is None else bill_col.take(keep)
            seat_values = None if seat_values is None else seat_values[keep]
            revenue_values = None if revenue_values is None else revenue_values[keep]
        table = cls(
            ids, starts, ends, plan_col, seat_values, revenue_values, revenue_kind, bill_col,
            dropped,
        )
        table._memo["codes"] = (readonly(distinct), readonly(codes.astype(np.intp)))
        return table

    def __len__(self) -> int:
        return int(self.account.shape[0])

    @property
    def accounts(self) -> npt.NDArray[np.str_]:
        """The distinct account ids, sorted."""
        return self.account_codes()[0]

    def account_codes(self) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]:
        """The distinct account ids (sorted) and each row's index into them, computed once.

        Examples
        --------
        >>> c = Contracts.from_columns({"account_id": ["b", "a", "b"],
        ...     "start": ["2020-01-01"] * 3, "end": [None, None, "2021-01-01"]})
        >>> ids, codes = c.account_codes()
        >>> ids.tolist(), codes.tolist()
        (['a', 'b'], [1, 0, 1])
        """
        found = self._memo.get("codes")
        if found is None:
            ids, codes = np.unique(self.account, return_inverse=True)
            found = self._memo["codes"] = (readonly(ids), readonly(codes.astype(np.intp)))
        return found

    @property
    def arr(self) -> npt.NDArray[np.float64] | None:
        """Annual recurring revenue per row (MRR × 12 for ``revenue_kind="mrr"``)."""
        if self.revenue is None:
            return None
        return readonly(self.revenue * 12.0 if self.revenue_kind == "mrr" else self.revenue)


def _unique_rows(
    codes: npt.NDArray[np.intp],
    starts: npt.NDArray[np.datetime64],
    ends: npt.NDArray[np.datetime64],
    plan: Column | None,
    billing: Column | None,
    seats: npt.NDArray[np.float64] | None,
    revenue: npt.NDArray[np.float64] | None,
    duplicates: str,
    account: str,
    unread: Sequence[npt.NDArray[np.intp]] = (),
) -> npt.NDArray[np.intp] | None:
    """Rows to keep (first of each identical group), or raise on the first duplicate.
    Rows are identical when every column agrees, the ``unread`` ones too (each given as
    codes of its distinct values): two add-ons alike but for their product are two rows."""
    if codes.size < 2:
        return None
    keys: list[npt.NDArray[Any]] = [ends.astype(np.int64), starts.astype(np.int64), codes,
                                     *unread]
    for extra in (plan, billing):
        if extra is not None:
            keys.insert(0, extra.values.astype(np.int64))
    for amounts in (seats, revenue):
        if amounts is not None:
            keys.insert(0, np.where(np.isnan(amounts), -1.0, amounts).view(np.int64))
    order = np.lexsort(keys)
    same = np.ones(codes.size - 1, dtype=np.bool_)
    for key in keys:
        ordered = key[order]
        same &= ordered[1:] == ordered[:-1]
    if not same.any():
        return None
    if duplicates == "error":
        # Name the earliest row that repeats an earlier one.
        again = order[1:][same]
        first = order[:-1][same]
        k = int(np.argmin(again))
        row, orig = int(again[k]), int(first[k])
        raise DataError(
            f"this row repeats row {orig} exactly (pass duplicates='drop' to keep one)",
            column=account,
            row=row,
        )
    drop = np.zeros(codes.size, dtype=np.bool_)
    drop[order[1:][same]] = True
    return np.flatnonzero(~drop)


def _length(values: Any) -> int | None:
    try:
        return len(values)
    except TypeError:
        return None


def _codes_of(values: Any) -> npt.NDArray[np.intp]:
    """A code per row of a column the table does not read, equal where the values are
    (compared as text: only sameness matters, and any value has a text)."""
    text = (values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
            ).astype(np.str_)
    codes: npt.NDArray[np.intp] = np.unique(text, return_inverse=True)[1].reshape(-1)
    return codes


def contracts_of(value: Any) -> Contracts:
    """``value`` when it is :class:`Contracts`, else the error that says how to make them.

    Examples
    --------
    >>> contracts_of([1, 2])
    Traceback (most recent call last):
    successkit.errors.DataError: expected Contracts, got list
    """
    if not isinstance(value, Contracts):
        raise not_the_input(value, "Contracts", "Contracts.from_columns(table, ...)")
    return value
