"""A columnar snapshot of many accounts on one date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_equal, array_field, readonly
from successkit._html import HEAD_ROWS, head_table
from successkit._optional import import_optional
from successkit._options import a_name, one_id
from successkit._rows import as_rows, first_duplicate, lookup, unknown_account
from successkit.data._keyed import align_by_id
from successkit.data.account import Account
from successkit.data.column import Column
from successkit.data.convert import convert_ids
from successkit.data.dates import to_date
from successkit.data.kinds import Kind, Schema
from successkit.data.read import (
    not_the_input,
    read_accounts,
    read_columns,
    read_records,
    read_table,
    read_typed,
    typed_columns,
)
from successkit.errors import DataError, did_you_mean_suffix

__all__ = ["Portfolio", "not_a_portfolio", "portfolio_of"]

_VERSION = 1


def _freeze_columns(columns: Mapping[str, Column]) -> Mapping[str, Column]:
    return MappingProxyType(dict(columns))


def _optional_date(value: Any) -> dt.date | None:
    return None if value is None else to_date(value, what="as_of")


def _to_ids(value: Any) -> npt.NDArray[np.str_]:
    ids = convert_ids(value)  # never the caller's memory
    # Frozen in place rather than through a view: an array that is read-only and owns its
    # data is taken back as it is by convert_ids (with_columns, take, results), uncopied.
    ids.flags.writeable = False
    return ids


@attrs.frozen(eq=False, repr=False)
class Portfolio:
    """Many accounts on one date, held column by column.

    A portfolio is the input to every model: scoring, rules and roadmaps all work on whole
    columns at once. It never changes after construction; its arrays are read-only, and
    :meth:`with_columns` returns a new portfolio.

    Build one with :meth:`from_columns` (a mapping of name → values, or a pandas, polars or
    pyarrow table), :meth:`from_records` or :meth:`from_accounts`.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> pf = sk.Portfolio.from_columns(
    ...     {"id": ["acme", "globex"], "login_rate": [0.62, None], "tier": ["high", "low"]},
    ...     as_of="2026-10-01",
    ... )
    >>> len(pf), pf.ids.tolist()
    (2, ['acme', 'globex'])
    >>> pf["login_rate"]
    array([0.62,  nan])
    >>> pf.schema
    Schema({'login_rate': 'number', 'tier': 'category'})
    >>> pf.account("globex")
    Account(id='globex', values={'login_rate': None, 'tier': 'low'}, as_of=datetime.date(...))
    """

    ids: npt.NDArray[np.str_] = array_field(converter=_to_ids)
    columns: Mapping[str, Column] = attrs.field(converter=_freeze_columns, factory=dict)
    as_of: dt.date | None = attrs.field(default=None, converter=_optional_date)
    #: The name of the column the ids were read from (``None`` when not read from a table):
    #: named in errors, and the index of :meth:`to_frame`.
    id_column: str | None = attrs.field(default=None, kw_only=True)
    _order: npt.NDArray[np.intp] = attrs.field(init=False, repr=False)
    _sorted_ids: npt.NDArray[np.str_] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        n = self.ids.shape[0]
        for name, column in self.columns.items():
            if not isinstance(column, Column):
                raise DataError("Portfolio() takes Column objects; use from_columns()", column=name)
            if len(column) != n:
                raise DataError(
                    f"has {len(column)} values but there are {n} account ids", column=name
                )
        order = np.argsort(self.ids, kind="stable")
        duplicate = first_duplicate(self.ids, order)
        if duplicate is not None:
            first, again = duplicate
            raise DataError(
                f"duplicate account id (rows {first} and {again})",
                column="id",
                account=str(self.ids[again]),
            )
        order.flags.writeable = False
        object.__setattr__(self, "_order", order)
        object.__setattr__(self, "_sorted_ids", readonly(self.ids[order]))

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_columns(
        cls,
        columns: Any,
        *,
        id: str = "id",
        as_of: Any = None,
        kinds: Mapping[str, Kind | str] | None = None,
    ) -> Portfolio:
        """A portfolio from named columns: a mapping of name → sequence or array, or a
        pandas, polars or pyarrow table (recognised by duck typing, never imported).

        Parameters
        ----------
        columns:
            The data, one entry per column, including the id column.
        id:
            The name of the column holding account ids.
        as_of:
            The date the data describes (``date``, ``datetime``, ISO text).
        kinds:
            Kinds for some columns, overriding inference: ``{"renewal": "date"}`` parses ISO
            text as dates, ``{"seats": "number"}`` parses numeric text.

        Raises
        ------
        DataError
            Missing id column, ragged lengths, duplicate or missing ids, values that do not
            fit their column (named with the first offending account).

        Examples
        --------
        >>> import successkit as sk
        >>> pf = sk.Portfolio.from_columns({"id": [1, 2], "renewal": ["2027-01-31", None]},
        ...                                kinds={"renewal": "date"})
        >>> pf.ids.tolist(), pf.schema["renewal"]
        (['1', '2'], <Kind.DATE: 'date'>)
        """
        return cls(*read_table(columns, id=id, kinds=kinds), as_of, id_column=id)

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        id: str = "id",
        as_of: Any = None,
        kinds: Mapping[str, Kind | str] | None = None,
    ) -> Portfolio:
        """A portfolio from row records (mappings), e.g. JSON objects from an API.

        A name absent from a record is a missing value for that account.

        Examples
        --------
        >>> import successkit as sk
        >>> pf = sk.Portfolio.from_records([{"id": "a", "arr": 10}, {"id": "b"}])
        >>> pf["arr"].tolist()
        [10.0, nan]
        """
        return cls(*read_records(records, id=id, kinds=kinds), as_of, id_column=id)

    @classmethod
    def from_accounts(
        cls,
        accounts: Iterable[Account],
        *,
        as_of: Any = None,
        kinds: Mapping[str, Kind | str] | None = None,
    ) -> Portfolio:
        """A portfolio from :class:`Account` objects.

        ``as_of`` defaults to the accounts' common ``as_of``; accounts that disagree are a
        :class:`~successkit.DataError`.

        Examples
        --------
        >>> import successkit as sk
        >>> pf = sk.Portfolio.from_accounts([sk.Account("a", {"arr": 10}, as_of="2026-10-01")])
        >>> pf.as_of
        datetime.date(2026, 10, 1)
        """
        return cls(*read_accounts(accounts, as_of=as_of, kinds=kinds))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Portfolio:
        """Rebuild a portfolio from :meth:`to_dict` output.

        Examples
        --------
        >>> import successkit as sk
        >>> pf = sk.Portfolio.from_columns({"id": ["a"], "due": [None]}, kinds={"due": "date"})
        >>> sk.Portfolio.from_dict(pf.to_dict()) == pf
        True
        """
        if not isinstance(data, Mapping):
            raise DataError(f"expected a portfolio's dictionary (from to_dict()), got "
                            f"{type(data).__name__}")
        version = data.get("version")
        if version != _VERSION:
            raise DataError(f"unsupported portfolio version {version!r} (expected {_VERSION})")
        spec = data.get("columns", {})
        columns = {name: column["values"] for name, column in spec.items()}
        kinds = {name: column["kind"] for name, column in spec.items()}
        return cls(*read_typed(list(data.get("ids", [])), columns, kinds=kinds), data.get("as_of"))

    # -- access -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def __iter__(self) -> Iterator[Account]:
        values = {name: column.to_list() for name, column in self.columns.items()}
        for row, account_id in enumerate(self.ids.tolist()):
            yield Account(account_id, {n: v[row] for n, v in values.items()}, self.as_of)

    def __contains__(self, account: object) -> bool:
        key = account.id if isinstance(account, Account) else account
        if not isinstance(key, str):
            return False
        return bool(self.index_of([key])[0] >= 0)

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        """The column ``name`` as a numpy array (see :meth:`Column.to_numpy`)."""
        return self.column(name).to_numpy()

    @property
    def names(self) -> tuple[str, ...]:
        """Column names, in order (the id column is not one of them)."""
        return tuple(self.columns)

    @property
    def schema(self) -> Schema:
        """Column names mapped to their kinds."""
        return Schema({name: column.kind for name, column in self.columns.items()})

    def column(self, name: str, kind: Kind | str | None = None) -> Column:
        """The typed :class:`Column` ``name``, optionally read as ``kind``.

        Raises :class:`~successkit.DataError` for an unknown name (with the closest known
        name, or else the names there are) or a column that cannot be read as ``kind``
        (see :meth:`Column.as_kind`).

        Examples
        --------
        >>> import successkit as sk
        >>> pf = sk.Portfolio.from_columns({"account": ["a", "b"], "arr": [5.0, 7.0]},
        ...                                id="account")
        >>> pf.column("account")
        Traceback (most recent call last):
        successkit.errors.DataError: column 'account': is the id column: its values are ...
        >>> pf.column("acount_id")
        Traceback (most recent call last):
        successkit.errors.DataError: column 'acount_id': no such column; the columns are 'arr' (...)
        """
        try:
            column = self.columns[a_name(name, "a column's name")]
        except KeyError:
            if name == self.id_column:
                raise DataError("is the id column: its values are Portfolio.ids, not a column",
                                column=name) from None
            suffix = did_you_mean_suffix(name, list(self.columns)) or _the_columns(self.names)
            raise DataError(f"no such column{suffix}", column=name) from None
        return column if kind is None else column.as_kind(kind, name=name)

    def index_of(self, ids: Any) -> npt.NDArray[np.intp]:
        """Row of each id in ``ids`` (``-1`` where absent), looked up with a sorted index.

        Examples
        --------
        >>> import successkit as sk
        >>> pf = sk.Portfolio.from_columns({"id": ["b", "a"]})
        >>> pf.index_of(["a", "zzz", "b"]).tolist()
        [1, -1, 0]
        """
        query = np.asarray(ids)
        if query.shape == self.ids.shape and np.array_equal(query, self.ids):
            return np.arange(len(self), dtype=np.intp)  # the same accounts: no search
        return lookup(self._sorted_ids, self._order, query)

    def account(self, account_id: str) -> Account:
        """The :class:`Account` with ``account_id``; unknown ids are a DataError."""
        row = int(self.index_of([one_id(account_id)])[0])
        if row < 0:
            raise unknown_account(account_id, self.ids, "the portfolio")
        values = {name: column.value_at(row) for name, column in self.columns.items()}
        return Account(str(self.ids[row]), values, self.as_of)

    # -- derivation ---------------------------------------------------------------------------

    def with_columns(
        self,
        columns: Mapping[str, Any] | None = None,
        /,
        *,
        kinds: Mapping[str, Kind | str] | None = None,
        **arrays: Any,
    ) -> Portfolio:
        """A new portfolio with columns added or replaced: plain values in the order of
        :attr:`ids`, or values keyed by account id (a mapping of id → value, a pandas Series
        or frame indexed by account id), matched by id — every account needs one.

        Pass names that are not Python identifiers in the mapping.

        Examples
        --------
        >>> import successkit as sk
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"]})
        >>> pf.with_columns({"D-3 Login Rate": [0.5, 0.7]}, churned=[False, True]).names
        ('D-3 Login Rate', 'churned')
        >>> pf.with_columns(seats={"b": 12, "a": 3})["seats"].tolist()
        [3.0, 12.0]
        """
        # A mapping or a pandas, polars or pyarrow table; anything else is refused by name.
        new = {} if columns is None else read_columns(columns)
        new.update(arrays)
        new = {name: align_by_id(values, self.ids, what=f"column {name!r}")
               for name, values in new.items()}
        against = f"the portfolio has {len(self)} accounts"
        typed = typed_columns(new, self.ids, kinds=kinds, against=against)
        return Portfolio(self.ids, {**self.columns, **typed}, self.as_of,
                         id_column=self.id_column)

    def without_columns(self, *names: str) -> Portfolio:
        """A new portfolio without the named columns."""
        for name in names:
            self.column(name)
        return Portfolio(
            self.ids, {n: c for n, c in self.columns.items() if n not in names}, self.as_of,
            id_column=self.id_column,
        )

    def with_as_of(self, as_of: Any) -> Portfolio:
        """The same data described as of another date."""
        return attrs.evolve(self, as_of=as_of)

    def take(self, rows: Any) -> Portfolio:
        """The accounts at ``rows`` (integer positions, or a boolean mask), in that order."""
        index = as_rows(rows, len(self))
        taken = self.ids[index]
        taken.flags.writeable = False  # ours alone: the portfolio keeps it without a copy
        return Portfolio(
            taken, {n: c.take(index) for n, c in self.columns.items()}, self.as_of,
            id_column=self.id_column,
        )

    def reindex(self, ids: Any) -> Portfolio:
        """The portfolio aligned to ``ids``: accounts it lacks get missing values.

        Examples
        --------
        >>> import successkit as sk
        >>> pf = sk.Portfolio.from_columns({"id": ["a"], "arr": [5.0]})
        >>> pf.reindex(["b", "a"])["arr"].tolist()
        [nan, 5.0]
        """
        target = convert_ids(ids)
        target.flags.writeable = False  # ours alone: the portfolio keeps it without a copy
        rows = self.index_of(target)
        return Portfolio(target, {n: c.take(rows) for n, c in self.columns.items()}, self.as_of,
                         id_column=self.id_column)

    # -- output -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"version", "as_of", "ids", "columns": {name: {"kind",
        "values"}}}``, with ``None`` for missing values and ISO text for dates."""
        columns = {}
        for name, column in self.columns.items():
            values = column.to_list()
            if column.kind is Kind.DATE:
                values = [None if v is None else v.isoformat() for v in values]
            columns[name] = {"kind": column.kind.value, "values": values}
        return {
            "version": _VERSION,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "ids": self.ids.tolist(),
            "columns": columns,
        }

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` indexed by account id (needs ``successkit[pandas]``).

        Numbers are ``float64``, booleans pandas' nullable ``boolean``, categories
        ``category``, dates ``datetime64[s]``.
        """
        pd = import_optional("pandas", purpose="Portfolio.to_frame()")
        data: dict[str, Any] = {}
        for name, column in self.columns.items():
            if column.kind is Kind.NUMBER:
                data[name] = np.array(column.values)
            elif column.kind is Kind.BOOLEAN:
                data[name] = pd.array(column.to_list(), dtype="boolean")
            elif column.kind is Kind.CATEGORY:
                data[name] = pd.Categorical.from_codes(
                    np.array(column.values), categories=list(column.categories)
                )
            else:
                data[name] = np.array(column.values).astype("datetime64[s]")
        return pd.DataFrame(data, index=pd.Index(self.ids.tolist(), name=self.id_column or "id",
                                                 dtype=object))

    def __reduce__(self) -> tuple[Any, ...]:
        # The read-only mapping proxy cannot be pickled; rebuild from a plain dict (portfolios
        # cross process boundaries under dask and multiprocessing).
        return (_rebuild, (self.ids, dict(self.columns), self.as_of, self.id_column))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Portfolio):
            return NotImplemented
        return (
            self.as_of == other.as_of
            and array_equal(self.ids, other.ids)
            and set(self.columns) == set(other.columns)
            and all(c.equals(other.columns[n]) for n, c in self.columns.items())
        )

    def __hash__(self) -> int:
        return hash((self.as_of, len(self), frozenset(self.columns)))

    def __repr__(self) -> str:
        as_of = "" if self.as_of is None else f", as_of={self.as_of.isoformat()}"
        return f"Portfolio({len(self)} accounts × {len(self.columns)} columns{as_of})"

    def _repr_html_(self) -> str:
        head = np.arange(min(len(self), HEAD_ROWS))
        names = list(self.columns)[:12]
        columns = {name: self.columns[name].take(head).to_list() for name in names}
        return head_table(self.ids, columns, caption=repr(self))


def _rebuild(ids: Any, columns: Mapping[str, Column], as_of: Any,
             id_column: str | None) -> Portfolio:
    """A pickled portfolio again (its keyword-only field cannot travel positionally)."""
    return Portfolio(ids, columns, as_of, id_column=id_column)


def _the_columns(names: tuple[str, ...]) -> str:
    """The end of a "no such column" message when no name is close: what there is (a
    name asked for and not found is often the id column's)."""
    ids = "account ids are Portfolio.ids, not a column"
    if not names:
        return f"; there are no columns ({ids})"
    if len(names) <= 12:
        return f"; the columns are {', '.join(repr(n) for n in names)} ({ids})"
    return f"; there are {len(names)} columns, listed in Portfolio.names ({ids})"


def portfolio_of(
    data: Portfolio | Account, *, kinds: Mapping[str, Kind] | None = None
) -> Portfolio:
    """``data`` as a portfolio: an :class:`Account` becomes a portfolio of one.

    This is how every model's single-account call takes its batch path. With ``kinds`` (the
    columns a model reads), the account's values are read as those kinds and the columns it
    lacks are there, missing.

    Examples
    --------
    >>> import successkit as sk
    >>> one = portfolio_of(sk.Account("a", {"x": 1}), kinds={"tier": sk.Kind.CATEGORY})
    >>> one.ids.tolist(), one.schema["tier"], one.column("tier").to_list()
    (['a'], <Kind.CATEGORY: 'category'>, [None])
    """
    if isinstance(data, Portfolio):
        return data
    if not isinstance(data, Account):
        raise not_a_portfolio(data, "a Portfolio or an Account")
    if kinds:  # the columns the model reads, missing where the account has no value
        values = {name: data.values.get(name) for name in kinds}
        values.update(data.values)
        data = Account(data.id, values, data.as_of)
    return Portfolio.from_accounts([data], kinds=kinds)


def not_a_portfolio(value: object, expected: str = "a Portfolio", *,
                    role: str | None = None) -> DataError:
    """The error for ``value`` given where ``expected`` belongs (as the argument ``role``,
    when given); a table (a mapping of columns, or a pandas, polars or pyarrow frame) is
    told how to become a portfolio.

    Examples
    --------
    >>> print(not_a_portfolio({"id": ["a"], "seats": [3]}))
    expected a Portfolio, got dict: make one with Portfolio.from_columns(table, id=...)
    >>> print(not_a_portfolio(3, "a Portfolio or a History"))
    expected a Portfolio or a History, got int
    >>> print(not_a_portfolio([1, 2], role="base"))
    expected a Portfolio as base, got list
    """
    return not_the_input(value, expected, "Portfolio.from_columns(table, id=...)", role=role)
