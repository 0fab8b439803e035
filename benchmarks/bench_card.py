"""Fitting a whole card from outcomes: held-out accuracy against five baselines, and speed.

Accuracy (test AUC, the same train/test split on every side):

* ``card`` (defaults: at most ``k=10`` bands, as many as predict held-out folds best) and
  ``card k=5``: :func:`successkit.outcomes.fit_card`;
* ``logistic``: scikit-learn ``LogisticRegression`` on log counts, standardised numbers
  with missing indicators, one-hot categories;
* ``woe scorecard``: a textbook optimal-binning-style scorecard written here (10 quantile
  bins per number, one bin per category level, weight of evidence, logistic regression);
* ``additive boosting``: ``HistGradientBoostingClassifier`` with
  ``interaction_cst="no_interactions"`` (a boosted additive model, no interactions);
* ``optbinning``: the ``optbinning`` package's ``Scorecard`` (its optimal binning of every
  column, weight of evidence, ``LogisticRegression``) — the established optimal-binning
  scorecard;
* ``EBM``: the ``interpret`` package's ``ExplainableBoostingClassifier`` with
  ``interactions=0`` — the established boosted additive model, stronger than the
  scikit-learn one on most sets here.

``card − best`` is the card's AUC less the best of the five baselines. ``optbinning`` and
``interpret`` come with the ``bench`` extra; without them their columns read ``—`` and the
best is of the other three.

Data: the built-in sample (:func:`successkit.datasets.make_portfolio`), a B2B SaaS churn
simulation with plans, regions, seat counts, NPS with unanswered surveys and thresholds in
usage; a telecom-style churn simulation (contract type, payment method, tenure,
charges, services); a telecom set shaped like the public IBM telco table (add-ons priced
into the charges); retail repeat purchase (recency, frequency, monetary); and one real
public set, CDNOW (retail repeat purchase from a raw purchase log, built with successkit's
own usage metrics; its data file ships in the ``lifetimes`` package, a ``bench`` extra, and
the row is left out when that is not installed). Eight more public tables come from package
archives (:mod:`_public_data`; fetched once, checked by SHA-256 and cached, in full runs
only; quick runs use the cache when it is there): from the ``pysurvival`` source archive on
PyPI, a B2B SaaS churn table (products as categories, satisfaction, support minutes, company
size, region), an employee attrition table whose numbers matter in the middle (projects,
hours, tenure) and the German credit table (real, categorical); from Debian's
``r-cran-modeldata``, the IBM telecom churn table (real: contract, services, payment, tenure,
charges), the MLC++ telecom churn table (minutes, calls, plans, customer-service calls),
IBM's HR attrition table and two credit tables (credit scoring; Lending Club loans).

Special values: a simulation with two codes (months 0, NPS −1), the card fitted with and
without ``special=`` naming them.

A direction you know: the retail simulation, the card fitted with returns left to the data
and fixed with ``monotone={"returns": "lower_is_better"}`` (on their own, accounts with
returns lapse less: they buy more often).

Speed: ``fit_card`` on 1M accounts × 50 metrics (40 numbers, 10 categories) against
``LogisticRegression`` on the one-hot / log-transformed equivalent, in one run; peak memory
(tracemalloc) of the card fit against the input's bytes.

    python benchmarks/bench_card.py            # full sizes (1M accounts for speed)
    python benchmarks/bench_card.py --splits 8 # and card − best over eight splits per set
    python benchmarks/bench_card.py --quick    # small sizes (CI)
"""

from __future__ import annotations

import importlib.util
import math
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import successkit as sk
from _harness import parse_args, table
from _public_data import Columns, public_tables
from successkit.data.events import Events
from successkit.datasets import make_portfolio
from successkit.outcomes import fit_card
from successkit.outcomes.auc import roc_auc
from successkit.usage import UsageModel, usage_portfolio

try:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
except ImportError:  # pragma: no cover - scikit-learn is a dev dependency
    print("scikit-learn is not installed; skipping")
    raise SystemExit(0) from None


# -- data ---------------------------------------------------------------------------------------


def sample_data(n: int, seed: int) -> tuple[Columns, np.ndarray]:
    sample = make_portfolio(n, months=1, seed=seed)
    pf = sample.portfolio
    skip = {"parent_id", "csm"}  # identifiers, not measures
    columns: Columns = {}
    for name in pf.names:
        kind = pf.column(name).kind
        if name in skip or kind is sk.Kind.DATE:
            continue
        if kind is sk.Kind.CATEGORY:
            columns[name] = pf.column(name).labels()
        else:
            columns[name] = pf.column(name, sk.Kind.NUMBER).values
    return columns, np.asarray(sample.churned, dtype=bool)


