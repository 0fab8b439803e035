"""Text → syntax tree: the grammar, the examples of DSL.md, and every syntax error."""

from __future__ import annotations

import datetime as dt
import random

import pytest

import successkit as sk
from dsl_examples import DSL_EXAMPLES
from successkit.dsl import ast
from successkit.dsl._parser import (
    MAX_DEPTH,
    MAX_HEIGHT,
    grammar_text,
    parse_condition,
    parse_expression,
    parse_rules,
)


def test_dsl_examples_parse() -> None:
    rules = parse_rules(DSL_EXAMPLES)
    assert [r.name for r in rules] == [
        "keyperson_drop", "rule_7", "rule_8", "rule_9", "rule_10", "rule_11", "rule_15",
        "rule_16", "rule_17", "rule_18", "rule_19",
    ]
    first = rules[0]
    assert first.title == "Key person's usage dropped"
    assert first.condition == ast.Compare(
        "<=",
        ast.Call("change", (ast.Name("keyperson_usage"), ast.Duration(30))),
        ast.Number(-20, percent=True),
    )
    assert (first.kind, first.priority, first.owner, first.due, first.cooldown) == (
        "risk", "high", "csm", 7, None,
    )
    assert rules[2].cooldown == 14
    assert [a.name for a in rules[3].actions] == ["ask_case_study", "invite_seminar_talk"]
    assert rules[5].actions[0].arguments == (("with", ast.String("sales")),)
    assert rules[5].condition.operands[1] == ast.In(  # type: ignore[attr-defined]
        ast.Name("tier"), (ast.String("high"), ast.String("low"))
    )
    assert rules[6].condition == ast.Becomes(ast.Name("health.band"), ast.String("red"))
    assert rules[9].condition == ast.Between(
        operand=ast.Name("D-3 Login Rate"),
        low=ast.Number(25, percent=True),
        high=ast.Number(50, percent=True),
    )
    assert rules[10].actions[0].name == "管理者に状況確認"
    # defaults: as risk, priority medium, no owner, due or cooldown
    assert (rules[7].kind, rules[7].priority, rules[7].owner, rules[7].due) == (
        "risk", "medium", None, None,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", ast.Number(12)),
        ("2.5", ast.Number(2.5)),
        ("1_000", ast.Number(1000)),
        ("30%", ast.Number(30, percent=True)),
        ("7d", ast.Duration(7)),
        ("2w", ast.Duration(14)),
        ("3mo", ast.Duration(90)),
        ("1y", ast.Duration(365)),
        ("2026-04-01", ast.DateLiteral(dt.date(2026, 4, 1))),
        ('"x y"', ast.String("x y")),
        ("'x y'", ast.String("x y")),
        ("true", ast.Boolean(True)),
        ("FALSE", ast.Boolean(False)),
        ("-3", ast.Number(-3)),
        ("health.score", ast.Name("health.score")),
        ("`D-3 Login Rate`", ast.Name("D-3 Login Rate")),
        ("ログイン率", ast.Name("ログイン率")),
    ],
)
def test_literals_and_names(text: str, expected: ast.Node) -> None:
    assert parse_expression(text) == expected


def test_precedence() -> None:
    a, b, c = ast.Name("a"), ast.Name("b"), ast.Name("c")
    assert parse_condition("a or b and c") == ast.Or((a, ast.And((b, c))))
    assert parse_condition("not a and b") == ast.And((ast.Not(a), b))
    assert parse_expression("a + b * c") == ast.Arithmetic(
        "+", a, ast.Arithmetic("*", b, c)
    )
    assert parse_expression("-a * b") == ast.Arithmetic("*", ast.Negate(a), b)
    assert parse_condition("a > 1 and b") == ast.And((ast.Compare(">", a, ast.Number(1)), b))


def test_keywords_are_case_insensitive_and_reserved() -> None:
    rules = parse_rules("WHEN a > 1 THEN b AS Opportunity PRIORITY HIGH")
    assert (rules[0].kind, rules[0].priority) == ("opportunity", "high")
    with pytest.raises(sk.RuleSyntaxError):
        parse_rules("when missing > 1 then b")
    assert parse_condition("`missing` > 1") == ast.Compare(
        ">", ast.Name("missing"), ast.Number(1)
    )
    # a keyword inside a longer word is just a name
    assert parse_condition("whenever") == ast.Name("whenever")


