"""Checked syntax → numpy closures, with three-valued logic.

Each node compiles to a function of a :class:`~successkit.dsl._frame.Frame` that returns
its values over all accounts at once, as the values of :mod:`successkit.dsl._values`
(arrays with NaN/NaT where missing, :class:`Labels` for categories, :class:`Truth` for
conditions). The *false* mask of a condition is computed only when something asks for it
(``not``, ``!=``), so a rule without ``not`` costs one boolean array per predicate, as
hand-written numpy would.

Categories compare as integer codes (the label is looked up once per evaluation, never
compared as text per account) and ``in (...)`` is one table lookup over the codes. Every
node's value is cached in the frame under the node itself (nodes compare by structure), so
a predicate shared by many rules is evaluated once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from successkit._arrays import BoolArray
from successkit.data.kinds import Kind
from successkit.dsl import ast
from successkit.dsl._frame import Frame
from successkit.dsl._values import (
    Labels,
    Truth,
    as_truth,
    compare,
    divide,
    full,
    missing_like,
    missing_mask,
    present,
    shaped,
    to_number,
    whole_days,
)
from successkit.dsl.check import HISTORY_FUNCTIONS, Type, Types, position_of
from successkit.errors import DataError, RuleNameError

__all__ = ["Compiled", "Labels", "Truth", "as_truth", "compile_node", "missing_mask", "to_number"]

Compiled = Callable[[Frame], Any]


# -- the compiler -----------------------------------------------------------------------------


class _Compiler:
    def __init__(self, types: Types) -> None:
        self.types = types
        self.done: dict[ast.Node, Compiled] = {}

    def compile(self, node: ast.Node) -> Compiled:
        compiled = self.done.get(node)
        if compiled is None:
            inner = self._build(node)
            if isinstance(node, (ast.Number, ast.String, ast.Boolean, ast.Duration,
                                 ast.DateLiteral)):
                compiled = inner  # literals are scalars: nothing to cache

            else:

                def compiled(frame: Frame, _node: ast.Node = node, _inner: Compiled = inner) -> Any:
                    cache = frame.cache
                    try:
                        return cache[_node]
                    except KeyError:
                        value = cache[_node] = _inner(frame)
                        return value

            self.done[node] = compiled
        return compiled

    def _build(self, node: ast.Node) -> Compiled:
        if isinstance(node, ast.Number):
            number = node.number
            return lambda frame: number
        if isinstance(node, ast.Duration):
            days = float(node.days)
            return lambda frame: days
        if isinstance(node, ast.DateLiteral):
            day = np.datetime64(node.value, "D")
            return lambda frame: day
        if isinstance(node, ast.String):
            text = node.value
            return lambda frame: text
        if isinstance(node, ast.Boolean):
            flag = node.value
            return lambda frame: flag
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Negate):
            operand = self.compile(node.operand)
            return lambda frame: np.negative(to_number(operand(frame)))
        if isinstance(node, ast.Arithmetic):
            return self._arithmetic(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Compare):
            left, right, op = self.compile(node.left), self.compile(node.right), node.op
            return lambda frame: compare(op, left(frame), right(frame), frame.n)
        if isinstance(node, ast.Between):
            return self._between(node)
        if isinstance(node, ast.In):
            return self._member(node)
        if isinstance(node, ast.IsMissing):
            operand, negated = self.compile(node.operand), node.negated

            def is_missing(frame: Frame) -> Truth:
                missing = missing_mask(operand(frame), frame.n)
                return Truth(~missing, missing) if negated else Truth(missing, ~missing)

            return is_missing
        if isinstance(node, ast.Becomes):
            return self._becomes(node)
        if isinstance(node, ast.Not):
            operand = self.compile(node.operand)
            return lambda frame: as_truth(operand(frame), frame.n).negate()
        if isinstance(node, ast.And):
            return self._junction(node.operands, conjunction=True)
        if isinstance(node, ast.Or):
            return self._junction(node.operands, conjunction=False)
        raise TypeError(f"cannot compile {node!r}")  # pragma: no cover

    # -- names --------------------------------------------------------------------------------

    def _name(self, node: ast.Name) -> Compiled:
        name = node.name
        typ = self.types.get(node)
        kind = None if typ is None or typ is Type.ERROR else Kind(typ.value)

        def read(frame: Frame) -> Any:
            column = frame.column(name, kind)
            if column is None:
                raise _unavailable(node, frame)
            if column.kind is Kind.NUMBER or column.kind is Kind.DATE:
                return column.values
            if column.kind is Kind.CATEGORY:
                return Labels(column.values, column.categories)
            present = ~column.missing
            return Truth(column.values & present, ~column.values & present)

        return read

    # -- arithmetic ---------------------------------------------------------------------------

    def _arithmetic(self, node: ast.Arithmetic) -> Compiled:
        left, right, op = self.compile(node.left), self.compile(node.right), node.op
        left_type, right_type = self.types.get(node.left), self.types.get(node.right)
        if left_type is Type.DATE or right_type is Type.DATE:
            return _date_arithmetic(op, left, right, left_type, right_type)
        ufunc = {"+": np.add, "-": np.subtract, "*": np.multiply}.get(op)

        def arithmetic(frame: Frame) -> Any:
            a = to_number(left(frame))
            b = to_number(right(frame))
            with np.errstate(all="ignore"):
                if ufunc is not None:
                    return ufunc(a, b)
                return divide(a, b, frame.n)

        return arithmetic

    # -- functions ----------------------------------------------------------------------------

    def _call(self, node: ast.Call) -> Compiled:
        name = node.function
        args = [self.compile(arg) for arg in node.args]
        if name in HISTORY_FUNCTIONS:
            days = node.args[1].days if isinstance(node.args[1], ast.Duration) else 0
            return _history_call(name, args[0], days, self.types.get(node, Type.NUMBER))
        if name in ("days_since", "days_until"):
            since = name == "days_since"
            arg = args[0]

            def days_between(frame: Frame) -> Any:
                if frame.as_of is None:
                    raise DataError(
                        f"{name}() needs the portfolio's as_of date; pass as_of= when "
                        "building it"
                    )
                day = arg(frame)
                now = np.datetime64(frame.as_of, "D")
                gap = (now - day) if since else (day - now)
                return whole_days(gap)

            return days_between
        if name == "abs":
            arg = args[0]
            return lambda frame: np.abs(to_number(arg(frame)))
        reduce = np.minimum if name == "min" else np.maximum

        def extreme(frame: Frame) -> Any:
            values = [to_number(arg(frame)) for arg in args]
            out = values[0]
            for value in values[1:]:
                out = reduce(out, value)  # NaN propagates: missing if any input is
            return out

        return extreme

    # -- predicates ---------------------------------------------------------------------------

    def _between(self, node: ast.Between) -> Compiled:
        operand, low, high = (self.compile(n) for n in (node.operand, node.low, node.high))
        negated = node.negated

        def between(frame: Frame) -> Truth:
            x = to_number(operand(frame))
            lo, hi = to_number(low(frame)), to_number(high(frame))
            n = frame.n
            true = shaped(np.greater_equal(x, lo) & np.less_equal(x, hi), n)

            def false() -> BoolArray:
                return shaped(np.less(x, lo) | np.greater(x, hi), n)

            result = Truth(true, make_false=false)
            return result.negate() if negated else result

        return between

    def _member(self, node: ast.In) -> Compiled:
        operand = self.compile(node.operand)
        values = [_literal(v) for v in node.values]
        negated = node.negated
        operand_type = self.types.get(node.operand)

        def member(frame: Frame) -> Truth:
            value = operand(frame)
            n = frame.n
            if isinstance(value, Labels):
                # one lookup over the codes; the last slot (code -1) is "missing"
                inside = np.zeros(len(value.categories) + 1, dtype=np.bool_)
                outside = np.ones(len(value.categories) + 1, dtype=np.bool_)
                outside[-1] = False
                for label in values:
                    code = value.code_of(str(label))
                    if code >= 0:
                        inside[code], outside[code] = True, False
                codes = value.codes
                result = Truth(inside[codes], make_false=lambda: outside[codes])
            elif isinstance(value, Truth) and all(isinstance(v, bool) for v in values):
                wanted = set(values)
                true = (value.true if True in wanted else full(n, False)) | (
                    value.false if False in wanted else full(n, False)
                )
                result = Truth(true, (value.true | value.false) & ~true)
            else:
                if operand_type is Type.DATE:
                    table = np.array(values, dtype="datetime64[D]")
                else:  # a true/false value among numbers reads as 1/0, as with `=`
                    table = np.array([float(v) for v in values], dtype=np.float64)
                    value = to_number(value)
                inside_mask = shaped(np.isin(value, table), n)
                result = Truth(
                    inside_mask, make_false=lambda: shaped(~inside_mask & present(value), n)
                )
            return result.negate() if negated else result

        return member

    def _becomes(self, node: ast.Becomes) -> Compiled:
        operand = self.compile(node.operand)
        target = _literal(node.value)

        def becomes(frame: Frame) -> Truth:
            now = compare("=", operand(frame), target, frame.n)
            before_frame = frame.previous()
            if before_frame is None:
                return Truth(full(frame.n, False), now.false)
            before = compare("=", operand(before_frame), target, frame.n)
            return Truth(now.true & before.false, now.false | before.true)

        return becomes

    def _junction(self, operands: tuple[ast.Node, ...], *, conjunction: bool) -> Compiled:
        parts = [self.compile(operand) for operand in operands]

        def junction(frame: Frame) -> Truth:
            n = frame.n
            truths = [as_truth(part(frame), n) for part in parts]
            if conjunction:
                true = truths[0].true & truths[1].true
                for truth in truths[2:]:
                    true &= truth.true
            else:
                true = truths[0].true | truths[1].true
                for truth in truths[2:]:
                    true |= truth.true

            def false() -> BoolArray:
                out = truths[0].false | truths[1].false if conjunction else (
                    truths[0].false & truths[1].false
                )
                for truth in truths[2:]:
                    if conjunction:
                        out |= truth.false
                    else:
                        out &= truth.false
                return out

            return Truth(true, make_false=false)

        return junction


def _literal(node: ast.Node) -> Any:
    if isinstance(node, ast.String):
        return node.value
    if isinstance(node, ast.Boolean):
        return node.value
    if isinstance(node, ast.DateLiteral):
        return np.datetime64(node.value, "D")
    if isinstance(node, ast.Duration):
        return float(node.days)
    if isinstance(node, ast.Number):
        return node.number
    raise TypeError(f"not a literal: {node!r}")  # pragma: no cover


def _date_arithmetic(
    op: str, left: Compiled, right: Compiled, left_type: Type | None, right_type: Type | None
) -> Compiled:
    def dates(frame: Frame) -> Any:
        a, b = left(frame), right(frame)
        if left_type is Type.DATE and right_type is Type.DATE:
            return whole_days(a - b)
        date, days = (a, b) if left_type is Type.DATE else (b, a)
        step = np.timedelta64(int(days), "D")
        return date + step if op == "+" else date - step

    return dates


def _history_call(name: str, operand: Compiled, days: int, typ: Type) -> Compiled:
    def history(frame: Frame) -> Any:
        now = operand(frame)
        past_frame = frame.past(days)
        then = missing_like(now, frame.n) if past_frame is None else operand(past_frame)
        if name == "previous":
            return then
        a, b = to_number(now), to_number(then)
        with np.errstate(all="ignore"):
            difference = np.subtract(a, b)
            if name == "delta":
                return difference
            return divide(difference, b, frame.n)

    return history


def _unavailable(node: ast.Name, frame: Frame) -> RuleNameError:
    when = "" if frame.as_of is None else f" on {frame.as_of.isoformat()}"
    return RuleNameError(
        f"{node.name!r} has no values{when}; to compare a model's results over time, pass "
        "the model (e.g. a HealthModel) rather than one result",
        name=node.name,
        **position_of(node),
    )


def compile_node(node: ast.Node, types: Types) -> Compiled:
    """Compile a checked node to a function of a frame (see the module docstring).

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.dsl import check, compile_node, parse_condition
    >>> from successkit.dsl._frame import Timeline
    >>> pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "x": [1.0, None, 5.0]})
    >>> node = parse_condition("x > 2")
    >>> truth = compile_node(node, check(node, pf.schema))(Timeline(pf).frame())
    >>> truth.true.tolist(), truth.false.tolist()   # b is unknown: neither
    ([False, False, True], [True, False, False])
    """
    return _Compiler(types).compile(node)


def compile_many(nodes: list[ast.Node], types: Types) -> list[Compiled]:
    """Compile several nodes sharing one cache of compiled sub-expressions."""
    compiler = _Compiler(types)
    return [compiler.compile(node) for node in nodes]
