"""The reference interpreter of the rule language: one account at a time, in plain Python.

:func:`evaluate_row` spells out docs/playbook-language.md directly, with Python values
(``None`` for missing and for unknown, Kleene's three-valued logic) and no numpy: it shares
nothing with the compiler but the syntax tree. The data are read into plain dictionaries
(:class:`Snapshot`), and the earlier snapshot a history function reads is chosen here, from
the spec. ``test_differential.py`` and ``test_compile.py`` check that the compiled numpy
path agrees with it on random rules and data.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from successkit.data.history import History
from successkit.data.portfolio import Portfolio
from successkit.dsl import ast

__all__ = ["RowContext", "Snapshot", "evaluate_row", "snapshots_of"]


class Snapshot:
    """One snapshot in plain Python: its date and, per account id, the value of each column
    (``None`` where missing)."""

    def __init__(self, portfolio: Portfolio) -> None:
        self.as_of: dt.date | None = portfolio.as_of
        names = portfolio.names
        columns = [portfolio.column(name) for name in names]
        self.rows: dict[str, dict[str, Any]] = {
            str(account): {name: column.value_at(row) for name, column in zip(names, columns, strict=True)}
            for row, account in enumerate(portfolio.ids.tolist())
        }


def snapshots_of(data: Portfolio | History) -> list[Snapshot]:
    """The snapshots of a Portfolio (one) or a History (oldest first)."""
    return [Snapshot(data)] if isinstance(data, Portfolio) else [Snapshot(p) for p in data]


class RowContext:
    """One account at one snapshot, read value by value from plain dictionaries.

    The earlier snapshot a history function reads is chosen here from the spec
    (docs/playbook-language.md, "Which snapshot"), not by the compiler's code.
    """

    def __init__(self, snapshots: list[Snapshot], account: str, position: int = -1) -> None:
        self.snapshots = snapshots
        self.account = account
        self.position = position % len(snapshots)

    @classmethod
    def accounts(cls, data: Portfolio | History) -> list[RowContext]:
        """Every account of the latest snapshot (the accounts a playbook evaluates), in
        the order of its rows."""
        snapshots = snapshots_of(data)
        return [cls(snapshots, account) for account in snapshots[-1].rows]

    @property
    def as_of(self) -> dt.date | None:
        return self.snapshots[self.position].as_of

    def value(self, node: ast.Name) -> Any:
        # an account absent from this snapshot has every value missing
        return self.snapshots[self.position].rows.get(self.account, {}).get(node.name)

    def past(self, days: int) -> RowContext | None:
        """The earlier snapshot dated closest to ``days`` before this one, within
        ``days // 2`` days of that date (edge included); of two equally close, the older."""
        if self.as_of is None:
            return None
        target = self.as_of - dt.timedelta(days=days)
        best: int | None = None
        for k in range(self.position):  # oldest first, so a tie keeps the older
            when = self.snapshots[k].as_of
            if when is None:
                continue
            gap = abs((when - target).days)
            if gap <= days // 2 and (
                best is None or gap < abs((self.snapshots[best].as_of - target).days)  # type: ignore[operator]
            ):
                best = k
        return None if best is None else RowContext(self.snapshots, self.account, best)

    def previous(self) -> RowContext | None:
        """The snapshot right before this one (``becomes``)."""
        if self.position == 0:
            return None
        return RowContext(self.snapshots, self.account, self.position - 1)


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
        if left is None or right is None:
            return None
        if isinstance(left, dt.date) or isinstance(right, dt.date):
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
