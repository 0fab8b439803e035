"""The lean LALR driver gives exactly what Lark's own parse loop gives: trees, spans, errors."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from strategies import dsl_nodes, dsl_rules
from successkit.dsl import _driver, _parser, ast
from successkit.dsl._driver import LalrDriver
from successkit.dsl.format import format_node, format_rules


class _LarkLoop:
    """Stands in for the driver: Lark's own ``parse``, the reference."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser

    def parse(self, text: str, start: str) -> Any:
        return self.parser.parse(text, start=start)


_PARSERS = {
    "playbook": _parser.parse_rules,
    "condition_only": _parser.parse_condition,
    "expression": _parser.parse_expression,
}


def _spans(result: Any) -> list[Any]:
    nodes = result if isinstance(result, tuple) else (result,)
    spans = []
    for top in nodes:
        for node in ast.walk(top):
            spans.append(node.span)
            if isinstance(node, ast.Action):
                spans.extend(value.span for _, value in node.arguments)
    return spans


def _outcome(start: str, text: str) -> Any:
    """The tree with every span, or the error with everything it reports."""
    try:
        result = _PARSERS[start](text)
    except sk.RuleError as error:
        return ("error", str(error), error.line, error.column, error.end_column, error.hint,
                type(error.__cause__).__name__)
    return ("tree", result, _spans(result))


def _same_either_way(start: str, text: str) -> None:
    driven = _outcome(start, text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_parser, "_driver", _LarkLoop(_parser._lark()))
        reference = _outcome(start, text)
    assert driven == reference, text


_PIECES = [
    "when", "then", "rule", "r:", "and", "or", "not", "in", "between", "is", "missing",
    "becomes", "as", "risk", "priority", "owner", "due", "cooldown", "true", "x", "a.b",
    "`q x`", "f(", "(", ")", ",", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/",
    "12", "30%", "7d", "2026-04-01", '"s"', "'open", "#c\n", "\n", " ", "\u3000", "!", "€",
]


def test_driver_matches_lark_on_random_text() -> None:
    rng = random.Random(20261122)
    for _ in range(1500):
        text = " ".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 12)))
        for start in _PARSERS:
            _same_either_way(start, text)


@given(dsl_rules(max_rules=2), st.data())
def test_driver_matches_lark_on_rules_and_their_mutations(
    rules: tuple[ast.Rule, ...], data: st.DataObject
) -> None:
    text = format_rules(rules)
    _same_either_way("playbook", text)
    if text:  # a syntax error somewhere: a character dropped or inserted
        where = data.draw(st.integers(0, len(text) - 1))
        extra = data.draw(st.sampled_from(["", "(", ")", "=", " and ", " then ", ",", '"']))
        _same_either_way("playbook", text[:where] + extra + text[where + 1 :])


@given(dsl_nodes)
def test_driver_matches_lark_on_conditions(node: ast.Node) -> None:
    _same_either_way("condition_only", format_node(node))
    _same_either_way("expression", format_node(node))


def test_driver_matches_lark_at_the_nesting_limit() -> None:
    limit = _parser.MAX_DEPTH
    for depth in (limit - 1, limit, limit + 1):
        for text in (
            "when " + "not " * depth + "a then b",
            "when " + "-" * depth + "(a) > 1 then b",
            "when " + "abs(" * depth + "a" + ")" * depth + " then b",
            "when " + "(a or " * depth + "b" + ")" * depth + " then b",
        ):
            _same_either_way("playbook", text)


def test_driver_reuses_its_tables() -> None:
    parser = _parser._lark()
    driver = LalrDriver(parser)
    first = driver.parse("x > 1", "condition_only")
    tables = driver._tables
    assert driver.parse("x > 1", "condition_only") == first
    assert driver._tables is tables


def test_without_lark_internals_lark_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Lark without the internals the driver reads: Lark's own parse does the work, with
    the same trees, spans and errors."""
    texts = [
        'rule r "T": when a > 1 and b in ("x", 2) then c(n = 1) as risk\nwhen d then e',
        "when not (a or b) between 1 and 2 then c",
        "when a > then b",
        "when a == 1 then b",
        "when a then",
    ]
    expected = [_outcome("playbook", text) for text in texts]
    driver = LalrDriver(_parser._lark())
    monkeypatch.setattr(_driver, "_Shift", None)
    monkeypatch.setattr(_parser, "_driver", driver)
    assert [_outcome("playbook", text) for text in texts] == expected
    assert driver._tables is None  # the driver's own tables were never built