def saas_data(n: int, seed: int) -> tuple[Columns, np.ndarray]:
    """B2B SaaS churn: thresholds in usage, plan and region effects, unanswered NPS."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["free", "starter", "team", "business", "enterprise"], n,
                      p=[0.15, 0.3, 0.3, 0.18, 0.07])
    region = rng.choice(["emea", "na", "apac", "latam"], n, p=[0.35, 0.4, 0.15, 0.1])
    seats = np.round(rng.lognormal(2.0, 1.1, n)) + 1
    logins = rng.poisson(np.clip(seats * rng.gamma(2.0, 4.0, n), 0, None))
    per_seat = logins / seats
    tickets = rng.poisson(1.5 + 0.05 * seats)
    tenure = rng.gamma(2.0, 10.0, n)
    answered = rng.random(n) < 0.6
    nps = np.where(answered, np.clip(np.round(rng.normal(30, 40, n)), -100, 100), np.nan)
    integrations = rng.poisson(1.2, n)
    discount = rng.uniform(0, 0.4, n)
    stay = (
        -0.3
        + np.select([per_seat < 1, per_seat < 4, per_seat < 12], [-1.4, -0.4, 0.4], 1.0)
        + np.vectorize({"free": -0.8, "starter": -0.2, "team": 0.2, "business": 0.6,
                        "enterprise": 1.1}.get)(plan)
        + np.vectorize({"emea": 0.0, "na": 0.15, "apac": -0.25, "latam": -0.4}.get)(region)
        + 0.6 * np.log1p(tenure) - 1.6
        - 0.12 * np.minimum(tickets, 12)
        + np.where(answered, 0.008 * np.nan_to_num(nps), -0.35)
        + 0.45 * np.minimum(integrations, 3)
        + 0.3 * (discount > 0.25)
    )
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    return {
        "plan": plan, "region": region, "seats": seats, "logins": logins.astype(float),
        "logins_per_seat": per_seat, "tickets": tickets.astype(float), "tenure": tenure,
        "nps": nps, "integrations": integrations.astype(float), "discount": discount,
        "noise_a": rng.normal(size=n), "noise_b": rng.choice(["x", "y", "z"], n),
    }, churned


def telco_data(n: int, seed: int) -> tuple[Columns, np.ndarray]:
    """Telecom-style churn: contract, payment method, tenure, charges, services."""
    rng = np.random.default_rng(seed)
    contract = rng.choice(["month-to-month", "one year", "two year"], n, p=[0.55, 0.21, 0.24])
    payment = rng.choice(["electronic check", "mailed check", "bank transfer", "credit card"],
                         n)
    internet = rng.choice(["dsl", "fiber", "none"], n, p=[0.34, 0.44, 0.22])
    tenure = np.round(rng.uniform(0, 72, n))
    monthly = np.round(20 + 25 * (internet != "none") + 20 * (internet == "fiber")
                       + rng.gamma(2, 8, n), 2)
    total = monthly * tenure
    services = rng.binomial(6, 0.4, n)
    senior = (rng.random(n) < 0.16).astype(float)
    stay = (
        1.2
        + np.vectorize({"month-to-month": -1.3, "one year": 0.2, "two year": 1.4}.get)(contract)
        + np.where(payment == "electronic check", -0.5, 0.0)
        + np.where(internet == "fiber", -0.6, np.where(internet == "none", 0.5, 0.0))
        + 0.9 * np.log1p(tenure) - 2.5
        - 0.012 * (monthly - 60)
        + 0.12 * services - 0.35 * senior
    )
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    return {"contract": contract, "payment": payment, "internet": internet, "tenure": tenure,
            "monthly_charges": monthly, "total_charges": total,
            "services": services.astype(float), "senior": senior}, churned


def retail_data(n: int, seed: int) -> tuple[Columns, np.ndarray]:
    """Retail repeat purchase (churned = no purchase in the next period): recency, frequency,
    monetary with heavy tails, a dominant country, returns, and a tenure whose effect only
    shows next to recency."""
    rng = np.random.default_rng(seed)
    country = rng.choice(["uk", "de", "fr", "eire", "nl", "es", "other1", "other2", "be", "ch"],
                         n, p=[0.7, 0.06, 0.05, 0.04, 0.03, 0.03, 0.03, 0.02, 0.02, 0.02])
    freq = 1 + rng.negative_binomial(1, 0.25, n)
    recency = rng.exponential(60 / np.sqrt(freq)) + rng.uniform(0, 5, n)
    basket = rng.lognormal(3, 0.8, n)
    monetary = freq * basket * rng.lognormal(0, 0.3, n)
    tenure = recency + rng.exponential(200, n)
    returns = rng.binomial(freq, 0.05)
    buy = (-0.8 + 0.9 * np.log(freq) - 0.012 * recency + 0.15 * np.log(basket)
           + 0.2 * (country == "uk") - 0.3 * (returns > 0) + 0.002 * np.minimum(tenure, 400))
    churned = rng.random(n) < 1 / (1 + np.exp(buy))
    return {"country": country, "frequency": freq.astype(float), "recency_days": recency,
            "avg_basket": basket, "monetary": monetary, "tenure_days": tenure,
            "returns": returns.astype(float)}, churned


def telco_services_data(n: int, seed: int) -> tuple[Columns, np.ndarray]:
    """Telecom churn shaped like the public IBM telco table: yes / no / "no internet
    service" add-ons priced into the monthly charges, contract tied to tenure, total charges
    missing for new accounts, and effects that only show next to the charges (streaming)."""
    rng = np.random.default_rng(seed)

    def share(p: float) -> np.ndarray:
        return rng.random(n) < p

    def yes_no(flag: np.ndarray) -> np.ndarray:
        return np.where(flag, "yes", "no")

    senior, partner = share(0.16), share(0.48)
    dependents = partner & share(0.6)
    new = share(0.3)
    tenure = np.clip(np.round(np.where(new, rng.exponential(6, n), rng.uniform(0, 72, n))),
                     0, 72)
    u = rng.random(n) + tenure / 72 * 0.9
    contract = np.where(u < 0.75, "month-to-month", np.where(u < 1.15, "one year", "two year"))
    phone = share(0.9)
    multiple = np.where(phone, yes_no(share(0.45)), "no phone service")
    internet = rng.choice(["dsl", "fiber", "no"], n, p=[0.34, 0.44, 0.22])
    addons = {}
    for name, p in (("online_security", 0.35), ("online_backup", 0.44),
                    ("device_protection", 0.44), ("tech_support", 0.37),
                    ("streaming_tv", 0.5), ("streaming_movies", 0.5)):
        addons[name] = np.where(internet != "no", yes_no(share(p)), "no internet service")
    has = {name: (values == "yes").astype(float) for name, values in addons.items()}
    paperless = share(0.59)
    payment = rng.choice(["electronic check", "mailed check", "bank transfer", "credit card"],
                         n, p=[0.34, 0.23, 0.22, 0.21])
    monthly = (20 * phone + 5 * (multiple == "yes")
               + np.select([internet == "dsl", internet == "fiber"], [25, 50], 0)
               + 5 * (has["online_security"] + has["online_backup"]
                      + has["device_protection"] + has["tech_support"])
               + 10 * (has["streaming_tv"] + has["streaming_movies"])
               + rng.normal(0, 2, n))
    monthly = np.maximum(monthly.round(2), 18.0)
    total = np.round(monthly * np.maximum(tenure, 1) * rng.uniform(0.95, 1.05, n), 2)
    total[tenure == 0] = np.nan
    churn = (0.5 + 0.25 * senior - 0.1 * dependents - 0.8 * np.log1p(tenure)
             + np.select([contract == "one year", contract == "two year"], [-0.8, -1.6], 0.0)
             + np.select([internet == "fiber", internet == "no"], [0.9, -0.8], 0.0)
             + 0.4 * (payment == "electronic check") + 0.35 * paperless
             - 0.4 * has["online_security"] - 0.4 * has["tech_support"]
             - 0.1 * has["online_backup"]
             + 0.25 * (has["streaming_tv"] + has["streaming_movies"] + (multiple == "yes"))
             - 0.01 * (monthly - 65) + 0.00008 * np.nan_to_num(total))
    churned = rng.random(n) < 1 / (1 + np.exp(-churn))
    return {"gender": rng.choice(["female", "male"], n), "senior": senior.astype(float),
            "partner": yes_no(partner), "dependents": yes_no(dependents), "tenure": tenure,
            "phone_service": yes_no(phone), "multiple_lines": multiple, "internet": internet,
            **addons, "contract": contract, "paperless": yes_no(paperless),
            "payment": payment, "monthly_charges": monthly, "total_charges": total}, churned


# -- the sides ------------------------------------------------------------------------------------


CDNOW_CUTOFF, CDNOW_END = "1997-10-01", "1998-07-01"
CDNOW_METRICS = """
metric cds_28d = count(*, 28d)
metric cds_90d = count(*, 90d)
metric cds_year = count(*, 1y)
metric purchase_days = active_days(*, 1y)
metric purchase_days_90d = active_days(*, 90d)
metric spend_year = sum(*, 1y)
metric spend_90d = sum(*, 90d)
metric since_last = days_since_last(*)
metric since_first = days_since_first(*)
metric spend_per_day = ratio(spend_year, purchase_days)
"""


def cdnow_data() -> tuple[Columns, np.ndarray] | None:
    """Real retail repeat purchase: the public CDNOW log (23,570 customers who first bought
    in the first quarter of 1997; every purchase through June 1998), as shipped inside the
    ``lifetimes`` package (``None`` when it is not installed). The metrics on 1997-10-01
    come from the raw log through successkit's own ``Events`` and ``usage_portfolio``;
    churned = no purchase from then to 1998-07-01."""
    spec = importlib.util.find_spec("lifetimes")  # its data file only: nothing is imported
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = Path(folders[0]) / "datasets" / "CDNOW_master.txt" if folders else None
    if path is None or not path.exists():
        return None
    raw = np.loadtxt(path, skiprows=1, dtype=str)
    ymd = raw[:, 1].astype(np.int64)
    month = (ymd // 10000 - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (
        ymd // 100 % 100 - 1)
    at = month.astype("datetime64[D]") + (ymd % 100 - 1)
    before = at < np.datetime64(CDNOW_CUTOFF)
    events = Events.from_columns(
        {"account_id": raw[before, 0], "at": at[before], "event": np.full(before.sum(), "cd"),
         "cds": raw[before, 2].astype(float), "dollars": raw[before, 3].astype(float)},
        count="cds", value="dollars")
    model = UsageModel.from_text(CDNOW_METRICS)
    portfolio = usage_portfolio(events, model, CDNOW_CUTOFF)
    later = ~before & (at < np.datetime64(CDNOW_END))
    churned = ~np.isin(portfolio.ids, raw[later, 0])
    columns = {name: np.asarray(portfolio.column(name).to_numpy(), dtype=float)
               for name in model.names}
    return columns, churned


def is_category(values: np.ndarray) -> bool:
    return values.dtype.kind in "OUS"


def one_hot_log(train: Columns, test: Columns) -> tuple[np.ndarray, np.ndarray]:
    """Log counts (signed log1p), standardised, missing indicators, one-hot categories."""
    blocks_train, blocks_test = [], []
    for name, values in train.items():
        other = test[name]
        if is_category(values):
            levels = sorted({str(v) for v in values})
            blocks_train.append(np.stack([values.astype(str) == lv for lv in levels], 1))
            blocks_test.append(np.stack([other.astype(str) == lv for lv in levels], 1))
            continue
        def transform(v: np.ndarray) -> np.ndarray:
            with np.errstate(invalid="ignore"):  # missing values stay NaN, filled below
                return np.sign(v) * np.log1p(np.abs(v))
        a, b = transform(values), transform(other)
        fill = np.nanmedian(a) if np.isfinite(a).any() else 0.0
        mean, std = np.nanmean(a), np.nanstd(a) or 1.0
        blocks_train.append(((np.where(np.isnan(a), fill, a) - mean) / std)[:, None])
        blocks_test.append(((np.where(np.isnan(b), fill, b) - mean) / std)[:, None])
        if np.isnan(values).any():
            blocks_train.append(np.isnan(values)[:, None])
            blocks_test.append(np.isnan(other)[:, None])
    return (np.hstack(blocks_train).astype(float), np.hstack(blocks_test).astype(float))


def woe_scorecard(train: Columns, y: np.ndarray, test: Columns) -> np.ndarray:
    """Quantile bins (10 per number, missing its own bin) or levels, WoE, logistic."""
    good, bad = float((~y).sum()), float(y.sum())
    f_train, f_test = [], []
    for name, values in train.items():
        other = test[name]
        if is_category(values):
            levels, codes = np.unique(values.astype(str), return_inverse=True)
            lookup = {lv: i for i, lv in enumerate(levels)}
            test_codes = np.array([lookup.get(str(v), len(levels)) for v in other])
            size = len(levels) + 1
        else:
            present = values[~np.isnan(values)]
            edges = np.unique(np.quantile(present, np.linspace(0.1, 0.9, 9)))
            codes = np.where(np.isnan(values), edges.size + 1,
                             np.searchsorted(edges, values, side="right"))
            test_codes = np.where(np.isnan(other), edges.size + 1,
                                  np.searchsorted(edges, other, side="right"))
            size = edges.size + 2
        n_bad = np.bincount(codes, weights=y, minlength=size) + 0.5
        n_good = np.bincount(codes, weights=~y, minlength=size) + 0.5
        woe = np.log((n_good / good) / (n_bad / bad))
        f_train.append(woe[codes])
        f_test.append(woe[test_codes])
    lr = LogisticRegression(max_iter=2000).fit(np.stack(f_train, 1), y)
    proba: np.ndarray = lr.predict_proba(np.stack(f_test, 1))[:, 1]
    return proba


def boosted_additive(train: Columns, y: np.ndarray, test: Columns) -> np.ndarray:
    names = list(train)
    cat = [is_category(train[n]) for n in names]

    def matrix(cols: Columns, fit: Columns) -> np.ndarray:
        out = []
        for n, c in zip(names, cat, strict=True):
            if c:
                levels = {lv: i for i, lv in enumerate(sorted({str(v) for v in fit[n]}))}
                out.append(np.array([levels.get(str(v), np.nan) for v in cols[n]], float))
            else:
                out.append(cols[n].astype(float))
        return np.stack(out, 1)

    model = HistGradientBoostingClassifier(
        interaction_cst="no_interactions", categorical_features=np.array(cat),
        learning_rate=0.05, max_iter=400, early_stopping=True, random_state=0)
    model.fit(matrix(train, train), y)
    proba: np.ndarray = model.predict_proba(matrix(test, train))[:, 1]
    return proba


def _frame(columns: Columns) -> Any:
    import pandas as pd  # a dependency of both libraries below

    return pd.DataFrame({name: values.astype(str) if is_category(values) else values
                         for name, values in columns.items()})


def ebm(train: Columns, y: np.ndarray, test: Columns) -> np.ndarray | None:
    """interpret's explainable boosting machine without interactions (None when
    interpret is not installed)."""
    if importlib.util.find_spec("interpret") is None:
        return None
    import warnings

    from interpret.glassbox import ExplainableBoostingClassifier

    model = ExplainableBoostingClassifier(interactions=0, random_state=0)
    with warnings.catch_warnings():  # its note that its plots do not show missing values
        warnings.simplefilter("ignore")
        model.fit(_frame(train), y)
    proba: np.ndarray = model.predict_proba(_frame(test))[:, 1]
    return proba


def optbinning_scorecard(train: Columns, y: np.ndarray, test: Columns) -> np.ndarray | None:
    """optbinning's scorecard: optimal binning of every column, WoE, logistic regression
    (None when optbinning is not installed)."""
    if importlib.util.find_spec("optbinning") is None:
        return None
    import warnings

    from optbinning import BinningProcess, Scorecard

    names = list(train)
    process = BinningProcess(names, categorical_variables=[
        n for n in names if is_category(train[n])])
    card = Scorecard(binning_process=process, estimator=LogisticRegression(max_iter=3000),
                     scaling_method="min_max", scaling_method_params={"min": 0, "max": 1000})
    with warnings.catch_warnings():  # its solver's notes on columns that bin to one band
        warnings.simplefilter("ignore")
        card.fit(_frame(train), y.astype(int))
        proba: np.ndarray = card.predict_proba(_frame(test))[:, 1]
    return proba


def portfolio_of(columns: Columns, ids: np.ndarray) -> sk.Portfolio:
    data: dict[str, Any] = {"id": ids}
    for name, values in columns.items():
        data[name] = values.astype(object) if is_category(values) else values
    return sk.Portfolio.from_columns(data)


# The baselines of :func:`accuracy`, in its row's order (after the two cards).
BASELINES = ("logistic", "woe scorecard", "additive boosting", "optbinning", "EBM")


def accuracy(name: str, columns: Columns, churned: np.ndarray, seed: int = 0) -> list[Any]:
    n = churned.size
    rng = np.random.default_rng(seed)
    test_rows = rng.permutation(n)[: int(0.3 * n)]
    is_test = np.zeros(n, dtype=bool)
    is_test[test_rows] = True
    train = {k: v[~is_test] for k, v in columns.items()}
    test = {k: v[is_test] for k, v in columns.items()}
    y_train, y_test = churned[~is_test], churned[is_test]
    ids = np.array([f"a{i}" for i in range(n)])
    pf_train, pf_test = portfolio_of(train, ids[~is_test]), portfolio_of(test, ids[is_test])
    results: dict[str, float | None] = {}
    for label, options in (("card", {}), ("card k=5", {"k": 5})):
        model = fit_card(pf_train, y_train, **options).model
        results[label] = roc_auc(model.score(pf_test).score, y_test)
    x_train, x_test = one_hot_log(train, test)
    lr = LogisticRegression(max_iter=3000).fit(x_train, y_train)
    results["logistic"] = roc_auc(-lr.predict_proba(x_test)[:, 1], y_test)
    results["woe scorecard"] = roc_auc(-woe_scorecard(train, y_train, test), y_test)
    results["additive boosting"] = roc_auc(-boosted_additive(train, y_train, test), y_test)
    for label, baseline in (("optbinning", optbinning_scorecard), ("EBM", ebm)):
        proba = baseline(train, y_train, test)
        results[label] = None if proba is None else roc_auc(-proba, y_test)
    best_other = max(v for k, v in results.items() if v is not None and not k.startswith("card"))
    return [name, n, *("—" if v is None else round(v, 4) for v in results.values()),
            round(results["card"] - best_other, 4)]


def over_splits(name: str, columns: Columns, churned: np.ndarray, *, splits: int
                ) -> list[Any]:
    """Card − best baseline on ``splits`` train/test splits of the same data; the mean of
    card − best baseline but the EBM (what the EBM alone holds the card to); and the
    card's mean AUC − that of the baseline with the best mean AUC (the best of each split
    is a maximum over five noisy models, the best baseline is one model), with its name."""
    rows = [accuracy(name, columns, churned, seed) for seed in range(splits)]
    gaps = np.array([row[-1] for row in rows])
    # row: name, accounts, card, card k=5, four baselines, EBM, card − best
    no_ebm = np.array([row[2] - max(v for v in row[4:8] if v != "—") for row in rows])
    means = {label: float(np.mean([row[j] for row in rows]))
             for j, label in enumerate(BASELINES, 4) if rows[0][j] != "—"}
    best = max(means, key=lambda label: means[label])
    card = float(np.mean([row[2] for row in rows]))
    against_best = np.array([row[2] - row[4 + BASELINES.index(best)] for row in rows])
    return [name, churned.size, round(float(gaps.mean()), 4), round(float(gaps.min()), 4),
            round(float(gaps.max()), 4), f"{int((gaps >= 0).sum())} of {splits}",
            round(float(no_ebm.mean()), 4), round(card - means[best], 4),
            round(split_noise(against_best), 4), best]


def split_noise(gaps: np.ndarray, test_share: float = 0.3) -> float:
    """The standard error of the mean of per-split gaps between two models, corrected for
    the splits sharing most of their training rows (Nadeau and Bengio's resampled t test:
    the variance over ``1 / splits + test / train`` instead of ``1 / splits``). Repeated
    random splits are not independent draws, and the plain standard error would read a gap
    of a few noisy thousandths as certain.

    >>> round(split_noise(np.array([0.001, -0.002, 0.0, 0.001])), 4)
    0.0012
    """
    return float(np.sqrt(np.var(gaps, ddof=1) * (1 / gaps.size + test_share / (1 - test_share))))


def across_sets(gaps: list[float], noise: list[float]) -> str:
    """What the sets say together: on how many the card's mean leads or trails the best
    baseline's, how likely that split of signs is by chance (a two-sided sign test), and
    the largest gap in units of its split noise.

    >>> print(across_sets([0.001, -0.002, -0.003, 0.0], [0.001, 0.001, 0.002, 0.001]))
    ... # doctest: +NORMALIZE_WHITESPACE
    card ahead on 1 set, behind on 2, level on 1 (sign test p = 1.00);
    largest gap 2.0 × its split noise
    """
    ahead = sum(gap > 0 for gap in gaps)
    behind = sum(gap < 0 for gap in gaps)
    signed = ahead + behind
    tail = sum(math.comb(signed, i) for i in range(min(ahead, behind) + 1)) / 2 ** signed
    largest = max((abs(g) / n for g, n in zip(gaps, noise, strict=True) if n > 0), default=0.0)
    return (f"card ahead on {ahead} set{'s' * (ahead != 1)}, behind on {behind}, level on "
            f"{len(gaps) - signed} (sign test p = {min(2 * tail, 1.0):.2f}); largest gap "
            f"{largest:.1f} × its split noise")


def coded_data(n: int, seed: int) -> tuple[sk.Portfolio, np.ndarray]:
    """Two numbers with a code each: months live (0: signed this month, the accounts that
    churn least) and NPS (−1: never asked, 20 % of accounts, churning like a middling
    score)."""
    rng = np.random.default_rng(seed)
    months = rng.integers(0, 25, n).astype(float)
    nps = rng.integers(0, 11, n).astype(float)
    never = rng.random(n) < 0.2
    nps[never] = -1.0
    churned = (rng.random(n) < np.where(months == 0, 0.02, 0.45 - 0.012 * months)) | (
        rng.random(n) < np.clip(np.where(never, 0.2, 0.45 - 0.03 * nps), 0.02, 0.98))
    return sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "months": months,
                                      "nps": nps}), churned


def special_gain(n: int, splits: int) -> list[Any]:
    """Test AUC of the card with and without ``special=`` for the two codes, averaged over
    ``splits`` simulations (70/30 split)."""
    plain, coded = [], []
    for seed in range(splits):
        pf, churned = coded_data(n, seed)
        train, test = np.arange(n) < int(0.7 * n), np.arange(n) >= int(0.7 * n)
        fit_on, score_on = pf.take(np.flatnonzero(train)), pf.take(np.flatnonzero(test))
        for out, options in ((plain, {}), (coded, {"special": {"months": [0], "nps": [-1]}})):
            model = fit_card(fit_on, churned[train], **options).model
            out.append(roc_auc(model.score(score_on).score, churned[test]))
    gains = np.array(coded) - np.array(plain)
    return [n, splits, round(float(np.mean(plain)), 4), round(float(np.mean(coded)), 4),
            round(float(gains.mean()), 4), f"{int((gains > 0).sum())} of {splits}"]


def direction_gain(n: int, splits: int) -> list[Any]:
    """Test AUC of the card on the retail simulation with returns left to the data and
    fixed as ``lower_is_better`` (on their own they run the other way: returns come with
    frequent buying), averaged over ``splits`` simulations (70/30 split)."""
    plain, fixed = [], []
    for seed in range(splits):
        columns, churned = retail_data(n, seed=100 + seed)
        pf = portfolio_of(columns, np.char.add("c", np.arange(n).astype(str)))
        train, test = np.arange(n) < int(0.7 * n), np.arange(n) >= int(0.7 * n)
        fit_on, score_on = pf.take(np.flatnonzero(train)), pf.take(np.flatnonzero(test))
        for out, options in ((plain, {}), (fixed, {"monotone": {"returns": "lower_is_better"}})):
            model = fit_card(fit_on, churned[train], **options).model
            out.append(roc_auc(model.score(score_on).score, churned[test]))
    gains = np.array(fixed) - np.array(plain)
    return [n, splits, round(float(np.mean(plain)), 4), round(float(np.mean(fixed)), 4),
            round(float(gains.mean()), 4), f"{int((gains > 0).sum())} of {splits}"]


# -- speed ----------------------------------------------------------------------------------------


def speed_data(n: int, seed: int = 0) -> tuple[sk.Portfolio, np.ndarray, Columns]:
    rng = np.random.default_rng(seed)
    columns: Columns = {}
    stay = np.full(n, 1.5)
    for j in range(40):
        x = rng.lognormal(1.0, 1.0, n) if j % 2 else rng.normal(size=n)
        if j % 5 == 0:
            x[rng.random(n) < 0.1] = np.nan
        effect = 0.3 / (1 + j // 8)
        stay += effect * np.where(np.isnan(x), 0.0, np.tanh(np.nan_to_num(x) - 1))
        columns[f"m{j:02d}"] = x
    for j in range(10):
        levels = np.array([f"L{i}" for i in range(3 + j)])
        codes = rng.integers(0, levels.size, n)
        stay += 0.2 * (codes % 3 == 0)
        columns[f"c{j:02d}"] = levels[codes]
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    data: dict[str, Any] = {"id": np.char.add("a", np.arange(n).astype(str))}
    for name, values in columns.items():
        if is_category(values):
            codes = np.unique(values, return_inverse=True)[1].astype(np.int32)
            levels = tuple(np.unique(values).tolist())
            data[name] = sk.Column.category(codes, levels)
        else:
            data[name] = values
    return sk.Portfolio.from_columns(data), churned, columns


def input_bytes(pf: sk.Portfolio) -> int:
    total = 0
    for name in pf.names:
        column = pf.column(name)
        total += column.values.nbytes + column.missing.nbytes
    return total


def speed(n: int) -> list[Any]:
    pf, churned, columns = speed_data(n)
    x, _ = one_hot_log(columns, {k: v[:1] for k, v in columns.items()})
    start = time.perf_counter()
    LogisticRegression(max_iter=1000).fit(x, churned)
    reference = time.perf_counter() - start
    del x
    start = time.perf_counter()
    fit = fit_card(pf, churned)
    ours = time.perf_counter() - start
    tracemalloc.start()  # a second, untimed fit: tracing slows numpy's allocations
    fit_card(pf, churned)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = input_bytes(pf)
    return [n, len(columns), round(ours, 2), round(reference, 2), round(ours / reference, 2),
            round(size / 2**20), round(peak / 2**20), round(peak / size, 2),
            len(fit.model.metrics)]


def main() -> int:
    args = parse_args(__doc__ or "")
    sizes = {"sample": 3000, "saas": 8000, "telco": 7000, "retail": 6000} if args.quick else {
        "sample": 20_000, "saas": 50_000, "telco": 7043, "retail": 15_000}
    sets = [("sample (make_portfolio)", *sample_data(sizes["sample"], seed=3)),
            ("saas simulation", *saas_data(sizes["saas"], seed=11)),
            ("telco simulation", *telco_data(sizes["telco"], seed=21)),
            ("telco, priced services", *telco_services_data(sizes["telco"], seed=41)),
            ("retail repeat purchase", *retail_data(sizes["retail"], seed=31))]
    cdnow = cdnow_data()
    if cdnow is not None:
        sets.append(("CDNOW (real, from raw purchases)", *cdnow))
    tables, not_at_hand = public_tables(fetch=not args.quick)
    sets += tables
    print("test AUC, same 70/30 split on every side")
    print(table(["data", "accounts", "card", "card k=5", "logistic", "woe scorecard",
                 "additive boosting", "optbinning", "EBM", "card − best"],
                [accuracy(*s) for s in sets]))
    if cdnow is None:
        print("(the real CDNOW set needs the lifetimes package: pip install 'successkit[bench]')")
    if not_at_hand:
        print(f"(the tables of {' and '.join(not_at_hand)} are fetched in full runs only)")
    if args.splits > 1:
        print(f"\ncard − best baseline over {args.splits} splits (split seeds 0 .. "
              f"{args.splits - 1})")
        rows = [over_splits(*s, splits=args.splits) for s in sets]
        print(table(["data", "accounts", "mean", "lowest", "highest", "splits reached",
                     "mean, best but EBM", "vs best baseline's mean", "± split noise",
                     "best baseline"], rows))
        print(across_sets([row[7] for row in rows], [row[8] for row in rows]))
    print("\nspecial values: months 0 and NPS −1 as codes (special=) or as amounts")
    print(table(["accounts", "simulations", "card", "card, special=", "gain", "higher"],
                [special_gain(4000 if args.quick else 8000, 2 if args.quick else 8)]))
    print("\na direction you know: retail returns fixed as lower_is_better (monotone=)")
    print(table(["accounts", "simulations", "card", "card, fixed", "gain", "higher"],
                [direction_gain(6000 if args.quick else 15_000, 2 if args.quick else 8)]))
    n = 20_000 if args.quick else 1_000_000
    print("\nfit time and memory, 50 metrics (40 numbers, 10 categories)")
    print(table(["accounts", "metrics", "card s", "sklearn LR s", "ratio", "input MiB",
                 "peak MiB", "peak / input", "metrics kept"], [speed(n)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
