"""``Categories(other=...)``: the points of a label the mapping does not list."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from successkit.scoring.schemes import scheme_from_dict


def test_default_keeps_unlisted_labels_missing_and_the_old_json() -> None:
    scheme = sk.Categories({"bad": 1, "good": 3})
    assert scheme.other is None
    assert scheme.to_dict() == {"type": "categories", "mapping": {"bad": 1.0, "good": 3.0}}
    column = sk.Column.from_labels(["good", "meh", None])
    assert np.isnan(scheme.to_points(column)[1:]).all()
    assert scheme.unknown(column) == ("meh",)
    model = sk.HealthModel([sk.Metric("touch", scheme=scheme)])
    # A dict without "other" (every model written before it existed) reads back the same.
    assert sk.HealthModel.from_dict(model.to_dict()).fingerprint == model.fingerprint


def test_other_scores_unlisted_labels_and_round_trips() -> None:
    scheme = sk.Categories({"bad": 1, "good": 3}, other=2)
    column = sk.Column.from_labels(["good", "meh", None, "new"])
    assert scheme.to_points(column).tolist()[:2] == [3.0, 2.0]
    assert np.isnan(scheme.to_points(column)[2])  # missing stays missing
    assert scheme.unknown(column) == ()
    assert scheme.unseen(column) == ("meh", "new")
    assert scheme.describe() == "bad 1, good 3, other 2"
    data = json.loads(json.dumps(scheme.to_dict()))
    assert data["other"] == 2.0
    assert scheme_from_dict(data) == scheme
    plain = sk.HealthModel([sk.Metric("touch", scheme=sk.Categories({"bad": 1, "good": 3}))])
    model = sk.HealthModel([sk.Metric("touch", scheme=scheme)])
    again = sk.HealthModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again == model
    assert again.fingerprint == model.fingerprint
    assert model.fingerprint != plain.fingerprint
    assert scheme_from_dict({"type": "categories", "mapping": {"a": 1}, "other": None}) == \
        sk.Categories({"a": 1})


def test_notes_and_explain_say_other_not_missing() -> None:
    model = sk.HealthModel([sk.Metric("touch", scheme=sk.Categories({"bad": 1, "good": 4},
                                                                     other=1))])
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "touch": ["meh", "good"]})
    result = model.score(pf)
    assert result.notes == ("metric 'touch': categories ['meh'] are not in the scheme and "
                            "score as other (1 points)",)
    row = result.explain("a").metrics[0]
    assert row.status == "ok"
    assert row.points == 1.0
    assert result.score.tolist() == [25.0, 100.0]


@pytest.mark.parametrize(("data", "message"), [
    ({"type": "categories", "mapping": {"a": 1}, "others": 0}, "unknown key 'others'"),
    ({"type": "categories", "mapping": {"a": 1}, "other": "x"}, "other must be a number"),
    ({"type": "categories", "mapping": {"a": 1}, "other": True}, "other must be a number"),
    ({"type": "categories", "mapping": {"a": 1}, "other": -1}, "between 0 and"),
    ({"type": "categories", "mapping": {"a": 1}, "other": 2}, "between 0 and"),
])
def test_bad_other_is_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        scheme_from_dict(data)


def test_unknown_key_is_named_with_its_path() -> None:
    model = sk.HealthModel([sk.Metric("touch", scheme=sk.Categories({"a": 1}, other=0))])
    data = model.to_dict()
    data["metrics"][0]["scheme"]["otehr"] = 1
    with pytest.raises(sk.ModelError, match=r"metrics\[0\]\.scheme\.otehr"):
        sk.HealthModel.from_dict(data)


@settings(max_examples=30)
@given(mapping=st.dictionaries(st.sampled_from("abcde"), st.integers(0, 9), min_size=1),
       other=st.floats(0, 1), labels=st.lists(st.sampled_from([*"abcdefgh", None]),
                                              max_size=20))
def test_points_match_a_plain_lookup(mapping: dict[str, int], other: float,
                                     labels: list[str | None]) -> None:
    mapping = {**mapping, "a": max(mapping.get("a", 0), 1)}
    scheme = sk.Categories(mapping, other=other * max(mapping.values()))
    got = scheme.to_points(sk.Column.from_labels(labels)).tolist()
    assert scheme.other is not None
    expected = [np.nan if label is None else float(mapping.get(label, scheme.other))
                for label in labels]
    assert np.allclose(got, expected, equal_nan=True)
