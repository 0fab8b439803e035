"""TouchResult and TouchSummary: views, rule columns and output formats."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import successkit as sk

AS_OF = "2026-10-01"


@pytest.fixture
def result() -> sk.TouchResult:
    pf = sk.Portfolio.from_columns({"id": ["acme", "globex", "hooli"], "seats": [4, 10, 0]},
                                   as_of=AS_OF)
    events = {
        "account_id": ["acme", "acme", "acme", "globex", "nobody"],
        "touchpoint": ["video", "elearning", "event_attendance", "web_access", "web_access"],
        "at": ["2026-09-01"] * 5,
        "user_id": ["u1", "u1", "u2", "g1", "n1"],
        "item": ["v1", "c1", "e1", None, None],
        "progress": [1.0, 0.5, None, None, None],
    }
    return sk.TouchModel.sansan().score(events, pf)


def test_arrays(result: sk.TouchResult) -> None:
    assert result.ids.tolist() == ["acme", "globex", "hooli"]
    assert result.total.tolist() == [16.0, 1.0, 0.0]
    np.testing.assert_array_equal(result.score, [4.0, 0.1, np.nan])
    assert result.events.tolist() == [3, 1, 0]
    np.testing.assert_array_equal(result.seats, [4, 10, 0])
    assert result.touchpoint_matrix.shape == (3, 9)
    assert not result.score.flags.writeable


def test_arrays_stay_read_only_through_pickling(result: sk.TouchResult) -> None:
    again = pickle.loads(pickle.dumps(result))
    assert again == result
    assert again.seats is not None
    assert not again.seats.flags.writeable
    assert not again.score.flags.writeable
    events = sk.TouchModel.sansan().read_events(
        {"account_id": ["a"], "touchpoint": ["video"], "at": [AS_OF], "user_id": ["u1"],
         "item": ["v1"], "progress": [0.5]}
    )
    table = pickle.loads(pickle.dumps(events))
    for values in (table.user, table.item, table.progress, table.account):
        assert values is not None
        assert not values.flags.writeable


def test_splits_add_up_to_the_total(result: sk.TouchResult) -> None:
    np.testing.assert_array_equal(result.synchronous + result.asynchronous, result.total)
    np.testing.assert_array_equal(sum(result.by_channel.values()), result.total)
    np.testing.assert_array_equal(sum(result.by_touchpoint.values()), result.total)
    assert result.channels == ("online", "offline")
    assert result.asynchronous.tolist() == [3.0, 0.0, 0.0]


def test_touch_points_without_a_channel_are_in_none() -> None:
    model = sk.TouchModel([sk.TouchPoint("a", points=1, channel="x"),
                           sk.TouchPoint("b", points=2)], per=None)
    pf = sk.Portfolio.from_columns({"id": ["p"]})
    result = model.score({"account_id": ["p", "p"], "touchpoint": ["a", "b"],
                          "at": [AS_OF] * 2}, pf)
    assert result.channels == ("x",)
    assert {k: v.tolist() for k, v in result.by_channel.items()} == {"x": [1.0]}


def test_reports(result: sk.TouchResult) -> None:
    assert result.no_seats.tolist() == ["hooli"]
    assert result.unmatched.tolist() == ["nobody"]
    assert result.unmatched_events == 1


def test_index_and_take(result: sk.TouchResult) -> None:
    assert result.index("globex") == 1
    with pytest.raises(sk.DataError, match="did you mean 'globex'"):
        result.index("globx")
    part = result.take([2, 0])
    assert part.ids.tolist() == ["hooli", "acme"]
    assert part.total.tolist() == [0.0, 16.0]
    assert part.no_seats.tolist() == ["hooli"]
    assert result.take(np.array([True, False, False])).ids.tolist() == ["acme"]


def test_rule_columns(result: sk.TouchResult) -> None:
    columns = result.rule_columns()
    assert list(columns) == ["score", "total", "synchronous", "asynchronous"]
    assert all(c.kind is sk.Kind.NUMBER for c in columns.values())
    assert columns["score"].to_list() == [4.0, 0.1, None]
    assert dict(result.rule_schema()) == {k: c.kind for k, c in columns.items()}


def test_to_dict_is_plain_json(result: sk.TouchResult) -> None:
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["score"] == [4.0, 0.1, None]
    assert data["by_touchpoint"]["video"] == [3.0, 0.0, 0.0]
    assert data["by_channel"] == {"online": [6.0, 1.0, 0.0], "offline": [10.0, 0.0, 0.0]}
    assert data["unmatched"] == ["nobody"]
    assert data["unmatched_events"] == 1
    assert data["no_seats"] == ["hooli"]
    assert data["as_of"] == AS_OF
    assert data["per"] == "seats"
    assert data["fingerprint"] == sk.TouchModel.sansan().fingerprint


def test_to_frame(result: sk.TouchResult) -> None:
    pytest.importorskip("pandas")
    frame = result.to_frame()
    assert frame.index.tolist() == ["acme", "globex", "hooli"]
    assert list(frame.columns[:6]) == ["score", "total", "synchronous", "asynchronous",
                                       "events", "seats"]
    assert frame["video"].tolist() == [3.0, 0.0, 0.0]
    assert frame["offline"].tolist() == [10.0, 0.0, 0.0]


def test_to_frame_prefixes_names_that_are_taken() -> None:
    pytest.importorskip("pandas")
    model = sk.TouchModel([sk.TouchPoint("score", points=1, channel="total")], per=None)
    pf = sk.Portfolio.from_columns({"id": ["p"]})
    frame = model.score({"account_id": ["p"], "touchpoint": ["score"], "at": [AS_OF]},
                        pf).to_frame()
    assert "touchpoint:score" in frame.columns
    assert "channel:total" in frame.columns


def test_summary(result: sk.TouchResult) -> None:
    summary = result.summary()
    assert summary.points[summary.touchpoints.index("event_attendance")] == 10.0
    assert summary.accounts_touched[summary.touchpoints.index("web_access")] == 1
    text = str(summary)
    assert text.splitlines()[0] == (
        "3 accounts, touch score mean 2.05, median 2.05; 1 without events"
    )
    assert "video               online   yes        3    18%         1" in text
    assert "1 accounts without seats" in text
    assert "1 events of 1 accounts not in the portfolio" in text
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["points"]["elearning"] == 3.0
    assert data["no_seats"] == 1


def test_summary_of_nothing() -> None:
    model = sk.TouchModel([sk.TouchPoint("a", points=1)])
    pf = sk.Portfolio.from_columns({"id": ["p"], "seats": [0]})
    summary = model.score({"account_id": [], "touchpoint": [], "at": []}, pf).summary()
    assert np.isnan(summary.mean_score)
    assert "mean —, median —" in str(summary)
    assert summary.to_dict()["mean_score"] is None


def test_summary_frame(result: sk.TouchResult) -> None:
    pytest.importorskip("pandas")
    frame = result.summary().to_frame()
    assert frame.loc["video", "points"] == 3.0
    assert frame.loc["elearning", "synchronous"] is np.False_ or not frame.loc[
        "elearning", "synchronous"]


def test_repr_and_html(result: sk.TouchResult) -> None:
    assert repr(result).startswith("TouchResult(3 accounts, as_of=2026-10-01, mean score 2.05, "
                                   "1 unmatched events, fingerprint=")
    page = result._repr_html_()
    assert "<table" in page
    assert "acme" in page
    assert "event_attendance" in page
    assert "<table" in result.summary()._repr_html_()


def test_html_escapes_ids() -> None:
    model = sk.TouchModel([sk.TouchPoint("a", points=1)], per=None)
    pf = sk.Portfolio.from_columns({"id": ["<b>x</b>"]})
    page = model.score({"account_id": [], "touchpoint": [], "at": []}, pf)._repr_html_()
    assert "&lt;b&gt;" in page
    assert "<b>x" not in page


def test_results_compare_by_value(result: sk.TouchResult) -> None:
    assert result == result.take([0, 1, 2])
    assert result != result.take([0, 1])
