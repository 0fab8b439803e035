"""A card that travels and is watched: SQL equals the score, reason codes, stability, the
card view."""

from __future__ import annotations

import json
import math
import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from successkit.outcomes import card_sql, fit_card, reason_codes, stability
from successkit.outcomes.card_stability import WATCH, psi


def portfolio(n: int, seed: int) -> tuple[sk.Portfolio, np.ndarray]:
    rng = np.random.default_rng(seed)
    login = rng.uniform(0, 1, n)
    login[rng.random(n) < 0.05] = np.nan
    nps = rng.normal(size=n)
    unanswered = rng.random(n) < 0.3
    nps[unanswered] = np.nan
    plan = rng.choice(["basic", "team", "enterprise"], n).astype(object)
    plan[rng.random(n) < 0.03] = None
    tickets = rng.poisson(4, n).astype(float)
    risk = -1.0 - 2.0 * np.nan_to_num(login, nan=0.2) + 0.8 * unanswered + 0.15 * tickets
    risk -= np.where(plan == "enterprise", 1.0, 0.0)
    churned = rng.random(n) < 1 / (1 + np.exp(-risk))
    pf = sk.Portfolio.from_columns({
        "id": [f"a{i}" for i in range(n)], "login_rate": login, "nps": nps,
        "plan": plan, "support tickets": tickets,
    })
    return pf, churned


@pytest.fixture(scope="module")
def card() -> tuple[sk.HealthModel, sk.Portfolio, np.ndarray]:
    pf, churned = portfolio(6000, seed=0)
    model = fit_card(pf, churned).model
    assert isinstance(model, sk.HealthModel)
    return model, pf, churned


def json_again(model: sk.HealthModel) -> sk.HealthModel:
    """``model`` read back from its JSON text."""
    return sk.HealthModel.from_dict(json.loads(json.dumps(model.to_dict())))


def sql_scores(model: sk.HealthModel, pf: sk.Portfolio) -> dict[str, float]:
    db = sqlite3.connect(":memory:")
    cols = model.columns
    db.execute("CREATE TABLE accounts (id TEXT, " + ", ".join(f'"{c}"' for c in cols) + ")")
    data = []
    for row in range(len(pf)):
        values = []
        for c in cols:
            value = pf[c][row]
            # A missing number (NaN) or category (numpy's masked) is NULL in the table.
            if value is np.ma.masked or (isinstance(value, float) and math.isnan(value)):
                value = None
            values.append(value)
        data.append((str(pf.ids[row]), *values))
    db.executemany(f"INSERT INTO accounts VALUES ({', '.join('?' * (len(cols) + 1))})", data)
    return {row[0]: row[-1] for row in db.execute(card_sql(model))}


def region_cards(pf: sk.Portfolio, churned: np.ndarray) -> list[tuple[str, sk.HealthModel]]:
    """The per-segment cards of ``pf`` split into two regions (every third account in
    one), each region's card fitted with partial pooling."""
    region = np.where(np.arange(len(pf)) % 3 == 0, "emea", "amer")
    fit = fit_card(pf.with_columns({"region": region}), churned, by="region",
                   min_segment=1000)
    return list(fit.model.models)


def assert_travels(model: sk.HealthModel, pf: sk.Portfolio) -> sk.HealthResult:
    """``model`` read back from its JSON is the same model, fingerprint and all, and its SQL
    scores ``pf`` as it does; returns its scores of ``pf``."""
    again = json_again(model)
    assert again == model
    assert again.fingerprint == model.fingerprint
    scores = model.score(pf)
    got = sql_scores(model, pf)
    assert np.allclose([got[i] for i in pf.ids.tolist()], scores.score)
    return scores


def test_sql_in_sqlite_gives_the_same_scores(card) -> None:
    model, pf, _ = card
    assert any(m.column is None for m in model.metrics)  # a missing-value companion
    got = sql_scores(model, pf)
    expected = model.score(pf).score
    assert np.allclose([got[str(i)] for i in pf.ids], expected, atol=1e-9)


