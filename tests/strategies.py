"""Shared hypothesis strategies for successkit's tests.

Each area adds its strategies in its own section below; keep them composable (small
strategies that tests combine) and free of assumptions about other areas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from hypothesis import strategies as st

import successkit as sk

# -- data -----------------------------------------------------------------------------------

account_ids = st.text(
    alphabet=st.characters(categories=("L", "N"), include_characters="-_"),
    min_size=1,
    max_size=8,
).filter(lambda s: s.strip() == s)

numbers = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
labels = st.sampled_from(["high", "low", "tech", "オンボーディング", "a b"])
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))

_VALUES: dict[sk.Kind, st.SearchStrategy[Any]] = {
    sk.Kind.NUMBER: numbers,
    sk.Kind.BOOLEAN: st.booleans(),
    sk.Kind.CATEGORY: labels,
    sk.Kind.DATE: dates,
}


@st.composite
def portfolios(
    draw: st.DrawFn,
    *,
    min_size: int = 0,
    max_size: int = 20,
    kinds: tuple[sk.Kind, ...] = tuple(sk.Kind),
    max_columns: int = 5,
    missing: bool = True,
) -> sk.Portfolio:
    """Portfolios with unique ids, columns of the given kinds, and (optionally) missing values."""
    ids = draw(st.lists(account_ids, min_size=min_size, max_size=max_size, unique=True))
    n_columns = draw(st.integers(min_value=0, max_value=max_columns))
    columns: dict[str, Any] = {"id": ids}
    chosen_kinds: dict[str, str] = {}
    for i in range(n_columns):
        kind = draw(st.sampled_from(kinds))
        value = _VALUES[kind]
        if missing:
            value = st.one_of(st.none(), value)
        name = f"{kind.value}_{i}"
        columns[name] = draw(st.lists(value, min_size=len(ids), max_size=len(ids)))
        chosen_kinds[name] = kind.value
    as_of = draw(st.one_of(st.none(), dates))
    return sk.Portfolio.from_columns(columns, as_of=as_of, kinds=chosen_kinds)


def permutation(draw: st.DrawFn, n: int) -> np.ndarray:
    """A random permutation of ``range(n)`` drawn from hypothesis (shrinks well)."""
    return np.asarray(draw(st.permutations(list(range(n)))), dtype=np.intp)


# -- dsl (playbook language) ----------------------------------------------------------------

from successkit.dsl import ast as dsl_ast  # noqa: E402 - this section's own import
from successkit.dsl.format import KEYWORDS as _KEYWORDS  # noqa: E402

# Plain names (with dots), Unicode names, names that need backticks, and keywords.
dsl_names = st.one_of(
    st.sampled_from(["login_rate", "health.score", "stage", "ログイン率", "x1", "_a.b_c"]),
    st.sampled_from(["D-3 Login Rate", "when", "AND", "1st", "a b.c", "%"]),
    st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,6}", fullmatch=True),
)
dsl_words = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda w: w not in _KEYWORDS
)
_finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
dsl_numbers = st.builds(
    dsl_ast.Number,
    st.one_of(_finite, st.integers(-10**6, 10**6).map(float)),
    percent=st.booleans(),
)
dsl_literals: st.SearchStrategy[dsl_ast.Node] = st.one_of(
    dsl_numbers,
    st.builds(dsl_ast.Duration, st.integers(0, 36_500)),
    st.builds(dsl_ast.DateLiteral, st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31))),
    st.builds(dsl_ast.String, st.text(max_size=6)),
    st.builds(dsl_ast.Boolean, st.booleans()),
)


def _negate(node: dsl_ast.Node) -> dsl_ast.Node:
    # `-3` parses as the number -3, so canonical trees never negate a number literal
    return node if isinstance(node, dsl_ast.Number) else dsl_ast.Negate(node)


def _extend(children: st.SearchStrategy[dsl_ast.Node]) -> st.SearchStrategy[dsl_ast.Node]:
    pairs = st.lists(children, min_size=2, max_size=3)
    return st.one_of(
        children.map(_negate),
        st.builds(dsl_ast.Arithmetic, st.sampled_from("+-*/"), children, children),
        st.builds(dsl_ast.Call, dsl_words, st.lists(children, max_size=3)),
        st.builds(dsl_ast.Compare, st.sampled_from(dsl_ast.COMPARISON_OPS), children, children),
        st.builds(
            dsl_ast.Between, operand=children, low=children, high=children, negated=st.booleans()
        ),
        st.builds(dsl_ast.In, children, st.lists(dsl_literals, min_size=1, max_size=3),
                  st.booleans()),
        st.builds(dsl_ast.IsMissing, children, st.booleans()),
        st.builds(dsl_ast.Becomes, children, dsl_literals),
        st.builds(dsl_ast.Not, children),
        st.builds(dsl_ast.And, pairs),
        st.builds(dsl_ast.Or, pairs),
    )


#: Any syntax tree of an expression or condition (types need not check).
dsl_nodes: st.SearchStrategy[dsl_ast.Node] = st.recursive(
    st.one_of(dsl_literals, st.builds(dsl_ast.Name, dsl_names)), _extend, max_leaves=12
)

dsl_actions = st.builds(
    dsl_ast.Action,
    dsl_words,
    st.dictionaries(dsl_words, dsl_literals, max_size=2).map(lambda d: tuple(d.items())),
)


@st.composite
def dsl_rules(draw: st.DrawFn, *, max_rules: int = 4) -> tuple[dsl_ast.Rule, ...]:
    """Rules with unique names (some automatic ``rule_<n>`` names, some titled)."""
    count = draw(st.integers(0, max_rules))
    names = draw(
        st.lists(
            st.one_of(dsl_names, st.integers(1, 12).map(lambda i: f"rule_{i}")),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    rules = []
    for name in names:
        rules.append(
            dsl_ast.Rule(
                name=name,
                title=draw(st.one_of(st.none(), st.text(max_size=8))),
                condition=draw(dsl_nodes),
                actions=draw(st.lists(dsl_actions, min_size=1, max_size=2)),
                kind=draw(st.sampled_from(dsl_ast.KINDS)),
                priority=draw(st.sampled_from(dsl_ast.PRIORITIES)),
                owner=draw(st.one_of(st.none(), dsl_words, st.sampled_from(["Jane Doe", "as"]))),
                due=draw(st.one_of(st.none(), st.integers(0, 3650))),
                cooldown=draw(st.one_of(st.none(), st.integers(0, 3650))),
            )
        )
    return tuple(rules)


# Typed rules over a fixed schema, for the compiled-versus-reference property.
DSL_SCHEMA = {
    "n0": "number",
    "n1": "number",
    "b0": "boolean",
    "c0": "category",
    "c1": "category",
    "d0": "date",
}
DSL_LABELS = ("high", "low", "tech")
_small = st.one_of(
    st.integers(-3, 3).map(float),
    st.sampled_from([0.5, -0.25, 1e300, 0.1]),
)
_num_literal = st.one_of(
    st.builds(dsl_ast.Number, _small),
    st.builds(dsl_ast.Number, st.integers(-100, 100).map(float), percent=st.just(True)),
)
_durations = st.sampled_from([dsl_ast.Duration(d) for d in (1, 7, 30, 60)])


def _typed_numbers(children: st.SearchStrategy[dsl_ast.Node]) -> st.SearchStrategy[dsl_ast.Node]:
    return st.one_of(
        children.map(_negate),
        st.builds(dsl_ast.Arithmetic, st.sampled_from("+-*/"), children, children),
        st.builds(dsl_ast.Call, st.sampled_from(["abs"]), st.tuples(children)),
        st.builds(dsl_ast.Call, st.sampled_from(["min", "max"]),
                  st.lists(children, min_size=1, max_size=3)),
        st.builds(dsl_ast.Call, st.sampled_from(["change", "delta", "previous"]),
                  st.tuples(children, _durations)),
    )


typed_dates = st.one_of(
    st.just(dsl_ast.Name("d0")),
    st.builds(dsl_ast.DateLiteral, st.dates(dt.date(2025, 1, 1), dt.date(2027, 1, 1))),
    st.builds(dsl_ast.Arithmetic, st.sampled_from("+-"), st.just(dsl_ast.Name("d0")),
              _durations),
    st.builds(dsl_ast.Call, st.just("previous"), st.tuples(st.just(dsl_ast.Name("d0")),
                                                            _durations)),
)
typed_numbers: st.SearchStrategy[dsl_ast.Node] = st.recursive(
    st.one_of(
        _num_literal,
        st.sampled_from([dsl_ast.Name("n0"), dsl_ast.Name("n1"), dsl_ast.Name("b0")]),
        st.builds(dsl_ast.Call, st.sampled_from(["days_since", "days_until"]),
                  st.tuples(typed_dates)),
        st.builds(dsl_ast.Arithmetic, st.just("-"), typed_dates, typed_dates),
    ),
    _typed_numbers,
    max_leaves=6,
)
typed_categories = st.one_of(
    st.sampled_from([dsl_ast.Name("c0"), dsl_ast.Name("c1")]),
    st.builds(dsl_ast.Call, st.just("previous"), st.tuples(st.just(dsl_ast.Name("c0")),
                                                            _durations)),
)
_label_literal = st.builds(dsl_ast.String, st.sampled_from([*DSL_LABELS, "absent"]))
typed_booleans = st.one_of(
    st.just(dsl_ast.Name("b0")),
    st.builds(dsl_ast.Call, st.just("previous"), st.tuples(st.just(dsl_ast.Name("b0")),
                                                            _durations)),
)


def _bare_boolean(node: dsl_ast.Node) -> bool:
    """A true/false value standing as a number: two of them compare only with = and !=."""
    return node == dsl_ast.Name("b0") or (
        isinstance(node, dsl_ast.Call) and node.args[:1] == (dsl_ast.Name("b0"),))


def _orders_booleans(node: dsl_ast.Node) -> bool:
    if isinstance(node, dsl_ast.Compare):
        return node.op not in ("=", "!=") and _bare_boolean(node.left) and _bare_boolean(
            node.right)
    assert isinstance(node, dsl_ast.Between)
    return _bare_boolean(node.operand) and (_bare_boolean(node.low) or _bare_boolean(node.high))


_predicates = st.one_of(
    st.builds(dsl_ast.Compare, st.sampled_from(dsl_ast.COMPARISON_OPS), typed_numbers,
              typed_numbers).filter(lambda node: not _orders_booleans(node)),
    st.builds(dsl_ast.Compare, st.sampled_from(dsl_ast.COMPARISON_OPS), typed_dates, typed_dates),
    st.builds(dsl_ast.Compare, st.sampled_from(["=", "!="]), typed_categories,
              st.one_of(_label_literal, typed_categories)),
    st.builds(dsl_ast.Compare, st.sampled_from(["=", "!="]), typed_booleans,
              st.builds(dsl_ast.Boolean, st.booleans())),
    st.builds(dsl_ast.Between, operand=typed_numbers, low=typed_numbers, high=typed_numbers,
              negated=st.booleans()).filter(lambda node: not _orders_booleans(node)),
    st.builds(dsl_ast.In, typed_numbers, st.lists(_num_literal, min_size=1, max_size=3),
              st.booleans()),
    st.builds(dsl_ast.In, typed_categories, st.lists(_label_literal, min_size=1, max_size=3),
              st.booleans()),
    st.builds(dsl_ast.IsMissing, st.one_of(typed_numbers, typed_categories, typed_dates),
              st.booleans()),
    st.builds(dsl_ast.Becomes, typed_categories, _label_literal),
    st.builds(dsl_ast.Becomes, typed_numbers, _num_literal),
    st.builds(dsl_ast.Becomes, typed_booleans, st.builds(dsl_ast.Boolean, st.booleans())),
    typed_booleans,
)
#: Conditions that check against :data:`DSL_SCHEMA`.
typed_conditions: st.SearchStrategy[dsl_ast.Node] = st.recursive(
    _predicates,
    lambda children: st.one_of(
        st.builds(dsl_ast.Not, children),
        st.builds(dsl_ast.And, st.lists(children, min_size=2, max_size=3)),
        st.builds(dsl_ast.Or, st.lists(children, min_size=2, max_size=3)),
    ),
    max_leaves=6,
)


@st.composite
def dsl_histories(draw: st.DrawFn, *, max_accounts: int = 8,
                  gaps: tuple[int, ...] = (7, 25, 30, 31, 45), max_gaps: int = 2,
                  numbers: tuple[float, ...] = ()) -> sk.History:
    """Histories of 1 to ``max_gaps + 1`` snapshots over :data:`DSL_SCHEMA` with missing
    values, ``gaps`` days apart; accounts may be absent from earlier snapshots. ``numbers``
    adds values that ``n0`` may take."""
    pool = [f"a{i}" for i in range(max_accounts)]
    start = dt.date(2026, 1, 1)
    gap_list = draw(st.lists(st.sampled_from(gaps), min_size=0, max_size=max_gaps))
    days = [0]
    for gap in gap_list:
        days.append(days[-1] + gap)
    values: dict[str, st.SearchStrategy[Any]] = {
        "n0": st.one_of(st.none(), st.sampled_from([0.0, 1.0, -2.0, 0.5, 3.0, 1e300,
                                                    *numbers])),
        "n1": st.one_of(st.none(), st.integers(-3, 3).map(float)),
        "b0": st.one_of(st.none(), st.booleans()),
        "c0": st.one_of(st.none(), st.sampled_from(DSL_LABELS)),
        "c1": st.one_of(st.none(), st.sampled_from(DSL_LABELS[:2])),
        "d0": st.one_of(st.none(), st.dates(dt.date(2025, 6, 1), dt.date(2026, 6, 1))),
    }
    snapshots = []
    for offset in days:
        ids = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=max_accounts,
                            unique=True))
        columns: dict[str, Any] = {"id": ids}
        for name, strategy in values.items():
            columns[name] = draw(st.lists(strategy, min_size=len(ids), max_size=len(ids)))
        snapshots.append(
            sk.Portfolio.from_columns(
                columns, as_of=start + dt.timedelta(days=offset), kinds=DSL_SCHEMA
            )
        )
    return sk.History(snapshots)


# -- outcomes (validation, calibration, retention) -----------------------------------------


@st.composite
def scored_outcomes(
    draw: st.DrawFn,
    *,
    min_size: int = 2,
    max_size: int = 60,
    levels: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (0–100, many ties: drawn from a few levels) and churn outcomes with both
    classes present."""
    n = draw(st.integers(min_size, max_size))
    k = levels if levels is not None else draw(st.integers(1, 12))
    grid = np.linspace(0.0, 100.0, k)
    codes = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    churned = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    first, second = draw(st.permutations(list(range(n))))[:2]
    churned[first], churned[second] = True, False
    return grid[np.asarray(codes)], np.asarray(churned, dtype=np.bool_)


