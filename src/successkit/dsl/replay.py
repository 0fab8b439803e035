"""Rule replay: what a playbook would have raised had it been live over a History.

At every snapshot, oldest first, the playbook is evaluated as it would have been on that
day (``change`` and ``becomes`` see only the snapshots before it). A CTA stays *open* while
its rule keeps holding for the account, so a rule raises again only after its indicator
cleared and came back, and never within its ``cooldown`` of the last CTA. With churn
outcomes the replay tells how many flagged accounts churned and how much warning the rule
gave (days from the first CTA to the churn).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._html import html_table
from successkit._optional import import_optional
from successkit.data._keyed import read_churn_dates
from successkit.data.calendar import Span, parse_span, shift, span_text
from successkit.data.history import History, not_a_history
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.dsl._frame import Frame, Timeline
from successkit.dsl._program import Compilable, _blocks, _Explainer, namespaces
from successkit.dsl.cta import Block, CTAs
from successkit.errors import DataError, ModelError

__all__ = ["ReplayResult", "RuleReplay", "replay"]

_NAT = np.datetime64("NaT", "D")


@attrs.frozen(kw_only=True)
class RuleReplay:
    """How one rule (or, as ``"(any rule)"``, the whole playbook) did in a replay.

    ``churned``, ``churn_share`` and ``median_lead_days`` are ``None`` without outcomes
    (``median_lead_days`` also when no flagged account churned after its first CTA).

    .. versionadded:: 0.1
    """

    rule: str
    ctas: int
    accounts: int
    churned: int | None = None
    churn_share: float | None = None
    median_lead_days: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True, repr=False)
class ReplayResult:
    """The outcome of :meth:`Playbook.replay`.

    .. versionadded:: 0.1

    Attributes
    ----------
    ctas:
        Every CTA the playbook would have raised, ordered by date, then priority and
        account (each CTA's ``created`` is its snapshot date).
    rules:
        One :class:`RuleReplay` per rule, in playbook order.
    overall:
        The same figures for the playbook as a whole.
    per_owner_week:
        ``(owner, week, count)`` rows: CTAs per owner (``None`` for rules without one) per
        week (the Monday it starts on).
    churn_rate:
        The share of all accounts that churned (the base rate to compare
        ``churn_share`` with), or ``None`` without outcomes. With a :attr:`horizon`, the
        share of account-snapshots that churned within the horizon after the snapshot.
    horizon:
        The outcome window of the churn figures (``"1mo"``), or ``None``.

    Examples
    --------
    >>> import successkit as sk
    >>> history = sk.History([
    ...     sk.Portfolio.from_columns({"id": ["a", "b"], "nps": [n, 40]}, as_of=day)
    ...     for n, day in [(10, "2026-01-01"), (-20, "2026-02-01"), (-30, "2026-03-01")]
    ... ])
    >>> result = sk.Playbook.parse("rule detractor: when nps < 0 then call owner csm").replay(
    ...     history, outcome={"a": "2026-04-15"})
    >>> result.rule("detractor").ctas, result.rule("detractor").median_lead_days
    (1, 73.0)
    >>> result.per_owner_week
    (('csm', datetime.date(2026, 1, 26), 1),)
    """

    ctas: CTAs
    rules: tuple[RuleReplay, ...]
    overall: RuleReplay
    per_owner_week: tuple[tuple[str | None, dt.date, int], ...]
    churn_rate: float | None = None
    snapshots: int = 0
    horizon: str | None = None

    def rule(self, name: str) -> RuleReplay:
        """The figures of rule ``name``."""
        for stats in self.rules:
            if stats.rule == name:
                return stats
        raise KeyError(f"no rule {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (the CTAs themselves are in ``ctas.to_dict()``)."""
        return {
            "version": 1,
            "snapshots": self.snapshots,
            "churn_rate": self.churn_rate,
            "horizon": self.horizon,
            "overall": self.overall.to_dict(),
            "rules": [r.to_dict() for r in self.rules],
            "per_owner_week": [
                {"owner": owner, "week": week.isoformat(), "ctas": count}
                for owner, week, count in self.per_owner_week
            ],
        }

    def to_frame(self) -> Any:
        """Per-rule figures as a pandas ``DataFrame`` (needs ``successkit[pandas]``)."""
        pd = import_optional("pandas", purpose="ReplayResult.to_frame()")
        rows = [r.to_dict() for r in (*self.rules, self.overall)]
        return pd.DataFrame(rows).set_index("rule")

    def summary(self) -> str:
        """A few lines: CTAs and accounts per rule, churn share and lead time."""
        lines = [f"replay over {self.snapshots} snapshots: {self.overall.ctas} CTAs for "
                 f"{self.overall.accounts} accounts"]
        if self.churn_rate is not None:
            within = "" if self.horizon is None else f" within {self.horizon}"
            lines[0] += f" (base churn rate{within} {self.churn_rate:.0%})"
        for stats in (*self.rules, self.overall):
            text = f"  {stats.rule}: {stats.ctas} CTAs, {stats.accounts} accounts"
            if stats.churn_share is not None:
                text += f", {stats.churn_share:.0%} churned"
            if stats.median_lead_days is not None:
                text += f", median lead {stats.median_lead_days:g} days"
            lines.append(text)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"ReplayResult({self.snapshots} snapshots, {len(self.ctas)} CTAs, "
            f"{len(self.rules)} rules)"
        )

    def _repr_html_(self) -> str:
        rows = (*self.rules, self.overall)
        table = {
            name: [getattr(r, name) for r in rows]
            for name in ("rule", "ctas", "accounts", "churned", "churn_share",
                         "median_lead_days")
        }
        return html_table(table, caption=repr(self))


