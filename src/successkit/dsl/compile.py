"""Checked syntax → numpy closures, with three-valued logic.

Each node compiles to a function of a :class:`~successkit.dsl._frame.Frame` that returns
its values over all accounts at once:

- numbers: a ``float64`` array, NaN where missing (division by zero gives NaN);
- dates: a ``datetime64[D]`` array, NaT where missing;
- categories: :class:`Labels` — ``int32`` codes (``-1`` missing) and their labels;
- conditions: :class:`Truth` — where the condition is *true* and where it is *false*;
  where it is neither it is *unknown* (SQL's three-valued logic). The *false* mask is
  computed only when something asks for it (``not``, ``!=``), so a rule without ``not``
  costs one boolean array per predicate, as hand-written numpy would.

Categories compare as integer codes (the label is looked up once per evaluation, never
compared as text per account) and ``in (...)`` is one table lookup over the codes. Every
node's value is cached in the frame under the node itself (nodes compare by structure), so
a predicate shared by many rules is evaluated once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.data.kinds import Kind
from successkit.dsl import ast
from successkit.dsl._frame import Frame
from successkit.dsl.check import HISTORY_FUNCTIONS, Type, Types, position_of
from successkit.errors import DataError, RuleNameError

__all__ = ["Compiled", "Labels", "Truth", "as_truth", "compile_node", "missing_mask", "to_number"]

BoolArray = npt.NDArray[np.bool_]
Compiled = Callable[[Frame], Any]

_NAT = np.datetime64("NaT", "D")


class Truth:
    """A condition over all accounts: ``true`` and ``false`` masks (neither = unknown)."""

    __slots__ = ("_false", "_make_false", "true")

    def __init__(
        self,
        true: BoolArray,
        false: BoolArray | None = None,
        make_false: Callable[[], BoolArray] | None = None,
    ) -> None:
        self.true = true
        self._false = false
        self._make_false = make_false

    @property
    def false(self) -> BoolArray:
        if self._false is None:
            assert self._make_false is not None
            self._false = self._make_false()
            self._make_false = None
        return self._false

    def negate(self) -> Truth:
        return Truth(self.false, self.true)


class Labels:
    """Category values: ``codes`` into ``categories`` (``-1`` where missing)."""

    __slots__ = ("categories", "codes")

    def __init__(self, codes: npt.NDArray[np.int32], categories: tuple[str, ...]) -> None:
        self.codes = codes
        self.categories = categories

    def code_of(self, label: str) -> int:
        """The code of ``label`` (``-2``, never equal to a code, when absent)."""
        categories = self.categories
        index = int(np.searchsorted(np.asarray(categories, dtype=object), label))
        if index < len(categories) and categories[index] == label:
            return index
        return -2

    def recode(self, other: Labels) -> npt.NDArray[np.int32]:
        """``other``'s codes translated into this value's categories (-2: not present)."""
        table = np.array([*(self.code_of(c) for c in other.categories), -1], dtype=np.int32)
        return table[other.codes]


# -- value helpers ----------------------------------------------------------------------------


def _full(n: int, value: bool) -> BoolArray:
    return np.full(n, value, dtype=np.bool_)


def to_number(value: Any) -> Any:
    """A number operand: arrays as they are, conditions as 1/0/NaN, scalars as floats."""
    if isinstance(value, Truth):
        return np.where(value.true, 1.0, np.where(value.false, 0.0, np.nan))
    if isinstance(value, (bool, np.bool_)):
        return 1.0 if value else 0.0
    return value


def missing_mask(value: Any, n: int) -> BoolArray:
    """Where ``value`` is missing (scalar literals never are)."""
    if isinstance(value, Truth):
        return ~(value.true | value.false)
    if isinstance(value, Labels):
        return value.codes < 0
    if isinstance(value, np.ndarray):
        return np.isnat(value) if value.dtype.kind == "M" else np.isnan(value)
    return _full(n, _scalar_missing(value))


def _scalar_missing(value: Any) -> bool:
    """A scalar is missing when arithmetic on literals alone made NaN (or NaT): missing is
    missing, whether it comes from a column or not."""
    if isinstance(value, float):  # np.float64 too
        return value != value
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def _present(value: Any) -> Any:
    """Where ``value`` is present, or ``True`` for a scalar (broadcasts)."""
    if isinstance(value, np.ndarray):
        return ~np.isnat(value) if value.dtype.kind == "M" else ~np.isnan(value)
    return not _scalar_missing(value)


def _shape(mask: Any, n: int) -> BoolArray:
    if isinstance(mask, np.ndarray) and mask.shape == (n,):
        return mask
    return np.broadcast_to(np.asarray(mask, dtype=np.bool_), (n,)).copy()


# -- comparisons ------------------------------------------------------------------------------

_ORDER = {
    "<": (np.less, np.greater_equal),
    "<=": (np.less_equal, np.greater),
    ">": (np.greater, np.less_equal),
    ">=": (np.greater_equal, np.less),
}


def _compare_values(op: str, left: Any, right: Any, n: int) -> Truth:
    """Three-valued ``left op right`` for numbers, dates, categories or conditions."""
    if isinstance(left, Labels) or isinstance(right, Labels):
        return _compare_labels(op, left, right)
    if isinstance(left, (Truth, bool, np.bool_)) and isinstance(right, (Truth, bool, np.bool_)):
        return _compare_truths(op, left, right, n)
    left, right = to_number(left), to_number(right)
    if op in _ORDER:
        is_true, is_false = _ORDER[op]
        true = _shape(is_true(left, right), n)
        return Truth(true, make_false=lambda: _shape(is_false(left, right), n))
    equal = _shape(np.equal(left, right), n)

    def unequal() -> BoolArray:
        return _shape(np.not_equal(left, right) & _present(left) & _present(right), n)

    if op == "=":
        return Truth(equal, make_false=unequal)
    return Truth(unequal(), equal)


def _compare_labels(op: str, left: Any, right: Any) -> Truth:
    if isinstance(left, Labels) and isinstance(right, Labels):
        a, b = left.codes, left.recode(right)
        both = (a >= 0) & (b != -1)
        equal = (a == b) & both

        def known() -> BoolArray:
            return both  # type: ignore[no-any-return]

    else:
        labels, text = (left, right) if isinstance(left, Labels) else (right, left)
        a = labels.codes
        equal = a == labels.code_of(str(text))  # never -1, so never true where missing

        def known() -> BoolArray:
            return a >= 0

    if op == "=":
        return Truth(equal, make_false=lambda: ~equal & known())
    return Truth(~equal & known(), equal)


def _compare_truths(op: str, left: Any, right: Any, n: int) -> Truth:
    if not isinstance(left, Truth):
        left, right = right, left
    if not isinstance(left, Truth):  # two literals
        left = as_truth(left, n)
    if not isinstance(right, Truth):  # a condition against true/false
        same = left if bool(right) else left.negate()
    else:
        l_true, l_false, r_true, r_false = left.true, left.false, right.true, right.false
        same = Truth(
            (l_true & r_true) | (l_false & r_false), (l_true & r_false) | (l_false & r_true)
        )
    result: Truth = same if op == "=" else same.negate()
    return result


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
            return lambda frame: _compare_values(op, left(frame), right(frame), frame.n)
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
                return _divide(a, b, frame.n)

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
                return _days(gap)

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
            true = _shape(np.greater_equal(x, lo) & np.less_equal(x, hi), n)

            def false() -> BoolArray:
                return _shape(np.less(x, lo) | np.greater(x, hi), n)

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
                true = (value.true if True in wanted else _full(n, False)) | (
                    value.false if False in wanted else _full(n, False)
                )
                result = Truth(true, (value.true | value.false) & ~true)
            else:
                if operand_type is Type.DATE:
                    table = np.array(values, dtype="datetime64[D]")
                else:  # a true/false value among numbers reads as 1/0, as with `=`
                    table = np.array([float(v) for v in values], dtype=np.float64)
                    value = to_number(value)
                inside_mask = _shape(np.isin(value, table), n)
                result = Truth(
                    inside_mask, make_false=lambda: _shape(~inside_mask & _present(value), n)
                )
            return result.negate() if negated else result

        return member

    def _becomes(self, node: ast.Becomes) -> Compiled:
        operand = self.compile(node.operand)
        target = _literal(node.value)

        def becomes(frame: Frame) -> Truth:
            now = _compare_values("=", operand(frame), target, frame.n)
            before_frame = frame.previous()
            if before_frame is None:
                return Truth(_full(frame.n, False), now.false)
            before = _compare_values("=", operand(before_frame), target, frame.n)
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


def as_truth(value: Any, n: int) -> Truth:
    """A compiled condition's value as a :class:`Truth` over ``n`` accounts (a constant
    condition such as ``true`` becomes true, or false, everywhere)."""
    if isinstance(value, Truth):
        return value
    flag = bool(value)
    return Truth(_full(n, flag), _full(n, not flag))


def _divide(a: Any, b: Any, n: int) -> Any:
    """``a / b`` with NaN where ``b`` is 0 (a missing value, never a warning)."""
    if not isinstance(b, np.ndarray):
        if b == 0:
            return np.full(n, np.nan)
        return np.true_divide(a, b)
    out = np.true_divide(a, b)
    out = np.asarray(out, dtype=np.float64)
    if out.shape != (n,):
        out = np.broadcast_to(out, (n,)).copy()
    out[b == 0] = np.nan
    return out


def _days(gap: Any) -> Any:
    """Whole days of a ``timedelta64`` array as floats, NaN where NaT."""
    if isinstance(gap, np.ndarray):
        days = gap.astype("timedelta64[D]").astype(np.float64)
        days[np.isnat(gap)] = np.nan
        return days
    return np.nan if np.isnat(gap) else float(gap.astype("timedelta64[D]").astype(np.int64))


def _date_arithmetic(
    op: str, left: Compiled, right: Compiled, left_type: Type | None, right_type: Type | None
) -> Compiled:
    def dates(frame: Frame) -> Any:
        a, b = left(frame), right(frame)
        if left_type is Type.DATE and right_type is Type.DATE:
            return _days(a - b)
        date, days = (a, b) if left_type is Type.DATE else (b, a)
        step = np.timedelta64(int(days), "D")
        return date + step if op == "+" else date - step

    return dates


def _history_call(name: str, operand: Compiled, days: int, typ: Type) -> Compiled:
    def history(frame: Frame) -> Any:
        now = operand(frame)
        past_frame = frame.past(days)
        then = _missing_like(now, frame.n) if past_frame is None else operand(past_frame)
        if name == "previous":
            return then
        a, b = to_number(now), to_number(then)
        with np.errstate(all="ignore"):
            difference = np.subtract(a, b)
            if name == "delta":
                return difference
            return _divide(difference, b, frame.n)

    return history


def _missing_like(value: Any, n: int) -> Any:
    if isinstance(value, Truth):
        return Truth(_full(n, False), _full(n, False))
    if isinstance(value, Labels):
        return Labels(np.full(n, -1, dtype=np.int32), value.categories)
    if isinstance(value, np.ndarray) and value.dtype.kind == "M":
        return np.full(n, _NAT)
    return np.full(n, np.nan)


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
