"""Contract facts and churn labels: successkit vs a hand-written numpy reference.

Each account has three abutting yearly periods (renewals) from a random start; 40% of the
last periods end (churn), the others run on; the rows come shuffled. All facts (active,
tenure, days observed, ARR, ARR change, days to renewal, renewals, churn date) and 90-day
churn labels on 12 monthly snapshot dates. The numpy reference handles any table as
successkit does (renewals and churns from the running coverage end) and works date by date
with masks, ``bincount`` and ``reduceat``. Results are checked equal; peak memory is traced
in a second run.

Then the whole raw-to-validated path, timed per stage: raw events (100M at full size; set
``BENCH_CONTRACTS_EVENTS`` for another count) and the contracts → account facts → usage
history of 12 monthly snapshots (members: the accounts under contract) → facts joined →
1-month churn labels → a time-split backtest (fit on the closed windows, held-out AUC).
"""

from __future__ import annotations

import os
import time
import tracemalloc
from typing import Any

import numpy as np

from _harness import interleaved, parse_args, table
from successkit.contracts import account_facts, churn_labels
from successkit.data.calendar import calendar, shift
from successkit.data.contracts import Contracts

DATES = calendar("2025-02-01", "2026-01-01")
UNTIL = "2026-02-01"


def make(accounts: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    first = np.datetime64("2022-01-01") + rng.integers(0, 1400, accounts).astype("m8[D]")
    starts = first[:, None] + (np.arange(3) * 365).astype("m8[D]")[None, :]
    ends = starts + np.timedelta64(365, "D")
    ends[:, 2] = np.where(rng.random(accounts) < 0.4, ends[:, 2], np.datetime64("NaT"))
    shuffle = rng.permutation(3 * accounts)  # an export in no particular order
    return {
        "account_id": np.repeat(np.arange(accounts), 3)[shuffle],
        "start": starts.ravel()[shuffle],
        "end": ends.ravel()[shuffle],
        "arr": rng.integers(1, 100, 3 * accounts).astype(np.float64)[shuffle] * 100,
    }


def ours(contracts: Contracts) -> tuple[np.ndarray, ...]:
    # Time the sort every call, as the reference does: keep only the account codes that
    # the reader made (the reference gets integer ids).
    for key in [k for k in contracts._memo if k != "codes"]:
        del contracts._memo[key]
    facts = account_facts(contracts, DATES, window="90d", change_window="90d")
    labels = churn_labels(contracts, DATES, "90d", observed_until=UNTIL)
    return (facts.active, facts.tenure_days, facts.days_observed, facts.arr, facts.arr_change,
            facts.days_to_renewal, facts.renewals, facts.churned_on, labels.state)


def reference(data: dict[str, np.ndarray], accounts: int) -> tuple[np.ndarray, ...]:
    """The same facts and labels, for any table (gaps, overlaps), in plain numpy: rows sorted
    once by (account, start); per date, masks and ``bincount`` / ``reduceat``."""
    never = 10**9
    order = np.lexsort((data["start"], data["account_id"]))
    acc = data["account_id"][order].astype(np.int64)
    start = data["start"][order].astype(np.int64)
    end = np.where(np.isnat(data["end"]), never, data["end"].astype(np.int64))[order]
    arr = data["arr"][order]
    groups = np.flatnonzero(np.r_[True, acc[1:] != acc[:-1]])
    first = start[groups]
    # coverage end so far within the account; a churn ends coverage with no row after it
    cover = np.maximum.accumulate(acc * 4 * never + end) - acc * 4 * never
    prev = np.r_[-never, cover[:-1]]
    same = np.r_[False, acc[1:] == acc[:-1]]
    renewal = same & (start == prev)  # grace 0: a row starting the day coverage ends
    last_of_run = np.r_[acc[1:] != acc[:-1], True] | (np.r_[start[1:], never] > cover)
    is_churn = last_of_run & (cover < never)
    churn_acc, churn_day = acc[is_churn], cover[is_churn]
    days = np.array(DATES, dtype="M8[D]").astype(np.int64)
    ends = shift(np.array(DATES, dtype="M8[D]"), "90d", 1).astype(np.int64)
    back = shift(np.array(DATES, dtype="M8[D]"), "90d", -1).astype(np.int64)
    until = np.datetime64(UNTIL, "D").astype(np.int64)
    shape = (len(days), accounts)
    active = np.zeros(shape, bool)
    revenue, change = np.full(shape, np.nan), np.full(shape, np.nan)
    renew_in = np.full(shape, np.nan)
    renewals = np.zeros(shape, np.int64)
    churned_on = np.full(shape, np.datetime64("NaT"), "M8[D]")
    state = np.full(shape, -2, np.int8)
    for i, d in enumerate(days):
        cov = (start <= d) & (d < end)
        active[i] = np.bincount(acc, weights=cov, minlength=accounts) > 0
        now = np.bincount(acc, arr * cov, accounts)
        then = np.bincount(acc, arr * ((start <= back[i]) & (back[i] < end)), accounts)
        revenue[i] = np.where(active[i], now, np.nan)
        change[i] = np.where(active[i], now - then, np.nan)
        soonest = np.minimum.reduceat(np.where(cov, end, never), groups)
        renew_in[i] = np.where(soonest < never, soonest - d, np.nan)
        renewals[i] = np.bincount(acc, renewal & (start <= d), accounts)
        past = np.full(accounts, -1)
        seen = churn_day <= d
        past[churn_acc[seen]] = churn_day[seen]  # sorted by day: the latest one stays
        churned_on[i] = np.where((past >= 0) & ~active[i], past, np.iinfo(np.int64).min)
        soon = np.full(accounts, never)
        ahead = churn_day > d
        soon[churn_acc[ahead][::-1]] = churn_day[ahead][::-1]  # the earliest one stays
        label = np.where(ends[i] <= until, np.where(soon <= ends[i], 1, 0), -1)
        state[i] = np.where(active[i], label, -2)
    tenure = days[:, None] - first[None, :]
    observed = days[:, None] - np.maximum(first[None, :], back[:, None])
    return (active, np.where(tenure >= 0, tenure, np.nan),
            np.where(tenure >= 0, np.maximum(observed, 0), np.nan), revenue, change, renew_in,
            renewals, churned_on, state)


def raw_events(data: dict[str, np.ndarray], accounts: int, n: int) -> dict[str, np.ndarray]:
    """``n`` raw events (integer account codes, day, one of 5 types) over the 15 months to the
    last snapshot, none before an account's first start or after its churn, and thinned
    over the 60 days before a churn (so that usage predicts churn)."""
    rng = np.random.default_rng(1)
    acc = data["account_id"].astype(np.int64)
    first = np.full(accounts, np.iinfo(np.int64).max)
    np.minimum.at(first, acc, data["start"].astype(np.int64))
    last_end = np.zeros(accounts, np.int64)
    ends = np.where(np.isnat(data["end"]), 10**9, data["end"].astype(np.int64))
    np.maximum.at(last_end, acc, ends)
    who = rng.integers(0, accounts, n).astype(np.int32)
    lo = np.datetime64("2024-11-01", "D").astype(np.int64)
    day = lo + rng.integers(0, 457, n)
    keep = (day >= first[who]) & (day < last_end[who])
    keep &= (day < last_end[who] - 60) | (rng.random(n) < 0.3)
    return {
        "account_id": who[keep],
        "at": day[keep].astype("M8[D]"),
        "event": rng.integers(0, 5, int(keep.sum())).astype(np.int8),
    }


USAGE = """
metric events_28d = count(*, 28d)
metric logins_28d = count(login, 28d)
metric events_change = relative_change(events_28d)
"""


def end_to_end(data: dict[str, np.ndarray], events: dict[str, np.ndarray], accounts: int,
               n_boot: int) -> tuple[list[tuple[str, float]], Any]:
    """Raw contracts and events to a time-split backtest, timing each stage."""
    import successkit as sk
    from successkit.data.events import Events
    from successkit.usage import UsageModel, usage_history

    stages: list[tuple[str, float]] = []

    def stage(name: str, fn: Any) -> Any:
        start = time.perf_counter()
        value = fn()
        stages.append((name, time.perf_counter() - start))
        return value

    names = np.char.add("a", np.arange(accounts).astype(str))
    contracts = stage("read contracts", lambda: Contracts.from_columns(
        {**data, "account_id": names[data["account_id"]]}, revenue="arr"))
    log = stage("read events", lambda: Events.from_columns(
        events, accounts=names.tolist(), types=["login", "search", "export", "share", "admin"]))
    facts = stage("account facts", lambda: account_facts(contracts, DATES))
    model = UsageModel.from_text(USAGE)
    usage = stage("usage history (12 snapshots)", lambda: usage_history(
        log, model, DATES, accounts={"id": names}, members=facts.members))
    history = stage("join facts", lambda: facts.join(usage))
    labels = stage("churn labels", lambda: churn_labels(contracts, DATES, "1mo",
                                                       observed_until=UNTIL))
    health = sk.HealthModel([
        sk.Metric("events_28d", scheme=sk.Percentile()),
        sk.Metric("events_change", scheme=sk.Percentile()),
        sk.Metric("tenure_days", scheme=sk.Percentile()),
    ])
    result = stage("backtest (fit + held-out)", lambda: sk.backtest(
        health, history, labels, train_until="2025-10-01", n_boot=n_boot))
    stages.append(("total", sum(t for _, t in stages)))
    return stages, result


def main() -> None:
    args = parse_args(__doc__ or "")
    accounts = 20_000 if args.quick else 1_000_000
    repeat = args.repeat or 2
    data = make(accounts)
    t0 = time.perf_counter()
    contracts = Contracts.from_columns(data, revenue="arr")
    read = time.perf_counter() - t0
    got, want = ours(contracts), reference(data, accounts)
    order = np.argsort(np.arange(accounts).astype(str))  # our ids are sorted as text
    equal = all(
        np.array_equal(g, w[:, order], equal_nan=g.dtype.kind in "fM")
        for g, w in zip(got, want, strict=True)
    )
    t_ours, t_ref = interleaved(lambda: ours(contracts), lambda: reference(data, accounts),
                                repeat=repeat)
    tracemalloc.start()
    ours(contracts)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(table(
        ["accounts", "rows", "read s", "facts+labels s", "numpy s", "ratio", "equal", "peak MB"],
        [[accounts, len(contracts), read, t_ours, t_ref, t_ours / t_ref, equal, peak / 1e6]],
    ), flush=True)
    if not equal:
        raise SystemExit("facts or labels differ from the numpy reference")
    n_events = int(os.environ.get("BENCH_CONTRACTS_EVENTS", 2_000_000 if args.quick
                                  else 100_000_000))
    events = raw_events(data, accounts, n_events)
    stages, result = end_to_end(data, events, accounts, n_boot=0)
    print(f"\nRaw to validated: {len(events['at']):,} events, {len(data['start']):,} contract "
          f"rows, {accounts:,} accounts, {len(DATES)} monthly snapshots")
    print(table(["stage", "seconds"], [[name, t] for name, t in stages]))
    print(result.summary())


if __name__ == "__main__":
    main()