def test_spans_locate_nodes_but_do_not_affect_equality() -> None:
    one = parse_condition("x > 1")
    two = parse_condition("\n\n   x   >   1")
    assert one == two
    assert hash(one) == hash(two)
    assert one.span is not None
    assert two.span is not None
    assert (one.span.line, one.span.column) == (1, 1)
    assert (two.span.line, two.span.column, two.span.end_column) == (3, 4, 13)


def test_grammar_is_package_data() -> None:
    text = grammar_text()
    assert "playbook: rule*" in text
    assert "cache" not in text


# -- errors: exact rendered text -------------------------------------------------------------

GOLDEN = [
    (
        "when first_login_rate <= then contact_admin",
        "line 1, column 26: expected a value after '<='\n"
        "  when first_login_rate <= then contact_admin\n"
        "                           ^^^^",
    ),
    (
        "when login_rate < 30% contact_admin",
        "line 1, column 23: unexpected name 'contact_admin'; expected 'and', 'or', 'then', "
        "'*', '+', '-', '/' (a rule reads 'when <condition> then <action>'; is 'then' "
        "missing?)\n"
        "  when login_rate < 30% contact_admin\n"
        "                        ^^^^^^^^^^^^^",
    ),
    (
        "when tier == \"high\" then call",
        "line 1, column 11: '==' is not an operator (compare with a single '=')\n"
        "  when tier == \"high\" then call\n"
        "            ^^",
    ),
    (
        'when tier = "high then call',
        "line 1, column 13: unclosed string (end the string with \" on the same line)\n"
        '  when tier = "high then call\n'
        "              ^",
    ),
    (
        "when a > 1 then",
        "line 1, column 16: unexpected end of text; expected a name (name the action after "
        "'then', e.g. 'then contact_admin')\n"
        "  when a > 1 then\n"
        "                 ^",
    ),
    (
        "a > 1 then b",
        "line 1, column 1: unexpected name 'a'; expected 'rule', 'when', end of text (a rule "
        "starts with 'when' (or 'rule <name>:' and then 'when'))\n"
        "  a > 1 then b\n"
        "  ^",
    ),
    (
        "when a > 1 then b as danger",
        "line 1, column 22: unknown kind of CTA 'danger'; choose risk, opportunity or "
        "lifecycle\n"
        "  when a > 1 then b as danger\n"
        "                       ^^^^^^",
    ),
    (
        "when a > 1 then b priority hihg",
        "line 1, column 28: unknown priority 'hihg'; choose high, medium or low (did you mean "
        "'high'?)\n"
        "  when a > 1 then b priority hihg\n"
        "                             ^^^^",
    ),
    (
        "when a ! b then c",
        "line 1, column 8: unexpected character '!' (compare with '!=' or write 'not')\n"
        "  when a ! b then c\n"
        "         ^",
    ),
    (
        "when a then b\nrule rule_1: when c then d",
        "line 2, column 1: duplicate rule name 'rule_1' (first defined on line 1)\n"
        "  rule rule_1: when c then d\n"
        "  ^^^^^^^^^^^^^^^^^^^^^^^^^^",
    ),
    (
        "when 2026-02-30 > d then b",
        "line 1, column 6: 2026-02-30 is not a valid date\n"
        "  when 2026-02-30 > d then b\n"
        "       ^^^^^^^^^^",
    ),
    (
        "when x then b as risk as opportunity",
        "line 1, column 23: option 'as' is given twice\n"
        "  when x then b as risk as opportunity\n"
        "                        ^^",
    ),
    (
        "when `D-3 x > 1 then b",
        "line 1, column 6: unclosed quoted name (end the name with ` on the same line)\n"
        "  when `D-3 x > 1 then b\n"
        "       ^",
    ),
    (
        "when x > 1 then b due soon",
        "line 1, column 23: unexpected name 'soon'; expected a duration\n"
        "  when x > 1 then b due soon\n"
        "                        ^^^^",
    ),
]


