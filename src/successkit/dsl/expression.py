"""Arithmetic expressions on their own: the shared API for metric sources.

A health metric's ``source`` (``"activated_users / seats"``) is an expression in the same
grammar rules use, parsed and evaluated by the same code, so a metric and a rule read the
same text the same way.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from successkit.data.portfolio import Portfolio
from successkit.dsl import ast
from successkit.dsl._frame import Timeline
from successkit.dsl._parser import parse_expression
from successkit.dsl.check import NUMERIC, check, describe, position_of
from successkit.dsl.compile import compile_node, to_number
from successkit.errors import RuleTypeError

__all__ = ["evaluate_expression", "expression_names", "parse_expression"]


def expression_names(expr: ast.Node) -> tuple[str, ...]:
    """The column names an expression reads, in order of first use.

    Examples
    --------
    >>> import successkit as sk
    >>> sk.expression_names(sk.parse_expression("(activated_users + x) / seats - x"))
    ('activated_users', 'x', 'seats')
    >>> sk.expression_names(sk.parse_expression("max(`D-3 Login Rate`, 0)"))
    ('D-3 Login Rate',)
    """
    names: dict[str, None] = {}
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            names.setdefault(node.name, None)
    return tuple(names)


def evaluate_expression(expr: ast.Node | str, portfolio: Portfolio) -> npt.NDArray[np.float64]:
    """The value of an arithmetic expression for every account of ``portfolio``.

    Parameters
    ----------
    expr:
        An expression from :func:`parse_expression` (or its text).
    portfolio:
        The accounts; booleans read as 0 and 1.

    Returns
    -------
    numpy.ndarray
        ``float64`` values aligned with ``portfolio.ids``: NaN where any input is missing
        or a denominator is 0 (never a numpy warning).

    Raises
    ------
    RuleNameError
        The expression names a column the portfolio does not have (with did-you-mean).
    RuleTypeError
        The expression uses a category or date column as a number.

    Examples
    --------
    >>> import successkit as sk
    >>> pf = sk.Portfolio.from_columns(
    ...     {"id": ["a", "b", "c"], "activated_users": [8, 5, None], "seats": [10, 0, 4]})
    >>> sk.evaluate_expression(sk.parse_expression("activated_users / seats"), pf)
    array([0.8, nan, nan])
    >>> try:
    ...     sk.evaluate_expression("activated_user / seats", pf)
    ... except sk.RuleNameError as error:
    ...     print(error)
    line 1, column 1: unknown name 'activated_user'; did you mean 'activated_users'?
      activated_user / seats
      ^^^^^^^^^^^^^^
    """
    if isinstance(expr, str):
        expr = parse_expression(expr)
    types = check(expr, portfolio.schema)
    typ = types[expr]
    if typ not in NUMERIC:
        raise RuleTypeError(
            f"expected a number, found {describe(expr, typ)}", **position_of(expr)
        )
    frame = Timeline(portfolio).frame()
    value = to_number(compile_node(expr, types)(frame))
    out = np.array(np.broadcast_to(np.asarray(value, dtype=np.float64), (frame.n,)))
    return out
