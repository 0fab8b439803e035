"""Where each node of the tree being parsed stands, and how deep the tree may grow.

Spans of tokens and nodes, the nesting depth and height limits (:data:`MAX_DEPTH`,
:data:`MAX_HEIGHT`) enforced as each node is built, and positioned syntax errors that
quote the text being parsed (held per thread in :data:`state` while a parse runs).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from lark import Token

from successkit.dsl import ast
from successkit.errors import RuleSyntaxError

__all__ = [
    "MAX_DEPTH",
    "MAX_HEIGHT",
    "built",
    "built1",
    "built2",
    "built_chain",
    "nodes_of",
    "span_of",
    "state",
    "syntax_error",
    "token_span",
]

#: The deepest nesting of operators a rule may have (a flat chain such as ``x + y + z`` or
#: ``a and b and c`` is one level).
MAX_DEPTH = 100
#: The tallest syntax tree a rule may have, each term of an arithmetic chain counting one.
MAX_HEIGHT = 200


class _ParseState(threading.local):
    """Per-parse state of the inline transformer, one per thread."""

    def __init__(self) -> None:
        self.source: str | None = None  # the text being parsed (quoted in errors)
        self.depths: dict[int, int] = {}  # nesting and height of each node so far, by id


state = _ParseState()


def syntax_error(message: str, item: Any, *, hint: str | None = None) -> RuleSyntaxError:
    span = span_of(item, item)
    end = span.end_column if span.end_line == span.line else None
    return RuleSyntaxError(
        message,
        line=span.line,
        column=span.column,
        end_column=end,
        source=state.source,
        hint=hint,
    )


# Spans are made for every node, so these read token and span fields directly: a Token
# and a Span have the same position fields (line, column, end_line, end_column, start_pos,
# end_pos), and the lexer sets all of them on every token.


def token_span(token: Token) -> ast.Span:
    """The span of one token."""
    return span_of(token, token)


def span_of(first: Any, last: Any) -> ast.Span:
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
        state.source,
    )


def nodes_of(items: Sequence[Any]) -> list[ast.Node]:
    return [item for item in items if isinstance(item, ast.Node)]


# Two measures of each node built so far are kept by id (nodes are not hashed while
# parsing), packed in one int: its *nesting* (low bits) and its *height* in the syntax
# tree (high bits). Leaves are not recorded and count 0. A node is one level deeper than
# its deepest part in both, except that an arithmetic operator continuing a flat chain
# (``x + y - z``, ``a * b / c``: the left operand is an operator of the same precedence)
# adds no nesting: a chain is not nesting. The height still grows along a chain and is
# bounded too, because everything after the parser (checking, compiling, formatting,
# pickling) walks the tree recursively; MAX_HEIGHT keeps that well inside Python's
# default recursion limit (about three frames per level).

_SHIFT = 16
_LOW = (1 << _SHIFT) - 1
_ADDITIVE = frozenset("+-")


def _too_deep(node: ast.Node, nesting: int) -> RuleSyntaxError:
    if nesting >= MAX_DEPTH:
        return syntax_error(
            f"nested too deeply (more than {MAX_DEPTH} levels)",
            node,
            hint="split the condition into simpler rules or use fewer parentheses",
        )
    return syntax_error(
        f"too many operators in one expression (more than {MAX_HEIGHT} levels, each term of "
        "a chain like 'x + y + ...' counting one)",
        node,
        hint="split the condition into simpler rules, or use min(), max() or a column",
    )


def _measured(node: ast.Node, nesting: int, height: int) -> ast.Node:
    if nesting >= MAX_DEPTH or height >= MAX_HEIGHT:
        raise _too_deep(node, nesting)
    state.depths[id(node)] = (nesting + 1) | ((height + 1) << _SHIFT)
    return node


def built(node: ast.Node, parts: Sequence[Any]) -> ast.Node:
    """Record the nesting and height of ``node`` from its parts (tokens among them count
    nothing), enforcing :data:`MAX_DEPTH` and :data:`MAX_HEIGHT`."""
    depths = state.depths
    nesting = height = 0
    for part in parts:
        if isinstance(part, ast.Node):
            packed = depths.get(id(part), 0)
            nesting = max(nesting, packed & _LOW)
            height = max(height, packed >> _SHIFT)
    return _measured(node, nesting, height)


def built1(node: ast.Node, part: ast.Node) -> ast.Node:
    """:func:`built` for a node with one part."""
    packed = state.depths.get(id(part), 0)
    return _measured(node, packed & _LOW, packed >> _SHIFT)


def built2(node: ast.Node, left: ast.Node, right: ast.Node) -> ast.Node:
    """:func:`built` for a node with two parts."""
    depths = state.depths
    one, other = depths.get(id(left), 0), depths.get(id(right), 0)
    return _measured(
        node, max(one & _LOW, other & _LOW), max(one >> _SHIFT, other >> _SHIFT)
    )


def built_chain(node: ast.Arithmetic, left: ast.Node, right: ast.Node) -> ast.Node:
    """:func:`built2` for an arithmetic operator: continuing a flat chain of operators
    of its precedence adds no nesting (it still adds height)."""
    depths = state.depths
    one, other = depths.get(id(left), 0), depths.get(id(right), 0)
    nesting = max(one & _LOW, other & _LOW)
    if isinstance(left, ast.Arithmetic) and (left.op in _ADDITIVE) == (node.op in _ADDITIVE):
        nesting = max((one & _LOW) - 1, other & _LOW)
    return _measured(node, nesting, max(one >> _SHIFT, other >> _SHIFT))
