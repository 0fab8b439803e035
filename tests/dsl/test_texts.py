"""Texts for many rows: number_texts() writes exactly what format_value() writes."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from successkit._html import format_value
from successkit.dsl._texts import join, number_texts, objects


def expected(values: np.ndarray, suffix: str = "") -> list[str]:
    return [format_value(float(x)) + suffix for x in values.tolist()]


EDGES = [0.5, 0.125, 999.95, 9999.5, 9999.7, -9999.7, 0.099995, 0.99997, 0.00012345, 1e15,
         1e16, 123456789012345.6, -1e300, 1e-300, 5e-324, np.inf, -np.inf, 2.5, -0.0, 0.0,
         1234.5, 12345.0, 0.1, 0.3, 1e22, 1e23, 1e-19, 1e-20, 99995.0, 0.0001, 0.00001]


@given(
    st.lists(st.floats(allow_nan=False), max_size=60),
    st.integers(1, 5),
    st.sampled_from(["", "%"]),
)
def test_numbers_are_written_as_format_value_writes_them(
    values: list[float], repeat: int, suffix: str
) -> None:
    # repeated values take the write-each-distinct-value-once paths, long arrays the numpy one
    array = np.array(values * repeat * 30, dtype=np.float64)
    assert number_texts(array, suffix).tolist() == expected(array, suffix)
    few = np.array(values, dtype=np.float64)
    assert number_texts(few, suffix).tolist() == expected(few, suffix)


#: Decimal ties at the 4th significant digit (1234.5e-3, …): floats land on either side.
ties = st.builds(lambda m, e: float(f"{m}5e{e}"), st.integers(1000, 9999), st.integers(-12, 20))


@given(st.lists(st.one_of(ties, st.sampled_from(EDGES)), min_size=1, max_size=40),
       st.sampled_from(["", "%"]))
def test_near_ties_are_rounded_as_python_rounds_them(values: list[float], suffix: str) -> None:
    array = np.array(values * 8, dtype=np.float64)  # repeated: each distinct text once
    assert number_texts(array, suffix).tolist() == expected(array, suffix)


def test_numbers_over_many_magnitudes_and_edges() -> None:
    rng = np.random.default_rng(3)
    parts = [rng.random(3000) * 10.0**k * rng.choice([-1, 1], 3000) for k in range(-8, 20)]
    parts += [np.round(rng.random(5000), 5), np.round(rng.random(5000) * 1000, 3),
              rng.integers(-50, 50, 5000).astype(float), np.array(EDGES * 10)]
    values = np.concatenate(parts)
    for suffix in ("", "%"):
        assert number_texts(values, suffix).tolist() == expected(values, suffix)
        for part in parts:  # each alone: repeated and distinct values take different paths
            part = np.repeat(part[:400], 3)
            assert number_texts(part, suffix).tolist() == expected(part, suffix)
    continuous = rng.random(1000)  # mostly distinct: written one by one
    assert number_texts(continuous).tolist() == expected(continuous)


def test_no_number_gives_no_text() -> None:
    assert number_texts(np.zeros(0)).tolist() == []


def test_join_merges_fixed_texts_and_columns() -> None:
    a, b = objects(["1", "2"]), objects(["x", "y"])
    assert join(["v = ", a, "", " < ", "3"], 2).tolist() == ["v = 1 < 3", "v = 2 < 3"]
    assert join([a, " and ", b, "!"], 2).tolist() == ["1 and x!", "2 and y!"]
    assert join(["a", "b"], 3).tolist() == ["ab"] * 3
    assert join([a], 2) is a
    assert join([], 2).tolist() == ["", ""]
