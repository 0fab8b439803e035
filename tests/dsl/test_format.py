"""Canonical text: format() is the inverse of parse()."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

import successkit as sk
from strategies import dsl_nodes, dsl_rules
from successkit.dsl import ast
from successkit.dsl._parser import parse_condition, parse_rules
from successkit.dsl.format import format_name, format_node, format_rules


@settings(max_examples=300)
@given(dsl_rules())
def test_parse_inverts_format(rules: tuple[ast.Rule, ...]) -> None:
    pb = sk.Playbook(rules)
    text = pb.format()
    again = sk.Playbook.parse(text)
    assert again == pb
    assert again.format() == text  # canonical text is a fixed point


@settings(max_examples=300)
@given(dsl_nodes)
def test_conditions_round_trip(node: ast.Node) -> None:
    assert parse_condition(format_node(node)) == node


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a+b*c", "a + b * c"),
        ("(a+b)*c", "(a + b) * c"),
        ("a-(b-c)", "a - (b - c)"),
        ("(a-b)-c", "a - b - c"),
        ("a/(b*c)", "a / (b * c)"),
        ("- -a", "- -a"),
        ("-(a+b)", "-(a + b)"),
        ("a - -3", "a - -3"),
        ("x>=80 %", None),
        ("(a or b) and c", "(a or b) and c"),
        ("a or (b and c)", "a or b and c"),
        ("(a or b) or c", "(a or b) or c"),
        ("not not a", "not not a"),
        ("not (a and b)", "not (a and b)"),
        ("(a > 1) = true", "(a > 1) = true"),
        ("x NOT BETWEEN 1 AND 2", "x not between 1 and 2"),
        ("t in ('a',\"b\")", 't in ("a", "b")'),
        ("x IS NOT MISSING", "x is not missing"),
        ("`D-3 Login Rate` < 30%", "`D-3 Login Rate` < 30%"),
        ("`plain` < 0.5", "plain < 0.5"),
        ("`when` = 1", "`when` = 1"),
        ("d < 2026-04-01 + 14d", "d < 2026-04-01 + 2w"),
        ("x = 1_000.5", "x = 1000.5"),
        ("x = 1e20", "x = 1e+20"),
        ("x = 0.1", "x = 0.1"),
        ("s = 'it\\'s \"q\"'", 's = "it\'s \\"q\\""'),
    ],
)
def test_canonical_text(text: str, canonical: str | None) -> None:
    if canonical is None:
        with pytest.raises(sk.RuleSyntaxError):
            parse_condition(text)
        return
    node = parse_condition(text)
    assert format_node(node) == canonical
    assert parse_condition(canonical) == node


def test_rules_keep_their_automatic_names() -> None:
    text = "when a then b\n\n# a comment\nwhen c then d as opportunity priority high\n"
    rules = parse_rules(text)
    assert [r.name for r in rules] == ["rule_1", "rule_4"]
    formatted = format_rules(rules)
    assert formatted == (
        "when a then b\n"
        "rule rule_4:\n"
        "  when c\n"
        "  then d\n"
        "  as opportunity priority high\n"
    )
    assert parse_rules(formatted) == rules


def test_options_and_titles() -> None:
    text = (
        'rule keyperson_drop "Key person\'s usage dropped":\n'
        "  when change(keyperson_usage, 30d) <= -20%\n"
        "  then propose_meeting\n"
        "  as risk priority high owner csm due 7d\n"
    )
    pb = sk.Playbook.parse(text)
    assert pb.format() == (
        'rule keyperson_drop "Key person\'s usage dropped":\n'
        "  when change(keyperson_usage, 1mo) <= -20%\n"
        "  then propose_meeting\n"
        "  priority high owner csm due 1w\n"
    )
    assert sk.Playbook.parse(pb.format()) == pb


def test_owner_and_arguments() -> None:
    pb = sk.Playbook.parse(
        'when x then upsell(with = "sales", n = -2, at = 2026-01-01) owner "Jane Doe"'
    )
    assert pb.format() == (
        'when x then upsell(with = "sales", n = -2, at = 2026-01-01) owner "Jane Doe"\n'
    )


def test_names_that_cannot_be_written() -> None:
    with pytest.raises(sk.ModelError):
        format_name("a`b")
    rule = ast.Rule(name="r", condition=ast.Name("x"), actions=(ast.Action("not valid"),))
    with pytest.raises(sk.ModelError, match="action"):
        sk.Playbook([rule]).format()
