"""The columnar CTA output (to_frame, to_dict, iteration) equals CTAs made row by row.

The reference here is the object path as it was before the output went columnar: one
:class:`~successkit.CTA` per row, its reason written by the row-by-row writer
``reason`` of ``tests/dsl/_reference_reasons.py``, and the frame built from ``CTA.to_dict()`` rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from dsl._reference_reasons import reason
from strategies import dsl_histories, typed_conditions
from successkit.dsl import ast
from successkit.dsl._cta_columns import argument_value

pd = pytest.importorskip("pandas")


# -- the reference: CTAs made one by one ------------------------------------------------------


def reference_ctas(ctas: sk.CTAs) -> list[sk.CTA]:
    frames = None if ctas.explain is None else ctas.explain.frames  # type: ignore[attr-defined]
    out = []
    for i in ctas._order.tolist():
        rule = ctas.rules[int(ctas.rule[i])]
        action = rule.actions[int(ctas.action[i])]
        day = ctas.created[i]
        created = None if np.isnat(day) else day.astype(object)
        due = None
        if created is not None and rule.due is not None:
            due = created + dt.timedelta(days=rule.due)
        out.append(
            sk.CTA(
                account_id=str(ctas.account_ids[ctas.account[i]]),
                rule=rule.name,
                action=action.name,
                arguments={k: argument_value(v) for k, v in action.arguments},
                kind=rule.kind,
                priority=rule.priority,
                owner=rule.owner,
                created=created,
                due=due,
                reason="" if frames is None else reason(
                    frames[int(ctas.batch[i])], rule.condition, int(ctas.row[i])
                ),
            )
        )
    return out


def reference_frame(ctas: list[sk.CTA]) -> Any:
    rows = [cta.to_dict() for cta in ctas]
    data: dict[str, Any] = {}
    for name in ("account_id", "rule", "action", "arguments", "kind", "priority", "owner",
                 "created", "due", "reason"):
        values = [row[name] for row in rows]
        if name in ("created", "due"):
            data[name] = np.array(values, dtype="datetime64[D]").astype("datetime64[s]")
        else:
            data[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


def assert_same(ctas: sk.CTAs) -> None:
    expected = reference_ctas(ctas)
    assert list(ctas) == expected
    if expected:
        assert ctas[0] == expected[0]
        assert ctas[-1] == expected[-1]
    assert ctas.to_dict() == {"version": 1, "ctas": [cta.to_dict() for cta in expected]}
    frame = ctas.to_frame()
    pd.testing.assert_frame_equal(frame, reference_frame(expected))
    assert all(type(text) is str for text in frame["reason"])
    arguments = frame["arguments"].tolist()  # a dict per row, never shared between rows
    assert len({id(a) for a in arguments}) == len(arguments)
    # a slice (array-valued blocks) reads the same columns
    part = ctas[::-2]
    assert list(part) == expected[::-2] == reference_ctas(part)
    pd.testing.assert_frame_equal(part.to_frame(), reference_frame(expected[::-2]))


# -- random rules and histories ---------------------------------------------------------------

_literals = st.one_of(
    st.builds(ast.String, st.text(max_size=4)),
    st.builds(ast.Number, st.integers(-5, 5).map(float)),
    st.builds(ast.Number, st.sampled_from([0.5, 12.5]), percent=st.just(True)),
    st.builds(ast.Boolean, st.booleans()),
    st.builds(ast.Duration, st.integers(1, 60)),
    st.builds(ast.DateLiteral, st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1))),
)
_actions = st.builds(
    ast.Action,
    st.sampled_from(["call", "mail", "upsell"]),
    st.lists(st.tuples(st.sampled_from(["with", "by", "n"]), _literals), max_size=3,
             unique_by=lambda kv: kv[0]),
)


@st.composite
def cta_rules(draw: st.DrawFn) -> list[ast.Rule]:
    """1-3 rules over the DSL test schema, with several actions, owners, due, cooldown."""
    conditions = draw(st.lists(typed_conditions, min_size=1, max_size=3))
    return [
        ast.Rule(
            name=f"r{i}",
            condition=condition,
            actions=tuple(draw(st.lists(_actions, min_size=1, max_size=3))),
            kind=draw(st.sampled_from(ast.KINDS)),
            priority=draw(st.sampled_from(ast.PRIORITIES)),
            owner=draw(st.one_of(st.none(), st.sampled_from(["csm", "cs lead"]))),
            due=draw(st.one_of(st.none(), st.integers(0, 90))),
            cooldown=draw(st.one_of(st.none(), st.integers(1, 40))),
        )
        for i, condition in enumerate(conditions)
    ]


@settings(max_examples=150)
@given(cta_rules(), dsl_histories())
def test_columns_equal_ctas_made_row_by_row(rules: list[ast.Rule], history: sk.History) -> None:
    pb = sk.Playbook(rules)
    assert_same(pb.evaluate(history))
    assert_same(pb.replay(history).ctas)


# -- a larger seeded portfolio: continuous values, history functions, replay -------------------

RULES = """
rule drop "Usage dropped":
  when change(usage, 30d) <= -20% or usage < 15%
  then call(with = "sales", by = 2026-11-01), mail
  owner csm due 7d