def _churn_dates(
    outcome: Any, history: History, accounts: Portfolio
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.datetime64]]:
    """Per account of ``accounts``: churned?, and the churn date (NaT when unknown)."""
    universe = accounts.ids
    churned = np.zeros(len(universe), dtype=np.bool_)
    dates = np.full(len(universe), _NAT)
    if isinstance(outcome, str):
        kind = history.schema.get(outcome)
        if kind not in (Kind.BOOLEAN, Kind.DATE):
            raise DataError(
                "a replay outcome column must hold true/false or churn dates", column=outcome
            )
        for snapshot, column in zip(history.snapshots, history.column(outcome, universe),
                                    strict=True):
            if kind is Kind.BOOLEAN:
                now = column.values & ~column.missing & ~churned
                dates[now] = np.datetime64(snapshot.as_of, "D")
                churned |= now
            else:
                seen = ~column.missing
                dates[seen] = column.values[seen]
                churned |= seen
        return churned, dates
    if isinstance(outcome, (str, bytes)) or np.isscalar(outcome):
        raise DataError(
            "outcome must be a column name, a mapping of account id to churn date (or True), "
            "or an array of churn dates (or flags) aligned with history.ids"
        )
    if isinstance(outcome, (list, tuple, np.ndarray)) and len(outcome) != len(universe):
        raise DataError(f"outcome has {len(outcome)} values but the history has "
                        f"{len(universe)} accounts (history.ids); or pass a mapping / Series "
                        "keyed by account id")
    # Keyed by id (mapping, indexed Series) -> matched by id; None / NaT / NaN: no churn.
    return read_churn_dates(outcome, universe, what="outcome")


