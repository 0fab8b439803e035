"""Syntax → canonical text: the inverse of the parser.

``parse(format(rules)) == rules`` for every syntax tree (spans aside): parentheses are
written exactly where the tree needs them, names that are not plain words are quoted in
backticks, numbers are written so they read back to the same float, and a rule without a
``rule`` header keeps its automatic name (``rule_<line>``) because the formatter knows the
line each rule will start on.
"""

from __future__ import annotations

import re

import numpy as np

from successkit.data.dates import format_duration
from successkit.dsl import ast
from successkit.dsl._lexer import LINE_BREAK
from successkit.errors import ModelError

__all__ = ["KEYWORDS", "format_literal", "format_name", "format_node", "format_rules"]

#: Reserved words of the language (case-insensitive).
KEYWORDS = frozenset(
    {
        "rule", "when", "then", "and", "or", "not", "in", "between", "is", "missing",
        "becomes", "as", "priority", "owner", "due", "cooldown", "true", "false",
    }
)
_NAME = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")

# Binding strength: a child is parenthesised when it binds more loosely than required.
_OR, _AND, _NOT, _PREDICATE, _SUM, _PRODUCT, _UNARY, _ATOM = range(1, 9)


def _is_word(text: str) -> bool:
    return _NAME.fullmatch(text) is not None and text.lower() not in KEYWORDS


def format_name(name: str) -> str:
    """A name as written in a rule: plain when it can be, else in backticks.

    Examples
    --------
    >>> format_name("health.score"), format_name("D-3 Login Rate"), format_name("missing")
    ('health.score', '`D-3 Login Rate`', '`missing`')
    """
    if _is_word(name):
        return name
    if not name or "`" in name or LINE_BREAK.search(name):
        raise ModelError(f"the name {name!r} cannot be written in a rule")
    return f"`{name}`"


def _word(text: str, what: str) -> str:
    if not _is_word(text):
        raise ModelError(f"{what} {text!r} is not a plain name (letters, digits, _ and .)")
    return text