rule red: when health.band becomes "red" then escalate(level = 2, urgent = true), log
  priority high owner "cs lead" due 2w
rule quiet: when days_since(last_login) > 30 and tier in ("high", "tech")
  then nudge as lifecycle priority low cooldown 30d
rule seats: when seats between 10 and 50 and not (tier = "low") and usage > 0.5
  then upsell(rate = 5%, wait = 2w) as opportunity
rule moved: when usage is missing or previous(tier, 30d) != tier or seats * usage > 40
  then review
rule score: when score not between 20% and 80% and score > usage then check due 1d
rule any: when usage > 0.9 or true then ping priority low
"""


def seeded_history(n: int = 400, snapshots: int = 4, seed: int = 7) -> sk.History:
    rng = np.random.default_rng(seed)
    ids = np.array([f"acct-{i:04d}" for i in range(n)])
    out = []
    for k in range(snapshots):
        here = rng.random(n) < 0.95  # some accounts are absent from a snapshot

        def gaps(values: Any, here: Any = here) -> Any:
            values = np.asarray(values, dtype=object)
            values[rng.random(n) < 0.05] = None
            return values[here]

        out.append(
            sk.Portfolio.from_columns(
                {
                    "id": ids[here],
                    "usage": gaps(rng.random(n)),  # continuous: mostly distinct values
                    "score": gaps(np.round(rng.random(n), 2)),  # repeated values
                    "seats": gaps(rng.integers(1, 80, n).astype(float)),
                    "tier": gaps(rng.choice(["high", "low", "tech"], n)),
                    "health.band": gaps(rng.choice(["green", "yellow", "red"], n)),
                    "last_login": gaps(
                        np.datetime64("2026-01-01") + rng.integers(0, 200, n).astype(
                            "timedelta64[D]")
                    ),
                },
                as_of=dt.date(2026, 6, 1) + dt.timedelta(days=30 * k),
            )
        )
    return sk.History(out)


def test_a_seeded_history_and_its_replay() -> None:
    history = seeded_history()
    pb = sk.Playbook.parse(RULES)
    ctas = pb.evaluate(history)
    assert len(ctas) > 500
    assert len(ctas.counts()) == len(pb.rules)
    assert_same(ctas)
    assert_same(ctas.for_rule("red"))
    replayed = pb.replay(history).ctas
    assert len(np.unique(replayed.created)) == 4  # several created dates
    assert_same(replayed)


def test_becomes_says_what_the_value_was() -> None:
    history = sk.History([
        sk.Portfolio.from_columns({"id": ["a", "b"], "health.band": [band, "red"]}, as_of=day)
        for band, day in [("yellow", "2026-01-01"), ("red", "2026-02-01")]
    ])
    pb = sk.Playbook.parse('when health.band becomes "red" then call, mail')
    frame = pb.evaluate(history).to_frame()
    assert frame["reason"].tolist() == ['health.band became "red" (was "yellow")'] * 2
    assert frame["action"].tolist() == ["call", "mail"]
    assert_same(pb.evaluate(history))


def test_without_a_clock_and_without_ctas() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "x": [0.1, None, 0.9]})
    pb = sk.Playbook.parse('when x < 30% or x is missing then call(by = 2026-11-01) due 7d')
    ctas = pb.evaluate(pf)
    assert len(ctas) == 2
    assert ctas.to_frame()["due"].isna().all()
    assert_same(ctas)
    assert_same(pb.evaluate(pf.take([])))
    assert_same(sk.CTAs.empty(pb.rules))


def test_ctas_without_an_explainer_have_empty_reasons() -> None:
    from successkit.dsl.cta import Block

    rules = sk.Playbook.parse("rule a: when x then call, mail owner csm\nrule b: when y then b")
    ctas = sk.CTAs(
        account_ids=np.array(["p", "q", "r"]),
        rules=rules.rules,
        blocks=[Block(accounts=np.array([2, 0]), rows=np.array([2, 0]), rule=0, action=None,
                      batch=0, created=np.datetime64("2026-01-01")),
                Block(accounts=np.array([1]), rows=np.array([1]), rule=1, action=0, batch=0,
                      created=np.datetime64("NaT"))],
    )
    assert [(c.account_id, c.action, c.reason) for c in ctas] == [
        ("q", "b", ""), ("p", "call", ""), ("p", "mail", ""), ("r", "call", ""), ("r", "mail", "")
    ]
    assert_same(ctas)