def test_sql_scores_unseen_levels_and_new_accounts_alike(card) -> None:
    model, _, _ = card
    new = sk.Portfolio.from_columns({
        "id": ["x", "y"], "login_rate": [0.9, None], "nps": [None, 2.0],
        "plan": ["startup", "team"], "support tickets": [0.0, 30.0],
    })
    got = sql_scores(model, new)
    result = model.score(new)
    assert np.allclose([got["x"], got["y"]], result.score)
    assert any("startup" in note for note in result.notes)


@settings(max_examples=20)
@given(seed=st.integers(0, 1000), zero_weight=st.booleans())
def test_sql_matches_any_points_card_with_groups(seed: int, zero_weight: bool) -> None:
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.choice(np.arange(1, 20), 3, replace=False)).astype(float)
    points = np.sort(rng.integers(0, 10, 4)).astype(float)
    points[-1] += 1
    model = sk.HealthModel([
        sk.Metric("x", scheme=sk.Thresholds(cuts, points=points,
                                           higher_is_better=bool(seed % 2)),
                  weight=0.0 if zero_weight else 2.0, group="g"),
        sk.Metric("y", scheme=sk.Linear(0, 10, max_points=3), weight=1.5, group="g"),
        sk.Metric("c", scheme=sk.Categories({"a": 1, "b": 4}), weight=3.0),
    ], missing="zero")
    n = 40
    x = rng.integers(0, 21, n).astype(float)
    x[rng.random(n) < 0.2] = np.nan
    pf = sk.Portfolio.from_columns({
        "id": [f"r{i}" for i in range(n)], "x": x, "y": rng.uniform(-2, 12, n),
        "c": rng.choice(["a", "b", "z"], n),
    })
    got = sql_scores(model, pf)
    expected = model.score(pf).score
    values = np.array([np.nan if got[str(i)] is None else got[str(i)] for i in pf.ids])
    assert np.allclose(values, expected, atol=1e-9, equal_nan=True)


def test_sql_refuses_what_it_cannot_say() -> None:
    renorm = sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds([1]))])
    with pytest.raises(sk.ModelError, match="missing='zero'"):
        card_sql(renorm)
    ranked = sk.HealthModel([sk.Metric("x", scheme=sk.Percentile())], missing="zero")
    with pytest.raises(sk.ModelError, match="Percentile"):
        card_sql(ranked)


def test_sql_reads_a_table_in_its_schema() -> None:
    model = sk.HealthModel([sk.Metric("seats", scheme=sk.Thresholds([5], points=[0, 10]))],
                           missing="zero")
    db = sqlite3.connect(":memory:")
    db.execute("ATTACH DATABASE ':memory:' AS analytics")
    sql = card_sql(model, table='analytics.Accounts"v2', id_column="account id")
    assert 'FROM "analytics"."Accounts""v2"' in sql  # a quote in a name is doubled
    sql = card_sql(model, table="analytics.Accounts.v2", id_column="account id")
    assert 'FROM "analytics"."Accounts"."v2"' in sql  # every dot separates a part
    db.execute('CREATE TABLE analytics.accounts ("account id" TEXT, seats REAL)')
    db.executemany("INSERT INTO analytics.accounts VALUES (?, ?)", [("a", 2.0), ("b", 9.0)])
    rows = db.execute(card_sql(model, table="analytics.accounts", id_column="account id"))
    assert [(r[0], r[-1]) for r in rows] == [("a", 0.0), ("b", 100.0)]


@pytest.mark.parametrize(("option", "value", "words"), [
    ("table", "", "table must be a table name"), ("table", "analytics.", "table must be"),
    ("table", 3, "table must be"), ("id_column", "", "id_column must be a column name"),
])
def test_sql_refuses_names_that_are_not_names(option: str, value: object, words: str) -> None:
    model = sk.HealthModel([sk.Metric("seats", scheme=sk.Thresholds([5], points=[0, 10]))],
                           missing="zero")
    with pytest.raises(sk.ModelError, match=words):
        card_sql(model, **{option: value})


