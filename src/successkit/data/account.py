"""A single account: an id, its values, and the date they describe."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from successkit.data.dates import to_date
from successkit.errors import DataError, did_you_mean_suffix

__all__ = ["Account"]


def _freeze_values(values: Mapping[str, Any]) -> Mapping[str, Any]:
    frozen: dict[str, Any] = {}
    for name, value in dict(values).items():
        if not isinstance(name, str):
            raise DataError(f"value names must be text, got {type(name).__name__} {name!r}")
        if isinstance(value, float) and math.isnan(value):
            value = None  # one spelling of "missing", so accounts compare equal
        frozen[name] = value
    return MappingProxyType(frozen)


def _check_id(instance: Account, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"an account id must be non-empty text, got {value!r}")


def _optional_date(value: Any) -> dt.date | None:
    return None if value is None else to_date(value, what="as_of")


@attrs.frozen
class Account:
    """One customer account: its id, named values, and the date those values describe.

    Scoring a single account is scoring a portfolio of one, so an account and the matching
    row of a portfolio always give the same results. Missing values are ``None``.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> acct = sk.Account("acme", {"login_rate": 0.62, "tier": "high"}, as_of="2026-10-01")
    >>> acct["login_rate"], acct.as_of
    (0.62, datetime.date(2026, 10, 1))
    >>> sk.Account("acme", {"nps": float("nan")})["nps"] is None
    True
    """

    id: str = attrs.field(validator=_check_id)
    values: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_freeze_values, hash=False, repr=lambda v: repr(dict(v))
    )
    as_of: dt.date | None = attrs.field(default=None, converter=_optional_date)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Account, (self.id, dict(self.values), self.as_of))

    def __getitem__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            suffix = did_you_mean_suffix(name, list(self.values))
            raise DataError(f"account has no value {name!r}{suffix}", account=self.id) from None

    def get(self, name: str, default: Any = None) -> Any:
        """The value of ``name``, or ``default`` when the account has no such value."""
        return self.values.get(name, default)
