"""The syntax tree of the playbook language: frozen attrs nodes with source spans.

Every node carries a :class:`Span` (where it was written) that takes no part in equality or
hashing, so two parses of the same rule in different places compare equal and the round
trip ``parse(format(ast)) == ast`` holds. Nodes built in code have no span.

Expressions and conditions share one node family (a condition is an expression whose type
is boolean); :mod:`successkit.dsl.check` works out the types.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

__all__ = [
    "ARITHMETIC_OPS",
    "COMPARISON_OPS",
    "FUNCTIONS",
    "KINDS",
    "PRIORITIES",
    "Action",
    "And",
    "Arithmetic",
    "Becomes",
    "Between",
    "Boolean",
    "Call",
    "Compare",
    "DateLiteral",
    "Duration",
    "In",
    "IsMissing",
    "Literal",
    "Name",
    "Negate",
    "Node",
    "Not",
    "Number",
    "Or",
    "Rule",
    "Span",
    "String",
    "children",
    "walk",
]

#: Comparison operators, as written.
COMPARISON_OPS = ("=", "!=", "<", "<=", ">", ">=")
#: Arithmetic operators, as written.
ARITHMETIC_OPS = ("+", "-", "*", "/")
#: Functions a rule may call, with the number of arguments (``None``: one or more).
FUNCTIONS: dict[str, int | None] = {
    "change": 2,
    "delta": 2,
    "previous": 2,
    "days_since": 1,
    "days_until": 1,
    "abs": 1,
    "min": None,
    "max": None,
}
#: The kinds of CTA a rule can raise (``as ...``); the first is the default.
KINDS = ("risk", "opportunity", "lifecycle")
#: Priorities, most urgent first (``priority ...``); ``medium`` is the default.
PRIORITIES = ("high", "medium", "low")


@attrs.frozen
class Span:
    """Where a node was written: 1-based lines and columns (end exclusive) and offsets.

    Examples
    --------
    >>> Span(1, 6, 1, 15, 5, 14).column
    6
    """

    line: int
    column: int
    end_line: int
    end_column: int
    start_pos: int = 0
    end_pos: int = 0
    #: The text the node was parsed from (to quote it in error messages).
    source: str | None = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen(cache_hash=True)
class Node:
    """Base of every syntax node; ``span`` is where it was written (``None`` if built)."""

    span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


def _node_tuple(value: Iterable[Node]) -> tuple[Node, ...]:
    return tuple(value)


def _literal_tuple(value: Iterable[Literal]) -> tuple[Literal, ...]:
    return tuple(value)


# -- literals ---------------------------------------------------------------------------------


def _finite(instance: Any, attribute: Any, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{attribute.name} must be finite, got {value!r}")


@attrs.frozen(cache_hash=True)
class Number(Node):
    """A number as written; ``percent=True`` for ``30%`` (``value`` is then ``30``).

    Examples
    --------
    >>> Number(30, percent=True).number
    0.3
    """

    value: float = attrs.field(converter=float, validator=_finite)
    percent: bool = False

    @property
    def number(self) -> float:
        """The value it stands for (percents as fractions)."""
        if not self.percent:
            return self.value
        # shift the decimal point of the number as written (its shortest text), so
        # 33.3% is float("0.333"), not 33.3 / 100 == 0.33299999999999996
        return float(decimal.Decimal(repr(self.value)).scaleb(-2))


@attrs.frozen(cache_hash=True)
class Duration(Node):
    """A duration literal (``7d``, ``2w``, ``3mo``, ``1y``) in whole days."""

    days: int


@attrs.frozen(cache_hash=True)
class DateLiteral(Node):
    """A date literal such as ``2026-04-01``."""

    value: dt.date


@attrs.frozen(cache_hash=True)
class String(Node):
    """A string literal (compared with category values)."""

    value: str


@attrs.frozen(cache_hash=True)
class Boolean(Node):
    """``true`` or ``false``."""

    value: bool


Literal = Number | Duration | DateLiteral | String | Boolean

# -- expressions ------------------------------------------------------------------------------


@attrs.frozen(cache_hash=True)
class Name(Node):
    """A column or namespaced name, e.g. ``login_rate`` or ``health.score``."""

    name: str


@attrs.frozen(cache_hash=True)
class Call(Node):
    """A function call such as ``change(keyperson_usage, 30d)``."""

    function: str
    args: tuple[Node, ...] = attrs.field(converter=_node_tuple)


@attrs.frozen(cache_hash=True)
class Negate(Node):
    """Unary minus."""

    operand: Node


@attrs.frozen(cache_hash=True)
class Arithmetic(Node):
    """``left op right`` with ``op`` one of ``+ - * /``."""

    op: str
    left: Node
    right: Node


# -- conditions -------------------------------------------------------------------------------


@attrs.frozen(cache_hash=True)
class Compare(Node):
    """``left op right`` with ``op`` one of ``= != < <= > >=``."""

    op: str
    left: Node
    right: Node


@attrs.frozen(kw_only=True, cache_hash=True)
class Between(Node):
    """``operand [not] between low and high`` (both ends included)."""

    operand: Node
    low: Node
    high: Node
    negated: bool = False


@attrs.frozen(cache_hash=True)
class In(Node):
    """``operand [not] in (literal, ...)``."""

    operand: Node
    values: tuple[Literal, ...] = attrs.field(converter=_literal_tuple)
    negated: bool = False


@attrs.frozen(cache_hash=True)
class IsMissing(Node):
    """``operand is [not] missing``."""

    operand: Node
    negated: bool = False


@attrs.frozen(cache_hash=True)
class Becomes(Node):
    """``operand becomes literal``: true where the value is the literal now and was not at
    the previous snapshot."""

    operand: Node
    value: Literal


@attrs.frozen(cache_hash=True)
class Not(Node):
    """``not operand``."""

    operand: Node


@attrs.frozen(cache_hash=True)
class And(Node):
    """``a and b and ...`` (two or more operands)."""

    operands: tuple[Node, ...] = attrs.field(converter=_node_tuple)


@attrs.frozen(cache_hash=True)
class Or(Node):
    """``a or b or ...`` (two or more operands)."""

    operands: tuple[Node, ...] = attrs.field(converter=_node_tuple)


# -- rules ------------------------------------------------------------------------------------


def _to_arguments(value: Any) -> tuple[tuple[str, Literal], ...]:
    items = value.items() if hasattr(value, "items") else value
    return tuple((str(k), v) for k, v in items)


@attrs.frozen(cache_hash=True)
class Action(Node):
    """One action of a rule: a name and keyword arguments with literal values.

    Examples
    --------
    >>> Action("upsell", {"with": String("sales")}).arguments
    (('with', String(value='sales')),)
    """

    name: str
    arguments: tuple[tuple[str, Literal], ...] = attrs.field(
        default=(), converter=_to_arguments
    )


def _action_tuple(value: Iterable[Action]) -> tuple[Action, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True, cache_hash=True)
class Rule(Node):
    """``[rule name ["title"]:] when condition then action, ... options``.

    ``due`` and ``cooldown`` are whole days (``None`` when not given).

    Examples
    --------
    >>> rule = Rule(name="r", condition=Name("churn_risk"), actions=(Action("call"),))
    >>> rule.kind, rule.priority
    ('risk', 'medium')
    """

    name: str
    condition: Node
    actions: tuple[Action, ...] = attrs.field(converter=_action_tuple)
    title: str | None = None
    kind: str = "risk"
    priority: str = "medium"
    owner: str | None = None
    due: int | None = None
    cooldown: int | None = None


# -- traversal --------------------------------------------------------------------------------


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of ``node`` (literals and names have none)."""
    if isinstance(node, (Negate, Not, IsMissing)):
        return (node.operand,)
    if isinstance(node, (Arithmetic, Compare)):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Between):
        return (node.operand, node.low, node.high)
    if isinstance(node, In):
        return (node.operand, *node.values)
    if isinstance(node, Becomes):
        return (node.operand, node.value)
    if isinstance(node, (And, Or)):
        return node.operands
    if isinstance(node, Rule):
        return (node.condition, *node.actions)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (itself first), depth first, without recursion.

    Examples
    --------
    >>> tree = Compare("<", Name("a"), Number(3))
    >>> [type(n).__name__ for n in walk(tree)]
    ['Compare', 'Name', 'Number']
    """
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