def _string(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    # other line breaks cannot stand in a string: written as \uXXXX escapes
    escaped = LINE_BREAK.sub(lambda found: f"\\u{ord(found.group()):04x}", escaped)
    return f'"{escaped}"'


def _number(value: float) -> str:
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def format_literal(node: ast.Node) -> str:
    """A literal as written in a rule.

    Examples
    --------
    >>> format_literal(ast.Number(30, percent=True)), format_literal(ast.Duration(14))
    ('30%', '2w')
    """
    if isinstance(node, ast.Number):
        if node.percent:
            text = np.format_float_positional(abs(node.value), unique=True, trim="-")
            return f"{'-' if node.value < 0 else ''}{text}%"
        return _number(node.value)
    if isinstance(node, ast.Duration):
        return format_duration(node.days)
    if isinstance(node, ast.DateLiteral):
        return node.value.isoformat()
    if isinstance(node, ast.String):
        return _string(node.value)
    if isinstance(node, ast.Boolean):
        return "true" if node.value else "false"
    raise TypeError(f"not a literal: {node!r}")


def _strength(node: ast.Node) -> int:
    if isinstance(node, ast.Or):
        return _OR
    if isinstance(node, ast.And):
        return _AND
    if isinstance(node, ast.Not):
        return _NOT
    if isinstance(node, (ast.Compare, ast.Between, ast.In, ast.IsMissing, ast.Becomes)):
        return _PREDICATE
    if isinstance(node, ast.Arithmetic):
        return _SUM if node.op in "+-" else _PRODUCT
    if isinstance(node, ast.Negate) or (isinstance(node, ast.Number) and node.value < 0):
        return _UNARY
    return _ATOM


def _sub(node: ast.Node, at_least: int) -> str:
    text = format_node(node)
    return f"({text})" if _strength(node) < at_least else text


def format_node(node: ast.Node) -> str:
    """One expression or condition as canonical text.

    Examples
    --------
    >>> from successkit.dsl import format_node, parse_condition
    >>> format_node(parse_condition("(a+b)*c>=30% and not(x or y)"))
    '(a + b) * c >= 30% and not (x or y)'
    """
    if isinstance(node, ast.Name):
        return format_name(node.name)
    if isinstance(node, (ast.Number, ast.Duration, ast.DateLiteral, ast.String, ast.Boolean)):
        return format_literal(node)
    if isinstance(node, ast.Or):
        return " or ".join(_sub(op, _AND) for op in node.operands)
    if isinstance(node, ast.And):
        return " and ".join(_sub(op, _NOT) for op in node.operands)
    if isinstance(node, ast.Not):
        return f"not {_sub(node.operand, _NOT)}"
    if isinstance(node, ast.Compare):
        return f"{_sub(node.left, _SUM)} {node.op} {_sub(node.right, _SUM)}"
    if isinstance(node, ast.Between):
        word = "not between" if node.negated else "between"
        return (
            f"{_sub(node.operand, _SUM)} {word} {_sub(node.low, _SUM)} and "
            f"{_sub(node.high, _SUM)}"
        )
    if isinstance(node, ast.In):
        word = "not in" if node.negated else "in"
        values = ", ".join(format_literal(v) for v in node.values)
        return f"{_sub(node.operand, _SUM)} {word} ({values})"
    if isinstance(node, ast.IsMissing):
        word = "is not missing" if node.negated else "is missing"
        return f"{_sub(node.operand, _SUM)} {word}"
    if isinstance(node, ast.Becomes):
        return f"{_sub(node.operand, _SUM)} becomes {format_literal(node.value)}"
    if isinstance(node, ast.Arithmetic):
        left_min, right_min = (_SUM, _PRODUCT) if node.op in "+-" else (_PRODUCT, _UNARY)
        return f"{_sub(node.left, left_min)} {node.op} {_sub(node.right, right_min)}"
    if isinstance(node, ast.Negate):
        inner = _sub(node.operand, _UNARY)
        return f"- {inner}" if inner.startswith("-") else f"-{inner}"
    if isinstance(node, ast.Call):
        args = ", ".join(format_node(arg) for arg in node.args)
        return f"{_word(node.function, 'function')}({args})"
    raise TypeError(f"cannot format {node!r}")


def _action(action: ast.Action) -> str:
    name = _word(action.name, "action")
    if not action.arguments:
        return name
    args = ", ".join(
        f"{_word(key, 'argument')} = {format_literal(value)}" for key, value in action.arguments
    )
    return f"{name}({args})"


def _options(rule: ast.Rule) -> str:
    parts = []
    if rule.kind != ast.KINDS[0]:
        parts.append(f"as {rule.kind}")
    if rule.priority != "medium":
        parts.append(f"priority {rule.priority}")
    if rule.owner is not None:
        owner = rule.owner
        parts.append(f"owner {owner if _is_word(owner) else _string(owner)}")
    if rule.due is not None:
        parts.append(f"due {format_duration(rule.due)}")
    if rule.cooldown is not None:
        parts.append(f"cooldown {format_duration(rule.cooldown)}")
    return " ".join(parts)


def format_rule(rule: ast.Rule, line: int = 1) -> str:
    """One rule as canonical text, starting on ``line`` of the playbook.

    A rule whose name is the automatic one for that line is written without a header.

    Examples
    --------
    >>> from successkit.dsl._parser import parse_rules
    >>> print(format_rule(parse_rules("when x<=30% then a,b as opportunity")[0]))
    when x <= 30% then a, b as opportunity
    >>> print(format_rule(parse_rules('rule r "Title": when x then a due 7d')[0]))
    rule r "Title":
      when x
      then a
      due 1w
    """
    condition = format_node(rule.condition)
    actions = ", ".join(_action(a) for a in rule.actions)
    options = _options(rule)
    if rule.name == f"rule_{line}" and rule.title is None:
        return " ".join(part for part in (f"when {condition} then {actions}", options) if part)
    title = "" if rule.title is None else f" {_string(rule.title)}"
    lines = [f"rule {format_name(rule.name)}{title}:", f"  when {condition}", f"  then {actions}"]
    if options:
        lines.append(f"  {options}")
    return "\n".join(lines)


def format_rules(rules: tuple[ast.Rule, ...] | list[ast.Rule]) -> str:
    """A playbook's rules as canonical text (one rule per line, or a block per named rule).

    Examples
    --------
    >>> from successkit.dsl._parser import parse_rules
    >>> print(format_rules(parse_rules("when a then b\\n\\n\\nwhen c then d")), end="")
    when a then b
    rule rule_4:
      when c
      then d
    """
    out: list[str] = []
    line = 1
    for rule in rules:
        text = format_rule(rule, line)
        out.append(text)
        line += text.count("\n") + 1
    return "\n".join(out) + ("\n" if out else "")
