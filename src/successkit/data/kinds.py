"""Column kinds and the schema that maps column names to them."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from functools import cached_property

import attrs

from successkit.errors import DataError, did_you_mean

__all__ = ["Kind", "Schema", "kind_of"]


class Kind(enum.StrEnum):
    """The kind of a column: what its values mean and which operations apply to them.

    ==========  ===============================  =========================================
    kind        held as                          missing
    ==========  ===============================  =========================================
    number      ``float64``                      NaN
    boolean     ``bool`` plus a missing mask     masked
    category    ``int32`` codes into labels      code ``-1``
    date        ``datetime64[D]``                NaT
    ==========  ===============================  =========================================

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> sk.Kind("number") is sk.Kind.NUMBER
    True
    >>> str(sk.Kind.DATE)
    'date'
    """

    NUMBER = "number"
    BOOLEAN = "boolean"
    CATEGORY = "category"
    DATE = "date"


def _to_kinds(value: Mapping[str, Kind | str]) -> tuple[tuple[str, Kind], ...]:
    return tuple((str(name), Kind(kind)) for name, kind in value.items())


def kind_of(value: Kind | str, column: str | None = None) -> Kind:
    """``value`` as a :class:`Kind`; an unknown one is a DataError naming ``column``.

    Examples
    --------
    >>> kind_of("date")
    <Kind.DATE: 'date'>
    >>> kind_of("when", "due")
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: column 'due': unknown kind 'when'; choose one of number, ...
    """
    try:
        return Kind(value)
    except ValueError:
        choices = ", ".join(k.value for k in Kind)
        raise DataError(f"unknown kind {value!r}; choose one of {choices}",
                        column=column) from None


@attrs.frozen(repr=False)
class Schema(Mapping[str, Kind]):
    """Column names mapped to their :class:`Kind`, in column order.

    A schema is what rules and models are checked against before they touch data. It is a
    read-only mapping: ``schema["arr"]``, ``"arr" in schema``, iteration over names.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> schema = sk.Schema({"arr": "number", "tier": "category"})
    >>> schema["tier"]
    <Kind.CATEGORY: 'category'>
    >>> list(schema)
    ['arr', 'tier']
    >>> schema.suggest("teir")
    'tier'
    """

    _items: tuple[tuple[str, Kind], ...] = attrs.field(converter=_to_kinds, alias="kinds")

    @cached_property
    def _lookup(self) -> dict[str, Kind]:
        return dict(self._items)

    def __getitem__(self, name: str) -> Kind:
        return self._lookup[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def names(self, kind: Kind | str | None = None) -> tuple[str, ...]:
        """Column names, optionally only those of one kind.

        Examples
        --------
        >>> import successkit as sk
        >>> sk.Schema({"arr": "number", "tier": "category"}).names("number")
        ('arr',)
        """
        wanted = None if kind is None else Kind(kind)
        return tuple(name for name, k in self._items if wanted is None or k is wanted)

    def suggest(self, name: str) -> str | None:
        """The known name closest to ``name`` (for did-you-mean messages), or ``None``."""
        return did_you_mean(name, [key for key, _ in self._items])

    def merge(self, other: Mapping[str, Kind | str]) -> Schema:
        """This schema extended with the names of ``other`` (``other`` wins on conflict).

        Examples
        --------
        >>> import successkit as sk
        >>> sk.Schema({"arr": "number"}).merge({"health.score": "number"}).names()
        ('arr', 'health.score')
        """
        merged = dict(self._items)
        merged.update({str(k): Kind(v) for k, v in other.items()})
        return Schema(merged)

    def to_dict(self) -> dict[str, str]:
        """Plain ``{name: kind}`` with kinds as strings."""
        return {name: kind.value for name, kind in self._items}

    def __repr__(self) -> str:
        inner = ", ".join(f"{name!r}: {kind.value!r}" for name, kind in self._items)
        return f"Schema({{{inner}}})"
