"""Shared hypothesis strategies for successkit's tests.

Each area adds its strategies in its own section below; keep them composable (small
strategies that tests combine) and free of assumptions about other areas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from hypothesis import strategies as st

import successkit as sk

# -- data -----------------------------------------------------------------------------------

account_ids = st.text(
    alphabet=st.characters(categories=("L", "N"), include_characters="-_"),
    min_size=1,
    max_size=8,
).filter(lambda s: s.strip() == s)

numbers = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
labels = st.sampled_from(["high", "low", "tech", "オンボーディング", "a b"])
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))

_VALUES: dict[sk.Kind, st.SearchStrategy[Any]] = {
    sk.Kind.NUMBER: numbers,
    sk.Kind.BOOLEAN: st.booleans(),
    sk.Kind.CATEGORY: labels,
    sk.Kind.DATE: dates,
}


@st.composite
def portfolios(
    draw: st.DrawFn,
    *,
    min_size: int = 0,
    max_size: int = 20,
    kinds: tuple[sk.Kind, ...] = tuple(sk.Kind),
    max_columns: int = 5,
    missing: bool = True,
) -> sk.Portfolio:
    """Portfolios with unique ids, columns of the given kinds, and (optionally) missing values."""
    ids = draw(st.lists(account_ids, min_size=min_size, max_size=max_size, unique=True))
    n_columns = draw(st.integers(min_value=0, max_value=max_columns))
    columns: dict[str, Any] = {"id": ids}
    chosen_kinds: dict[str, str] = {}
    for i in range(n_columns):
        kind = draw(st.sampled_from(kinds))
        value = _VALUES[kind]
        if missing:
            value = st.one_of(st.none(), value)
        name = f"{kind.value}_{i}"
        columns[name] = draw(st.lists(value, min_size=len(ids), max_size=len(ids)))
        chosen_kinds[name] = kind.value
    as_of = draw(st.one_of(st.none(), dates))
    return sk.Portfolio.from_columns(columns, as_of=as_of, kinds=chosen_kinds)


def permutation(draw: st.DrawFn, n: int) -> np.ndarray:
    """A random permutation of ``range(n)`` drawn from hypothesis (shrinks well)."""
    return np.asarray(draw(st.permutations(list(range(n)))), dtype=np.intp)
