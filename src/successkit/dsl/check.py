"""Names and types of rules, checked against a schema before any data is touched.

:func:`check` walks a syntax tree, looks every name up in the schema (portfolio columns
plus namespaced names such as ``health.score``), works out the type of every node and
collects *all* problems, raising them together (a playbook with three unknown names
reports all three). The result maps each node to its :class:`Type`; the compiler uses it
to pick the numpy implementation of each operator.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from successkit.data.kinds import Kind
from successkit.dsl import ast
from successkit.errors import RuleError, RuleNameError, RuleTypeError, did_you_mean

__all__ = ["HISTORY_FUNCTIONS", "Type", "Types", "check", "describe", "position_of"]

#: Functions that look at earlier snapshots of a History.
HISTORY_FUNCTIONS = frozenset({"change", "delta", "previous"})


class Type(enum.StrEnum):
    """The type of an expression or condition in a rule."""

    NUMBER = "number"
    BOOLEAN = "boolean"
    CATEGORY = "category"
    DATE = "date"
    STRING = "string"  # a string literal (compared with categories)
    DURATION = "duration"  # a duration literal: a number of days
    ERROR = "error"  # a node whose check failed (suppresses follow-on errors)


#: Types that can stand where a number is expected (booleans read as 0 and 1).
NUMERIC = frozenset({Type.NUMBER, Type.DURATION, Type.BOOLEAN})
_KIND_TYPES = {
    Kind.NUMBER: Type.NUMBER,
    Kind.BOOLEAN: Type.BOOLEAN,
    Kind.CATEGORY: Type.CATEGORY,
    Kind.DATE: Type.DATE,
}
_ARTICLE = {
    Type.NUMBER: "a number",
    Type.BOOLEAN: "a condition",
    Type.CATEGORY: "a category",
    Type.DATE: "a date",
    Type.STRING: "a string",
    Type.DURATION: "a duration",
    Type.ERROR: "a value",
}

Types = dict[ast.Node, Type]


def describe(node: ast.Node, typ: Type) -> str:
    """How an error message names an operand: ``category 'tier'`` or ``a number``.

    Examples
    --------
    >>> describe(ast.Name("tier"), Type.CATEGORY), describe(ast.Number(5), Type.NUMBER)
    ("category 'tier'", 'a number')
    """
    if isinstance(node, ast.Name):
        return f"{typ.value} {node.name!r}"
    if typ is Type.BOOLEAN and not isinstance(node, ast.Boolean):
        return "a condition"
    if isinstance(node, ast.Boolean):
        return "true/false"
    return _ARTICLE[typ]


def _is_column(node: ast.Node) -> bool:
    """A boolean column (or its earlier value) reads as a number 0/1; a condition does not."""
    if isinstance(node, ast.Call) and node.function == "previous" and node.args:
        return _is_column(node.args[0])
    return isinstance(node, ast.Name)


def position_of(node: ast.Node) -> dict[str, Any]:
    """Where ``node`` was written, as the keyword arguments of a :class:`RuleError`
    (nothing for a node built in code)."""
    span = node.span
    if span is None:
        return {}
    end = span.end_column if span.end_line == span.line else None
    return {
        "line": span.line,
        "column": span.column,
        "end_column": end,
        "source": span.source,
    }


class _Checker:
    def __init__(self, schema: Mapping[str, Kind | str]) -> None:
        self.kinds = {str(name): Kind(kind) for name, kind in schema.items()}
        self.types: Types = {}
        self.errors: list[RuleError] = []

    # -- reporting ----------------------------------------------------------------------------

    def type_error(self, message: str, node: ast.Node) -> Type:
        self.errors.append(RuleTypeError(message, **position_of(node)))
        return Type.ERROR

    def name_error(self, name: str, node: ast.Node, candidates: Iterable[str], what: str) -> Type:
        pool = list(candidates)
        suggestion = did_you_mean(name, pool)
        message = f"unknown {what} {name!r}"
        if suggestion is not None:
            message += f"; did you mean {suggestion!r}?"
        self.errors.append(
            RuleNameError(message, name=name, suggestion=suggestion, **position_of(node))
        )
        return Type.ERROR

    # -- typing -------------------------------------------------------------------------------

    def type_of(self, node: ast.Node) -> Type:
        known = self.types.get(node)
        if known is not None:
            return known
        typ = self._infer(node)
        self.types[node] = typ
        return typ

    def _infer(self, node: ast.Node) -> Type:
        if isinstance(node, ast.Number):
            return Type.NUMBER
        if isinstance(node, ast.Duration):
            return Type.DURATION
        if isinstance(node, ast.DateLiteral):
            return Type.DATE
        if isinstance(node, ast.String):
            return Type.STRING
        if isinstance(node, ast.Boolean):
            return Type.BOOLEAN
        if isinstance(node, ast.Name):
            kind = self.kinds.get(node.name)
            if kind is None:
                return self.name_error(node.name, node, self.kinds, "name")
            return _KIND_TYPES[kind]
        if isinstance(node, ast.Negate):
            return self._number_operand(node.operand, "negate")
        if isinstance(node, ast.Arithmetic):
            return self._arithmetic(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Compare):
            return self._compare(node.op, node.left, node.right, node)
        if isinstance(node, ast.Between):
            for bound in (node.low, node.high):
                self._compare("<=", node.operand, bound, node)
            return Type.BOOLEAN
        if isinstance(node, ast.In):
            return self._member(node)
        if isinstance(node, ast.IsMissing):
            self.type_of(node.operand)
            return Type.BOOLEAN
        if isinstance(node, ast.Becomes):
            return self._compare("=", node.operand, node.value, node)
        if isinstance(node, ast.Not):
            self._condition(node.operand)
            return Type.BOOLEAN
        if isinstance(node, (ast.And, ast.Or)):
            for operand in node.operands:
                self._condition(operand)
            return Type.BOOLEAN
        raise TypeError(f"not a rule node: {node!r}")  # pragma: no cover

    def _condition(self, node: ast.Node) -> None:
        typ = self.type_of(node)
        if typ not in (Type.BOOLEAN, Type.ERROR):
            self.type_error(f"expected a condition, found {describe(node, typ)}", node)

    def _number_operand(self, node: ast.Node, verb: str) -> Type:
        typ = self.type_of(node)
        if typ is Type.ERROR:
            return typ
        if typ not in NUMERIC or (typ is Type.BOOLEAN and not _is_column(node)):
            return self.type_error(f"cannot {verb} {describe(node, typ)}", node)
        return Type.NUMBER

    def _arithmetic(self, node: ast.Arithmetic) -> Type:
        left, right = self.type_of(node.left), self.type_of(node.right)
        if Type.ERROR in (left, right):
            return Type.ERROR
        if node.op in "+-" and Type.DATE in (left, right):
            if left is Type.DATE and right is Type.DATE and node.op == "-":
                return Type.NUMBER  # days between two dates
            if left is Type.DATE and isinstance(node.right, ast.Duration):
                return Type.DATE
            if right is Type.DATE and node.op == "+" and isinstance(node.left, ast.Duration):
                return Type.DATE
            return self.type_error(
                "dates move only by a duration (date + 30d, date - 2w) or subtract to give "
                "days (date - date)",
                node,
            )
        verb = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}[node.op]
        for operand in (node.left, node.right):
            if self._number_operand(operand, verb) is Type.ERROR:
                return Type.ERROR
        return Type.NUMBER

    def _call(self, node: ast.Call) -> Type:
        name = node.function
        if name not in ast.FUNCTIONS:
            return self.name_error(name, node, ast.FUNCTIONS, "function")
        arity = ast.FUNCTIONS[name]
        args = node.args
        if arity is not None and len(args) != arity:
            need = f"{arity} argument{'s' if arity > 1 else ''}"
            return self.type_error(f"{name}() takes {need}, got {len(args)}", node)
        if arity is None and not args:
            return self.type_error(f"{name}() needs at least one argument", node)
        if name in HISTORY_FUNCTIONS:
            window = args[1]
            if not isinstance(window, ast.Duration):
                self.type_of(window)
                return self.type_error(
                    f"the second argument of {name}() is a duration such as 30d", window
                )
            if window.days == 0:  # no earlier snapshot is 0 days back: always missing
                return self.type_error(f"the window of {name}() must be at least 1d", window)
            if name == "previous":
                typ = self.type_of(args[0])
                if typ in (Type.STRING, Type.DURATION):
                    return self.type_error(
                        f"previous() needs a column, not {describe(args[0], typ)}", args[0]
                    )
                return typ
            return self._number_operand(args[0], f"take {name}() of")
        if name in ("days_since", "days_until"):
            typ = self.type_of(args[0])
            if typ not in (Type.DATE, Type.ERROR):
                return self.type_error(f"{name}() needs a date, not {describe(args[0], typ)}", node)
            return Type.ERROR if typ is Type.ERROR else Type.NUMBER
        result = Type.NUMBER
        for arg in args:
            if self._number_operand(arg, f"take {name}() of") is Type.ERROR:
                result = Type.ERROR
        return result

    def _compare(self, op: str, left: ast.Node, right: ast.Node, node: ast.Node) -> Type:
        a, b = self.type_of(left), self.type_of(right)
        if Type.ERROR in (a, b):
            return Type.BOOLEAN
        if isinstance(left, ast.String) and isinstance(right, ast.String):
            self.type_error("compare a column with a string, not two strings", node)
            return Type.BOOLEAN
        # One rule for every comparison (=, !=, <, <=, >, >=, between, in, becomes): a
        # true/false value compared with a number reads as 1/0, so `ok in (2)` is
        # `ok = 2` (false), never a test of truthiness.
        numeric = {Type.NUMBER, Type.DURATION}
        if (a in numeric or (a is Type.BOOLEAN and b in numeric)) and (
            b in numeric or (b is Type.BOOLEAN and a in numeric)
        ):
            return Type.BOOLEAN
        if a is Type.DATE and b is Type.DATE:
            return Type.BOOLEAN
        labels = {Type.CATEGORY, Type.STRING}
        if a in labels and b in labels:
            if op not in ("=", "!="):
                cat = left if a is Type.CATEGORY else right
                self.type_error(
                    f"cannot order {describe(cat, Type.CATEGORY)}; compare it with = or != "
                    "or use in (...)",
                    node,
                )
            return Type.BOOLEAN
        if a is Type.BOOLEAN and b is Type.BOOLEAN:
            if op not in ("=", "!="):
                self.type_error("true/false values compare only with = or !=", node)
            return Type.BOOLEAN
        self.type_error(f"cannot compare {describe(left, a)} with {describe(right, b)}", node)
        return Type.BOOLEAN

    def _member(self, node: ast.In) -> Type:
        typ = self.type_of(node.operand)
        if typ is Type.ERROR:
            return Type.BOOLEAN
        for value in node.values:
            self._compare("=", node.operand, value, value)
        return Type.BOOLEAN


def check(
    nodes: ast.Node | Iterable[ast.Node],
    schema: Mapping[str, Kind | str],
) -> Types:
    """Check names and types of one node or several (rules, conditions, expressions).

    Every problem is collected; if there are any, they are raised together as one
    :class:`~successkit.RuleError` (its ``errors`` lists each, ordered by position).
    Each rule's condition must be a condition (true/false).

    Parameters
    ----------
    nodes:
        A :class:`~successkit.dsl.ast.Rule`, a condition or expression node, or an
        iterable of them.
    schema:
        Every name a rule may use, mapped to its :class:`~successkit.Kind`.

    Returns
    -------
    dict
        The :class:`Type` of every node checked.

    Raises
    ------
    RuleNameError
        An unknown name or function (with the closest known name).
    RuleTypeError
        Values of incompatible kinds combined.

    Examples
    --------
    >>> from successkit.dsl import check, parse_condition
    >>> types = check(parse_condition("tier = 'high'"), {"tier": "category"})
    >>> sorted(t.value for t in types.values())
    ['boolean', 'category', 'string']
    >>> check(parse_condition("tier > 5"), {"tier": "category"})
    Traceback (most recent call last):
    ...
    successkit.errors.RuleTypeError: line 1, column 1: cannot compare category 'tier' with a number
      tier > 5
      ^^^^^^^^
    """
    checker = _Checker(schema)
    items = [nodes] if isinstance(nodes, ast.Node) else list(nodes)
    for item in items:
        if isinstance(item, ast.Rule):
            checker._condition(item.condition)
        else:
            checker.type_of(item)
    if checker.errors:
        raise RuleError.collect(_unique(checker.errors))
    return checker.types


def _unique(errors: list[RuleError]) -> list[RuleError]:
    """Drop repeats (a shared sub-expression is checked once, but may be reported twice)."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for error in errors:
        key = (type(error), error.message, error.line, error.column)
        if key not in seen:
            seen.add(key)
            out.append(error)
    return out
