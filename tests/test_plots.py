"""Charts: what each one draws (artists, labels, counts, colour order), not its pixels.

Every chart follows one convention: ``plot(ax=None, **kwargs)`` returns the matplotlib
``Axes``, draws on the ``ax`` given, passes ``kwargs`` to its main artist, imports
matplotlib only when called and leaves matplotlib's global settings alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.dates import date2num  # noqa: E402

import successkit as sk  # noqa: E402
from successkit._plotting import BAND_COLOURS, band_colours, luma  # noqa: E402
from successkit.errors import DataError  # noqa: E402
from successkit.scoring import plot_band_shares  # noqa: E402
from successkit.touch import plot_touch_history  # noqa: E402
from successkit.usage import plot_usage  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def hexes(colours: Any) -> list[str]:
    return [to_hex(c) for c in colours]


# -- colours ----------------------------------------------------------------------------------


def test_band_colours_stay_apart_in_grey() -> None:
    # A grey printer and every kind of colour blindness keep lightness: any two band
    # colours must differ in it clearly.
    names = ["red", "blue", "orange", "green", "yellow"]
    for a, b in itertools.combinations(names, 2):
        assert abs(luma(BAND_COLOURS[a]) - luma(BAND_COLOURS[b])) >= 40, (a, b)


def test_band_colours_follow_the_band_names_then_the_position() -> None:
    assert band_colours(["red", "yellow", "green", "blue"]) == [
        BAND_COLOURS[n] for n in ("red", "yellow", "green", "blue")
    ]
    assert band_colours(["Green", "Red"]) == [BAND_COLOURS["green"], BAND_COLOURS["red"]]
    # unnamed bands take red, yellow, green, blue by position, lowest first
    assert band_colours(["risk", "watch", "fine"]) == [
        BAND_COLOURS["red"], BAND_COLOURS["yellow"], BAND_COLOURS["green"]
    ]
    assert band_colours(["red", "green"], (("green", "#123456"),)) == [
        BAND_COLOURS["red"], "#123456"
    ]


def test_importing_successkit_does_not_import_matplotlib() -> None:
    code = (
        "import sys, successkit, successkit.scoring, successkit.touch, successkit.roadmap, "
        "successkit.outcomes, successkit.usage\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- health -----------------------------------------------------------------------------------


def health_result(scores: list[float | None], **bands: Any) -> Any:
    model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))], **bands)
    ids = [f"a{k}" for k in range(len(scores))]
    return model.score(sk.Portfolio.from_columns({"id": ids, "x": scores}, as_of="2026-09-30"))


def test_health_plot_stacks_one_histogram_per_band_in_band_order() -> None:
    scores = [5, 12, 39.9, 40, 55, 69, 70, 88, 100, None]
    result = health_result(scores)
    ax = result.plot(bins=10)
    assert len(ax.containers) == 3  # one bar stack per band
    for container, label in zip(ax.containers, ["red", "yellow", "green"], strict=True):
        assert {to_hex(p.get_facecolor()) for p in container.patches} == {BAND_COLOURS[label]}
    # the stacked top equals a plain histogram of the scored accounts
    tops = np.array([p.get_y() + p.get_height() for p in ax.containers[-1].patches])
    plain = np.histogram([s for s in scores if s is not None], bins=np.linspace(0, 100, 11))[0]
    assert tops.tolist() == plain.tolist()
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["red (3)", "yellow (3)", "green (3)"]
    dashed = [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"]
    assert dashed == [40.0, 70.0]
    assert "1 without a score" in ax.get_title()
    assert ax.get_xlabel() == "health score"


@settings(max_examples=20, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=1, max_size=40))
def test_health_plot_counts_match_a_plain_count(scores: list[float | None]) -> None:
    result = health_result(scores)
    ax = result.plot(bins=7)
    scored = [s for s in scores if s is not None]
    tops = [p.get_y() + p.get_height() for p in ax.containers[-1].patches]
    assert tops == np.histogram(scored, bins=np.linspace(0, 100, 8))[0].tolist()
    counts = [sum(s < 40 for s in scored), sum(40 <= s < 70 for s in scored),
              sum(s >= 70 for s in scored)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"{band} ({n})" for band, n in zip(["red", "yellow", "green"], counts, strict=True)
    ]
    plt.close("all")


def test_health_plot_draws_on_the_axes_given_and_passes_options() -> None:
    _, ax = plt.subplots()
    result = health_result([10, 50, 90])
    assert result.plot(ax=ax, alpha=0.5) is ax
    assert {p.get_alpha() for c in ax.containers for p in c.patches} == {0.5}
    with pytest.raises(DataError, match="bins"):
        result.plot(bins=0)


def test_health_plot_uses_the_bands_own_colours_and_names() -> None:
    bands = sk.Bands({"risk": 0, "ok": 50}, colours={"ok": "#00ff00"})
    ax = health_result([10, 60], bands=bands).plot()
    assert [to_hex(c.patches[0].get_facecolor()) for c in ax.containers] == [
        BAND_COLOURS["red"], "#00ff00"
    ]


def shares_history() -> tuple[Any, list[Any]]:
    model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))])
    snapshots = [
        ([10, 50, 80, 90], "2026-07-01"),
        ([10, 20, 80, None], "2026-08-01"),
        ([75, 45, 90, 95], "2026-09-01"),
    ]
    history = sk.History([
        sk.Portfolio.from_columns({"id": ["a", "b", "c", "d"], "x": x}, as_of=day)
        for x, day in snapshots
    ])
    return model, model.score_history(history)


def test_band_shares_stack_to_one_with_the_lowest_band_at_the_bottom() -> None:
    _, results = shares_history()
    ax = plot_band_shares(results, alpha=0.9)
    areas = ax.collections
    assert len(areas) == 4  # red, yellow, green and the hatched "no score"
    assert hexes(a.get_facecolor()[0] for a in areas[:3]) == [
        BAND_COLOURS[n] for n in ("red", "yellow", "green")
    ]
    assert areas[3].get_hatch() == "///"
    assert {a.get_alpha() for a in areas} == {0.9}
    # the red area's upper edge is the red share at each date, computed plainly
    xs = [date2num(np.datetime64(r.as_of, "D")) for r in results]
    red = [sum(b == "red" for b in r.band.tolist()) / 4 for r in results]
    vertices = {(round(x, 6), round(y, 6)) for x, y in areas[0].get_paths()[0].vertices}
    assert {(round(x, 6), round(y, 6)) for x, y in zip(xs, red, strict=True)} <= vertices
    top = areas[-1].get_paths()[0].vertices[:, 1]
    assert np.isclose(top.max(), 1.0)
    # the legend reads top down, as the areas stack
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "no score", "green", "yellow", "red"
    ]


def test_band_shares_refuse_mixed_bands_and_nothing() -> None:
    _model, results = shares_history()
    other = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))],
                           bands=sk.Bands({"low": 0, "high": 50}))
    mixed = [*results[:1], other.score(sk.Portfolio.from_columns(
        {"id": ["a"], "x": [1]}, as_of="2026-10-01"))]
    with pytest.raises(DataError, match="same bands"):
        plot_band_shares(mixed)
    with pytest.raises(DataError, match="at least one"):
        plot_band_shares([])
    with pytest.raises(DataError, match="distinct dates"):
        plot_band_shares([results[0], results[0]])


# -- touch and quadrants ----------------------------------------------------------------------


def test_quadrant_transitions_plot_shows_every_cell_count() -> None:
    moves = sk.QuadrantTransitions(labels=("A", "B", "C", "D"), ids=list("vwxyz"),
                                   before=[3, 1, 1, 0, -1], after=[0, 0, 1, 0, 2])
    ax = moves.plot(cmap="Greys")
    image = ax.get_images()[0]
    assert np.array_equal(image.get_array(), moves.counts)
    assert image.get_cmap().name == "Greys"
    cells = list(ax.texts)
    assert len(cells) == 16
    assert [int(t.get_text()) for t in cells] == moves.counts.ravel().tolist()
    assert [t.get_fontweight() for t in cells[::5]] == ["bold"] * 4  # the diagonal: stayed
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B", "C", "D"]
    assert ax.get_title() == "Moved into A: 2, B: 0, C: 0, D: 0"


def test_quadrant_map_colours_and_markers_differ_per_quadrant() -> None:
    class Scores:
        def __init__(self, score: list[float]) -> None:
            self.ids, self.score = ["a", "b", "c", "d"], score

    result = sk.Quadrants().classify(Scores([75, 75, 20, 20]), Scores([0.9, 0.1, 0.9, 0.1]))
    ax = result.plot()
    colours = [to_hex(c.get_facecolor()[0]) for c in ax.collections]
    assert colours == [BAND_COLOURS[n] for n in ("green", "blue", "orange", "red")]
    markers = {c.get_paths()[0].vertices.round(3).tobytes() for c in ax.collections}
    assert len(markers) == 4  # four marker shapes


def touch_setup() -> tuple[Any, Any]:
    events = {
        "account_id": ["a", "a", "a", "b", "a"],
        "touchpoint": ["web_access", "web_access", "seminar_signup", "web_access",
                       "seminar_signup"],
        "at": ["2026-07-10", "2026-08-15", "2026-08-20", "2026-08-01", "2026-10-05"],
    }
    history = sk.History([
        sk.Portfolio.from_columns({"id": ["a", "b"]}, as_of=day)
        for day in ["2026-07-31", "2026-08-31", "2026-09-30"]
    ])
    return sk.TouchModel.sansan(per=None).bind(events), history


def test_touch_history_line_is_the_score_at_each_snapshot() -> None:
    bound, history = touch_setup()
    ax = plot_touch_history(bound, history, "a", color="purple")
    line = ax.lines[0]
    expected = [float(bound.score(s).score[s.index_of(["a"])[0]]) for s in history.snapshots]
    assert line.get_ydata().tolist() == expected
    assert to_hex(line.get_color()) == to_hex("purple")
    # one rug per touch point, counting the account's events up to the last snapshot
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0] == "touch score"
    assert sorted(texts[1:]) == ["seminar_signup (1)", "web_access (2)"]
    assert sorted(len(c.get_offsets()) for c in ax.collections) == [1, 2]


def test_touch_history_rug_counts_events_not_rows() -> None:
    # A row with a count stands for that many events; a row with count 0 for none.
    events = {"account_id": ["a", "a"], "touchpoint": ["web_access", "web_access"],
              "at": ["2026-07-10", "2026-07-20"], "n": [5, 0]}
    history = sk.History([sk.Portfolio.from_columns({"id": ["a"]}, as_of="2026-07-31")])
    bound = sk.TouchModel.sansan(per=None).bind(events, count="n")
    ax = plot_touch_history(bound, history, "a")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[1:] == ["web_access (5)"]
    assert [len(c.get_offsets()) for c in ax.collections] == [1]


def test_touch_history_refuses_an_unknown_account() -> None:
    bound, history = touch_setup()
    with pytest.raises(DataError, match="no snapshot"):
        plot_touch_history(bound, history, "zz")
    with pytest.raises(DataError, match="History"):
        plot_touch_history(bound, history.latest, "a")  # type: ignore[arg-type]


# -- validation -------------------------------------------------------------------------------


def report(n: int = 400, seed: int = 3, **options: Any) -> Any:
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0, 100, n)
    churned = rng.uniform(0, 1, n) < (1 - scores / 100) * 0.4
    return sk.evaluate(scores, churned, n_boot=0, **options), scores, churned


def test_gain_chart_is_the_cumulative_share_of_churn_riskiest_first() -> None:
    rep, scores, churned = report()
    ax = rep.plot()
    curve = ax.lines[-1]
    x, y = curve.get_xdata(), curve.get_ydata()
    assert (x[0], y[0]) == (0.0, 0.0)
    assert np.isclose(x[-1], 1.0)
    assert np.isclose(y[-1], 1.0)
    # plain reference: the lowest-scoring 10% of accounts (no ties in uniform scores)
    order = np.argsort(scores)
    first = churned[order[: len(scores) // 10]].sum() / churned.sum()
    assert np.isclose(y[1], first)
    assert {ln.get_label() for ln in ax.lines} == {"perfect ranking", "random order", "by score"}


def test_lift_and_calibration_follow_the_convention() -> None:
    rep, _, _ = report(probability=None)
    ax = rep.plot_lift(alpha=0.7)
    bars = ax.containers[0].patches
    assert len(bars) == 10
    assert hexes(b.get_facecolor() for b in bars[:2]) == [BAND_COLOURS["red"],
                                                          BAND_COLOURS["grey"]]
    assert {b.get_alpha() for b in bars} == {0.7}
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 300)
    calibrated = sk.evaluate(100 * (1 - p), rng.uniform(0, 1, 300) < p, probability=p,
                             n_boot=0)
    _, ax = plt.subplots()
    assert calibrated.plot_calibration(ax=ax, color="black") is ax
    assert to_hex(ax.lines[-1].get_color()) == "#000000"
    curve = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))]).calibrate(
        sk.Portfolio.from_columns({"id": list("abcdef"), "x": [10, 20, 30, 70, 80, 90]}),
        [True, True, False, True, False, False])
    ax = curve.plot(linestyle=":")
    assert ax.lines[0].get_linestyle() == ":"
    assert to_hex(ax.lines[0].get_color()) == BAND_COLOURS["blue"]


def test_lift_by_band_takes_the_band_colours() -> None:
    rep, _, _ = report(bands=sk.Bands())
    ax = rep.plot_lift(by="bands")
    assert hexes(b.get_facecolor() for b in ax.containers[0].patches) == [
        BAND_COLOURS[n] for n in ("red", "yellow", "green")
    ]


def test_backtest_plot_draws_auc_per_test_snapshot() -> None:
    from successkit.datasets import make_portfolio

    sample = make_portfolio(300, months=5, seed=2)
    model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Percentile()),
                            sk.Metric("nps", scheme=sk.Linear(0, 10))])
    result = sk.backtest(model, sample.history, sample.churned_within,
                         train_until="2026-08-01", horizon="30d", n_boot=20)
    ax = result.plot()
    columns = result.columns()
    by_label = {ln.get_label(): ln for ln in ax.lines}
    assert np.allclose(by_label["fitted model"].get_ydata(), columns["auc"])
    assert np.allclose(by_label["model before fitting"].get_ydata(), columns["baseline_auc"])
    assert by_label["coin toss"].get_ydata()[0] == 0.5
    assert len(ax.collections) == 1  # the confidence band
    assert len(by_label["fitted model"].get_xdata()) == len(result.reports)


# -- roadmap ----------------------------------------------------------------------------------


def stage_result() -> Any:
    roadmap = sk.Roadmap([
        sk.Stage("onboarding", expected_duration="30d"),
        sk.Stage("adoption", entry="live", expected_duration="60d"),
        sk.Stage("renewal", entry="renewing"),
    ])
    rows = {"id": ["a", "b", "c", "d", "e"],
            "live": [False, True, True, True, False],
            "renewing": [False, False, False, True, False]}
    days = [dt.date(2026, 6, 1) + dt.timedelta(days=30 * k) for k in range(4)]
    history = sk.History([sk.Portfolio.from_columns(rows, as_of=d) for d in days])
    return roadmap.assign(history)


def test_funnel_counts_accounts_per_stage_first_stage_on_top() -> None:
    result = stage_result()
    ax = result.plot()
    on_track, stalled = ax.containers
    totals = [a.get_width() + b.get_width() for a, b in zip(on_track, stalled, strict=True)]
    assert totals == [result.counts().get(s, 0) for s in result.stages]
    assert [b.get_width() for b in stalled] == [
        int(np.sum(result.stalled & (result.codes == k))) for k in range(len(result.stages))
    ]
    assert {b.get_hatch() for b in stalled} == {"xx"}
    assert [t.get_text() for t in ax.get_yticklabels()] == list(result.stages)
    assert ax.yaxis_inverted()


def test_days_in_stage_draws_one_box_per_stage_and_the_expected_durations() -> None:
    result = stage_result()
    ax = result.plot_days_in_stage()
    assert len(ax.patches) == len(result.stages)
    dashes = [c for c in ax.collections if c.get_label() == "expected duration"]
    assert len(dashes) == 1
    limits = sorted(float(s[0][1]) for c in ax.collections for s in c.get_segments())
    assert limits == [30.0, 60.0]
    single = sk.Roadmap([sk.Stage("one")]).assign(
        sk.Portfolio.from_columns({"id": ["a"]}, as_of="2026-01-01"))
    with pytest.raises(DataError, match="known day of entry"):
        single.plot_days_in_stage()


# -- usage ------------------------------------------------------------------------------------


def test_usage_plot_draws_one_line_per_metric_with_gaps() -> None:
    history = sk.History([
        sk.Portfolio.from_columns({"id": ["a", "b"], "logins": [3, 1], "exports": [1, 0]},
                                  as_of="2026-08-01"),
        sk.Portfolio.from_columns({"id": ["b"], "logins": [2], "exports": [4]},
                                  as_of="2026-09-01"),
        sk.Portfolio.from_columns({"id": ["a"], "logins": [None], "exports": [2]},
                                  as_of="2026-10-01"),
    ])
    ax = plot_usage(history, "a", ["logins", "exports"], linewidth=3)
    logins, exports = ax.lines
    assert np.array_equal(logins.get_ydata(), [3.0, np.nan, np.nan], equal_nan=True)
    assert np.array_equal(exports.get_ydata(), [1.0, np.nan, 2.0], equal_nan=True)
    assert logins.get_color() != exports.get_color()
    assert logins.get_marker() != exports.get_marker()
    assert {ln.get_linewidth() for ln in ax.lines} == {3}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["logins", "exports"]
    with pytest.raises(DataError, match="did you mean 'logins'"):
        plot_usage(history, "a", "login")
    with pytest.raises(DataError, match="no snapshot"):
        plot_usage(history, "zz", "logins")


# -- the points card --------------------------------------------------------------------------


def card_model() -> Any:
    return sk.HealthModel([
        sk.Metric("login_rate", scheme=sk.Thresholds([0.3, 0.6], points=[0, 20, 35])),
        sk.Metric("plan", scheme=sk.Categories({"basic": 0, "pro": 15})),
    ], missing="zero")


def test_card_plot_draws_one_bar_per_band_as_long_as_its_points() -> None:
    card = card_model().card()
    ax = card.plot()
    bars = ax.containers[0].patches
    assert [b.get_width() for b in bars] == [r.points for r in card.rows]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["login_rate", "< 0.3", "0.3 – 0.6", "≥ 0.6", "missing",
                      "plan", "basic", "pro", "missing"]
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["login_rate", "plan"]
    assert ax.yaxis_inverted()
    assert ax.get_title() == "Health card: 50 points"
    assert len({to_hex(b.get_facecolor()) for b in bars}) == 1  # no data: one colour


def test_card_plot_with_data_shades_bars_darker_with_more_churn() -> None:
    pf = sk.Portfolio.from_columns({
        "id": list("abcdef"), "login_rate": [0.1, 0.2, 0.5, 0.9, 0.8, None],
        "plan": ["basic", "basic", "pro", "pro", "pro", "basic"],
    })
    card = card_model().card(pf, [True, True, False, False, True, True])
    ax = card.plot()
    bars = ax.containers[0].patches
    rates = [r.churn_rate for r in card.rows]
    shade = {rate: luma(to_hex(b.get_facecolor())) for rate, b in
             zip(rates, bars, strict=True) if rate is not None}
    ordered = [shade[r] for r in sorted(shade)]
    assert ordered == sorted(ordered, reverse=True)  # more churn, darker
    assert any("churn 100%" in t.get_text() for t in ax.texts)
    assert ax.get_title() == "Health card: 50 points, 6 accounts"


def test_fitted_card_plot_draws_the_fitted_card() -> None:
    from successkit.datasets import make_portfolio
    from successkit.outcomes import fit_card

    sample = make_portfolio(600, seed=1)
    fit = fit_card(sample.portfolio, sample.churned, columns=["login_rate", "nps"], l2=1.0)
    ax = fit.plot()
    card = fit.card()
    assert len(ax.containers[0].patches) == sum(r.points is not None for r in card.rows)
    assert ax.get_title().startswith(f"Health card: {card.total_points:g} points")


# -- the convention ---------------------------------------------------------------------------


def test_charts_leave_matplotlib_settings_alone() -> None:
    before = dict(matplotlib.rcParams)
    _, results = shares_history()
    results[-1].plot()
    plot_band_shares(results)
    report()[0].plot()
    stage_result().plot()
    assert dict(matplotlib.rcParams) == before
