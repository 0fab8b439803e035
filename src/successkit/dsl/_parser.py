"""Text → syntax tree: the Lark LALR parser of ``grammar.lark`` and the error translator.

The grammar is loaded once, lazily, from package data. The tree is built while parsing
(Lark's inline transformer), so no intermediate parse tree is made and no step recurses
over the input: deep nesting is caught by a depth limit and reported as a
:class:`~successkit.RuleSyntaxError`, never a ``RecursionError``. Every Lark exception is
caught here and re-raised as a positioned :class:`~successkit.RuleSyntaxError`.

For speed, :mod:`~successkit.dsl._lexer` tokenises and :mod:`~successkit.dsl._driver` runs
Lark's parse table with a leaner loop than Lark's own; both give exactly what Lark's basic
lexer and parse loop give (trees, spans, errors), which ``tests/dsl`` checks.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput

from successkit.data.dates import DAYS_PER_UNIT
from successkit.dsl import ast
from successkit.dsl._driver import LalrDriver
from successkit.dsl._lexer import FastLexer
from successkit.dsl._syntax_errors import translate
from successkit.errors import RuleSyntaxError, did_you_mean

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "parse_condition", "parse_expression", "parse_rules"]

#: The deepest nesting of operators and parentheses a rule may have.
MAX_DEPTH = 100
#: The longest text (in characters) the parser accepts.
MAX_LENGTH = 2_000_000
#: The longest duration a rule may name (100 years), so date arithmetic stays in range.
MAX_DURATION_DAYS = 36_500

_STARTS = ("playbook", "condition_only", "expression")


class _ParseState(threading.local):
    """Per-parse state of the inline transformer, one per thread."""

    def __init__(self) -> None:
        self.source: str | None = None  # the text being parsed (quoted in errors)
        self.depths: dict[int, int] = {}  # depth of each node built so far, by id


_local = _ParseState()


def _error(message: str, item: Any, *, hint: str | None = None) -> RuleSyntaxError:
    span = _span_of(item, item)
    end = span.end_column if span.end_line == span.line else None
    return RuleSyntaxError(
        message,
        line=span.line,
        column=span.column,
        end_column=end,
        source=_local.source,
        hint=hint,
    )


# Spans are made for every node, so these read token and span fields directly: a Token
# and a Span have the same position fields (line, column, end_line, end_column, start_pos,
# end_pos), and the lexer sets all of them on every token.


def _token_span(token: Token) -> ast.Span:
    """The span of one token."""
    return _span_of(token, token)


def _span_of(first: Any, last: Any) -> ast.Span:
    """The span from the start of ``first`` to the end of ``last`` (tokens or nodes)."""
    start: Any = first if isinstance(first, Token) else first.span
    end: Any = last if isinstance(last, Token) else last.span
    return ast.Span(
        start.line,
        start.column,
        end.end_line,
        end.end_column,
        start.start_pos,
        end.end_pos,
        _local.source,
    )


def _nodes(items: Sequence[Any]) -> list[ast.Node]:
    return [item for item in items if isinstance(item, ast.Node)]


# The depth of each node built so far is kept by id (nodes are not hashed while parsing);
# leaves are not recorded and count 0. The depth of a node is one more than its deepest part.


def _too_deep(node: ast.Node) -> RuleSyntaxError:
    return _error(
        f"nested too deeply (more than {MAX_DEPTH} levels)",
        node,
        hint="split the condition into simpler rules or use fewer parentheses",
    )


def _built(node: ast.Node, parts: Sequence[Any]) -> ast.Node:
    """Record the depth of ``node`` from its parts (tokens among them count nothing),
    enforcing :data:`MAX_DEPTH`."""
    depths = _local.depths
    depth = 0
    for part in parts:
        if isinstance(part, ast.Node):
            below = depths.get(id(part), 0)
            if below > depth:
                depth = below
    if depth >= MAX_DEPTH:
        raise _too_deep(node)
    depths[id(node)] = depth + 1
    return node


def _built1(node: ast.Node, part: ast.Node) -> ast.Node:
    """:func:`_built` for a node with one part."""
    depths = _local.depths
    depth = depths.get(id(part), 0)
    if depth >= MAX_DEPTH:
        raise _too_deep(node)
    depths[id(node)] = depth + 1
    return node


def _built2(node: ast.Node, left: ast.Node, right: ast.Node) -> ast.Node:
    """:func:`_built` for a node with two parts."""
    depths = _local.depths
    depth, other = depths.get(id(left), 0), depths.get(id(right), 0)
    if other > depth:
        depth = other
    if depth >= MAX_DEPTH:
        raise _too_deep(node)
    depths[id(node)] = depth + 1
    return node


_INFINITY = float("inf")


def _number(token: Token, sign: float = 1.0, *, percent: bool = False) -> ast.Number:
    text = str(token).rstrip("%").replace("_", "")
    value = float(text) * sign
    if value != value or value == _INFINITY or value == -_INFINITY:
        raise _error("number too large", token)
    return ast.Number(value, percent, span=_token_span(token))


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


class _Builder(Transformer[Token, Any]):
    """Builds :mod:`~successkit.dsl.ast` nodes as Lark reduces each grammar rule."""

    # -- start symbols --------------------------------------------------------------------

    def playbook(self, items: list[Any]) -> tuple[ast.Rule, ...]:
        seen: dict[str, ast.Rule] = {}
        for rule in items:
            first = seen.setdefault(rule.name, rule)
            if first is not rule:
                where = f" (first defined on line {first.span.line})" if first.span else ""
                raise _error(f"duplicate rule name {rule.name!r}{where}", rule)
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
                raise _error(f"option '{word}' is given twice", where)
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
            span=_span_of(header[2] if header else when, last),
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
            return ast.Action(str(items[0]), (), span=_token_span(items[0]))
        arguments = [item for item in items if isinstance(item, tuple)]
        seen: set[str] = set()
        for key, _, where in arguments:
            if key in seen:
                raise _error(f"argument {key!r} is given twice", where)
            seen.add(key)
        return ast.Action(
            str(items[0]),
            tuple((key, value) for key, value, _ in arguments),
            span=_span_of(items[0], items[-1]),
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
            raise _error("owner must not be empty", token)
        return ("owner", owner, items[0])

    def due_option(self, items: list[Any]) -> tuple[str, int, Any]:
        return ("due", _duration(items[1]).days, items[0])

    def cooldown_option(self, items: list[Any]) -> tuple[str, int, Any]:
        return ("cooldown", _duration(items[1]).days, items[0])

    # -- conditions -----------------------------------------------------------------------

    def any_of(self, items: list[Any]) -> ast.Node:
        operands = _nodes(items)
        return _built(ast.Or(operands, span=_span_of(items[0], items[-1])), operands)

    def all_of(self, items: list[Any]) -> ast.Node:
        operands = _nodes(items)
        return _built(ast.And(operands, span=_span_of(items[0], items[-1])), operands)

    def not_(self, items: list[Any]) -> ast.Node:
        operand = items[1]
        return _built1(ast.Not(operand, span=_span_of(items[0], operand)), operand)

    def compare(self, items: list[Any]) -> ast.Node:
        left, op, right = items
        return _built2(ast.Compare(str(op), left, right, span=_span_of(left, right)), left, right)

    def comparator(self, items: list[Any]) -> Token:
        return items[0]  # type: ignore[no-any-return]

    def between(self, items: list[Any]) -> ast.Node:
        operand, low, high = items[0], items[-3], items[-1]
        node = ast.Between(
            operand=operand,
            low=low,
            high=high,
            negated=len(items) == 6,
            span=_span_of(operand, high),
        )
        return _built(node, items)

    def member(self, items: list[Any]) -> ast.Node:
        operand, negated = items[0], items[1].type == "NOT"
        values = _nodes(items[2:])
        node = ast.In(
            operand,
            values,  # type: ignore[arg-type]  # the grammar allows only literals here
            negated,
            span=_span_of(operand, items[-1]),
        )
        return _built(node, items)

    def is_missing(self, items: list[Any]) -> ast.Node:
        operand, last = items[0], items[-1]
        node = ast.IsMissing(operand, len(items) == 4, span=_span_of(operand, last))
        return _built1(node, operand)

    def becomes(self, items: list[Any]) -> ast.Node:
        operand, _, value = items
        return _built2(ast.Becomes(operand, value, span=_span_of(operand, value)), operand, value)

    # -- arithmetic -----------------------------------------------------------------------

    def _arith(self, items: list[Any]) -> ast.Node:
        left, op, right = items
        node = ast.Arithmetic(str(op), left, right, span=_span_of(left, right))
        return _built2(node, left, right)

    add = sub = mul = div = _arith

    def neg(self, items: list[Any]) -> ast.Node:
        minus, operand = items
        span = _span_of(minus, operand)
        if isinstance(operand, ast.Number):  # -3 is the number -3, not an operation
            return ast.Number(-operand.value, percent=operand.percent, span=span)
        return _built1(ast.Negate(operand, span=span), operand)

    def call(self, items: list[Any]) -> ast.Node:
        name = items[0]
        args = _nodes(items[2:])
        node = ast.Call(str(name), args, span=_span_of(name, items[-1]))
        return _built(node, args)

    def atom(self, items: list[Any]) -> ast.Node:
        return items[1]  # type: ignore[no-any-return]  # parentheses

    def name(self, items: list[Any]) -> ast.Node:
        token = items[0]
        text = str(token)
        if token.type == "QUOTED_NAME":
            text = text[1:-1]
        return ast.Name(text, span=_token_span(token))

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
            raise _error(f"{token} is not a valid date", token) from None
        return ast.DateLiteral(value, span=_token_span(token))

    def string(self, items: list[Any]) -> ast.Node:
        return ast.String(_unquote(items[0]), span=_token_span(items[0]))

    def true(self, items: list[Any]) -> ast.Node:
        return ast.Boolean(True, span=_token_span(items[0]))

    def false(self, items: list[Any]) -> ast.Node:
        return ast.Boolean(False, span=_token_span(items[0]))


def _at(node: ast.Number, items: list[Any]) -> ast.Number:
    return ast.Number(node.value, percent=node.percent, span=_span_of(items[0], items[-1]))


def _duration(token: Token) -> ast.Duration:
    text = str(token).replace("_", "").lower()
    unit = "mo" if text.endswith("mo") else text[-1]
    days = int(text[: -len(unit)]) * DAYS_PER_UNIT[unit]
    if days > MAX_DURATION_DAYS:
        raise _error(f"duration {token} is too long (at most 100 years)", token)
    return ast.Duration(days, span=_token_span(token))


def _choice(token: Token, choices: tuple[str, ...], what: str) -> str:
    word = str(token).lower()
    if word in choices:
        return word
    options = ", ".join(choices[:-1]) + f" or {choices[-1]}"
    guess = did_you_mean(word, list(choices))
    hint = f"did you mean {guess!r}?" if guess else None
    raise _error(f"unknown {what} {str(token)!r}; choose {options}", token, hint=hint)


# -- the parser -------------------------------------------------------------------------------

_lock = threading.Lock()
_parser: Lark | None = None
_driver: LalrDriver | None = None


def _lark() -> Lark:
    """The Lark parser, built once on first use from the packaged grammar."""
    global _parser, _driver
    if _parser is None:
        with _lock:
            if _parser is None:
                parser = Lark.open_from_package(
                    "successkit.dsl",
                    "grammar.lark",
                    parser="lalr",
                    lexer=FastLexer,
                    start=list(_STARTS),
                    keep_all_tokens=True,
                    maybe_placeholders=False,
                    transformer=_Builder(),
                )
                _driver = LalrDriver(parser)
                _parser = parser
    return _parser


def _parse(text: str, start: str) -> Any:
    if not isinstance(text, str):
        raise TypeError(f"rule text must be str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(
            f"text is too long ({len(text):,} characters; at most {MAX_LENGTH:,})",
            line=1,
            column=1,
        )
    parser = _lark()
    assert _driver is not None
    _local.source = text
    _local.depths = {}
    try:
        return _driver.parse(text, start)
    except UnexpectedInput as exc:
        raise translate(exc, text, start, parser) from exc
    except RecursionError:  # belt and braces: the parser itself does not recurse
        raise RuleSyntaxError("nested too deeply", line=1, column=1, source=text) from None
    finally:
        _local.source = None
        _local.depths = {}


def parse_rules(text: str) -> tuple[ast.Rule, ...]:
    """Parse playbook text into its rules.

    Examples
    --------
    >>> from successkit.dsl import parse_rules
    >>> [r.name for r in parse_rules("when a > 1 then b\\nrule x: when c then d")]
    ['rule_1', 'x']
    """
    return _parse(text, "playbook")  # type: ignore[no-any-return]


def parse_condition(text: str) -> ast.Node:
    """Parse one condition (the part of a rule between ``when`` and ``then``).

    Examples
    --------
    >>> from successkit.dsl import parse_condition
    >>> parse_condition("tier = 'high' and arr > 1000")
    And(operands=(Compare(op='=', left=Name(name='tier'), right=String(value='high')), \
Compare(op='>', left=Name(name='arr'), right=Number(value=1000.0, percent=False))))
    """
    return _parse(text, "condition_only")  # type: ignore[no-any-return]


def parse_expression(text: str) -> ast.Node:
    """Parse an arithmetic expression, with the grammar rules use.

    Names (``seats``, ``health.score``, backtick-quoted `` `D-3 Login Rate` ``), numbers,
    percents, durations, ``+ - * /``, unary minus, parentheses and calls such as ``abs``,
    ``min`` and ``max``. Health metrics use it for their ``source``.

    Parameters
    ----------
    text:
        The expression, e.g. ``"activated_users / seats"``.

    Returns
    -------
    successkit.dsl.ast.Node
        The syntax tree; evaluate it with :func:`~successkit.evaluate_expression` and list
        the columns it reads with :func:`~successkit.expression_names`.

    Raises
    ------
    RuleSyntaxError
        Text that is not an expression, with line, column and a caret under the fault.

    Examples
    --------
    >>> import successkit as sk
    >>> sk.parse_expression("activated_users / seats")
    Arithmetic(op='/', left=Name(name='activated_users'), right=Name(name='seats'))
    >>> try:
    ...     sk.parse_expression("activated_users /")
    ... except sk.RuleSyntaxError as error:
    ...     print(error)
    line 1, column 18: unexpected end of text; expected a value
      activated_users /
                       ^
    """
    return _parse(text, "expression")  # type: ignore[no-any-return]


def grammar_text() -> str:
    """The text of ``grammar.lark`` (shown in the documentation)."""
    from importlib.resources import files

    return (files("successkit.dsl") / "grammar.lark").read_text(encoding="utf-8")

