"""Contract facts and churn labels: successkit vs a hand-written numpy reference.

Each account has three abutting yearly periods (renewals) from a random start; 40% of the
last periods end (churn), the others run on. Facts (active, ARR, tenure, renewals) and
90-day churn labels on 12 monthly snapshot dates. The numpy reference bins rows per date
with ``bincount`` and, knowing the generated periods have no gaps, takes each account's
churn day as its last end. Results are checked equal; peak memory is traced in a second run.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from _harness import interleaved, parse_args, table
from successkit.contracts import account_facts, churn_labels
from successkit.data.calendar import calendar, shift
from successkit.data.contracts import Contracts

DATES = calendar("2025-02-01", "2026-01-01")
UNTIL = "2026-06-01"


def make(accounts: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    first = np.datetime64("2022-01-01") + rng.integers(0, 1400, accounts).astype("m8[D]")
    starts = first[:, None] + (np.arange(3) * 365).astype("m8[D]")[None, :]
    ends = starts + np.timedelta64(365, "D")
    ends[:, 2] = np.where(rng.random(accounts) < 0.4, ends[:, 2], np.datetime64("NaT"))
    return {
        "account_id": np.repeat(np.arange(accounts), 3),
        "start": starts.ravel(),
        "end": ends.ravel(),
        "arr": rng.integers(1, 100, 3 * accounts).astype(np.float64) * 100,
    }


def ours(contracts: Contracts) -> tuple[np.ndarray, ...]:
    facts = account_facts(contracts, DATES)
    labels = churn_labels(contracts, DATES, "90d", observed_until=UNTIL)
    return facts.active, facts.arr, facts.tenure_days, facts.renewals, labels.state


def reference(data: dict[str, np.ndarray], accounts: int) -> tuple[np.ndarray, ...]:
    acc = data["account_id"].astype(np.int64)
    start = data["start"].astype(np.int64)
    end = np.where(np.isnat(data["end"]), 10**9, data["end"].astype(np.int64))
    arr = data["arr"]
    days = np.array(DATES, dtype="M8[D]").astype(np.int64)
    horizon = shift(np.array(DATES, dtype="M8[D]"), "90d", 1).astype(np.int64)
    until = np.datetime64(UNTIL, "D").astype(np.int64)
    first = np.full(accounts, 10**9, np.int64)
    np.minimum.at(first, acc, start)
    last_end = np.zeros(accounts, np.int64)
    np.maximum.at(last_end, acc, end)
    renewal = start > first[acc]
    shape = (len(days), accounts)
    active, revenue = np.zeros(shape, bool), np.full(shape, np.nan)
    tenure, renewals = np.full(shape, np.nan), np.zeros(shape, np.int64)
    state = np.full(shape, -2, np.int8)
    for i, d in enumerate(days):
        cover = (start <= d) & (d < end)
        active[i] = np.bincount(acc, weights=cover, minlength=accounts) > 0
        revenue[i] = np.where(active[i], np.bincount(acc, arr * cover, accounts), np.nan)
        tenure[i] = np.where(first <= d, d - first, np.nan)
        renewals[i] = np.bincount(acc, renewal & (start <= d), accounts)
        churned = (last_end > d) & (last_end <= horizon[i]) & (last_end <= until)
        retained = (last_end > horizon[i]) & (horizon[i] <= until)
        state[i] = np.where(active[i], np.where(churned, 1, np.where(retained, 0, -1)), -2)
    return active, revenue, tenure, renewals, state


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
        np.array_equal(g, w[:, order], equal_nan=g.dtype.kind == "f")
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
    ))


if __name__ == "__main__":
    main()