def _stats(
    name: str,
    accounts: npt.NDArray[np.intp],
    created: npt.NDArray[np.datetime64],
    count: int,
    outcome: tuple[npt.NDArray[np.bool_], npt.NDArray[np.datetime64]] | None,
    horizon: Span | None = None,
) -> RuleReplay:
    flagged = np.unique(accounts)
    if outcome is None:
        return RuleReplay(rule=name, ctas=count, accounts=int(flagged.size))
    churned, dates = outcome
    if horizon is not None:
        # With a horizon, a flagged account counts as churned when it churned within the
        # horizon after one of its CTAs: the same window as the base rate's.
        soon = (dates[accounts] > created) & (dates[accounts] <= shift(created, horizon))
        hit = np.isin(flagged, accounts[soon])
    else:
        hit = churned[flagged]
    share = float(hit.mean()) if flagged.size else None
    # lead time: from the account's first CTA to its churn, for CTAs before the churn
    first = np.full(len(churned), _NAT)
    order = np.argsort(created, kind="stable")
    acc, day = accounts[order], created[order]
    keep = np.unique(acc, return_index=True)[1]
    first[acc[keep]] = day[keep]
    lead = (dates[flagged] - first[flagged]).astype("timedelta64[D]")
    valid = hit & ~np.isnat(lead)
    leads = lead[valid].astype(np.int64)
    leads = leads[leads >= 0]
    median = float(np.median(leads)) if leads.size else None
    return RuleReplay(
        rule=name,
        ctas=count,
        accounts=int(flagged.size),
        churned=int(hit.sum()),
        churn_share=share,
        median_lead_days=median,
    )


