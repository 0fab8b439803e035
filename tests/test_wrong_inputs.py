"""Only successkit errors escape: each argument of the public calls a newcomer makes first,
replaced in turn by a value of the wrong kind (nothing, a number, text, a table where an
object belongs, a matrix), gives a successkit error that says what was expected — never
Python's AttributeError or TypeError from deep inside."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import successkit as sk
from successkit.datasets import make_portfolio
from successkit.outcomes import calibrate, fit
from successkit.usage import UsageModel

Call = tuple[Callable[..., Any], list[Any], dict[str, Any]]

WRONG = [None, 3, 1.5, True, "x", [1, 2], {}, {"id": ["a"], "x": [1.0]}, np.zeros((2, 2))]


def calls() -> dict[str, Call]:
    sample = make_portfolio(150, months=4, seed=1)
    pf, history, churned = sample.portfolio, sample.history, sample.churned
    health = sk.HealthModel.dear()
    scored = health.score(pf)
    touch = sk.TouchModel.sansan(window="30d").bind(sample.events)
    card = sk.fit_card(pf, churned).model
    assert isinstance(card, sk.HealthModel)
    usage = UsageModel.from_text("metric logins_28d = count(login, 28d)")
    events = sk.Events.from_columns({"account_id": ["a", "b"], "at": ["2026-01-02", "2026-01-03"],
                                     "event": ["login", "login"]})
    labels = sk.churn_labels(sample.contracts, history.dates, "90d",
                             observed_until=sample.observed_until)
    dates = list(history.dates)
    playbook = sk.Playbook.parse("when login_rate < 30% then call")
    segmented = sk.SegmentedModel("tier", {"high": health}, default=health)
    cards = sk.SegmentedModel("tier", {"high": card}, default=card)
    facts = sk.account_facts(sample.contracts, list(history.dates))
    stages = sk.Roadmap.lifecycle().assign(pf, health=health)
    raised = sk.Playbook.parse("when login_rate < 30% then call").evaluate(history[-2:],
                                                                           health=health)
    report = sk.evaluate(scored, churned, n_boot=0)
    codes = sk.reason_codes(card, pf)
    roadmap = sk.Roadmap.lifecycle()
    movements = sk.revenue_movements(sample.contracts, dates[0], dates[-1])
    return {
        "evaluate_rules": (playbook.evaluate, [history[-2:]],
                           {"health": health, "open_ctas": (), "snoozed": (), "now": None}),
        "replay": (playbook.replay, [history], {"outcome": sample.churn_dates, "health": health}),
        "assign": (roadmap.assign, [pf], {"health": health}),
        "segmented": (segmented.score, [pf], {}),
        "predict": (calibrate(health, pf, churned).predict, [pf], {}),
        "explain": (scored.explain, [str(pf.ids[0])], {}),
        "retention": (sk.retention, [movements], {}),
        "arr_at_risk": (sk.arr_at_risk, [scored.band, np.ones(len(pf))],
                        {"probability": None, "order": None}),
        "calendar": (sk.calendar, ["2026-01-01", "2026-06-01"], {"every": "month"}),
        "thresholds": (sk.Thresholds, [[1, 2]], {"points": [0, 1, 2], "higher_is_better": True,
                                                 "shape": "monotone"}),
        "categories": (sk.Categories, [{"a": 1}], {"other": 0}),
        "metric": (sk.Metric, ["x"], {"scheme": sk.Linear(0, 1), "weight": 1.0}),
        "model": (sk.HealthModel, [[sk.Metric("x", scheme=sk.Linear(0, 1))]],
                  {"missing": "zero", "min_coverage": 0.5, "bands": sk.Bands()}),
        "from_dict": (sk.HealthModel.from_dict, [health.to_dict()], {}),
        "from_columns": (sk.Portfolio.from_columns, [{"id": ["a"], "x": [1.0]}], {}),
        "events": (sk.Events.from_columns, [{"account_id": ["a"], "at": ["2026-01-02"],
                                             "event": ["login"]}], {}),
        "contracts": (sk.Contracts.from_columns, [{"account_id": ["a"], "start": ["2026-01-01"],
                                                   "end": ["2027-01-01"]}], {}),
        "events_options": (sk.Events.from_columns, [{
            "account_id": ["a", "b"], "at": ["2026-01-02", "2026-01-03"], "event": ["login"] * 2,
            "user": ["u", "v"], "n": [1, 2], "secs": [3.0, 4.0], "os": ["ios", "web"]}], {
            "account": "account_id", "time": "at", "type": "event", "user": "user",
            "count": "n", "value": "secs", "types": ["login"], "accounts": ["a", "b"],
            "keep": ["os"], "what": "event type"}),
        "contracts_options": (sk.Contracts.from_columns, [{
            "account_id": ["a"], "start": ["2026-01-01"], "end": ["2026-12-31"],
            "plan": ["pro"], "seats": [3], "mrr": [10.0], "billing": ["monthly"]}], {
            "account": "account_id", "start": "start", "end": "end", "plan": "plan",
            "seats": "seats", "revenue": "mrr", "revenue_kind": "mrr", "billing": "billing",
            "duplicates": "error", "end_inclusive": True}),
        "from_columns_options": (sk.Portfolio.from_columns, [{"key": ["a"], "x": ["1"]}],
                                 {"id": "key", "as_of": "2026-01-01", "kinds": {"x": "number"}}),
        "history_from_columns": (sk.History.from_columns, [{
            "id": ["a", "a"], "as_of": ["2026-01-01", "2026-02-01"], "x": [1.0, 2.0]}],
            {"id": "id", "as_of": "as_of", "kinds": {"x": "number"}}),
        "take": (pf.take, [[0, 1]], {}),
        "reindex": (pf.reindex, [["x"]], {}),
        "fit_card": (sk.fit_card, [pf, churned], {"groups": {}, "monotone": "auto"}),
        "fit_card_options": (sk.fit_card, [pf, churned], {
            "columns": ["login_rate", "tier", "nps"], "k": 5, "max_metrics": 3,
            "level_order": "auto", "l2": "cv", "l2_toward": "cv", "folds": 3,
            "cv_groups": None, "points": 100.0, "missing": "auto", "special": None,
            "min_share": 0.01, "min_category": 20, "prior": 20.0, "by": "tier",
            "min_segment": 40, "bands": None}),
        "fit_card_history": (sk.fit_card, [history, labels],
                             {"columns": ["login_rate", "tier"], "cv_groups": "as_of"}),
        "card_sql_segments": (sk.card_sql, [cards], {"table": "accounts"}),
        "stability_segments": (sk.stability, [cards, pf, pf], {}),
        "reason_codes_segments": (sk.reason_codes, [cards, pf], {"top": 2}),
        "score": (health.score, [pf], {}),
        "card": (card.card, [pf, churned], {}),
        "reason_codes": (sk.reason_codes, [card, pf], {"top": 2}),
        "stability": (sk.stability, [card, pf, pf], {}),
        "card_sql": (sk.card_sql, [card], {"table": "accounts", "id_column": "id"}),
        "evaluate": (sk.evaluate, [scored.score, churned],
                     {"n_boot": 5, "ids": pf.ids, "seed": 0, "confidence": 0.9,
                      "higher_is_better": True}),
        "calibrate": (calibrate, [health, pf, churned], {"method": "isotonic", "bins": 10}),
        "fit": (fit, [health, pf, churned], {"l2": 1.0, "by": None, "min_segment": 200,
                                             "max_iter": 100, "tol": 1e-8}),
        "trend": (sk.trend, [history, health], {"window": "90d", "tolerance": 5.0}),
        "rollup": (sk.rollup, [scored], {"by": "tier", "portfolio": pf}),
        "backtest": (sk.backtest, [health, history, labels],
                     {"train_until": history.as_of, "n_boot": 0, "horizon": None,
                      "fit": True, "l2": 1.0, "arr": "arr", "seed": 0}),
        "quadrants": (sk.Quadrants(health=40, touch=0.5).classify, [scored, touch.score(pf)], {}),
        "touch": (touch.score, [pf], {}),
        "playbook": (sk.Playbook.parse, ["when login_rate < 30% then call"], {}),
        "churn_labels": (sk.churn_labels, [sample.contracts, dates, "90d"],
                         {"grace": "7d", "observed_until": sample.observed_until,
                          "contraction": False}),
        "account_facts": (sk.account_facts, [sample.contracts, dates],
                          {"window": "60d", "change_window": "30d", "grace": "0d",
                           "plan_by": "revenue"}),
        "revenue_movements": (sk.revenue_movements, [sample.contracts, dates[0], dates[-1]], {}),
        "lapsed_labels": (sk.lapsed_labels, [events, ["2026-01-10"], "30d"],
                          {"observed_until": "2026-03-01"}),
        "usage_model": (UsageModel.from_text, ["metric x = count(login, 28d)"], {}),
        "usage_history": (sk.usage_history, [events, usage, ["2026-01-10"]],
                          {"accounts": {"id": ["a", "b"]}, "members": "events",
                           "unmatched": "error"}),
        "usage_portfolio": (sk.usage_portfolio, [events, usage, "2026-01-10"],
                            {"accounts": {"id": ["a", "b"]}, "members": "events",
                             "unmatched": "error"}),
        "from_records": (sk.Portfolio.from_records, [[{"id": "a", "x": 1.0}]], {}),
        "with_columns": (pf.with_columns, [{"z": np.zeros(len(pf))}], {}),
        "history": (history.__getitem__, [-1], {}),
        # Methods of the objects a newcomer holds next.
        "portfolio_column": (pf.column, ["login_rate"], {"kind": "number"}),
        "portfolio_account": (pf.account, [str(pf.ids[0])], {}),
        "portfolio_from_dict": (sk.Portfolio.from_dict, [pf.to_dict()], {}),
        "portfolio_from_accounts": (sk.Portfolio.from_accounts, [[pf.account(str(pf.ids[0]))]],
                                    {"as_of": None, "kinds": None}),
        "history_column": (history.column, ["login_rate"], {}),
        "history_from_dict": (sk.History.from_dict, [history[-2:].to_dict()], {}),
        "model_metric": (card.metric, [card.names[0]], {}),
        "metric_matrix": (card.metric_matrix, [pf], {}),
        "with_weights": (health.with_weights, [{}], {"groups": None}),
        "facts_columns_at": (facts.columns_at, [0], {"active_only": False}),
        "facts_to_portfolio": (facts.to_portfolio, [0], {}),
        "facts_join": (facts.join, [history], {"prefix": "c_"}),
        "labels_outcome": (labels.outcome, [0], {}),
        "labels_on": (labels.on, [dates[0]], {}),
        "codes_of": (codes.of, [str(pf.ids[0])], {}),
        "summary": (scored.summary, [], {"arr": "arr"}),
        "report_table": (report.table, ["deciles"], {}),
        "stage_index": (stages.index, [stages.stages[0]], {}),
        "stage_ids": (stages.ids_in, [stages.stages[0]], {}),
        "ctas_counts": (raised.counts, ["rule"], {}),
        "ctas_for_rule": (raised.for_rule, [raised.rules[0].name], {}),
        "ctas_empty": (sk.CTAs.empty, [raised.rules], {}),
    }


CALLS = calls()


def variants() -> list[Any]:
    found = []
    for name, (_, args, options) in CALLS.items():
        places = [str(i) for i in range(len(args))] + list(options)
        found += [pytest.param(name, where, bad, id=f"{name}-{where}-{type(bad).__name__}")
                  for where in places for bad in WRONG]
    return found


@pytest.mark.parametrize("name", list(CALLS))
def test_the_right_call_works(name: str) -> None:
    call, args, options = CALLS[name]
    call(*args, **options)


@pytest.mark.parametrize(("name", "where", "bad"), variants())
def test_a_wrong_argument_gets_a_successkit_error(name: str, where: str, bad: object) -> None:
    call, args, options = CALLS[name]
    args, options = list(args), dict(options)
    if where.isdigit():
        args[int(where)] = bad
    else:
        options[where] = bad
    # Any other exception fails the test; each message is checked where its call is tested.
    with contextlib.suppress(sk.SuccesskitError):
        call(*args, **options)