arr_amounts = st.one_of(
    st.just(0.0),
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(1, 500).map(lambda k: k * 1000.0),
)


# -- scoring: health schemes and models -----------------------------------------------------

_cut_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
_points = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 10.0])


@st.composite
def thresholds_schemes(draw: st.DrawFn) -> sk.Thresholds:
    """Valid Thresholds: 1–5 strictly increasing cuts, default or non-decreasing points."""
    cuts = sorted(draw(st.sets(_cut_values, min_size=1, max_size=5)))
    points = None
    if draw(st.booleans()):
        points = sorted(draw(st.lists(_points, min_size=len(cuts) + 1, max_size=len(cuts) + 1)))
        if points[-1] <= 0:
            points[-1] = 1.0
    return sk.Thresholds(cuts, points=points, higher_is_better=draw(st.booleans()))


@st.composite
def linear_schemes(draw: st.DrawFn) -> sk.Linear:
    """Valid Linear schemes (either direction)."""
    low, high = draw(st.lists(_cut_values, min_size=2, max_size=2, unique=True))
    return sk.Linear(low, high, max_points=draw(st.sampled_from([1.0, 4.0, 10.0])))


percentile_schemes = st.builds(
    sk.Percentile, st.booleans(), max_points=st.sampled_from([1.0, 4.0])
)


