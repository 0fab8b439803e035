"""Lark's reductions → syntax tree: one node per grammar rule, its literals checked.

The parser (:mod:`successkit.dsl._parser`) runs Lark with :class:`Builder` as its inline
transformer, so each grammar rule becomes an :mod:`~successkit.dsl.ast` node as soon as it
is reduced. Building checks what the grammar cannot: duplicate rule names, number, string
and duration literals, and option values (the depth and height of the tree are measured by
:mod:`successkit.dsl._tree_limits`); each fault is a positioned
:class:`~successkit.RuleSyntaxError`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lark import Token, Transformer

from successkit.data.dates import DAYS_PER_UNIT
from successkit.dsl import ast
from successkit.dsl._tree_limits import (
    built,
    built1,
    built2,
    built_chain,
    nodes_of,
    span_of,
    syntax_error,
    token_span,
)
from successkit.errors import did_you_mean

__all__ = ["MAX_DURATION_DAYS", "Builder"]

#: The longest duration a rule may name (100 years), so date arithmetic stays in range.
MAX_DURATION_DAYS = 36_500


_INFINITY = float("inf")


def _number(token: Token, sign: float = 1.0, *, percent: bool = False) -> ast.Number:
    text = str(token).rstrip("%").replace("_", "")
    value = float(text) * sign
    if value != value or value == _INFINITY or value == -_INFINITY:
        raise syntax_error("number too large", token)
    return ast.Number(value, percent, span=token_span(token))


_HEX = frozenset("0123456789abcdefABCDEF")


def _unquote(token: Token) -> str:
    text = str(token)[1:-1]
    if "\\" not in text:
        return text
    out = []
    escapes = {"n": "\n", "t": "\t", "r": "\r"}
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            i += 1
            code = text[i + 1 : i + 5]
            if text[i] == "u" and len(code) == 4 and all(c in _HEX for c in code):
                ch, i = chr(int(code, 16)), i + 4  # \u2028: a line break inside a string
            else:
                ch = escapes.get(text[i], text[i])
        out.append(ch)
        i += 1
    return "".join(out)


def _word(item: Any) -> str:
    """The text of a NAME/QUOTED_NAME token or a :class:`~successkit.dsl.ast.Name`."""
    if isinstance(item, ast.Name):
        return item.name
    text = str(item)
    return text[1:-1] if text.startswith("`") else text


class Builder(Transformer[Token, Any]):
    """Builds :mod:`~successkit.dsl.ast` nodes as Lark reduces each grammar rule."""

    # -- start symbols --------------------------------------------------------------------

    def playbook(self, items: list[Any]) -> tuple[ast.Rule, ...]:
        seen: dict[str, ast.Rule] = {}
        for rule in items:
            first = seen.setdefault(rule.name, rule)
            if first is not rule:
                where = f" (first defined on line {first.span.line})" if first.span else ""
                raise syntax_error(f"duplicate rule name {rule.name!r}{where}", rule)
        return tuple(items)

    def condition_only(self, items: list[Any]) -> ast.Node:
        return items[0]  # type: ignore[no-any-return]

    def expression(self, items: list[Any]) -> ast.Node:
        return items[0]  # type: ignore[no-any-return]

    # -- rules ----------------------------------------------------------------------------

    # Lark gives optional parts (``[header]``, ``[NOT]``, ...) only when present (no
    # placeholders: that spares a child-filter call per reduction), so the callbacks below
    # tell them apart by count or type.

    def rule(self, items: list[Any]) -> ast.Rule:
        header: tuple[str, str | None, Token] | None
        if isinstance(items[0], tuple):
            header, when, condition, _then, actions, *options = items
        else:
            header = None
            when, condition, _then, actions, *options = items
        fields: dict[str, Any] = {}
        for key, value, where in options:
            if key in fields:
                word = "as" if key == "kind" else key
                raise syntax_error(f"option '{word}' is given twice", where)
            fields[key] = value
        if header is None:
            name, title = f"rule_{when.line}", None
        else:
            name, title = header[0], header[1]
        last = options[-1][2] if options else actions[-1]
        return ast.Rule(
            name=name,
            title=title,
            condition=condition,
            actions=tuple(actions),
            span=span_of(header[2] if header else when, last),
            **fields,
        )

    def header(self, items: list[Any]) -> tuple[str, str | None, Token]:
        keyword, name = items[0], items[1]
        title = items[2] if len(items) == 4 else None
        return (_word(name), None if title is None else _unquote(title), keyword)

    def actions(self, items: list[Any]) -> list[ast.Action]:
        return [item for item in items if isinstance(item, ast.Action)]

    def action(self, items: list[Any]) -> ast.Action:
        if len(items) == 1:  # no arguments
            return ast.Action(str(items[0]), (), span=token_span(items[0]))
        arguments = [item for item in items if isinstance(item, tuple)]
        seen: set[str] = set()
        for key, _, where in arguments:
            if key in seen:
                raise syntax_error(f"argument {key!r} is given twice", where)
            seen.add(key)
        return ast.Action(
            str(items[0]),
            tuple((key, value) for key, value, _ in arguments),
            span=span_of(items[0], items[-1]),
        )

    def argument(self, items: list[Any]) -> tuple[str, ast.Literal, Token]:
        return (str(items[0]), items[2], items[0])

    def kind_option(self, items: list[Any]) -> tuple[str, str, Any]:
        return ("kind", _choice(items[1], ast.KINDS, "kind of CTA"), items[0])

    def priority_option(self, items: list[Any]) -> tuple[str, str, Any]:
        return ("priority", _choice(items[1], ast.PRIORITIES, "priority"), items[0])

    def owner_option(self, items: list[Any]) -> tuple[str, str, Any]:
        token = items[1]
        owner = _unquote(token) if token.type == "STRING" else str(token)
        if not owner.strip():
            raise syntax_error("owner must not be empty", token)
        return ("owner", owner, items[0])

    def due_option(self, items: list[Any]) -> tuple[str, int, Any]:
        return ("due", _duration(items[1]).days, items[0])

    def cooldown_option(self, items: list[Any]) -> tuple[str, int, Any]:
        return ("cooldown", _duration(items[1]).days, items[0])

    # -- conditions -----------------------------------------------------------------------

    def any_of(self, items: list[Any]) -> ast.Node:
        operands = nodes_of(items)
        return built(ast.Or(operands, span=span_of(items[0], items[-1])), operands)

    def all_of(self, items: list[Any]) -> ast.Node:
        operands = nodes_of(items)
        return built(ast.And(operands, span=span_of(items[0], items[-1])), operands)

    def not_(self, items: list[Any]) -> ast.Node:
        operand = items[1]
        return built1(ast.Not(operand, span=span_of(items[0], operand)), operand)

    def compare(self, items: list[Any]) -> ast.Node:
        left, op, right = items
        return built2(ast.Compare(str(op), left, right, span=span_of(left, right)), left, right)

    def comparator(self, items: list[Any]) -> Token:
        return items[0]  # type: ignore[no-any-return]

    def between(self, items: list[Any]) -> ast.Node:
        operand, low, high = items[0], items[-3], items[-1]
        node = ast.Between(
            operand=operand,
            low=low,
            high=high,
            negated=len(items) == 6,
            span=span_of(operand, high),
        )
        return built(node, items)

    def member(self, items: list[Any]) -> ast.Node:
        operand, negated = items[0], items[1].type == "NOT"
        values = nodes_of(items[2:])
        node = ast.In(
            operand,
            values,  # type: ignore[arg-type]  # the grammar allows only literals here
            negated,
            span=span_of(operand, items[-1]),
        )
        return built(node, items)

    def is_missing(self, items: list[Any]) -> ast.Node:
        operand, last = items[0], items[-1]
        node = ast.IsMissing(operand, len(items) == 4, span=span_of(operand, last))
        return built1(node, operand)

    def becomes(self, items: list[Any]) -> ast.Node:
        operand, _, value = items
        return built2(ast.Becomes(operand, value, span=span_of(operand, value)), operand, value)

    # -- arithmetic -----------------------------------------------------------------------

    def _arith(self, items: list[Any]) -> ast.Node:
        left, op, right = items
        node = ast.Arithmetic(str(op), left, right, span=span_of(left, right))
        return built_chain(node, left, right)

    add = sub = mul = div = _arith

    def neg(self, items: list[Any]) -> ast.Node:
        minus, operand = items
        span = span_of(minus, operand)
        if isinstance(operand, ast.Number):  # -3 is the number -3, not an operation
            return ast.Number(-operand.value, percent=operand.percent, span=span)
        return built1(ast.Negate(operand, span=span), operand)

    def call(self, items: list[Any]) -> ast.Node:
        name = items[0]
        args = nodes_of(items[2:])
        node = ast.Call(str(name), args, span=span_of(name, items[-1]))
        return built(node, args)

    def atom(self, items: list[Any]) -> ast.Node:
        return items[1]  # type: ignore[no-any-return]  # parentheses

    def name(self, items: list[Any]) -> ast.Node:
        token = items[0]
        text = str(token)
        if token.type == "QUOTED_NAME":
            text = text[1:-1]
        return ast.Name(text, span=token_span(token))

    # -- literals -------------------------------------------------------------------------

    def number(self, items: list[Any]) -> ast.Node:
        return _number(items[0])

    def percent(self, items: list[Any]) -> ast.Node:
        return _number(items[0], percent=True)

    def negative_number(self, items: list[Any]) -> ast.Node:
        return _at(_number(items[1], -1.0), items)

    def negative_percent(self, items: list[Any]) -> ast.Node:
        return _at(_number(items[1], -1.0, percent=True), items)

    def duration(self, items: list[Any]) -> ast.Node:
        return _duration(items[0])

    def date(self, items: list[Any]) -> ast.Node:
        token = items[0]
        try:
            value = dt.date.fromisoformat(str(token))
        except ValueError:
            raise syntax_error(f"{token} is not a valid date", token) from None
        return ast.DateLiteral(value, span=token_span(token))

    def string(self, items: list[Any]) -> ast.Node:
        return ast.String(_unquote(items[0]), span=token_span(items[0]))

    def true(self, items: list[Any]) -> ast.Node:
        return ast.Boolean(True, span=token_span(items[0]))

    def false(self, items: list[Any]) -> ast.Node:
        return ast.Boolean(False, span=token_span(items[0]))


def _at(node: ast.Number, items: list[Any]) -> ast.Number:
    return ast.Number(node.value, percent=node.percent, span=span_of(items[0], items[-1]))


def _duration(token: Token) -> ast.Duration:
    text = str(token).replace("_", "").lower()
    unit = "mo" if text.endswith("mo") else text[-1]
    days = int(text[: -len(unit)]) * DAYS_PER_UNIT[unit]
    if days > MAX_DURATION_DAYS:
        raise syntax_error(f"duration {token} is too long (at most 100 years)", token)
    return ast.Duration(days, span=token_span(token))


def _choice(token: Token, choices: tuple[str, ...], what: str) -> str:
    word = str(token).lower()
    if word in choices:
        return word
    options = ", ".join(choices[:-1]) + f" or {choices[-1]}"
    guess = did_you_mean(word, list(choices))
    hint = f"did you mean {guess!r}?" if guess else None
    raise syntax_error(f"unknown {what} {str(token)!r}; choose {options}", token, hint=hint)
