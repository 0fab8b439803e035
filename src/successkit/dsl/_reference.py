"""A scalar reference interpreter: one account at a time, in plain Python.

It shares nothing with the compiler but the syntax tree and the data access, and spells
out the semantics directly (Kleene's three-valued logic with ``None`` for unknown and
missing). Tests check that the compiled numpy path agrees with it on random rules and data;
it is not used to evaluate playbooks.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from successkit.data.kinds import Kind
from successkit.dsl import ast
from successkit.dsl._frame import Frame
from successkit.dsl.check import Type, Types

__all__ = ["RowContext", "evaluate_row"]


class RowContext:
    """One account (``row``) of a frame, read value by value."""

    def __init__(self, frame: Frame, row: int, types: Types) -> None:
        self.frame = frame
        self.row = row
        self.types = types

    @property
    def as_of(self) -> dt.date | None:
        return self.frame.as_of

    def value(self, node: ast.Name) -> Any:
        typ = self.types[node]
        column = self.frame.column(node.name, Kind(typ.value))
        assert column is not None
        return column.value_at(self.row)

    def past(self, days: int) -> RowContext | None:
        frame = self.frame.past(days)
        return None if frame is None else RowContext(frame, self.row, self.types)

    def previous(self) -> RowContext | None:
        frame = self.frame.previous()
        return None if frame is None else RowContext(frame, self.row, self.types)


def _not(a: bool | None) -> bool | None:
    return None if a is None else not a


def _and(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: list[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    number = float(value)
    return None if math.isnan(number) else number


def _equal(a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    if isinstance(a, bool) and isinstance(b, bool):
        return a == b
    if isinstance(a, (str, dt.date)) or isinstance(b, (str, dt.date)):
        return bool(a == b)
    return _number(a) == _number(b)


def _compare(op: str, a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    if op == "=":
        return _equal(a, b)
    if op == "!=":
        return _not(_equal(a, b))
    if not isinstance(a, dt.date):
        a, b = _number(a), _number(b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _arith(op: str, a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    try:
        if op == "+":
            out = a + b
        elif op == "-":
            out = a - b
        elif op == "*":
            out = a * b
        elif b == 0:
            return None
        else:
            out = a / b
    except OverflowError:
        out = math.copysign(math.inf, a) * (math.copysign(1.0, b) if op == "/" else 1.0)
    return None if math.isnan(out) else out


def evaluate_row(node: ast.Node, ctx: RowContext) -> Any:
    """The value of ``node`` for one account: a Python value, or ``None`` when missing
    (for conditions: ``True``, ``False`` or ``None`` for unknown)."""
    if isinstance(node, ast.Number):
        return node.number
    if isinstance(node, ast.Duration):
        return float(node.days)
    if isinstance(node, (ast.DateLiteral, ast.String, ast.Boolean)):
        return node.value
    if isinstance(node, ast.Name):
        return ctx.value(node)
    if isinstance(node, ast.Negate):
        value = _number(evaluate_row(node.operand, ctx))
        return None if value is None else -value
    if isinstance(node, ast.Arithmetic):
        left, right = evaluate_row(node.left, ctx), evaluate_row(node.right, ctx)
        if ctx.types.get(node.left) is Type.DATE or ctx.types.get(node.right) is Type.DATE:
            if left is None or right is None:
                return None
            if isinstance(left, dt.date) and isinstance(right, dt.date):
                return float((left - right).days)
            date, days = (left, right) if isinstance(left, dt.date) else (right, left)
            step = dt.timedelta(days=int(days))
            return date + step if node.op == "+" else date - step
        return _arith(node.op, _number(left), _number(right))
    if isinstance(node, ast.Call):
        return _call(node, ctx)
    if isinstance(node, ast.Compare):
        return _compare(node.op, evaluate_row(node.left, ctx), evaluate_row(node.right, ctx))
    if isinstance(node, ast.Between):
        value = evaluate_row(node.operand, ctx)
        inside = _and(
            [
                _compare(">=", value, evaluate_row(node.low, ctx)),
                _compare("<=", value, evaluate_row(node.high, ctx)),
            ]
        )
        return _not(inside) if node.negated else inside
    if isinstance(node, ast.In):
        value = evaluate_row(node.operand, ctx)
        if value is None:
            return None
        found = any(_equal(value, evaluate_row(v, ctx)) for v in node.values)
        return not found if node.negated else found
    if isinstance(node, ast.IsMissing):
        missing = evaluate_row(node.operand, ctx) is None
        return not missing if node.negated else missing
    if isinstance(node, ast.Becomes):
        target = evaluate_row(node.value, ctx)
        now = _equal(evaluate_row(node.operand, ctx), target)
        before_ctx = ctx.previous()
        before = None if before_ctx is None else _equal(
            evaluate_row(node.operand, before_ctx), target
        )
        return _and([now, _not(before)])
    if isinstance(node, ast.Not):
        return _not(evaluate_row(node.operand, ctx))
    if isinstance(node, ast.And):
        return _and([evaluate_row(op, ctx) for op in node.operands])
    if isinstance(node, ast.Or):
        return _or([evaluate_row(op, ctx) for op in node.operands])
    raise TypeError(f"cannot evaluate {node!r}")  # pragma: no cover


def _call(node: ast.Call, ctx: RowContext) -> Any:
    name = node.function
    if name in ("change", "delta", "previous"):
        window = node.args[1]
        assert isinstance(window, ast.Duration)
        past = ctx.past(window.days)
        then = None if past is None else evaluate_row(node.args[0], past)
        if name == "previous":
            return then
        now = _number(evaluate_row(node.args[0], ctx))
        difference = _arith("-", now, _number(then))
        return difference if name == "delta" else _arith("/", difference, _number(then))
    if name in ("days_since", "days_until"):
        day = evaluate_row(node.args[0], ctx)
        if day is None:
            return None
        assert ctx.as_of is not None
        gap = (ctx.as_of - day) if name == "days_since" else (day - ctx.as_of)
        return float(gap.days)
    values = [_number(evaluate_row(arg, ctx)) for arg in node.args]
    if any(v is None for v in values):
        return None
    if name == "abs":
        return abs(values[0])  # type: ignore[arg-type]
    return min(values) if name == "min" else max(values)  # type: ignore[type-var]