def replay(
    playbook: Compilable,
    history: History,
    outcome: Any = None,
    *,
    health: Any = None,
    touch: Any = None,
    stages: Any = None,
    horizon: Any = None,
) -> ReplayResult:
    """Evaluate ``playbook`` at every snapshot of ``history`` as if it had been live.

    Parameters
    ----------
    playbook:
        The rules to replay (the playbook itself when called as :meth:`Playbook.replay`).
    history:
        The snapshots, oldest first.
    outcome:
        Optional churn outcomes: the name of a boolean column (churned at the first
        snapshot where it is true) or a date column (the churn date) of the history, a
        mapping or pandas Series of churn dates (or ``True`` when only the fact is known)
        keyed by account id — matched by id, unknown ids are an error — or an array of
        churn dates or flags aligned with ``history.ids``. ``None``, ``NaT`` and NaN mean
        "did not churn".
    health, touch, stages:
        Namespaces as for :meth:`Playbook.evaluate`; pass models (not results), so they
        are scored at every snapshot.
    horizon:
        An outcome window (``"1mo"``: a calendar month, ``"90d"``). With it, a flagged
        account counts as churned when it churned within the horizon after one of its
        CTAs, and the base rate :attr:`ReplayResult.churn_rate` is the share of
        account-snapshots that churned within the horizon after the snapshot — the same
        window, so the two compare. Without it, any churn date counts.

    Returns
    -------
    ReplayResult

    Examples
    --------
    >>> import successkit as sk
    >>> history = sk.History([
    ...     sk.Portfolio.from_columns({"id": ["a", "b"], "usage": [a, 0.8]}, as_of=day)
    ...     for a, day in [(0.9, "2026-01-01"), (0.4, "2026-02-01"), (0.3, "2026-03-01")]
    ... ])
    >>> pb = sk.Playbook.parse("rule low: when usage < 50% then call")
    >>> result = pb.replay(history, outcome={"a": "2026-06-01"})
    >>> [(c.account_id, c.created.isoformat(), c.reason) for c in result.ctas]
    [('a', '2026-02-01', 'usage = 40% < 50%')]
    >>> result.rule("low").churn_share, result.rule("low").median_lead_days
    (1.0, 120.0)
    """
    if not isinstance(history, History):
        raise not_a_history(history)

    timeline = Timeline(history, namespaces(health=health, touch=touch, stages=stages))
    program = playbook._program(timeline.schema())
    rules = playbook.rules
    accounts = Portfolio(history.ids)  # every account of any snapshot, looked up by id
    universe = accounts.ids
    open_now = np.zeros((len(rules), len(universe)), dtype=np.bool_)
    last = np.full((len(rules), len(universe)), _NAT)
    frames: list[Frame] = []
    blocks: list[Block] = []
    for k in range(len(history)):
        frame = timeline.frame(k)
        where = accounts.index_of(frame.ids)  # never -1: the ids come from the history
        now = np.datetime64(frame.as_of, "D")
        masks = program.masks(frame)
        fired = []
        for j, (rule, mask) in enumerate(zip(rules, masks, strict=True)):
            blocked = open_now[j, where]
            if rule.cooldown:
                blocked = blocked | ((now - last[j, where]) < np.timedelta64(rule.cooldown, "D"))
            fire = mask & ~blocked
            last[j, where[fire]] = now
            open_now[j, where] = mask  # open while the indicator holds
            fired.append(fire)
        blocks.extend(_blocks(fired, batch=k, created=now, accounts=where))
        frames.append(frame)
    ctas = CTAs(
        account_ids=universe,
        rules=rules,
        blocks=blocks,
        explain=_Explainer(rules, frames),
    )
    account, rule_of = ctas.account, ctas.rule
    churn = None if outcome is None else _churn_dates(outcome, history, accounts)
    span = None if horizon is None else _horizon(horizon)
    if span is not None and churn is None:
        raise DataError("horizon= needs outcome= (churn dates) to compare with")
    if span is not None and churn is not None:
        undated = np.flatnonzero(churn[0] & np.isnat(churn[1]))
        if undated.size:  # without a date the horizon cannot be checked: refuse, not guess
            raise DataError("horizon= needs the churn date, not just True",
                            account=str(universe[undated[0]]))
    created = ctas.created
    per_rule = []
    for j, rule in enumerate(rules):
        mine = rule_of == j
        per_rule.append(
            _stats(rule.name, account[mine], created[mine], int(mine.sum()), churn, span)
        )
    overall = _stats("(any rule)", account, created, len(account), churn, span)
    weeks: Counter[tuple[str | None, dt.date]] = Counter()
    if len(account):
        # week numbers counted from Monday 1970-01-05 (day 4), one key per (week, rule)
        week = (created.view(np.int64) - 4) // 7
        keys, counts = np.unique(week * len(rules) + rule_of, return_counts=True)
        owners = [rule.owner for rule in rules]
        for key, count in zip(keys.tolist(), counts.tolist(), strict=True):
            monday = np.datetime64(key // len(rules) * 7 + 4, "D").astype(object)
            weeks[(owners[key % len(rules)], monday)] += count
    per_week = tuple(
        (owner, week, count)
        for (owner, week), count in sorted(weeks.items(), key=lambda kv: (kv[0][1], str(kv[0][0])))
    )
    if churn is not None and span is not None:
        rate = _base_rate(churn[1], frames, accounts, span)
    else:
        rate = None if churn is None or not len(universe) else float(churn[0].mean())
    return ReplayResult(
        ctas=ctas,
        rules=tuple(per_rule),
        overall=overall,
        per_owner_week=per_week,
        churn_rate=rate,
        snapshots=len(history),
        horizon=None if span is None else span_text(span),
    )


def _horizon(value: Any) -> Span:
    try:
        return parse_span(value, what="horizon")
    except ModelError as exc:
        raise DataError(exc.message, column="horizon") from None


def _base_rate(dates: npt.NDArray[np.datetime64], frames: list[Frame], accounts: Portfolio,
               span: Span) -> float | None:
    """The share of account-snapshots whose account churned within ``span`` after the
    snapshot (a loop over snapshots)."""
    hits = total = 0
    for frame in frames:
        now = np.datetime64(frame.as_of, "D")
        churn = dates[accounts.index_of(frame.ids)]
        hits += int(((churn > now) & (churn <= shift(np.array([now]), span)[0])).sum())
        total += len(frame.ids)
    return hits / total if total else None
