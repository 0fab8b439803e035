"""One column of a portfolio: typed values plus an explicit missing mask."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_equal, array_field, readonly
from successkit.data.kinds import Kind, kind_of
from successkit.errors import DataError

__all__ = ["Column", "column_of", "labelled_codes"]

_VALUE_DTYPES = {
    Kind.NUMBER: np.dtype(np.float64),
    Kind.BOOLEAN: np.dtype(np.bool_),
    Kind.CATEGORY: np.dtype(np.int32),
    Kind.DATE: np.dtype("datetime64[D]"),
}
# The value stored where an entry is missing.
_MISSING_VALUES = {
    Kind.NUMBER: np.nan,
    Kind.BOOLEAN: False,
    Kind.CATEGORY: -1,
    Kind.DATE: np.datetime64("NaT"),
}


def _to_categories(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@attrs.frozen(eq=False, repr=False)
class Column:
    """A column of one :class:`Kind`, aligned with a portfolio's accounts.

    ``values`` holds ``float64`` numbers (NaN when missing), ``bool`` flags, ``int32`` codes
    into ``categories`` (``-1`` when missing) or ``datetime64[D]`` dates (NaT when missing);
    ``missing`` marks the missing entries for every kind. Both arrays are read-only.

    Build columns with the classmethods (:meth:`number`, :meth:`boolean`, :meth:`category`,
    :meth:`date`, :meth:`from_labels`); portfolios build them for you from raw data.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> col = sk.Column.from_labels(["high", None, "low", "high"])
    >>> col.kind, col.categories
    (<Kind.CATEGORY: 'category'>, ('high', 'low'))
    >>> col.values.tolist(), col.missing.tolist()
    ([0, -1, 1, 0], [False, True, False, False])
    >>> col.to_list()
    ['high', None, 'low', 'high']
    """

    kind: Kind = attrs.field(converter=Kind)
    values: npt.NDArray[Any] = array_field()
    missing: npt.NDArray[np.bool_] = array_field()
    categories: tuple[str, ...] = attrs.field(default=(), converter=_to_categories)

    def __attrs_post_init__(self) -> None:
        expected = _VALUE_DTYPES[self.kind]
        if self.values.dtype != expected or self.values.ndim != 1:
            raise TypeError(f"{self.kind} values must be 1-d {expected}, got {self.values.dtype}")
        if self.missing.dtype != np.bool_ or self.missing.shape != self.values.shape:
            raise TypeError("missing must be a bool mask of the same length as values")
        if self.kind is not Kind.CATEGORY and self.categories:
            raise TypeError("only category columns have categories")

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def number(cls, values: npt.ArrayLike) -> Column:
        """A number column; NaN marks missing values.

        Examples
        --------
        >>> import successkit as sk
        >>> sk.Column.number([1, float("nan")]).missing.tolist()
        [False, True]
        """
        array = np.asarray(values, dtype=np.float64)
        return cls(Kind.NUMBER, array, np.isnan(array))

    @classmethod
    def boolean(cls, values: npt.ArrayLike, missing: npt.ArrayLike | None = None) -> Column:
        """A boolean column; ``missing`` marks unknown entries (their value is ``False``).

        Examples
        --------
        >>> import successkit as sk
        >>> sk.Column.boolean([True, False], missing=[False, True]).to_list()
        [True, None]
        """
        flags = np.asarray(values, dtype=np.bool_)
        mask = (
            np.zeros(flags.shape, dtype=np.bool_)
            if missing is None
            else np.asarray(missing, dtype=np.bool_)
        )
        return cls(Kind.BOOLEAN, flags & ~mask, mask)

    @classmethod
    def category(cls, codes: npt.ArrayLike, categories: tuple[str, ...] | list[str]) -> Column:
        """A category column from integer codes into ``categories`` (``-1`` is missing).

        Examples
        --------
        >>> import successkit as sk
        >>> sk.Column.category([1, -1], ("high", "low")).to_list()
        ['low', None]
        """
        array = np.asarray(codes, dtype=np.int32)
        labels = tuple(categories)
        if array.size and (array.max() >= len(labels) or array.min() < -1):
            raise DataError("category codes must lie in [-1, number of categories)")
        return cls(Kind.CATEGORY, array, array < 0, labels)

    @classmethod
    def from_labels(
        cls, labels: npt.ArrayLike, missing: npt.ArrayLike | None = None
    ) -> Column:
        """A category column from labels; ``None`` (or ``missing``) marks missing entries.

        Categories are the sorted distinct labels, so equal data gives equal codes whatever
        the row order.
        """
        raw = np.asarray(labels, dtype=object)
        if raw.ndim != 1:
            raise DataError("category labels must be one-dimensional")
        mask = np.asarray(raw == None) if raw.size else np.zeros(0, dtype=np.bool_)  # noqa: E711
        if missing is not None:
            mask |= np.asarray(missing, dtype=np.bool_)
        present = raw[~mask].astype(str)
        categories, inverse = np.unique(present, return_inverse=True)
        codes = np.full(raw.shape, -1, dtype=np.int32)
        codes[~mask] = inverse.reshape(-1)
        return cls(Kind.CATEGORY, codes, mask, tuple(categories.tolist()))

    @classmethod
    def date(cls, values: npt.ArrayLike) -> Column:
        """A date column (``datetime64[D]``); NaT marks missing values.

        Examples
        --------
        >>> import successkit as sk
        >>> sk.Column.date(["2026-04-01", "NaT"]).to_list()
        [datetime.date(2026, 4, 1), None]
        """
        array = np.asarray(values, dtype="datetime64[D]")
        return cls(Kind.DATE, array, np.isnat(array))

    @classmethod
    def empty(cls, kind: Kind | str, length: int) -> Column:
        """A column of ``length`` missing values of ``kind``.

        Examples
        --------
        >>> import successkit as sk
        >>> sk.Column.empty("date", 2).to_list()
        [None, None]
        """
        kind = Kind(kind)
        values = np.full(length, _MISSING_VALUES[kind], dtype=_VALUE_DTYPES[kind])
        return cls(kind, values, np.ones(length, dtype=np.bool_))

    # -- access -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def present(self) -> npt.NDArray[np.bool_]:
        """The complement of :attr:`missing`."""
        return readonly(~self.missing)

    @property
    def all_missing(self) -> bool:
        """Whether no value is present (such a column fits any kind)."""
        return bool(self.missing.all())

    def labels(self) -> npt.NDArray[np.object_]:
        """Category labels as an object array of ``str`` with ``None`` where missing."""
        if self.kind is not Kind.CATEGORY:
            raise DataError(f"labels() needs a category column, not a {self.kind} column")
        table = np.array([*self.categories, None], dtype=object)
        return table[np.where(self.missing, len(self.categories), self.values)]

    def code_of(self, label: str) -> int:
        """The code of ``label`` in this category column, or ``-2`` when it never occurs.

        ``-2`` can never equal a stored code, so comparing codes with it is always false.
        """
        if self.kind is not Kind.CATEGORY:
            raise DataError(f"code_of() needs a category column, not a {self.kind} column")
        index = int(np.searchsorted(np.asarray(self.categories, dtype=object), label))
        if index < len(self.categories) and self.categories[index] == label:
            return index
        return -2

    def to_numpy(self) -> npt.NDArray[Any]:
        """The column as users see it: numbers and dates plainly (NaN / NaT for missing),
        booleans and categories as :class:`numpy.ma.MaskedArray` masked where missing."""
        if self.kind in (Kind.NUMBER, Kind.DATE):
            return self.values
        if self.kind is Kind.BOOLEAN:
            data: npt.NDArray[Any] = self.values
        else:
            table = np.asarray(self.categories, dtype=str)
            if not table.size:
                table = np.asarray([""], dtype=str)
            data = table[np.where(self.missing, 0, self.values)]
        masked = np.ma.MaskedArray(data, mask=self.missing.copy())
        masked.flags.writeable = False
        return masked

    def to_list(self) -> list[Any]:
        """Python values (``float``, ``bool``, ``str``, :class:`datetime.date`), ``None``
        for missing."""
        if self.kind is Kind.CATEGORY:
            return self.labels().tolist()  # type: ignore[no-any-return]
        out = self.values.astype(object)
        out[self.missing] = None
        return out.tolist()  # type: ignore[no-any-return]

    def value_at(self, row: int) -> Any:
        """The Python value at ``row`` (``None`` when missing)."""
        if self.missing[row]:
            return None
        value = self.values[row].item()  # float, bool, int code or datetime.date
        return self.categories[value] if self.kind is Kind.CATEGORY else value

    # -- transformation -----------------------------------------------------------------------

    def take(self, rows: npt.ArrayLike) -> Column:
        """The column at ``rows``; row ``-1`` gives a missing value (for alignment)."""
        index = np.asarray(rows, dtype=np.intp)
        absent = index < 0
        if not len(self):
            if not absent.all():
                raise IndexError("cannot take present rows from an empty column")
            return Column.empty(self.kind, index.shape[0])
        safe = np.where(absent, 0, index)
        values = self.values[safe]  # a copy: fancy indexing
        missing = self.missing[safe] | absent
        values[missing] = _MISSING_VALUES[self.kind]
        return Column(self.kind, values, missing, self.categories)

    def as_kind(self, kind: Kind | str, *, name: str | None = None) -> Column:
        """This column read as ``kind``.

        An all-missing column (such as one inferred from an account with no value) fits any
        kind; a boolean column reads as a number column of 0 and 1. Anything else that does
        not match raises :class:`~successkit.DataError` naming the column.

        Examples
        --------
        >>> import successkit as sk
        >>> sk.Column.boolean([True, False]).as_kind("number").to_list()
        [1.0, 0.0]
        """
        kind = kind_of(kind, name)
        if kind is self.kind:
            return self
        if self.all_missing:
            return Column.empty(kind, len(self))
        if kind is Kind.NUMBER and self.kind is Kind.BOOLEAN:
            return Column.number(np.where(self.missing, np.nan, self.values.astype(np.float64)))
        raise DataError(f"expected a {kind} column, found a {self.kind} column", column=name)

    def equals(self, other: object) -> bool:
        """Value equality: same kind, same missing entries, same present values.

        Category columns compare by label, so two columns with the same labels are equal
        even when their category lists differ.
        """
        if not isinstance(other, Column) or other.kind is not self.kind:
            return False
        if not array_equal(self.missing, other.missing):
            return False
        if self.kind is Kind.CATEGORY:
            return array_equal(self.labels(), other.labels())
        return array_equal(self.values, other.values)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuild through __init__ so unpickled arrays are read-only again.
        return (Column, (self.kind, self.values, self.missing, self.categories))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Column):
            return NotImplemented
        return self.equals(other)

    def __hash__(self) -> int:
        return hash((self.kind, len(self)))

    def __repr__(self) -> str:
        shown = self.to_list()[:5]
        more = ", ..." if len(self) > 5 else ""
        return f"Column({self.kind.value}, {shown!r}{more}, length={len(self)})"


def column_of(
    kind: Kind, values: npt.ArrayLike, missing: npt.ArrayLike | None = None
) -> Column:
    """A column of ``kind`` from numbers, flags, labels or dates, as
    :func:`~successkit.data.convert.convert_column` has typed them.

    ``missing`` marks the missing flags and labels; numbers and dates mark theirs with NaN
    and NaT.

    Examples
    --------
    >>> column_of(Kind.CATEGORY, ["b", "a", None]).to_list()
    ['b', 'a', None]
    >>> column_of(Kind.BOOLEAN, [True, True], [False, True]).to_list()
    [True, None]
    """
    if kind is Kind.NUMBER:
        return Column.number(values)
    if kind is Kind.BOOLEAN:
        return Column.boolean(values, missing)
    if kind is Kind.CATEGORY:
        return Column.from_labels(values, missing)
    return Column.date(values)


def labelled_codes(codes: npt.ArrayLike, labels: tuple[str, ...] | list[str]) -> Column:
    """A category column from codes into ``labels`` in their own order (``-1``: missing).

    Results hold bands, stages and quadrants as codes in definition order; a category
    column keeps its categories sorted, so the codes are mapped onto the sorted labels.

    Examples
    --------
    >>> column = labelled_codes([0, 2, -1], ("red", "yellow", "green"))
    >>> column.categories, column.to_list()
    (('green', 'red', 'yellow'), ['red', 'green', None])
    """
    names = tuple(labels)
    order = sorted(range(len(names)), key=lambda k: names[k])
    recode = np.empty(len(names) + 1, dtype=np.int32)
    recode[order] = np.arange(len(names), dtype=np.int32)
    recode[-1] = -1  # code -1 indexes the last slot: missing
    return Column.category(recode[np.asarray(codes, dtype=np.intp)], [names[k] for k in order])
