"""References for the DSL tests, one account at a time in plain Python.

:func:`evaluate_row` is a scalar interpreter: it shares nothing with the compiler but the
syntax tree and the data access, and spells out the semantics directly (Kleene's
three-valued logic with ``None`` for unknown and missing). Tests check that the compiled
numpy path agrees with it on random rules and data.

:func:`reason` writes the reason a rule fired for one row of a frame, the plain statement
of what the columnar writer (``successkit.dsl._reason.reasons``) writes for many rows at
once; tests and ``benchmarks/bench_playbook.py`` check that the two agree row by row.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from successkit.data.kinds import Kind
from successkit.dsl import ast
from successkit.dsl._frame import Frame
from successkit.dsl._reason import _LITERALS, _date_item, _is_percent, _show
from successkit.dsl.check import Type, Types
from successkit.dsl.compile import Labels, Truth
from successkit.dsl.format import format_literal, format_node

__all__ = ["RowContext", "evaluate_row", "reason"]


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
        # N% is the decimal N/100: the written digits with the exponent lowered by two
        return float(f"{node.value!r}e-2") if node.percent else node.value
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


# -- reasons, row by row ----------------------------------------------------------------------


def _value_at(frame: Frame, node: ast.Node, row: int) -> Any:
    value = frame.cache.get(node)
    if value is None:
        return None
    if isinstance(value, Labels):
        code = int(value.codes[row])
        return None if code < 0 else value.categories[code]
    if isinstance(value, Truth):
        if value.true[row]:
            return True
        return False if value.false[row] else None
    if isinstance(value, np.ndarray):
        item = value[row]
        if value.dtype.kind == "M":
            return _date_item(item)
        number = float(item)
        return None if math.isnan(number) else number
    return value


def _operand(frame: Frame, node: ast.Node, row: int, *, percent: bool, paren: bool) -> str:
    text = format_node(node)
    if isinstance(node, _LITERALS):
        return text
    shown = _show(_value_at(frame, node, row), percent=percent)
    return f"{text} ({shown})" if paren else f"{text} = {shown}"


def _truth_at(frame: Frame, node: ast.Node, row: int) -> bool:
    value = frame.cache.get(node)
    if isinstance(value, Truth):
        return bool(value.true[row])
    return bool(value)


def reason(frame: Frame, node: ast.Node, row: int) -> str:
    """The reason ``node`` (a condition that was true) held for ``row`` of ``frame``."""
    if isinstance(node, ast.And):
        return " and ".join(reason(frame, op, row) for op in node.operands)
    if isinstance(node, ast.Or):
        held = [op for op in node.operands if _truth_at(frame, op, row)]
        return " or ".join(reason(frame, op, row) for op in held or node.operands[:1])
    if isinstance(node, ast.Compare):
        left_literal = isinstance(node.left, _LITERALS)
        right_literal = isinstance(node.right, _LITERALS)
        if node.op == "=" and (left_literal or right_literal):
            return format_node(node)
        percent = _is_percent(node.left) or _is_percent(node.right)
        paren = not (left_literal or right_literal)
        left = _operand(frame, node.left, row, percent=percent, paren=paren)
        right = _operand(frame, node.right, row, percent=percent, paren=True)
        return f"{left} {node.op} {right}"
    if isinstance(node, ast.Between):
        percent = _is_percent(node.low) or _is_percent(node.high)
        word = "not between" if node.negated else "between"
        value = _operand(frame, node.operand, row, percent=percent, paren=False)
        low = _operand(frame, node.low, row, percent=percent, paren=True)
        high = _operand(frame, node.high, row, percent=percent, paren=True)
        return f"{value} {word} {low} and {high}"
    if isinstance(node, ast.In):
        percent = any(_is_percent(v) for v in node.values)
        value = _operand(frame, node.operand, row, percent=percent, paren=False)
        word = "not in" if node.negated else "in"
        return f"{value} {word} ({', '.join(format_literal(v) for v in node.values)})"
    if isinstance(node, ast.Becomes):
        previous = frame.previous()
        before = None if previous is None else _value_at(previous, node.operand, row)
        percent = _is_percent(node.value)
        return (
            f"{format_node(node.operand)} became {format_literal(node.value)} "
            f"(was {_show(before, percent=percent)})"
        )
    return format_node(node)
