"""The compiler: numpy closures with three-valued logic, checked against a scalar reference."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from dsl._reference import RowContext, evaluate_row
from strategies import DSL_SCHEMA, dsl_histories, typed_conditions, typed_numbers
from successkit.dsl import ast
from successkit.dsl._frame import Timeline
from successkit.dsl._parser import parse_condition
from successkit.dsl.check import check
from successkit.dsl.compile import Truth, compile_node, to_number


def _compiled(node: ast.Node, data: sk.Portfolio | sk.History) -> tuple[object, object]:
    timeline = Timeline(data)
    types = check(node, DSL_SCHEMA if isinstance(data, sk.History) else data.schema)
    frame = timeline.frame()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = compile_node(node, types)(frame)
    return value, (frame, types)


@settings(max_examples=300)
@given(typed_conditions, dsl_histories())
def test_conditions_match_the_reference(node: ast.Node, history: sk.History) -> None:
    value, (frame, _) = _compiled(node, history)
    assert isinstance(value, Truth)
    true, false = np.asarray(value.true), np.asarray(value.false)
    assert true.shape == false.shape == (frame.n,)
    assert not (true & false).any()
    accounts = RowContext.accounts(history)
    assert len(accounts) == frame.n
    for row, account in enumerate(accounts):
        expected = evaluate_row(node, account)
        assert (bool(true[row]), bool(false[row])) == (expected is True, expected is False), (
            row,
            expected,
        )


@settings(max_examples=200)
@given(typed_numbers, dsl_histories())
def test_numbers_match_the_reference(node: ast.Node, history: sk.History) -> None:
    value, (frame, _) = _compiled(node, history)
    values = np.broadcast_to(np.asarray(to_number(value), dtype=np.float64), (frame.n,))
    for row, account in enumerate(RowContext.accounts(history)):
        expected = evaluate_row(node, account)
        if expected is None:
            assert math.isnan(values[row])
        else:
            assert values[row] == expected


# -- three-valued logic, operator by operator ---------------------------------------------------

T, F, U = True, False, None
# Each account: x, y (numbers); p, q (booleans); c (category); d (date).
ROWS = [
    (1.0, 2.0, T, T, "high", "2026-01-01"),
    (2.0, 1.0, T, F, "low", "2026-02-01"),
    (None, 1.0, T, U, None, None),
    (1.0, None, F, T, "high", "2026-03-01"),
    (None, None, F, F, None, None),
    (2.0, 2.0, F, U, "tech", "2026-01-01"),
    (1.0, 1.0, U, T, "low", None),
    (3.0, 1.0, U, F, "high", "2026-01-01"),
    (0.0, 0.0, U, U, "low", "2026-01-01"),
]


@pytest.fixture(scope="module")
def pf() -> sk.Portfolio:
    names = ("x", "y", "p", "q", "c", "d")
    columns: dict[str, object] = {"id": [f"a{i}" for i in range(len(ROWS))]}
    for k, name in enumerate(names):
        columns[name] = [row[k] for row in ROWS]
    kinds = {"x": "number", "y": "number", "p": "boolean", "q": "boolean", "c": "category",
             "d": "date"}
    return sk.Portfolio.from_columns(columns, kinds=kinds, as_of="2026-04-01")


def _truth(text: str, pf: sk.Portfolio) -> list[bool | None]:
    node = parse_condition(text)
    value, _ = _compiled(node, pf)
    assert isinstance(value, Truth)
    return [True if t else False if f else None for t, f in zip(value.true, value.false,
                                                                 strict=True)]


def _kleene_not(a: bool | None) -> bool | None:
    return None if a is None else not a


def _kleene_and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _kleene_or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


P = [row[2] for row in ROWS]
Q = [row[3] for row in ROWS]


def test_and_or_not_follow_kleene(pf: sk.Portfolio) -> None:
    assert _truth("p and q", pf) == [_kleene_and(a, b) for a, b in zip(P, Q, strict=True)]
    assert _truth("p or q", pf) == [_kleene_or(a, b) for a, b in zip(P, Q, strict=True)]
    assert _truth("not p", pf) == [_kleene_not(a) for a in P]
    assert _truth("not (p and q)", pf) == [
        _kleene_not(_kleene_and(a, b)) for a, b in zip(P, Q, strict=True)
    ]
    # the documented cases: unknown and false is false, unknown or true is true
    assert _truth("p and false", pf)[6] is False
    assert _truth("p or true", pf)[6] is True
    assert _truth("not p", pf)[6] is None


@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_comparisons_are_unknown_with_a_missing_side(op: str, pf: sk.Portfolio) -> None:
    import operator

    fn = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
          ">": operator.gt, ">=": operator.ge}[op]
    expected = [None if r[0] is None or r[1] is None else fn(r[0], r[1]) for r in ROWS]
    assert _truth(f"x {op} y", pf) == expected
    assert _truth(f"y {op} x", pf) == [
        None if r[0] is None or r[1] is None else fn(r[1], r[0]) for r in ROWS
    ]
    assert _truth(f"x {op} 1", pf) == [None if r[0] is None else fn(r[0], 1.0) for r in ROWS]


@pytest.mark.parametrize("op", ["=", "!="])
def test_category_and_boolean_equality_with_missing(op: str, pf: sk.Portfolio) -> None:
    same = op == "="
    assert _truth(f'c {op} "high"', pf) == [
        None if r[4] is None else (r[4] == "high") == same for r in ROWS
    ]
    assert _truth(f'c {op} "never seen"', pf) == [None if r[4] is None else not same
                                                   for r in ROWS]
    assert _truth(f"p {op} true", pf) == [None if a is None else (a is True) == same for a in P]
    assert _truth(f"p {op} q", pf) == [
        None if a is None or b is None else (a == b) == same for a, b in zip(P, Q, strict=True)
    ]


def test_dates_compare_with_missing(pf: sk.Portfolio) -> None:
    assert _truth("d < 2026-02-01", pf) == [
        None if r[5] is None else r[5] < "2026-02-01" for r in ROWS
    ]


def test_between_in_is_missing(pf: sk.Portfolio) -> None:
    def between(x: float | None, lo: float | None, hi: float | None) -> bool | None:
        ge = None if x is None or lo is None else x >= lo
        le = None if x is None or hi is None else x <= hi
        return _kleene_and(ge, le)

    assert _truth("x between 1 and 2", pf) == [between(r[0], 1, 2) for r in ROWS]
    assert _truth("x between y and 2", pf) == [between(r[0], r[1], 2) for r in ROWS]
    assert _truth("1.5 between x and y", pf) == [between(1.5, r[0], r[1]) for r in ROWS]
    assert _truth("x not between y and 2", pf) == [
        _kleene_not(between(r[0], r[1], 2)) for r in ROWS
    ]
    assert _truth('c in ("high", "tech")', pf) == [
        None if r[4] is None else r[4] in ("high", "tech") for r in ROWS
    ]
    assert _truth('c not in ("high")', pf) == [None if r[4] is None else r[4] != "high"
                                               for r in ROWS]
    assert _truth("x in (1, 3)", pf) == [None if r[0] is None else r[0] in (1, 3) for r in ROWS]
    assert _truth("x is missing", pf) == [r[0] is None for r in ROWS]
    assert _truth("c is not missing", pf) == [r[4] is not None for r in ROWS]
    assert _truth("p is missing", pf) == [a is None for a in P]
    assert _truth("d is missing", pf) == [r[5] is None for r in ROWS]


def test_arithmetic_with_missing_and_zero(pf: sk.Portfolio) -> None:
    assert _truth("x / (y - y) > 0", pf) == [None] * len(ROWS)
    assert _truth("x + y > 2", pf) == [
        None if r[0] is None or r[1] is None else r[0] + r[1] > 2 for r in ROWS
    ]
    assert _truth("min(x, y) = 1", pf) == [
        None if r[0] is None or r[1] is None else min(r[0], r[1]) == 1 for r in ROWS
    ]


def test_constant_conditions_broadcast(pf: sk.Portfolio) -> None:
    assert _truth("1 < 2", pf) == [True] * len(ROWS)
    assert _truth("true = false", pf) == [False] * len(ROWS)
    assert _truth("not (1 > 2)", pf) == [True] * len(ROWS)


def test_shared_predicates_are_evaluated_once(pf: sk.Portfolio) -> None:
    from successkit.dsl.compile import compile_many

    nodes = [parse_condition("x > 1 and p"), parse_condition("x > 1 or q")]
    types = check(nodes, pf.schema)
    frame = Timeline(pf).frame()
    first, second = compile_many(nodes, types)
    first(frame)
    shared = frame.cache[parse_condition("x > 1")]
    second(frame)
    assert frame.cache[parse_condition("x > 1")] is shared


@given(st.lists(st.one_of(st.none(), st.floats(-5, 5)), min_size=1, max_size=30))
def test_number_comparison_batch_equals_single(values: list[float | None]) -> None:
    ids = [f"a{i}" for i in range(len(values))]
    pf = sk.Portfolio.from_columns({"id": ids, "x": values}, kinds={"x": "number"})
    batch = _truth("x >= 0.5 or x < -1", pf)
    for i, account in enumerate(ids):
        single = _truth("x >= 0.5 or x < -1", pf.take([i]))
        assert single == [batch[i]], account