def test_card_and_reason_codes_refuse_what_is_not_a_portfolio() -> None:
    model = sk.HealthModel([sk.Metric("seats", scheme=sk.Thresholds([5], points=[0, 10]))],
                           missing="zero")
    table = {"id": ["a"], "seats": [3.0]}
    for call in (lambda: model.card(table), lambda: reason_codes(model, table)):
        with pytest.raises(sk.DataError, match=r"Portfolio\.from_columns"):
            call()
    with pytest.raises(sk.DataError, match="needs the accounts"):
        model.card(None, [True])
    with pytest.raises(sk.ModelError, match="HealthModel or a SegmentedModel"):
        reason_codes(model.to_dict(), sk.Portfolio.from_columns(table))
    with pytest.raises(sk.DataError, match="tier"):  # the segment column is not there
        reason_codes(sk.SegmentedModel("tier", {"a": model}), sk.Portfolio.from_columns(table))


def test_reason_codes_match_a_plain_python_reference(card) -> None:
    model, pf, _ = card
    codes = reason_codes(model, pf, top=2)
    result = model.score(pf)
    owners = {m.column for m in model.metrics if m.column is not None}
    for row in range(0, len(pf), 97):
        lost = {}
        for j, metric in enumerate(model.metrics):
            owner = metric.name[: -len("_missing")] if metric.column is None else None
            if owner in owners:
                continue  # folded into the metric it gives missing-value points to
            score = result.metric_matrix[row, j]
            earned = 0.0 if math.isnan(score) else score * metric.scheme.max_points / 100
            best = metric.scheme.max_points
            if f"{metric.name}_missing" in model.names:
                k = model.names.index(f"{metric.name}_missing")
                partner = model.metrics[k]
                earned += result.metric_matrix[row, k] * partner.scheme.max_points / 100
                best = max(best, partner.scheme.max_points)
            lost[metric.name] = best - earned
        ranked = sorted(((-v, list(lost).index(n), n) for n, v in lost.items() if v > 1e-9))
        expected = [(n, round(-v, 6)) for v, _, n in ranked[:2]]
        got = [(n, round(v, 6)) for n, v in codes.of(str(pf.ids[row]))]
        assert got == expected


def test_stability_matches_the_textbook_psi(card) -> None:
    model, pf, _ = card
    current, _ = portfolio(3000, seed=1)
    shifted = current.with_columns({"login_rate": current["login_rate"] * 0.5})
    report = stability(model, pf, shifted)
    assert dict(report.metrics)["login_rate"] >= 0.25
    assert "login_rate" in report.alerts
    same = stability(model, pf, pf)
    assert same.score == 0
    assert all(v == 0 for _, v in same.metrics)
    base, now = np.array([10.0, 30.0, 60.0]), np.array([20.0, 30.0, 50.0])
    b, c = base / base.sum(), now / now.sum()
    assert math.isclose(psi(base, now), float(np.sum((c - b) * np.log(c / b))))
    assert "refit" in str(report)
    assert "<table" in report._repr_html_()


def test_card_view_shows_bands_points_shares_and_churn(card) -> None:
    model, pf, churned = card
    view = model.card(pf, churned)
    text = str(view)
    assert text.startswith(f"health card: {view.total_points:g} points, 6000 accounts")
    login = [r for r in view.rows if r.metric == "login_rate"]
    assert sum(r.share for r in login) == pytest.approx(1.0)
    scheme = model.metric("login_rate").scheme
    assert [r.low for r in login[1:-1]] == list(scheme.cuts)
    for row in login[:-1]:
        inside = (pf["login_rate"] >= (row.low if row.low is not None else -np.inf)) & (
            pf["login_rate"] < (row.high if row.high is not None else np.inf))
        assert row.churn_rate == pytest.approx(churned[inside].mean())
    assert "<table" in view._repr_html_()
    table = view.to_rows()
    assert {"metric", "band", "low", "high", "points"} <= set(table[0])


