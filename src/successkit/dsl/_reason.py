"""Why a rule fired for an account: the predicates that were true, with their values.

``first_login_rate = 22% <= 30%`` reads "the value of first_login_rate was 22%, which is
<= 30%". Values come from the evaluation's cache (every compiled node's value is kept
there), so writing a reason costs array look-ups, done only for CTAs someone reads.

A reason is rendered per rule, not per row: everything that does not depend on the account
(names, operators, literals) is formatted once when a condition's renderer is built; per
call only the values change, formatted once per distinct value and joined to the fixed text
row-wise. The tests check every row against a reason written row by row
(``tests/dsl/_reference.py``), on random rules and histories.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._html import format_value
from successkit.dsl import ast
from successkit.dsl._frame import Frame
from successkit.dsl._texts import Objects, Piece, join, number_texts, objects
from successkit.dsl.compile import Labels, Truth
from successkit.dsl.format import format_literal, format_node

__all__ = ["reasons", "renderer"]

_LITERALS = (ast.Number, ast.Duration, ast.DateLiteral, ast.String, ast.Boolean)


def _is_percent(node: ast.Node) -> bool:
    return isinstance(node, ast.Number) and node.percent


def _date_item(item: Any) -> Any:
    return None if np.isnat(item) else item.astype("datetime64[D]").astype(object)


def _show(value: Any, *, percent: bool) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return format_literal(ast.String(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if percent and isinstance(value, float):
        return f"{format_value(value * 100)}%"
    return format_value(value)


Rows = npt.NDArray[np.intp]
Renderer = Callable[[Frame, Rows], list[Piece]]


def reasons(frame: Frame, node: ast.Node, rows: Rows) -> Objects:
    """The reason ``node`` held, for each of ``rows`` of ``frame`` (``object`` array of str)."""
    return join(renderer(node)(frame, rows), len(rows))


@functools.lru_cache(maxsize=1024)
def renderer(node: ast.Node) -> Renderer:
    """The reason writer of a condition, its fixed text formatted once (nodes compare by
    structure, so a rule's renderer is built once per process)."""
    if isinstance(node, ast.And):
        parts = [renderer(op) for op in node.operands]

        def conjunction(frame: Frame, rows: Rows) -> list[Piece]:
            out: list[Piece] = []
            for k, part in enumerate(parts):
                if k:
                    out.append(" and ")
                out.extend(part(frame, rows))
            return out

        return conjunction
    if isinstance(node, ast.Or):
        return _disjunction(node)
    if isinstance(node, ast.Compare):
        left_literal = isinstance(node.left, _LITERALS)
        right_literal = isinstance(node.right, _LITERALS)
        if node.op == "=" and (left_literal or right_literal):
            return _fixed(format_node(node))
        percent = _is_percent(node.left) or _is_percent(node.right)
        paren = not (left_literal or right_literal)
        return _sequence(
            _operand_renderer(node.left, percent=percent, paren=paren),
            f" {node.op} ",
            _operand_renderer(node.right, percent=percent, paren=True),
        )
    if isinstance(node, ast.Between):
        percent = _is_percent(node.low) or _is_percent(node.high)
        word = "not between" if node.negated else "between"
        return _sequence(
            _operand_renderer(node.operand, percent=percent, paren=False),
            f" {word} ",
            _operand_renderer(node.low, percent=percent, paren=True),
            " and ",
            _operand_renderer(node.high, percent=percent, paren=True),
        )
    if isinstance(node, ast.In):
        percent = any(_is_percent(v) for v in node.values)
        word = "not in" if node.negated else "in"
        listed = ", ".join(format_literal(v) for v in node.values)
        return _sequence(
            _operand_renderer(node.operand, percent=percent, paren=False), f" {word} ({listed})"
        )
    if isinstance(node, ast.Becomes):
        head = f"{format_node(node.operand)} became {format_literal(node.value)} (was "
        operand, percent = node.operand, _is_percent(node.value)

        def becomes(frame: Frame, rows: Rows) -> list[Piece]:
            previous = frame.previous()
            before = "missing" if previous is None else _shown(previous, operand, rows, percent)
            return [head, before, ")"]

        return becomes
    return _fixed(format_node(node))


def _fixed(text: str) -> Renderer:
    return lambda frame, rows: [text]


def _sequence(*items: Renderer | str) -> Renderer:
    def sequence(frame: Frame, rows: Rows) -> list[Piece]:
        out: list[Piece] = []
        for item in items:
            if isinstance(item, str):
                out.append(item)
            else:
                out.extend(item(frame, rows))
        return out

    return sequence


def _operand_renderer(node: ast.Node, *, percent: bool, paren: bool) -> Renderer:
    text = format_node(node)
    if isinstance(node, _LITERALS):
        return _fixed(text)
    before, after = (f"{text} (", ")") if paren else (f"{text} = ", "")

    def operand(frame: Frame, rows: Rows) -> list[Piece]:
        return [before, _shown(frame, node, rows, percent), after]

    return operand


def _disjunction(node: ast.Or) -> Renderer:
    """The operands that held, joined by ``or`` (the first operand where none did)."""
    operands = node.operands
    parts = [renderer(op) for op in operands]

    def disjunction(frame: Frame, rows: Rows) -> list[Piece]:
        n = len(rows)
        held = [_truths(frame, op, rows) for op in operands]
        held[0] = held[0] | ~np.logical_or.reduce(held)
        out = np.empty(n, dtype=object)
        started = np.zeros(n, dtype=np.bool_)
        for part, mask in zip(parts, held, strict=True):
            at = np.flatnonzero(mask)
            if not at.size:
                continue
            texts = join(part(frame, rows[at]), at.size)
            joined = started[at]
            if joined.any():
                texts = texts.copy()
                texts[joined] = out[at[joined]] + " or " + texts[joined]
            out[at] = texts
            started[at] = True
        return [out]

    return disjunction


def _truths(frame: Frame, node: ast.Node, rows: Rows) -> npt.NDArray[np.bool_]:
    value = frame.cache.get(node)
    if isinstance(value, Truth):
        return np.asarray(value.true[rows], dtype=np.bool_)
    return np.full(len(rows), bool(value), dtype=np.bool_)


def _shown(frame: Frame, node: ast.Node, rows: Rows, percent: bool) -> Piece:
    """The value of ``node`` at each row as :func:`_show` writes it."""
    value = frame.cache.get(node)
    if value is None:
        return "missing"
    if isinstance(value, Labels):
        # each label that occurs written once; slot 0 is "missing" (codes below 0)
        codes = np.maximum(value.codes[rows], -1) + 1
        table: Objects = np.empty(len(value.categories) + 1, dtype=object)
        table[0] = "missing"
        used = np.flatnonzero(np.bincount(codes, minlength=table.shape[0])[1:]) + 1
        categories = value.categories
        table[used] = [format_literal(ast.String(categories[code - 1])) for code in used.tolist()]
        labels: Objects = table[codes]
        return labels
    if isinstance(value, Truth):
        true, false = value.true[rows], value.false[rows]
        return _TRUTH_TEXT[np.where(true, 1, np.where(false, 2, 0))]
    if isinstance(value, np.ndarray):
        items = value[rows]
        if value.dtype.kind == "M":
            unique, inverse = np.unique(items, return_inverse=True)
            dates: Objects = objects([_show(_date_item(d), percent=percent) for d in unique])
            return dates[inverse]
        return _numbers(np.asarray(items, dtype=np.float64), percent=percent)
    return _show(value, percent=percent)


_TRUTH_TEXT = objects(["missing", "true", "false"])


def _numbers(values: npt.NDArray[np.float64], *, percent: bool) -> Objects:
    """``_show`` of each number: ``missing`` for NaN, else as :func:`format_value` writes it
    (100 times the value, then ``%``, for percents)."""
    suffix = "%" if percent else ""
    missing = np.isnan(values)
    if not missing.any():
        return number_texts(values * 100 if percent else values, suffix)
    present = ~missing
    shown = values[present] * 100 if percent else values[present]
    out = np.empty(values.shape[0], dtype=object)
    out[missing] = "missing"
    out[present] = number_texts(shown, suffix)
    return out
