"""Playbook.evaluate against the plain-Python reference interpreter (``_reference.py``).

Random well-typed conditions over histories with missing values (booleans, categories,
dates, percent literals with decimals, ``in``, arithmetic including NaN made from literals
alone, and the history functions) are written as text, parsed and evaluated by
:class:`~successkit.Playbook`; each account must fire exactly where the reference, reading
the spec one account at a time, says the condition is true. Snapshots lie at gaps around
the edges of the history functions' windows (half of 30 days is 15: gaps of 14, 15, 16).

The suite runs ``SUCCESSKIT_DIFF_EXAMPLES`` examples (default 150, about two seconds). The
larger run (``slow``: 5,000 examples, about two minutes) runs only when ``SUCCESSKIT_SLOW=1``
is set: ``SUCCESSKIT_SLOW=1 python -m pytest -m slow tests/dsl/test_differential.py``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import successkit as sk
from dsl._reference import RowContext, evaluate_row
from strategies import (
    DSL_SCHEMA,
    dsl_histories,
    typed_booleans,
    typed_conditions,
    typed_numbers,
)
from successkit.dsl import ast
from successkit.dsl.check import check
from successkit.dsl.format import format_node

EXAMPLES = int(os.environ.get("SUCCESSKIT_DIFF_EXAMPLES", "150"))
SLOW_EXAMPLES = 5_000
_SLOW = os.environ.get("SUCCESSKIT_SLOW") == "1"

# percents with decimals (33.3% is 0.333) and NaN made from literals alone
_decimal_percent = st.builds(
    ast.Number, st.sampled_from([33.3, 0.1, 12.5, 50.0, 0.7, 57.0, 100.0, 2.5]),
    percent=st.just(True),
)
# the decimals those percents name, so equality with them is tested exactly
_decimals = st.builds(ast.Number, st.sampled_from([0.333, 0.001, 0.125, 0.5, 0.007, 0.57,
                                                   1.0, 0.025]))
_huge = ast.Arithmetic("*", ast.Number(1e308), ast.Number(10))
_literal_nan = st.just(ast.Arithmetic("-", _huge, _huge))
_numbers = st.one_of(typed_numbers, _decimal_percent, _decimals, _literal_nan)
_mixed_literals = st.one_of(
    _decimal_percent, st.builds(ast.Number, st.integers(-2, 2).map(float)),
    st.builds(ast.Boolean, st.booleans()),
)
_extra = st.one_of(
    st.builds(ast.Compare, st.sampled_from(["=", "!="]), _decimal_percent, _decimals),
    st.builds(ast.Compare, st.sampled_from(ast.COMPARISON_OPS), _numbers, _numbers),
    st.builds(ast.In, _numbers, st.lists(_decimal_percent, min_size=1, max_size=3),
              st.booleans()),
    # booleans against numbers read as 1/0 under every operator, `in` included
    st.builds(ast.In, typed_booleans, st.lists(_mixed_literals, min_size=1, max_size=3),
              st.booleans()),
    st.builds(ast.Compare, st.sampled_from(ast.COMPARISON_OPS), typed_booleans,
              _mixed_literals.filter(lambda n: isinstance(n, ast.Number))),
    st.builds(ast.Between, operand=_numbers, low=_numbers, high=_numbers,
              negated=st.booleans()),
    st.builds(ast.IsMissing, _numbers, st.booleans()),
)
conditions = st.recursive(
    st.one_of(typed_conditions, _extra),
    lambda children: st.one_of(
        st.builds(ast.Not, children),
        st.builds(ast.And, st.lists(children, min_size=2, max_size=3)),
        st.builds(ast.Or, st.lists(children, min_size=2, max_size=3)),
    ),
    max_leaves=4,
)


def histories(*, max_accounts: int = 8) -> st.SearchStrategy[sk.History]:
    """1-4 snapshots over DSL_SCHEMA with missing values, at gaps on and around the edges
    of the windows the rules use (1d, 7d, 30d, 60d); accounts come and go."""
    return dsl_histories(max_accounts=max_accounts, max_gaps=3,
                         gaps=(1, 3, 4, 7, 14, 15, 16, 23, 30, 31, 45, 60), numbers=(0.333,))


def _agrees(node: ast.Node, history: sk.History) -> None:
    try:
        check(node, DSL_SCHEMA)
    except sk.RuleTypeError:  # e.g. two booleans ordered: not a well-typed rule
        assume(False)
        raise
    text = format_node(node)
    playbook = sk.Playbook.parse(f"rule r: when {text} then act")
    fired = {c.account_id for c in playbook.evaluate(history)}
    expected = {
        account.account
        for account in RowContext.accounts(history)
        if evaluate_row(node, account) is True
    }
    assert fired == expected, text


@settings(max_examples=EXAMPLES, deadline=None)
@given(conditions, histories())
def test_playbook_fires_where_the_reference_says_true(
    node: ast.Node, history: sk.History
) -> None:
    _agrees(node, history)


@pytest.mark.slow
@pytest.mark.skipif(not _SLOW, reason="the larger differential run needs SUCCESSKIT_SLOW=1")
@settings(max_examples=SLOW_EXAMPLES, deadline=None)
@given(conditions, histories())
def test_playbook_agrees_with_the_reference_on_a_larger_run(
    node: ast.Node, history: sk.History
) -> None:
    _agrees(node, history)