def test_card_view_of_a_hand_written_model() -> None:
    model = sk.HealthModel([
        sk.Metric("login_rate", scheme=sk.Thresholds([0.25, 0.5, 0.75]), weight=2),
        sk.Metric("nps", scheme=sk.Linear(-100, 100)),
        sk.Metric("seats", scheme=sk.Percentile()),
        sk.Metric("touch", scheme=sk.Categories({"bad": 1, "good": 3})),
    ])
    view = model.card()
    assert view.accounts is None
    assert view.total_points == 4 + 1 + 1 + 3
    login = [r for r in view.rows if r.metric == "login_rate"]
    assert [r.band for r in login] == ["< 0.25", "0.25 – 0.5", "0.5 – 0.75", "≥ 0.75", "missing"]
    assert [r.points for r in login] == [1.0, 2.0, 3.0, 4.0, None]  # renormalized, not points
    assert next(r.band for r in view.rows if r.metric == "nps").startswith("linear")
    pf = sk.Portfolio.from_columns({"id": list("abc"), "login_rate": [0.1, 0.9, None],
                                    "nps": [10, None, 50], "seats": [1, 2, 3],
                                    "touch": ["good", "meh", None]})
    with_data = model.card(pf)
    touch = {r.band: r.share for r in with_data.rows if r.metric == "touch"}
    assert touch == {"bad": 0.0, "good": pytest.approx(1 / 3), "missing": pytest.approx(1 / 3),
                     "not on the card": pytest.approx(1 / 3)}
    assert "not on the card" not in {r.band for r in model.card().rows}
    assert all(r.churn_rate is None for r in with_data.rows)
    lower = sk.HealthModel([sk.Metric("tickets", scheme=sk.Thresholds(
        [2, 5], points=[0, 1, 3], higher_is_better=False))], missing="zero")
    rows = lower.card().rows
    assert [(r.band, r.points) for r in rows] == [("< 2", 3.0), ("2 – 5", 1.0), ("≥ 5", 0.0),
                                                  ("missing", 0.0)]


def test_a_fitted_card_gives_unseen_levels_its_other_points_everywhere(card) -> None:
    model, pf, _ = card
    plan = model.metric("plan").scheme
    assert isinstance(plan, sk.Categories)
    assert plan.other is not None
    new = sk.Portfolio.from_columns({
        "id": ["x", "y", "z"], "login_rate": [0.5, 0.5, 0.5], "nps": [1.0, 1.0, 1.0],
        "plan": ["startup", None, "basic"], "support tickets": [3.0, 3.0, 3.0],
    })
    result = model.score(new)
    points = dict(zip(model.names, result.metric_matrix[0], strict=True))
    assert points["plan"] * plan.max_points / 100 == pytest.approx(plan.other)
    assert np.isnan(result.metric_matrix[1, model.names.index("plan")])  # NULL: missing
    got = sql_scores(model, new)
    assert np.allclose([got["x"], got["y"], got["z"]], result.score, atol=1e-9)
    explained = next(m for m in result.explain("x").metrics if m.metric == "plan")
    assert explained.status == "ok"
    assert explained.points == pytest.approx(plan.other)
    # The card, its table and the reason codes show the "other" band and its points.
    view = model.card(new)
    rows = {r.band: r for r in view.rows if r.metric == "plan"}
    assert rows["other"].points == plan.other
    assert rows["other"].share == pytest.approx(1 / 3)
    assert "not on the card" not in rows
    assert {"metric": "plan", "band": "other", "points": plan.other}.items() <= next(
        r for r in view.to_rows() if r["metric"] == "plan" and r["band"] == "other").items()
    lost = dict(reason_codes(model, new, top=len(model.metrics)).of("x"))
    assert lost.get("plan", 0.0) == pytest.approx(plan.max_points - plan.other)
    # Stability: unseen labels share the "other" bucket, apart from the missing values.
    moved = stability(model, pf, new.with_columns({"plan": ["startup", "startup", "startup"]}))
    assert dict(moved.metrics)["plan"] >= 0.25


@settings(max_examples=25)
@given(points=st.lists(st.integers(0, 9), min_size=1, max_size=4), other=st.integers(0, 10),
       picks=st.lists(st.integers(-1, 6), min_size=1, max_size=30))
