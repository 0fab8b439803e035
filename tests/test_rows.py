"""Selecting rows and looking up accounts: one behaviour, one set of messages, everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from successkit._rows import as_rows, row_of

AS_OF = "2026-10-01"
IDS = ["acme", "globex", "initech"]


def portfolio() -> sk.Portfolio:
    return sk.Portfolio.from_columns(
        {"id": IDS, "x": [0.2, 0.9, None], "seats": [2, 4, 1], "live": [True, False, True]},
        as_of=AS_OF,
    )


def health() -> sk.HealthResult:
    return sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))]).score(portfolio())


def touch() -> sk.TouchResult:
    events = {"account_id": ["acme", "globex"], "touchpoint": ["web_access"] * 2,
              "at": ["2026-09-01"] * 2}
    return sk.TouchModel.sansan().score(events, portfolio())


ROADMAP = sk.Roadmap([sk.Stage("new"), sk.Stage("live", entry="live")])


def stages() -> sk.StageResult:
    return ROADMAP.assign(portfolio())


TAKERS: dict[str, Callable[[], Any]] = {
    "portfolio": portfolio, "health": health, "touch": touch,
}


# -- as_rows ----------------------------------------------------------------------------------


def test_positions_and_masks() -> None:
    assert as_rows([2, 0, 2], 3).tolist() == [2, 0, 2]
    assert as_rows(np.array([False, True, True]), 3).tolist() == [1, 2]
    assert as_rows([], 3).tolist() == []
    assert as_rows(np.zeros(0, dtype=np.bool_), 0).tolist() == []
    assert as_rows(np.array([1], dtype=np.uint8), 3).dtype == np.intp


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([3], r"row positions must lie in \[0, 3\)"),
        ([-1], r"row positions must lie in \[0, 3\)"),
        ([True, False], "a row mask needs 3 entries, got 2"),
        ([0.5], "rows must be integer positions or a boolean mask, got float64"),
        (["a"], "rows must be integer positions or a boolean mask"),
        ([[0, 1]], r"one-dimensional.*got shape \(1, 2\)"),
        (1, r"one-dimensional.*got shape \(\)"),
    ],
)
@pytest.mark.parametrize("what", list(TAKERS))
def test_every_take_refuses_bad_rows_alike(what: str, rows: Any, message: str) -> None:
    with pytest.raises(sk.DataError, match=message):
        TAKERS[what]().take(rows)


@pytest.mark.parametrize("what", list(TAKERS))
@given(mask=st.lists(st.booleans(), min_size=3, max_size=3))
def test_a_mask_takes_what_its_positions_take(what: str, mask: list[bool]) -> None:
    value = TAKERS[what]()
    by_mask = value.take(np.array(mask))
    by_positions = value.take(np.flatnonzero(mask))
    assert by_mask.ids.tolist() == [i for i, keep in zip(IDS, mask, strict=True) if keep]
    assert by_mask == by_positions


# -- row_of -----------------------------------------------------------------------------------


def test_row_of_finds_the_first_row_and_suggests_a_close_id() -> None:
    ids = np.array(IDS)
    assert row_of(ids, "initech") == 2
    with pytest.raises(sk.DataError, match="account 'glbex': no such account in the "
                                           "result; did you mean 'globex'") as info:
        row_of(ids, "glbex")
    assert info.value.account == "glbex"
    with pytest.raises(sk.DataError, match=r"no such account in the data$"):
        row_of(ids, "zzzzzz", where="the data")


@pytest.mark.parametrize(
    ("lookup", "where"),
    [
        (lambda: portfolio().account("acmee"), "the portfolio"),
        (lambda: health().index("acmee"), "the result"),
        (lambda: health().explain("acmee"), "the result"),
        (lambda: health().what_if("acmee", x=0.5), "the result"),
        (lambda: touch().index("acmee"), "the result"),
        (lambda: stages().row("acmee"), "the stage result"),
        (lambda: ROADMAP.plan("acmee", stages()), "the stage result"),
        (lambda: stages().plan("acmee"), "the stage result"),
    ],
)
def test_every_account_lookup_says_where_and_suggests(lookup: Callable[[], Any],
                                                      where: str) -> None:
    with pytest.raises(sk.DataError,
                       match=f"account 'acmee': no such account in {where}; "
                             "did you mean 'acme'"):
        lookup()


def test_a_plan_over_data_without_the_account_suggests_one() -> None:
    roadmap = sk.Roadmap([sk.Stage("new", playbook="when x > 1 then call")])
    result = roadmap.assign(portfolio())
    other = sk.Portfolio.from_columns({"id": ["acme-2"], "x": [2.0]}, as_of=AS_OF)
    with pytest.raises(sk.DataError, match="account 'acme': no such account in the data; "
                                           "did you mean 'acme-2'"):
        roadmap.plan("acme", result, data=other)
