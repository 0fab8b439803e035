"""The shared arithmetic-expression API (metric sources use it)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk


@pytest.fixture
def pf() -> sk.Portfolio:
    return sk.Portfolio.from_columns(
        {
            "id": ["a", "b", "c", "d"],
            "activated_users": [8, 5, None, 3],
            "seats": [10, 0, 4, 0],
            "tier": ["high", "low", "high", None],
            "ok": [True, False, None, True],
            "D-3 Login Rate": [0.1, 0.2, 0.3, None],
            "renewal": ["2026-01-01", None, "2026-02-01", "2026-03-01"],
        },
        kinds={"renewal": "date"},
        as_of="2026-04-01",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("activated_users / seats", [0.8, np.nan, np.nan, np.nan]),
        ("-activated_users * 2 + 1", [-15, -9, np.nan, -5]),
        ("abs(-seats) + min(seats, activated_users)", [18, 0, np.nan, 0]),
        ("max(`D-3 Login Rate`, 0)", [0.1, 0.2, 0.3, np.nan]),
        ("ok + 1", [2, 1, np.nan, 2]),
        ("1 / seats", [0.1, np.nan, 0.25, np.nan]),
        ("0 / 0", [np.nan] * 4),
        ("seats / (seats - seats)", [np.nan] * 4),
        ("days_since(renewal)", [90, np.nan, 59, 31]),
        ("days_until(renewal)", [-90, np.nan, -59, -31]),
        ("renewal - 2026-01-01", [0, np.nan, 31, 59]),
        ("(renewal + 2w) - renewal", [14, np.nan, 14, 14]),
        ("30% * seats", [3, 0, 1.2, 0]),
        ("2 - 3 - 4", [-5] * 4),
        ("2 * (3 + 4) / 7", [2] * 4),
        ("1_000", [1000] * 4),
    ],
)
def test_values(pf: sk.Portfolio, text: str, expected: list[float]) -> None:
    values = sk.evaluate_expression(sk.parse_expression(text), pf)
    assert values.dtype == np.float64
    np.testing.assert_allclose(values, expected)


def test_result_is_a_fresh_writeable_array(pf: sk.Portfolio) -> None:
    values = sk.evaluate_expression("seats", pf)
    values[0] = -1.0
    assert pf["seats"][0] == 10


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("(activated_users + x) / seats - x", ("activated_users", "x", "seats")),
        ("health.score * 2", ("health.score",)),
        ("max(`D-3 Login Rate`, 0)", ("D-3 Login Rate",)),
        ("ログイン率 / 2", ("ログイン率",)),
        ("1 + 2", ()),
    ],
)
def test_names_in_order_of_first_use(text: str, names: tuple[str, ...]) -> None:
    assert sk.expression_names(sk.parse_expression(text)) == names


def test_unknown_name_suggests(pf: sk.Portfolio) -> None:
    with pytest.raises(sk.RuleNameError) as info:
        sk.evaluate_expression(sk.parse_expression("activated_user / seats"), pf)
    assert info.value.name == "activated_user"
    assert info.value.suggestion == "activated_users"
    assert str(info.value) == (
        "line 1, column 1: unknown name 'activated_user'; did you mean 'activated_users'?\n"
        "  activated_user / seats\n"
        "  ^^^^^^^^^^^^^^"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tier", "expected a number, found category 'tier'"),
        ("renewal", "expected a number, found date 'renewal'"),
        ("tier + 1", "cannot add category 'tier'"),
        ("seats * renewal", "cannot multiply date 'renewal'"),
        ("abs(tier)", "cannot take abs() of category 'tier'"),
    ],
)
def test_non_numbers_are_type_errors(pf: sk.Portfolio, text: str, message: str) -> None:
    with pytest.raises(sk.RuleTypeError) as info:
        sk.evaluate_expression(sk.parse_expression(text), pf)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x +", "unexpected end of text; expected a value"),
        ("a > 1", "unexpected '>'; expected '+', '-', end of text"),
        ("(a", "unexpected end of text"),
        ("a b", "unexpected name 'b'"),
        ("'x", "unclosed string"),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(sk.RuleSyntaxError) as info:
        sk.parse_expression(text)
    assert info.value.message.startswith(message)
    assert info.value.line == 1
    assert "^" in str(info.value)


numbers = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))


@given(
    st.lists(st.tuples(numbers, numbers), min_size=1, max_size=20),
    st.sampled_from(["+", "-", "*", "/"]),
)
def test_binary_operators_match_python(rows: list[tuple[float | None, float | None]], op: str) -> None:
    ids = [str(i) for i in range(len(rows))]
    pf = sk.Portfolio.from_columns(
        {"id": ids, "x": [r[0] for r in rows], "y": [r[1] for r in rows]},
        kinds={"x": "number", "y": "number"},
    )
    got = sk.evaluate_expression(f"x {op} y", pf)
    for value, (x, y) in zip(got, rows, strict=True):
        if x is None or y is None or (op == "/" and y == 0):
            assert np.isnan(value)
        else:
            expected = {"+": x + y, "-": x - y, "*": x * y, "/": x / y if y else 0}[op]
            assert value == expected