def test_other_points_in_score_and_sql_match_a_plain_reference(
        points: list[int], other: int, picks: list[int]) -> None:
    mapping = {f"l{k}": float(p) for k, p in enumerate(points)}
    mapping["l0"] += 1  # at least one level earns points
    other = min(other, max(mapping.values()))
    scheme = sk.Categories(mapping, other=other)
    model = sk.HealthModel([sk.Metric("c", scheme=scheme)], missing="zero", min_coverage=0)
    labels = [None if p < 0 else f"l{p}" for p in picks]  # l4 .. l6: never on the card
    pf = sk.Portfolio.from_columns({"id": [f"r{i}" for i in range(len(labels))], "c": labels})
    reference = [0.0 if label is None else mapping.get(label, float(other))
                 for label in labels]
    expected = [100 * p / scheme.max_points for p in reference]
    assert np.allclose(model.score(pf).score, expected)
    got = sql_scores(model, pf)
    assert np.allclose([got[f"r{i}"] for i in range(len(labels))], expected)
    assert json_again(model) == model


def test_a_category_left_empty_by_healthy_accounts_earns_its_own_points() -> None:
    # An escalation type is empty for accounts that never escalated, who churn least: the
    # empty value must earn more points than every type, never the worst type's.
    rng = np.random.default_rng(0)
    n = 6000
    tenure = rng.integers(0, 72, n).astype(float)
    escalated = rng.random(n) < 0.3
    kind = np.where(escalated, rng.choice(["billing", "outage", "bug"], n), None)
    stay = 0.04 * tenure - 0.5 - 1.0 * escalated - 0.3 * (kind == "outage")
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "tenure": tenure,
                                    "escalation": kind.astype(object)})
    model = fit_card(pf, churned).model
    assert isinstance(model, sk.HealthModel)
    companion = model.metric("escalation_missing")
    levels = dict(model.metric("escalation").scheme.mapping)
    assert companion.scheme.max_points > max(levels.values())
    assert model.kinds()["escalation"] == sk.Kind.CATEGORY
    # Scored the same from a portfolio, one account, JSON, what-if and SQL.
    result = model.score(pf)
    none = model.score(sk.Account("x", {"tenure": 10.0, "escalation": None})).score[0]
    bug = model.score(sk.Account("y", {"tenure": 10.0, "escalation": "bug"})).score[0]
    assert none > bug
    again = json_again(model)
    assert np.array_equal(again.score(pf).score, result.score)
    first = str(pf.ids[np.flatnonzero(escalated)[0]])
    assert result.what_if(first, escalation=None).score[0] > result.score[
        int(np.flatnonzero(escalated)[0])]
    got = sql_scores(model, pf)
    assert np.allclose([got[str(i)] for i in pf.ids], result.score, atol=1e-9)


def test_many_rare_levels_read_as_one_other_row() -> None:
    # A city column with 900 rare towns: the fitted card lists the common cities and one
    # "other" row for the towns, while the scheme itself still gives every town its points.
    rng = np.random.default_rng(0)
    n = 6000
    town = rng.random(n) < 0.3
    city = np.where(town, [f"town{i}" for i in rng.integers(0, 900, n)],
                    rng.choice([f"city{i}" for i in range(8)], n))
    churned = rng.random(n) < np.where(town, 0.35, 0.15) + 0.2 * (city == "city0")
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "city": city})
    fitted = fit_card(pf, churned)
    scheme = fitted.model.metric("city").scheme
    towns = [label for label, _ in scheme.mapping if label.startswith("town")]
    assert len(towns) > 500
    assert {points for label, points in scheme.mapping if label in towns} == {scheme.other}
    rows = fitted.card().to_rows()
    other = [row for row in rows if row["band"].startswith("other (")]
    assert len(rows) < 15
    assert len(other) == 1
    assert other[0]["band"] == f"other ({len(towns):,} levels)"
    assert other[0]["share"] == pytest.approx(town.mean())
    assert other[0]["churn_rate"] == pytest.approx(churned[town].mean())