@st.composite
def categories_schemes(draw: st.DrawFn) -> sk.Categories:
    """Valid Categories over the labels of :data:`labels` (at least one scores > 0)."""
    chosen = draw(st.sets(labels, min_size=1, max_size=5))
    mapping = {label: draw(_points) for label in sorted(chosen)}
    if max(mapping.values()) <= 0:
        mapping[min(mapping)] = 1.0
    return sk.Categories(mapping)


def numeric_schemes(*, percentile: bool = True) -> st.SearchStrategy[sk.Scheme]:
    """Schemes that read numbers (optionally without the population-dependent Percentile)."""
    options = [thresholds_schemes(), linear_schemes()]
    if percentile:
        options.append(percentile_schemes)
    return st.one_of(*options)


schemes = st.one_of(numeric_schemes(), categories_schemes())

bands_strategy = st.builds(
    lambda cuts, hysteresis: sk.Bands(
        {f"band{k}": lower for k, lower in enumerate([0.0, *sorted(cuts)])},
        hysteresis=hysteresis,
    ),
    st.sets(st.floats(min_value=1, max_value=100, allow_nan=False), max_size=3),
    st.sampled_from([0.0, 2.5, 5.0]),
)


@st.composite
def health_models(
    draw: st.DrawFn,
    *,
    max_metrics: int = 5,
    categories: bool = True,
    percentile: bool = True,
    modes: tuple[str, ...] = ("renormalize", "zero"),
) -> sk.HealthModel:
    """Valid health models over columns ``m0``, ``m1``, … (numbers, or ``tier``-like labels
    for Categories metrics), with groups, weights, bands and missing modes drawn."""
    n = draw(st.integers(min_value=1, max_value=max_metrics))
    scheme = st.one_of(numeric_schemes(percentile=percentile),
                       *([categories_schemes()] if categories else []))
    group_names = draw(st.sampled_from([(), ("g1",), ("g1", "g2")]))
    metrics = []
    for j in range(n):
        group = draw(st.sampled_from([*group_names, None])) if group_names else None
        metrics.append(
            sk.Metric(f"m{j}", scheme=draw(scheme), group=group,
                      weight=draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])))
        )
    # Every group (and the model) needs a positive weight somewhere.
    for group in {m.group for m in metrics}:
        members = [i for i, m in enumerate(metrics) if m.group == group]
        if all(metrics[i].weight == 0 for i in members):
            metrics[members[0]] = attrs_evolve(metrics[members[0]], weight=1.0)
    used = sorted({m.group for m in metrics if m.group is not None})
    groups = None
    if used and draw(st.booleans()):
        groups = {g: draw(st.sampled_from([1.0, 2.0, 5.0])) for g in used}
    return sk.HealthModel(
        metrics,
        groups=groups,
        bands=draw(bands_strategy),
        missing=draw(st.sampled_from(modes)),
        min_coverage=draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])),
    )


