"""Quadrants: the health × touch matrix, its boundaries, alignment by id and transitions."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
import successkit.datasets  # sk.datasets below: a submodule, imported explicitly

AS_OF = "2026-10-01"


class Scores:
    """A stand-in for any result with ``ids`` and ``score``."""

    def __init__(self, ids: list[str], score: list[float | None]) -> None:
        self.ids = np.array(ids)
        self.score = np.array([np.nan if s is None else s for s in score], dtype=float)


def test_corners_with_the_seeds_cuts() -> None:
    q = sk.Quadrants()
    assert (q.health, q.touch, q.labels) == (40.0, 0.5, ("A", "B", "C", "D"))
    health = [90, 90, 10, 10]
    touch = [2.0, 0.1, 2.0, 0.1]
    # A: high health & high touch; B: high health, low touch; C: low health, high touch;
    # D: low health & low touch.
    assert q.assign(health, touch).tolist() == ["A", "B", "C", "D"]


def test_a_score_equal_to_a_cut_belongs_to_the_higher_side() -> None:
    q = sk.Quadrants(health=40, touch=0.5)
    assert q.assign([40, 39.999, 40, 39.999], [0.5, 0.5, 0.49999, 0.49999]).tolist() == [
        "A", "C", "B", "D"
    ]


def test_missing_scores_have_no_quadrant() -> None:
    q = sk.Quadrants()
    assert q.codes([np.nan, 50, np.nan], [1.0, np.nan, np.nan]).tolist() == [-1, -1, -1]
    assert q.assign([np.nan], [1.0]).tolist() == [None]


@given(st.floats(0, 100), st.floats(0, 100), st.floats(0, 10), st.floats(0, 10))
def test_more_health_or_touch_never_moves_away_from_a(h: float, dh: float, t: float,
                                                      dt: float) -> None:
    q = sk.Quadrants()
    before, after = q.codes([h], [t])[0], q.codes([h + dh], [t + dt])[0]
    # Codes are 2 × (low health) + (low touch): improving can only clear those bits.
    assert after & before == after


def test_custom_cuts_and_labels() -> None:
    q = sk.Quadrants(health=70, touch=1.0, labels=("star", "nurture", "fix", "risk"))
    assert q.assign([75, 75, 50, 50], [1.0, 0.2, 3.0, 0.0]).tolist() == [
        "star", "nurture", "fix", "risk"
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"health": "high"}, "the health cut must be a number"),
        ({"health": 200}, "the health cut is a health score from 0 to 100"),
        ({"health": -1}, "the health cut is a health score from 0 to 100"),
        ({"touch": float("nan")}, "the touch cut must be finite"),
        ({"labels": ("A", "B", "C")}, "four non-empty names"),
        ({"labels": ("A", "A", "C", "D")}, "quadrant labels must differ"),
        ({"labels": "ABCD"}, "labels must be four names"),
        ({"labels": ("A", "B", "", "D")}, "four non-empty names"),
    ],
)
def test_invalid_matrices(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        sk.Quadrants(**kwargs)


# -- classify -------------------------------------------------------------------------------


def test_classify_aligns_touch_to_health_by_id() -> None:
    health = Scores(["a", "b", "c", "d"], [80, 20, 50, None])
    touch = Scores(["d", "c", "a", "zz"], [1.0, 0.1, 0.7, 5.0])  # no "b"
    result = sk.Quadrants().classify(health, touch)
    assert result.ids.tolist() == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(result.touch, [0.7, np.nan, 0.1, 1.0])
    np.testing.assert_array_equal(result.health, [80, 20, 50, np.nan])
    assert result.quadrant.tolist() == ["A", None, "B", None]
    assert result.counts() == {"A": 1, "B": 1, "C": 0, "D": 0}
    assert result.ids_in("B").tolist() == ["c"]


def test_classify_needs_results_with_ids_and_scores() -> None:
    with pytest.raises(sk.DataError, match="health must be a result with ids and score"):
        sk.Quadrants().classify([80, 20], Scores(["a"], [1.0]))
    with pytest.raises(sk.DataError, match="ids and scores differ in length"):
        sk.Quadrants().classify(Scores(["a"], [1.0]), type("R", (), {"ids": ["a"],
                                                                     "score": [1, 2]})())


def test_classify_with_the_real_models() -> None:
    pf = sk.Portfolio.from_columns(
        {"id": ["a", "b", "c", "d"], "login_rate": [0.9, 0.9, 0.1, 0.1], "seats": [2] * 4},
        as_of=AS_OF,
    )
    health = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 1))]).score(pf)
    events = {"account_id": ["a", "c"], "touchpoint": ["event_attendance"] * 2,
              "at": ["2026-09-20"] * 2}
    touch = sk.TouchModel.sansan().score(events, pf)
    result = sk.Quadrants().classify(health, touch)
    assert result.quadrant.tolist() == ["A", "B", "C", "D"]
    assert result.as_of == health.as_of
    # Rules read touch.quadrant and the touch result's names through one namespace.
    columns = result.rule_columns()
    assert list(columns) == ["score", "total", "synchronous", "asynchronous", "quadrant"]
    assert columns["quadrant"].to_list() == ["A", "B", "C", "D"]
    assert columns["score"].to_list() == [5.0, 0.0, 5.0, 0.0]
    assert dict(result.rule_schema()) == dict(sk.Quadrants().rule_schema())


def test_rule_columns_of_a_plain_touch_result() -> None:
    result = sk.Quadrants().classify(Scores(["a", "b"], [60, None]), Scores(["b"], [0.9]))
    columns = result.rule_columns()
    assert list(columns) == ["score", "quadrant"]
    assert columns["score"].to_list() == [None, 0.9]
    assert columns["quadrant"].to_list() == [None, None]
    assert columns["quadrant"].categories == ("A", "B", "C", "D")


def test_quadrant_codes_in_rules_follow_sorted_labels() -> None:
    q = sk.Quadrants(labels=("top", "nurture", "fix", "at risk"))
    result = q.classify(Scores(["a", "b"], [90, 10]), Scores(["a", "b"], [1, 0]))
    column = result.rule_columns()["quadrant"]
    assert column.categories == ("at risk", "fix", "nurture", "top")
    assert column.to_list() == ["top", "at risk"]


def test_playbook_reads_touch_quadrant() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "login_rate": [0.9, 0.1],
                                    "seats": [1, 1]}, as_of=AS_OF)
    health = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 1))]).score(pf)
    touch = sk.TouchModel.sansan().score(
        {"account_id": ["b"], "touchpoint": ["web_access"], "at": [AS_OF]}, pf)
    quadrants = sk.Quadrants().classify(health, touch)
    playbook = sk.Playbook.parse(
        'when touch.quadrant = "C" and touch.score >= 1 then propose_meeting'
    )
    assert [cta.account_id for cta in playbook.evaluate(pf, touch=quadrants)] == ["b"]
    # A touch result alone serves touch.score too.
    plain = sk.Playbook.parse("when touch.score < 1 then send_guide")
    assert [cta.account_id for cta in plain.evaluate(pf, touch=touch)] == ["a"]


# -- output ---------------------------------------------------------------------------------


@pytest.fixture
def classified() -> sk.QuadrantResult:
    return sk.Quadrants().classify(
        Scores(["a", "b", "c", "d", "e"], [80, 80, 20, 20, None]),
        Scores(["a", "b", "c", "d", "e"], [0.9, 0.1, 0.9, 0.1, 0.3]),
    )


def test_summary(classified: sk.QuadrantResult) -> None:
    assert str(classified.summary()).splitlines() == [
        "quadrant  health  touch  accounts  share",
        "A         ≥ 40    ≥ 0.5         1    25%",
        "B         ≥ 40    < 0.5         1    25%",
        "C         < 40    ≥ 0.5         1    25%",
        "D         < 40    < 0.5         1    25%",
        "1 account without a quadrant (missing health or touch score)",
    ]


def test_summary_is_a_value_with_dict_frame_and_html(classified: sk.QuadrantResult) -> None:
    summary = classified.summary()
    assert isinstance(summary, sk.QuadrantSummary)
    assert summary == sk.QuadrantSummary(
        labels=("A", "B", "C", "D"), health=40.0, touch=0.5, accounts=(1, 1, 1, 1), unplaced=1
    )
    assert (summary.placed, summary.total_accounts) == (4, 5)
    data = json.loads(json.dumps(summary.to_dict(), allow_nan=False))
    assert data == {"labels": ["A", "B", "C", "D"], "health": 40.0, "touch": 0.5,
                    "accounts": [1, 1, 1, 1], "unplaced": 1}
    html = summary._repr_html_()
    assert "<table" in html
    assert "1 without a quadrant" in html
    assert "≥ 0.5" in html
    pytest.importorskip("pandas")
    frame = summary.to_frame()
    assert frame.index.tolist() == ["A", "B", "C", "D"]
    assert frame["accounts"].tolist() == [1, 1, 1, 1]


def test_summary_with_custom_labels_cuts_and_nobody_placed() -> None:
    quadrants = sk.Quadrants(health=50, touch=2, labels=("top", "nurture", "fix", "risk"))
    summary = quadrants.classify(Scores(["a", "b"], [None, 80]),
                                 Scores(["a", "b"], [1.0, None])).summary()
    assert summary.accounts == (0, 0, 0, 0)
    assert str(summary).splitlines() == [
        "quadrant  health  touch  accounts  share",
        "top       ≥ 50    ≥ 2           0      —",
        "nurture   ≥ 50    < 2           0      —",
        "fix       < 50    ≥ 2           0      —",
        "risk      < 50    < 2           0      —",
        "2 accounts without a quadrant (missing health or touch score)",
    ]
    everyone = quadrants.classify(Scores(["a"], [90]), Scores(["a"], [3])).summary()
    assert str(everyone).splitlines()[1:] == [
        "top       ≥ 50    ≥ 2           1   100%",
        "nurture   ≥ 50    < 2           0     0%",
        "fix       < 50    ≥ 2           0     0%",
        "risk      < 50    < 2           0     0%",
    ]


def test_to_dict_and_frame(classified: sk.QuadrantResult) -> None:
    data = json.loads(json.dumps(classified.to_dict(), allow_nan=False))
    assert data["quadrant"] == ["A", "B", "C", "D", None]
    assert data["health"][-1] is None
    assert data["quadrants"] == sk.Quadrants().to_dict()
    pytest.importorskip("pandas")
    frame = classified.to_frame()
    assert frame["quadrant"].astype(object).where(frame["quadrant"].notna(), None).tolist() == [
        "A", "B", "C", "D", None
    ]
    assert list(frame["quadrant"].cat.categories) == ["A", "B", "C", "D"]


def test_repr_and_html(classified: sk.QuadrantResult) -> None:
    assert repr(classified) == "QuadrantResult(5 accounts, A: 1, B: 1, C: 1, D: 1)"
    assert "<table" in classified._repr_html_()
    assert classified.fingerprint == sk.Quadrants().fingerprint


def test_unknown_quadrant_label(classified: sk.QuadrantResult) -> None:
    with pytest.raises(sk.DataError, match="no quadrant 'E'; the quadrants are A, B, C, D"):
        classified.ids_in("E")


# -- transitions ----------------------------------------------------------------------------


def test_transitions_count_moves_and_name_who_moved_into_each_quadrant() -> None:
    q = sk.Quadrants()
    ids = ["a", "b", "c", "d", "e", "f"]
    before = q.classify(Scores(ids, [80, 20, 20, 80, None, 50]),
                        Scores(ids, [0.1, 0.9, 0.1, 0.9, 0.9, 0.9]))  # B C D A - A
    after = q.classify(Scores([*ids[::-1], "new"], [50, 80, 80, 90, 30, 90, 90]),
                       Scores([*ids[::-1], "new"], [0.1, 0.9, 0.9, 0.1, 0.1, 0.6, 1.0]))
    # after, by id: a A, b D, c B, d A, e A, f B; "new" was not there before.
    moves = q.transitions(before, after)
    assert moves.ids.tolist() == ["f", "e", "d", "c", "b", "a"]
    assert moves.moved_into("A").tolist() == ["a"]  # e had no quadrant before
    assert moves.moved_into("B").tolist() == ["f", "c"]
    assert moves.moved_into("D").tolist() == ["b"]
    assert moves.moved_out_of("A").tolist() == ["f"]
    expected = np.zeros((4, 4), dtype=int)
    expected[1, 0] = 1  # a: B → A
    expected[2, 3] = 1  # b: C → D
    expected[3, 1] = 1  # c: D → B
    expected[0, 0] = 1  # d: A → A
    expected[0, 1] = 1  # f: A → B
    np.testing.assert_array_equal(moves.counts, expected)
    assert moves.unclassified == 1
    assert int(moves.counts.sum()) + moves.unclassified == len(moves.ids)


def test_transitions_output() -> None:
    q = sk.Quadrants()
    before = q.classify(Scores(["a", "b"], [20, 80]), Scores(["a", "b"], [0.1, 0.1]))
    after = q.classify(Scores(["a", "b"], [80, 80]), Scores(["a", "b"], [0.9, 0.1]))
    moves = q.transitions(before, after)
    assert str(moves).splitlines() == [
        "before \\ after  A  B  C  D",
        "A               0  0  0  0",
        "B               0  1  0  0",
        "C               0  0  0  0",
        "D               1  0  0  0",
        "moved into A: 1, B: 0, C: 0, D: 0",
    ]
    assert repr(moves) == "QuadrantTransitions(2 accounts, 1 moved into A)"
    data = json.loads(json.dumps(moves.to_dict()))
    assert data["moved_into"] == {"A": ["a"], "B": [], "C": [], "D": []}
    assert data["counts"][3][0] == 1
    assert "<table" in moves._repr_html_()
    pytest.importorskip("pandas")
    frame = moves.to_frame()
    assert frame.loc["D", "A"] == 1
    assert frame.index.name == "before"


def test_transitions_need_quadrant_results_with_the_same_labels() -> None:
    q = sk.Quadrants()
    result = q.classify(Scores(["a"], [50]), Scores(["a"], [1.0]))
    with pytest.raises(sk.DataError, match="before must be a QuadrantResult"):
        q.transitions(Scores(["a"], [50]), result)  # type: ignore[arg-type]
    other = sk.Quadrants(labels=("1", "2", "3", "4"))
    with pytest.raises(sk.ModelError, match=r"this matrix.s quadrant labels"):
        q.transitions(result, other.classify(Scores(["a"], [50]), Scores(["a"], [1.0])))


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 2)), min_size=1, max_size=20),
       st.lists(st.tuples(st.floats(0, 100), st.floats(0, 2)), min_size=1, max_size=20))
def test_transition_counts_add_up(first: list[tuple[float, float]],
                                  second: list[tuple[float, float]]) -> None:
    q = sk.Quadrants()
    ids1 = [f"x{i}" for i in range(len(first))]
    ids2 = [f"x{i}" for i in range(len(second))]
    before = q.classify(Scores(ids1, [h for h, _ in first]), Scores(ids1, [t for _, t in first]))
    after = q.classify(Scores(ids2, [h for h, _ in second]),
                       Scores(ids2, [t for _, t in second]))
    moves = q.transitions(before, after)
    assert int(moves.counts.sum()) == min(len(first), len(second))
    for k, label in enumerate(q.labels):
        assert len(moves.moved_into(label)) == int(moves.counts[:, k].sum() - moves.counts[k, k])
        assert int(moves.counts[:, k].sum()) == after.counts()[label] - (
            after.codes[len(first):] == k).sum()


# -- serialisation --------------------------------------------------------------------------


@given(st.floats(0, 100), st.floats(0, 10),
       st.sampled_from([("A", "B", "C", "D"), ("top", "nurture", "fix", "risk")]))
def test_round_trip(health: float, touch: float, labels: tuple[str, ...]) -> None:
    q = sk.Quadrants(health, touch, labels)
    again = sk.Quadrants.from_dict(json.loads(json.dumps(q.to_dict())))
    assert again == q
    assert again.fingerprint == q.fingerprint


def test_malformed_dicts_and_fingerprints() -> None:
    with pytest.raises(sk.ModelError, match="expected a dict of type 'quadrants'"):
        sk.Quadrants.from_dict({"type": "touch", "version": 1})
    assert sk.Quadrants().fingerprint != sk.Quadrants(health=50).fingerprint
    assert repr(sk.Quadrants(health=50)) == "Quadrants(health=50, touch=0.5)"


# -- plot -----------------------------------------------------------------------------------


def test_plot_quadrants(classified: sk.QuadrantResult) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = sk.plot_quadrants(classified, title="Health × touch")
    try:
        assert ax.get_title() == "Health × touch"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "A (1)", "B (1)", "C (1)", "D (1)"
        ]
        assert {t.get_text() for t in ax.texts} == {"A", "B", "C", "D"}
        assert ax.get_ylim() == (0.0, 100.0)
        _, given_ax = plt.subplots()
        assert classified.plot(ax=given_ax) is given_ax
    finally:
        plt.close("all")


def test_plot_needs_a_quadrant_result() -> None:
    with pytest.raises(sk.DataError, match="takes a QuadrantResult"):
        sk.plot_quadrants(Scores(["a"], [1.0]))


def test_plot_names_the_extra_when_matplotlib_is_missing(
    classified: sk.QuadrantResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, *args: Any) -> Any:
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(ImportError, match=r"pip install 'successkit\[plot\]'"):
        sk.plot_quadrants(classified)


def test_demo_section_reports_touch_and_quadrants() -> None:
    from successkit._demo import _touch_section

    lines = _touch_section(sk.datasets.make_portfolio(200, seed=3))
    assert lines[0].startswith("Touch:     Sansan touch score (30 days): mean ")
    assert lines[2].startswith("Quadrants: health ≥ 40 × touch ≥ 0.5: A ")
    assert "moved into A since" in lines[3]
    assert all(len(line) <= 100 for line in lines)