# -- per-segment cards travel and are watched too ------------------------------------------


@pytest.fixture(scope="module")
def segmented() -> tuple[sk.SegmentedModel, sk.Portfolio, np.ndarray]:
    pf, churned = portfolio(6000, seed=3)
    rng = np.random.default_rng(3)
    tier = rng.choice(["smb", "mid", "ent", "tiny"], len(pf), p=[0.5, 0.3, 0.18, 0.02])
    tier = tier.astype(object)
    tier[rng.random(len(pf)) < 0.02] = None
    # The tiers churn differently, and the login rate matters more for small accounts.
    flip = rng.random(len(pf)) < np.where(tier == "smb", 0.15, 0.0)
    churned = np.where(flip, np.nan_to_num(pf["login_rate"], nan=0.0) < 0.5, churned)
    pf = pf.with_columns({"tier": tier})
    model = fit_card(pf, churned, by="tier", min_segment=300).model
    assert isinstance(model, sk.SegmentedModel)
    return model, pf, churned


def test_sql_of_segment_cards_gives_the_same_scores(segmented) -> None:
    model, pf, _ = segmented
    assert {label for label, _ in model.models} == {"smb", "mid", "ent"}  # tiny is pooled
    got = sql_scores(model, pf)
    expected = model.score(pf).score
    assert np.allclose([got[str(i)] for i in pf.ids], expected, atol=1e-9)
    # A tier the fit never saw and a missing tier take the default card in SQL too.
    new = pf.take(np.arange(4)).with_columns({"tier": ["startup", None, "ent", "smb"]})
    got = sql_scores(model, new)
    assert np.allclose([got[str(i)] for i in new.ids], model.score(new).score, atol=1e-9)


def test_sql_of_segment_cards_without_default_matches_score_metric_by_metric() -> None:
    logins = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Thresholds([0.5], [0, 10]))],
                            missing="zero", min_coverage=0)
    plans = sk.HealthModel([
        sk.Metric("plan", scheme=sk.Categories({"basic": 0, "team": 5}, other=2), weight=2),
        sk.Metric("login_rate", scheme=sk.Linear(0, 1, max_points=4))], missing="zero")
    model = sk.SegmentedModel("tier", {"smb": logins, "ent": plans})
    pf = sk.Portfolio.from_columns({
        "id": list("abcdef"), "tier": ["smb", "ent", "ent", "mid", None, "smb"],
        "login_rate": [0.7, 0.25, None, 0.9, 0.1, None],
        "plan": ["team", "new", None, "basic", "team", "basic"]})
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE accounts (id TEXT, tier TEXT, login_rate REAL, plan TEXT)")
    db.executemany("INSERT INTO accounts VALUES (?, ?, ?, ?)", [
        ("a", "smb", 0.7, "team"), ("b", "ent", 0.25, "new"), ("c", "ent", None, None),
        ("d", "mid", 0.9, "basic"), ("e", None, 0.1, "team"), ("f", "smb", None, "basic")])
    cursor = db.execute(card_sql(model))
    names = [d[0] for d in cursor.description]
    assert names == ["id", "login_rate_points", "plan_points", "points", "score"]
    rows = {r[0]: r[1:] for r in cursor}
    # Worked by hand: smb's card has no plan (NULL); ent's scores 2/3 plan, 1/3 login rate;
    # no card scores "mid" or a missing tier (all NULL); c has no value ent's card can
    # score, so below ent's min_coverage its score is NULL.
    assert rows == {
        "a": (10.0, None, 10.0, 100.0),
        "b": (1.0, 2.0, 3.0, pytest.approx(100 * (2 / 3 * 2 / 5 + 1 / 3 * 1 / 4))),
        "c": (0.0, 0.0, 0.0, None),
        "d": (None, None, None, None),
        "e": (None, None, None, None),
        "f": (0.0, None, 0.0, 0.0),
    }
    result = model.score(pf)
    for column, expected in (("points", result.points), ("score", result.score)):
        got = [rows[i][names.index(column) - 1] for i in pf.ids]
        assert np.allclose(np.array(got, dtype=float), expected, equal_nan=True)


