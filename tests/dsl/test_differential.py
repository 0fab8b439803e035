"""Playbook.evaluate against the plain-Python reference interpreter (``_reference.py``).

Random well-typed conditions over histories with missing values (booleans, categories,
dates, percent literals with decimals, ``in``, arithmetic including NaN made from literals
alone, and the history functions) are written as text, parsed and evaluated by
:class:`~successkit.Playbook`; each account must fire exactly where the reference, reading
the spec one account at a time, says the condition is true. The number of examples is
``SUCCESSKIT_DIFF_EXAMPLES`` (default 150, a few seconds); the ``slow`` run takes 3,000.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import successkit as sk
from dsl._reference import RowContext, evaluate_row
from strategies import DSL_SCHEMA, dsl_histories, typed_booleans, typed_conditions, typed_numbers
from successkit.dsl import ast
from successkit.dsl._frame import Timeline
from successkit.dsl.check import check
from successkit.dsl.format import format_node

EXAMPLES = int(os.environ.get("SUCCESSKIT_DIFF_EXAMPLES", "150"))

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


def _agrees(node: ast.Node, history: sk.History) -> None:
    try:
        types = check(node, DSL_SCHEMA)
    except sk.RuleTypeError:  # e.g. two booleans ordered: not a well-typed rule
        assume(False)
        raise
    text = format_node(node)
    playbook = sk.Playbook.parse(f"rule r: when {text} then act")
    fired = {c.account_id for c in playbook.evaluate(history)}

    frame = Timeline(history).frame()
    expected = {
        str(frame.ids[row])
        for row in range(frame.n)
        if evaluate_row(node, RowContext(frame, row, types)) is True
    }
    assert fired == expected, text


@settings(max_examples=EXAMPLES, deadline=None)
@given(conditions, dsl_histories())
def test_playbook_fires_where_the_reference_says_true(
    node: ast.Node, history: sk.History
) -> None:
    _agrees(node, history)


@pytest.mark.slow
@settings(max_examples=3_000, deadline=None)
@given(conditions, dsl_histories())
def test_playbook_agrees_with_the_reference_on_a_larger_run(
    node: ast.Node, history: sk.History
) -> None:
    _agrees(node, history)
