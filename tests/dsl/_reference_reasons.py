"""The reason a rule fired, written for one row of a frame in plain Python.

:func:`reason` is the plain statement of what the columnar writer
(``successkit.dsl._reason.reasons``) writes for many rows at once; tests and
``benchmarks/bench_playbook.py`` check that the two agree row by row.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from successkit.dsl import ast
from successkit.dsl._frame import Frame
from successkit.dsl._reason import _LITERALS, _date_item, _is_percent, _show
from successkit.dsl.compile import Labels, Truth
from successkit.dsl.format import format_literal, format_node

__all__ = ["reason"]


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