def attrs_evolve(instance: Any, **changes: Any) -> Any:
    """``attrs.evolve`` (imported lazily to keep this module's imports minimal)."""
    import attrs

    return attrs.evolve(instance, **changes)


@st.composite
def scored_portfolios(
    draw: st.DrawFn, model: sk.HealthModel, *, min_size: int = 1, max_size: int = 15
) -> sk.Portfolio:
    """A portfolio with the columns ``model`` reads (values in a range its schemes care
    about, some missing)."""
    ids = draw(st.lists(account_ids, min_size=min_size, max_size=max_size, unique=True))
    columns: dict[str, Any] = {"id": ids}
    kinds: dict[str, str] = {}
    for metric in model.metrics:
        name = metric.source
        if isinstance(metric.scheme, sk.Categories):
            value = st.one_of(st.none(), labels)
            kinds[name] = "category"
        else:
            value = st.one_of(st.none(), st.floats(min_value=-2e6, max_value=2e6,
                                                   allow_nan=False))
            kinds[name] = "number"
        columns[name] = draw(st.lists(value, min_size=len(ids), max_size=len(ids)))
    return sk.Portfolio.from_columns(columns, kinds=kinds, as_of="2026-10-01")


# -- scoring: touch score and quadrants -----------------------------------------------------

