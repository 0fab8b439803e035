"""Exact semantics of the rule language (issue 15a): the corners docs/playbook-language.md
decides, each with a regression test."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

import successkit as sk
from successkit.dsl import ast
from successkit.dsl._parser import parse_condition

AS_OF = dt.date(2026, 10, 1)


@pytest.fixture
def pf() -> sk.Portfolio:
    return sk.Portfolio.from_columns(
        {
            "id": ["a", "b", "c"],
            "ok": [True, False, None],
            "ok2": [True, True, False],
            "rate": [0.333, 0.5, None],
            "u": [2.0, 3.0, None],
        },
        as_of=AS_OF,
    )


def _fired(text: str, data: sk.Portfolio | sk.History) -> list[str]:
    playbook = sk.Playbook.parse(f"when {text} then act")
    return sorted(c.account_id for c in playbook.evaluate(data))


# -- 1. booleans compared with numbers read as 1/0, for every operator ---------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ok = 2", []),
        ("ok in (2)", []),  # was: fired where ok (truthiness)
        ("ok in (1%)", []),
        ("ok in (2, 3)", []),
        ("ok = 1", ["a"]),
        ("ok in (1)", ["a"]),
        ("ok in (0)", ["b"]),
        ("ok not in (2)", ["a", "b"]),  # known and not 2; missing stays unknown
        ("ok in (true)", ["a"]),
        ("ok not in (true)", ["b"]),
        ("ok in (true, 2)", ["a"]),
        ("ok > 0", ["a"]),
        ("ok between 1 and 2", ["a"]),
        ("ok = true", ["a"]),
    ],
)
def test_boolean_against_numbers_follows_equals(pf: sk.Portfolio, text: str,
                                                expected: list[str]) -> None:
    assert _fired(text, pf) == expected


def test_boolean_becomes_a_number_as_equals_says() -> None:
    history = sk.History([
        sk.Portfolio.from_columns({"id": ["a", "b"], "ok": [False, True]}, as_of="2026-09-01"),
        sk.Portfolio.from_columns({"id": ["a", "b"], "ok": [True, True]}, as_of="2026-10-01"),
    ])
    assert _fired("ok becomes 1", history) == _fired("ok becomes true", history) == ["a"]
    assert _fired("ok becomes 2", history) == []
    assert _fired("ok >= 1", history) == _fired("ok != 0", history) == ["a", "b"]


def test_two_booleans_compare_only_with_equals(pf: sk.Portfolio) -> None:
    assert _fired("ok = ok2", pf) == ["a"]
    with pytest.raises(sk.RuleTypeError, match="true/false values compare only"):
        sk.Playbook.parse("when ok < ok2 then act").evaluate(pf)


# -- 2. N% is the decimal N/100 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("33.3%", 0.333), ("30%", 0.3), ("0.1%", 0.001), ("7%", 0.07), ("1_2.5%", 0.125),
     ("100%", 1.0), ("57%", 0.57), ("0.07%", 0.0007), ("1e0", 1.0)],
)
def test_percent_literal_is_the_decimal_it_names(text: str, value: float) -> None:
    node = parse_condition(f"x = {text}")
    assert isinstance(node, ast.Compare)
    assert isinstance(node.right, ast.Number)
    assert node.right.number == value  # exactly, not within a tolerance
    assert ast.Number(-float(text.rstrip("%").replace("_", "")) if "%" in text else 0,
                      percent="%" in text).number == (-value if "%" in text else 0)


def test_percent_compares_and_carries_exactly(pf: sk.Portfolio) -> None:
    assert _fired("rate = 33.3%", pf) == ["a"]
    ctas = sk.Playbook.parse("when rate = 33.3% then act(share = 33.3%)").evaluate(pf)
    assert [c.arguments["share"] for c in ctas] == [0.333]


# -- 3. NaN from literals alone is missing -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1e308 * 10 - 1e308 * 10 = 1",
        "1e308 * 10 - 1e308 * 10 != 1",
        "1e308 * 10 - 1e308 * 10 < 1",
        "1e308 * 10 - 1e308 * 10 in (1)",
        "1e308 * 10 - 1e308 * 10 not in (1)",
        "not (1e308 * 10 - 1e308 * 10 = 1)",
        "1e308 * 10 - 1e308 * 10 is not missing",
    ],
)
def test_nan_from_literals_never_fires(pf: sk.Portfolio, text: str) -> None:
    assert _fired(text, pf) == []


def test_nan_from_literals_is_missing(pf: sk.Portfolio) -> None:
    assert _fired("1e308 * 10 - 1e308 * 10 is missing", pf) == ["a", "b", "c"]
    # the same as NaN from a column: u - u is missing where u is
    assert _fired("u * 0 + (1e308 * 10 - 1e308 * 10) is missing", pf) == ["a", "b", "c"]


# -- 4. one notion of a line: str.splitlines ------------------------------------------------------


@pytest.mark.parametrize("brk", ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e",
                                 "\x85", "\u2028", "\u2029"])
@pytest.mark.parametrize("before", ["", "# note"])
def test_errors_count_and_quote_the_same_lines(brk: str, before: str) -> None:
    text = f"x = 1 {before}{brk}  and {brk}  y ! 2"
    with pytest.raises(sk.RuleSyntaxError) as info:
        parse_condition(text)
    error = info.value
    assert (error.line, error.column) == (3, 5)
    rendered = str(error).splitlines()
    assert rendered[1] == "    y ! 2"
    assert rendered[2] == "      ^"
    assert text.splitlines()[error.line - 1] == "  y ! 2"


@pytest.mark.parametrize("brk", ["\r", "\u2028", "\x85"])
def test_type_errors_are_placed_on_the_right_line(brk: str) -> None:
    text = f"when x > 1{brk}then act{brk}when tier > 5 then act"
    with pytest.raises(sk.RuleTypeError) as info:
        sk.Playbook.parse(text).evaluate(
            sk.Portfolio.from_columns({"id": ["a"], "x": [1.0], "tier": ["high"]})
        )
    assert (info.value.line, info.value.column) == (3, 6)
    assert "\n  when tier > 5 then act\n       ^" in str(info.value)


@pytest.mark.parametrize("brk", ["\r", "\u2028", "\x0c"])
def test_a_line_break_ends_comments_and_strings(brk: str) -> None:
    # a comment ends at any line break, so the rule after it is read
    node = parse_condition(f"x = 1 # note{brk}and y = 2")
    assert isinstance(node, ast.And)
    with pytest.raises(sk.RuleSyntaxError):
        parse_condition(f"x = 'a{brk}b'")


# -- decisions: history functions, becomes, due, nesting, numbers -----------------------------


@pytest.fixture
def history() -> sk.History:
    return sk.History([
        sk.Portfolio.from_columns({"id": ["a", "b", "c"], "u": [2.0, None, 1.0],
                                   "d": ["2026-08-01", "2026-08-01", None]},
                                  kinds={"d": "date"}, as_of="2026-09-01"),
        sk.Portfolio.from_columns({"id": ["a", "b", "c", "new"], "u": [2.0, 2.0, 2.0, 2.0],
                                   "d": ["2026-08-01", "2026-08-01", None, None]},
                                  kinds={"d": "date"}, as_of="2026-10-01"),
    ])


def test_becomes_with_missing_earlier_value_or_absent_account(history: sk.History) -> None:
    # a: was 2 already; b: earlier value missing; c: was 1; new: absent earlier
    assert _fired("u becomes 2", history) == ["c"]
    # unknown (not false) where the earlier value is missing or the account was absent
    assert _fired("not (u becomes 2)", history) == ["a"]


def test_history_functions_on_a_single_portfolio_see_every_earlier_value_missing(
    pf: sk.Portfolio,
) -> None:
    assert _fired("previous(u, 30d) is missing", pf) == ["a", "b", "c"]
    assert _fired("delta(u, 30d) is missing", pf) == ["a", "b", "c"]
    assert _fired("u becomes 2", pf) == []
    assert _fired("not (u becomes 2)", pf) == ["b"]  # known now and not 2: cannot become 2


def test_zero_day_window_is_rejected(pf: sk.Portfolio) -> None:
    for function in ("change", "delta", "previous"):
        with pytest.raises(sk.RuleTypeError, match=r"must be at least 1d"):
            sk.Playbook.parse(f"when {function}(u, 0d) > 0 then act").evaluate(pf)


def _two(first: str, second: str) -> sk.History:
    return sk.History([
        sk.Portfolio.from_columns({"id": ["a"], "u": [1.0]}, as_of=first),
        sk.Portfolio.from_columns({"id": ["a"], "u": [5.0]}, as_of=second),
    ])


@pytest.mark.parametrize(
    ("first", "window", "fires"),
    [
        ("2026-09-01", "30d", True),  # exactly 30 days back
        ("2026-09-16", "30d", True),  # 15 days off: half the window, edge included
        ("2026-09-17", "30d", False),  # 16 days off: outside
        ("2026-08-17", "30d", True),  # 15 days too old: still within half
        ("2026-08-16", "30d", False),
        ("2026-09-30", "1d", True),  # 1d: half of 1 is 0 days, so exactly 1 day back
        ("2026-09-29", "1d", False),
    ],
)
def test_which_snapshot_delta_picks(first: str, window: str, fires: bool) -> None:
    assert (_fired(f"delta(u, {window}) = 4", _two(first, "2026-10-01")) == ["a"]) is fires


def test_ties_go_to_the_older_snapshot() -> None:
    history = sk.History([
        sk.Portfolio.from_columns({"id": ["a"], "u": [1.0]}, as_of="2026-08-31"),  # 31 back
        sk.Portfolio.from_columns({"id": ["a"], "u": [3.0]}, as_of="2026-09-02"),  # 29 back
        sk.Portfolio.from_columns({"id": ["a"], "u": [5.0]}, as_of="2026-10-01"),
    ])
    assert _fired("previous(u, 30d) = 1", history) == ["a"]


def test_days_since_inside_previous_counts_from_the_earlier_snapshot(
    history: sk.History,
) -> None:
    # d = 2026-08-01: 31 days before 2026-09-01 (the earlier as_of), 61 before now
    assert _fired("previous(days_since(d), 30d) = 31", history) == ["a", "b"]
    assert _fired("days_since(d) = 61", history) == ["a", "b"]


def test_due_counts_from_now_when_given_else_from_as_of(pf: sk.Portfolio) -> None:
    playbook = sk.Playbook.parse("when ok then act due 7d")
    (cta,) = playbook.evaluate(pf)
    assert (cta.created, cta.due) == (AS_OF, AS_OF + dt.timedelta(days=7))
    (cta,) = playbook.evaluate(pf, now="2026-10-10")
    assert (cta.created, cta.due) == (dt.date(2026, 10, 10), dt.date(2026, 10, 17))


@pytest.mark.parametrize("text", ["x = 1_", "x = 1__0", "x = 1._5", "x = 2_%",
                                  "delta(x, 1_d) > 0", "x = 1_e5"])
def test_underscores_only_between_digits(text: str) -> None:
    with pytest.raises(sk.RuleSyntaxError):
        parse_condition(text)


@pytest.mark.parametrize(("text", "value"), [("1_000", 1000.0), ("0.000_1", 0.0001),
                                             ("1_0e1_0", None)])
def test_underscores_between_digits_are_read(text: str, value: float | None) -> None:
    if value is None:
        with pytest.raises(sk.RuleSyntaxError):
            parse_condition(f"x = {text}")
        return
    node = parse_condition(f"x = {text}")
    assert isinstance(node, ast.Compare)
    assert node.right == ast.Number(value)


def test_a_flat_chain_is_not_nesting(pf: sk.Portfolio) -> None:
    from successkit.dsl._parser import MAX_DEPTH, MAX_HEIGHT

    # 101 terms, and up to MAX_HEIGHT terms, of + (or of * and /) parse, evaluate, format
    # and pickle: a chain is one level of nesting however long
    for terms in (MAX_DEPTH + 1, MAX_HEIGHT):
        chain = " + ".join(["u"] * terms)
        playbook = sk.Playbook.parse(f"when {chain} > {2 * terms} then act(n = 1)")
        assert [c.account_id for c in playbook.evaluate(pf)] == ["b"]
        assert sk.Playbook.parse(playbook.format()) == playbook
        assert pickle.loads(pickle.dumps(playbook)) == playbook
        assert next(c.reason for c in playbook.evaluate(pf)).startswith("u + u")
    parse_condition(" * ".join(["u"] * 60) + " / u - " + " - ".join(["u"] * 60) + " > 0")
    # and/or chains are one node however long: not nesting
    parse_condition(" and ".join(["x > 0"] * 1000))


def test_nesting_limit_counts_operators_inside_operators() -> None:
    from successkit.dsl._parser import MAX_DEPTH

    # right-nested: x + (x + (x + ...)) is nesting; so is a change of precedence
    right = "x"
    for _ in range(MAX_DEPTH - 1):
        right = f"x + ({right})"
    parse_condition(right + " > 0")
    with pytest.raises(sk.RuleSyntaxError, match="nested too deeply"):
        parse_condition(f"x + ({right}) > 0")
    with pytest.raises(sk.RuleSyntaxError, match="nested too deeply"):
        parse_condition("not " * (MAX_DEPTH + 1) + "x")


def test_a_chain_too_long_for_the_tree_is_its_own_error() -> None:
    from successkit.dsl._parser import MAX_HEIGHT

    with pytest.raises(sk.RuleSyntaxError, match=r"too many operators in one expression "
                       r"\(more than 200 levels") as info:
        parse_condition(" + ".join(["x"] * (MAX_HEIGHT + 1)) + " > 0")
    assert "nested" not in str(info.value)
    # nesting and chains add up in the tree's height
    with pytest.raises(sk.RuleSyntaxError, match="too many operators"):
        parse_condition("abs(" * 90 + " + ".join(["x"] * 120) + ")" * 90 + " > 0")


@pytest.mark.parametrize("text", ["a\u2028b", "a\x85", "\x1c", "a\r\nb"])
def test_strings_with_line_breaks_round_trip_as_escapes(text: str) -> None:
    from successkit.dsl.format import format_literal

    written = format_literal(ast.String(text))
    assert not any(ch in written for ch in "\n\r\x1c\x85\u2028")
    node = parse_condition(f"x = {written}")
    assert isinstance(node, ast.Compare)
    assert node.right == ast.String(text)