@pytest.mark.parametrize(("text", "rendered"), GOLDEN)
def test_error_messages(text: str, rendered: str) -> None:
    with pytest.raises(sk.RuleSyntaxError) as info:
        parse_rules(text)
    assert str(info.value) == rendered
    assert isinstance(info.value, ValueError)
    assert info.value.__cause__ is not None or "duplicate" in rendered or "valid date" in rendered \
        or "given twice" in rendered or "kind of CTA" in rendered or "priority" in rendered


def test_errors_carry_positions() -> None:
    with pytest.raises(sk.RuleSyntaxError) as info:
        parse_rules("when a > 1 then b\n\nwhen c <= then d")
    error = info.value
    assert (error.line, error.column) == (3, 11)
    assert error.source is not None


def test_deep_nesting_is_a_rule_error() -> None:
    deep = "when " + "not " * (MAX_DEPTH + 5) + "a then b"
    with pytest.raises(sk.RuleSyntaxError, match="nested too deeply"):
        parse_rules(deep)
    parse_rules("when " + " + ".join(["a"] * (MAX_DEPTH + 5)) + " > 1 then b")  # flat
    long_sum = "when " + " + ".join(["a"] * (MAX_HEIGHT + 5)) + " > 1 then b"
    with pytest.raises(sk.RuleSyntaxError, match="too many operators"):
        parse_rules(long_sum)
    parens = "when " + "(" * 5000 + "a" + ")" * 5000 + " then b"
    assert parse_rules(parens)[0].condition == ast.Name("a")  # parentheses do not nest nodes
    flat = "when " + " and ".join(f"a{i}" for i in range(5000)) + " then b"
    assert len(parse_rules(flat)[0].condition.operands) == 5000  # type: ignore[attr-defined]


def test_too_long_text_is_a_rule_error() -> None:
    from successkit.dsl._parser import MAX_LENGTH

    with pytest.raises(sk.RuleSyntaxError, match="too long"):
        parse_rules("#" * (MAX_LENGTH + 1))


def test_non_text_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_rules(b"when a then b")  # type: ignore[arg-type]


# -- fuzz: random text raises only RuleError ----------------------------------------------------

_PIECES = [
    "when", "then", "rule", "and", "or", "not", "in", "between", "is", "missing", "becomes",
    "as", "priority", "owner", "due", "cooldown", "true", "false", "risk", "high", "x",
    "health.score", "`q x`", "`", "ログイン率", "change(", "days_since(", "min(", "(", ")",
    ",", ":", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "12", "2.5",
    "1_000", "30%", "7d", "3mo", "1y", "2026-04-01", "2026-13-45", "1e999", '"s"', "'s'",
    '"open', "#c\n", "\n", " ", "\t", "!", "@", "€", "\\", "9" * 30, "..", ".", "a.b",
]


def _random_text(rng: random.Random) -> str:
    if rng.random() < 0.3:  # mutate a valid rule
        base = list(rng.choice(DSL_EXAMPLES.splitlines()[1:] or ["when a then b"]))
        for _ in range(rng.randint(1, 4)):
            if not base:
                break
            i = rng.randrange(len(base))
            op = rng.random()
            if op < 0.4:
                del base[i]
            elif op < 0.8:
                base.insert(i, rng.choice("()\"'`=<>!%-+*/,:#\n x1"))
            else:
                base[i] = chr(rng.randrange(32, 0x3100))
        return "".join(base)
    return " ".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 14)))


@pytest.mark.parametrize("chunk", range(10))
def test_fuzz_random_text_raises_only_rule_errors(chunk: int) -> None:
    rng = random.Random(20261122 + chunk)
    for _ in range(10_000):  # 10 chunks: 100,000 texts in all
        text = _random_text(rng)
        error = None
        try:
            sk.Playbook.parse(text)
        except sk.RuleError as exc:
            error = exc
        if error is not None:
            assert error.line is not None
            assert str(error)  # renders