TOUCH_AS_OF = dt.date(2026, 10, 1)

#: A small touch model with every kind of touch point: tiered and fixed, max and sum,
#: synchronous and not, two channels.
TOUCH_MODEL = sk.TouchModel(
    [
        sk.TouchPoint("video", tiers={0.2: 1, 0.6: 2, 1.0: 3}, channel="online"),
        sk.TouchPoint("course", tiers={0.0: 1, 0.5: 3, 1.0: 5}, channel="online",
                      synchronous=False),
        sk.TouchPoint("web", points=1, channel="online", combine="sum"),
        sk.TouchPoint("review", points=10, channel="offline", synchronous=False,
                      combine="sum"),
        sk.TouchPoint("seminar", points=3, channel="offline"),
    ]
)
TOUCH_ACCOUNTS = ("acme", "globex", "initech")

_progress = st.one_of(
    st.sampled_from([0.0, 0.2, 0.5, 0.6, 1.0]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)


@st.composite
def touch_event_rows(
    draw: st.DrawFn,
    *,
    accounts: tuple[str, ...] = TOUCH_ACCOUNTS,
    max_age: int = 90,
) -> dict[str, Any]:
    """One valid event of :data:`TOUCH_MODEL` as a dict of column values (dated up to
    ``max_age`` days before :data:`TOUCH_AS_OF`)."""
    touchpoint = draw(st.sampled_from(TOUCH_MODEL.names))
    tiered = TOUCH_MODEL[touchpoint].tiered
    return {
        "account_id": draw(st.sampled_from(accounts)),
        "touchpoint": touchpoint,
        "at": TOUCH_AS_OF - dt.timedelta(days=draw(st.integers(0, max_age))),
        "user_id": draw(st.sampled_from(["u1", "u2", "u3", None])),
        "item": draw(st.sampled_from(["i1", "i2", None])),
        "progress": draw(_progress) if tiered else draw(st.one_of(st.none(), _progress)),
    }


def touch_columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Event rows (dicts) as a mapping of columns, with all six columns even when empty."""
    names = ("account_id", "touchpoint", "at", "user_id", "item", "progress")
    return {name: [row[name] for row in rows] for name in names}


def touch_events(
    *, min_size: int = 0, max_size: int = 25, **options: Any
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lists of event rows for :data:`TOUCH_MODEL` (see :func:`touch_event_rows`)."""
    return st.lists(touch_event_rows(**options), min_size=min_size, max_size=max_size)


touch_seats = st.lists(st.integers(min_value=1, max_value=50), min_size=3, max_size=3)


# -- roadmap (success roadmaps) -------------------------------------------------------------

ROADMAP_AS_OF = dt.date(2026, 10, 1)


@st.composite
def roadmap_portfolios(draw: st.DrawFn, *, max_size: int = 12) -> sk.Portfolio:
    """Accounts with a contract start (some missing, some in the future), a renewal count
    and a next renewal date (both sometimes missing), and numbers ``x``, ``y`` in [0, 1]
    and a flag ``z`` (sometimes missing) for criteria conditions, as of
    :data:`ROADMAP_AS_OF`."""
    n = draw(st.integers(min_value=0, max_value=max_size))
    ids = [f"acct-{i}" for i in range(n)]
    ages = draw(st.lists(st.one_of(st.none(), st.integers(-30, 1500)), min_size=n, max_size=n))
    starts = [None if a is None else ROADMAP_AS_OF - dt.timedelta(days=a) for a in ages]
    renewals = draw(st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=n, max_size=n))
    ahead = draw(st.lists(st.one_of(st.none(), st.integers(-20, 400)), min_size=n, max_size=n))
    renewal_dates = [None if d is None else ROADMAP_AS_OF + dt.timedelta(days=d) for d in ahead]
    unit = st.one_of(st.none(), st.floats(0, 1, allow_nan=False))
    return sk.Portfolio.from_columns(
        {
            "id": ids,
            "contract_start": starts,
            "renewals": renewals,
            "renewal_date": renewal_dates,
            "x": draw(st.lists(unit, min_size=n, max_size=n)),
            "y": draw(st.lists(unit, min_size=n, max_size=n)),
            "z": draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)),
        },
        as_of=ROADMAP_AS_OF,
        kinds={"contract_start": "date", "renewal_date": "date", "renewals": "number",
               "x": "number", "y": "number", "z": "boolean"},
    )


_roadmap_conditions = st.sampled_from([
    "x >= 50%", "y < 30%", "z", "not z", "x > y", "x is missing", "x >= 20% and z",
    "y between 10% and 90% or z = false",
])


@st.composite
def criteria_roadmaps(draw: st.DrawFn, *, max_stages: int = 4) -> sk.Roadmap:
    """Criteria roadmaps over the columns of :func:`roadmap_portfolios`, with goals,
    expected durations and tasks."""
    n = draw(st.integers(min_value=1, max_value=max_stages))
    stages = []
    for i in range(n):
        first_open = i == 0 and draw(st.booleans())
        stages.append(sk.Stage(
            f"stage {i}",
            entry=None if first_open else draw(_roadmap_conditions),
            goal=draw(st.one_of(st.none(), _roadmap_conditions)),
            expected_duration=draw(st.one_of(st.none(), st.integers(0, 400))),
            tasks=[sk.Task(f"task {i}", draw(st.sampled_from(["joint", "customer", "vendor"])),
                           due=draw(st.one_of(st.none(), st.integers(0, 60))))],
        ))
    return sk.Roadmap(stages)