def test_sql_of_segment_cards_names_the_segment_it_cannot_export() -> None:
    zero = sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds([1]))], missing="zero")
    renorm = sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds([1]))])
    with pytest.raises(sk.ModelError, match="segment 'b' has missing='renormalize'"):
        card_sql(sk.SegmentedModel("tier", {"a": zero, "b": renorm}))
    with pytest.raises(sk.ModelError, match="the default card has missing="):
        card_sql(sk.SegmentedModel("tier", {"a": zero}, default=renorm))


def test_reason_codes_of_segment_cards_come_from_each_accounts_card(segmented) -> None:
    model, pf, _ = segmented
    probe = pf.take(np.arange(0, len(pf), 41))
    codes = reason_codes(model, probe, top=3)
    for row, account in enumerate(probe.ids):  # a plain reference: one account at a time
        card = model.model_for(probe, row)
        assert card is not None
        expected = reason_codes(card, probe.take([row]), top=3).of(str(account))
        assert codes.of(str(account)) == expected
    seen = {m for m in codes.metrics.ravel() if m is not None}
    assert "login_rate" in seen


def test_reason_codes_leave_an_account_of_no_card_without_codes() -> None:
    card = sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds([1], [0, 10]))],
                          missing="zero")
    model = sk.SegmentedModel("tier", {"a": card})
    pf = sk.Portfolio.from_columns({"id": ["p", "q"], "tier": ["a", "b"], "x": [0.0, 0.0]})
    codes = reason_codes(model, pf, top=2)
    assert codes.of("p") == [("x", 10.0)]
    assert codes.of("q") == []


def test_stability_of_segment_cards_tells_the_mix_from_the_metrics(segmented) -> None:
    model, pf, _ = segmented
    same = stability(model, pf, pf)
    assert same.metrics[0] == ("tier", 0.0)
    assert all(v == 0 for _, v in same.metrics)
    assert same.score == 0
    # Four times as many enterprise accounts, each as it was: the mix moves, the metrics within
    # each card do not.
    tiers = pf["tier"]
    ent = np.flatnonzero(np.asarray(tiers == "ent").astype(bool) & ~np.ma.getmaskarray(tiers))
    rest = np.setdiff1d(np.arange(len(pf)), ent)
    picked = np.concatenate([rest, ent, ent, ent, ent])
    mixed = sk.Portfolio.from_columns({"id": [f"m{i}" for i in range(picked.size)],
                                       **{c: pf[c][picked] for c in pf.columns}})
    report = stability(model, pf, mixed)
    rows = dict(report.metrics)
    assert rows["tier"] >= WATCH
    assert all(v < 0.01 for name, v in rows.items() if name != "tier"), rows
    # A shift within every card shows in the metric, not in the mix.
    shifted = pf.with_columns({"login_rate": pf["login_rate"] * 0.5})
    rows = dict(stability(model, pf, shifted).metrics)
    assert rows["tier"] == 0
    assert rows["login_rate"] >= 0.25


def test_stability_of_a_segment_metric_with_no_accounts_says_so() -> None:
    logins = sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds([1], [0, 10]))],
                            missing="zero")
    plans = sk.HealthModel([sk.Metric("y", scheme=sk.Thresholds([1], [0, 10]))],
                           missing="zero")
    model = sk.SegmentedModel("tier", {"a": logins, "b": plans})
    base = sk.Portfolio.from_columns({"id": list("pqrs"), "tier": ["a", "a", "b", "b"],
                                      "x": [0, 2, 0, 2], "y": [0, 2, 0, 2]})
    now = sk.Portfolio.from_columns({"id": list("pqrs"), "tier": ["a", "a", "a", "a"],
                                     "x": [0, 2, 0, 2], "y": [0, 2, 0, 2]})
    report = stability(model, base, now)
    rows = dict(report.metrics)
    assert rows["x"] == 0
    assert math.isnan(rows["y"])
    assert "tier" in report.alerts
    assert "y" not in report.alerts
    assert "no accounts" in str(report)
