"""The touch score reads the shared Events type: counts, Events input, count-like columns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from successkit.data.events import Events

TOUCHPOINTS = ("web_access", "email_click", "seminar_attendance")
AS_OF = "2026-10-01"
PF = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "seats": [2, 5, 1]}, as_of=AS_OF)

daily = st.lists(
    st.tuples(st.sampled_from("abcz"), st.sampled_from(TOUCHPOINTS), st.integers(0, 60),
              st.integers(0, 4)),
    min_size=1, max_size=40,
)


def _aggregate(rows: list[tuple[str, str, int, int]]) -> dict[str, list]:
    day = np.datetime64("2026-08-01")
    return {"account_id": [r[0] for r in rows], "touchpoint": [r[1] for r in rows],
            "at": [str(day + np.timedelta64(r[2], "D")) for r in rows],
            "count": [r[3] for r in rows]}


def _repeated(agg: dict[str, list]) -> dict[str, list]:
    times = agg["count"]
    return {k: [v for v, n in zip(values, times, strict=True) for _ in range(n)]
            for k, values in agg.items() if k != "count"}


@settings(deadline=None)
@given(daily, st.sampled_from([None, "30d"]), st.sampled_from([None, 14]))
def test_a_count_column_scores_like_the_repeated_rows(rows: list, window: str | None,
                                                      half_life: int | None) -> None:
    model = sk.TouchModel.sansan(window=window, half_life=half_life)
    model = sk.TouchModel([tp for tp in model.touchpoints if tp.name in TOUCHPOINTS],
                          window=window, half_life=half_life)
    agg = _aggregate(rows)
    from_counts = model.score(agg, PF, count="count")
    from_rows = model.score(_repeated(agg), PF)
    assert from_counts.events.tolist() == from_rows.events.tolist()
    assert from_counts.unmatched_events == from_rows.unmatched_events
    assert from_counts.unmatched.tolist() == from_rows.unmatched.tolist()
    np.testing.assert_allclose(from_counts.total, from_rows.total)
    np.testing.assert_allclose(from_counts.score, from_rows.score)


def test_an_events_object_scores_like_the_raw_table() -> None:
    agg = _aggregate([("a", "web_access", 3, 2), ("b", "email_click", 10, 5),
                      ("a", "seminar_attendance", 20, 1)])
    model = sk.TouchModel([tp for tp in sk.TouchModel.sansan().touchpoints
                           if tp.name in TOUCHPOINTS])
    events = Events.from_columns(agg, type="touchpoint", count="count")
    assert model.score(events, PF) == model.score(agg, PF, count="count")
    assert model.bind(events).score(PF) == model.score(agg, PF, count="count")


def test_a_count_like_column_is_never_silently_ignored() -> None:
    agg = _aggregate([("a", "web_access", 3, 7)])
    model = sk.TouchModel.sansan(per=None)
    with pytest.raises(sk.DataError, match="pass count='count'") as info:
        model.score(agg, PF)
    assert info.value.column == "count"
    assert model.score(agg, PF, count=False).total.tolist() == [1.0, 0.0, 0.0]
    assert model.score(agg, PF, count="count").total.tolist() == [7.0, 0.0, 0.0]
    with pytest.raises(sk.DataError, match="row 0: negative count"):
        model.score({**agg, "count": [-1]}, PF, count="count")


def test_unknown_touch_point_in_events_object() -> None:
    events = Events.from_columns({"account_id": ["a", "a"], "at": ["2026-09-01"] * 2,
                                  "event": ["web_access", "web_acess"]})
    with pytest.raises(sk.DataError, match="did you mean 'web_access'") as info:
        sk.TouchModel.sansan().score(events, PF)
    assert (info.value.column, info.value.row) == ("touchpoint", 1)


def test_a_declared_type_that_no_row_uses_is_not_an_error() -> None:
    # Only a type some row carries can be an unknown touch point; an unused one is harmless.
    ev = Events.from_columns({"account_id": ["a"], "at": ["2026-01-05"],
                              "event": ["web_access"]}, types=["web_access", "zzz"])
    model = sk.TouchModel([sk.TouchPoint("web_access", points=1.0)], window="90d")
    pf = sk.Portfolio.from_columns({"id": ["a"], "seats": [1]}, as_of="2026-02-01")
    assert model.score(ev, pf).total.tolist() == [1.0]
