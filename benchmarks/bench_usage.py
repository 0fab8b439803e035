"""Usage metrics from an event log: successkit against numpy and pandas references.

Part 1 — usage metrics. Events are pre-aggregated (account, day, type, count) rows over a
year, 25 event types; 20 windowed count metrics (single types over 28 days, pairs of types
over a calendar month) on 12 monthly snapshot dates. successkit reads the columns into an
``Events`` and builds the ``History``; the numpy reference filters the rows of each window
and bins ``account * 25 + type``; the pandas reference does the same with ``groupby``. All
three results are checked equal. Peak memory (tracemalloc, in a second run, since tracing
slows every allocation) is for successkit alone, reading included, as a multiple of the
events' own array bytes (the input columns, and the ``Events`` arrays).

Part 2 — the touch score's reader. A daily aggregate of touch events (8,150 rows) repeated by
its counts into one row per event (~26M rows, a pandas frame), bound with
``TouchModel.bind``: seconds, and the process's peak resident memory during binding as a
multiple of the frame's bytes; the score equals the one from the aggregate with
``count=``.

``--quick`` runs 1M events and 2.6M touch rows (for CI); the full run 10M, 30M and 100M
events (``BENCH_USAGE_EVENTS=10000000`` runs one size) and 26M touch rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from _harness import interleaved, parse_args, table
from successkit.data.calendar import calendar, shift
from successkit.data.events import Events
from successkit.usage import UsageModel, usage_history

N_TYPES = 25
DATES = calendar("2025-02-01", "2026-01-01")
SPECS = [((i,), "28d") for i in range(10)] + [((i, i + 10), "1mo") for i in range(10)]
MODEL = UsageModel.from_text("\n".join(
    f"metric m{k} = count({{{', '.join(f't{t}' for t in ts)}}}, {w})"
    for k, (ts, w) in enumerate(SPECS)))
TYPES = [f"t{i}" for i in range(N_TYPES)]
# peak÷input: read + compute, over the input columns' bytes; peak÷Events: compute alone over
# the Events arrays' bytes; output÷Events: the History's own float64 columns, included.
HEADERS = ["events", "accounts", "ours s", "numpy s", "pandas s", "÷numpy", "÷pandas",
           "peak÷input", "peak÷Events", "output÷Events", "equal"]


def make(n: int, accounts: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "account_id": rng.integers(0, accounts, n).astype(np.int32),
        "at": np.datetime64("2025-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]"),
        "event": rng.integers(0, N_TYPES, n).astype(np.int8),
        "count": rng.integers(1, 5, n).astype(np.int32),
    }


def read(data: dict[str, np.ndarray], names: list[str]) -> Events:
    return Events.from_columns(data, accounts=names, types=TYPES, count="count")


def compute(events: Events, dates: Any = DATES) -> Any:
    return usage_history(events, MODEL, dates, members="table")


def ours(data: dict[str, np.ndarray], names: list[str]) -> Any:
    return compute(read(data, names))


def as_array(history: Any) -> np.ndarray:
    return np.stack([np.stack([p[f"m{k}"] for k in range(len(SPECS))]) for p in history])


def traced(fn: Callable[..., Any], *args: Any) -> int:
    """Peak bytes allocated while ``fn`` runs (tracemalloc: numpy reports its arrays)."""
    tracemalloc.start()
    result = fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    return peak


def numpy_reference(data: dict[str, np.ndarray], accounts: int,
                    dates: Any = DATES) -> np.ndarray:
    acc, day = data["account_id"].astype(np.int64), data["at"]
    typ, cnt = data["event"].astype(np.int64), data["count"].astype(np.float64)
    out = np.empty((len(dates), len(SPECS), accounts))
    for i, d in enumerate(dates):
        end = np.datetime64(d, "D")
        for w in ("28d", "1mo"):
            lo = shift(np.array([end]), w, -1)[0]
            rows = (day >= lo) & (day < end)
            grid = np.bincount(acc[rows] * N_TYPES + typ[rows], weights=cnt[rows],
                               minlength=accounts * N_TYPES).reshape(accounts, N_TYPES)
            for k, (ts, win) in enumerate(SPECS):
                if win == w:
                    out[i, k] = grid[:, list(ts)].sum(axis=1)
    return out


def pandas_reference(data: dict[str, np.ndarray], accounts: int) -> np.ndarray:
    import pandas as pd

    frame = pd.DataFrame(data)
    out = np.empty((len(DATES), len(SPECS), accounts))
    for i, d in enumerate(DATES):
        end = np.datetime64(d, "D")
        for w in ("28d", "1mo"):
            lo = shift(np.array([end]), w, -1)[0]
            part = frame[(frame["at"] >= lo) & (frame["at"] < end)]
            grid = (part.groupby(["account_id", "event"])["count"].sum().unstack(fill_value=0)
                    .reindex(index=range(accounts), columns=range(N_TYPES), fill_value=0))
            values = grid.to_numpy(dtype=np.float64)
            for k, (ts, win) in enumerate(SPECS):
                if win == w:
                    out[i, k] = values[:, list(ts)].sum(axis=1)
    return out


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def usage_rows(sizes: list[tuple[int, int]], quick: bool) -> list[list[Any]]:
    rows = []
    for n, accounts in sizes:
        data = make(n, accounts)
        names = [f"a{i:07d}" for i in range(accounts)]
        own_bytes = sum(a.nbytes for a in data.values())
        t_ours, history = timed(ours, data, names)
        if quick:  # small sizes are noisy on a shared machine: best of 3, interleaved
            t_ours, t_np = interleaved(partial(ours, data, names),
                                       partial(numpy_reference, data, accounts), repeat=3)
        got = as_array(history)
        del history
        t_full, ref = timed(numpy_reference, data, accounts)
        t_np = t_np if quick else t_full
        equal = bool(np.array_equal(got, ref))
        del ref
        t_pd, ref_pd = timed(pandas_reference, data, accounts)
        equal = equal and bool(np.array_equal(got, ref_pd))
        del ref_pd, got
        peak_all = traced(ours, data, names)  # reading and computing, from the columns
        events = read(data, names)
        peak_compute = traced(compute, events)  # computing from an Events already read
        output = len(DATES) * len(SPECS) * accounts * 8  # the History's float64 columns
        rows.append([f"{n:,}", f"{accounts:,}", round(t_ours, 2), round(t_np, 2),
                     round(t_pd, 2), round(t_ours / t_np, 2), round(t_ours / t_pd, 3),
                     round(peak_all / own_bytes, 2), round(peak_compute / events.nbytes, 2),
                     round(output / events.nbytes, 2), equal])
        del events
        print(table(HEADERS, rows[-1:]), flush=True)
    return rows


def date_rows(n: int, accounts: int) -> list[list[Any]]:
    """Cost against the number of snapshot dates: every 4th, 2nd and every Monday."""
    data = make(n, accounts)
    events = read(data, [f"a{i:07d}" for i in range(accounts)])
    mondays = calendar("2025-01-06", "2025-12-29", "monday")
    rows = []
    for step in (4, 2, 1):
        dates = mondays[::step]
        t_ours, _ = timed(compute, events, dates)
        t_np, _ = timed(numpy_reference, data, accounts, dates)
        rows.append([f"{n:,}", len(dates), round(t_ours, 2), round(t_np, 2),
                     round(t_ours / t_np, 2)])
    return rows


def _peak_rss() -> int:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmHWM"))
    return int(line.split()[1]) * 1024


def _current_rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def touch_rows(target: int) -> list[list[Any]]:
    import pandas as pd

    import successkit as sk

    rng = np.random.default_rng(0)
    keep = ("web_access", "email_click", "seminar_attendance")
    model = sk.TouchModel([tp for tp in sk.TouchModel.sansan().touchpoints if tp.name in keep])
    n = 8_150
    accounts = np.array([f"acct{i:04d}" for i in range(400)])[rng.integers(0, 400, n)]
    touch = np.array(model.names)[rng.integers(0, len(model.names), n)]
    day = np.datetime64("2026-01-01") + rng.integers(0, 270, n).astype("timedelta64[D]")
    count = rng.integers(1, 2 * target // n, n)
    daily = pd.DataFrame({"account_id": accounts, "touchpoint": touch, "at": day,
                          "count": count})
    rows = pd.DataFrame({"account_id": np.repeat(accounts, count),
                         "touchpoint": np.repeat(touch, count), "at": np.repeat(day, count)})
    frame_bytes = int(rows.memory_usage(deep=False).sum())
    try:  # reset the process's peak RSS so that VmHWM measures binding alone (Linux)
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        before, resettable = _current_rss(), True
    except OSError:
        before, resettable = _current_rss(), False
    t_bind, bound = timed(model.bind, rows)
    peak = (_peak_rss() - before) if resettable else float("nan")
    t_daily, from_daily = timed(lambda: model.bind(daily, count="count"))
    ids = np.unique(accounts)
    pf = sk.Portfolio.from_columns({"id": ids, "seats": np.full(ids.shape[0], 10.0)},
                                   as_of="2026-10-01")
    same = bool(np.allclose(bound.score(pf).score, from_daily.score(pf).score))
    return [[f"{len(rows):,}", f"{n:,}", round(t_bind, 2), round(t_daily, 4),
             f"{frame_bytes / 1e6:,.0f} MB", round(peak / frame_bytes, 2), same]]


def main() -> None:
    args = parse_args(__doc__ or "")
    touch_size = 2_600_000 if args.quick else 26_000_000
    if os.environ.get("BENCH_USAGE_PART") == "touch":
        print(table(["rows", "daily rows", "bind s", "count= s", "frame", "peak RSS÷frame",
                     "same score"], touch_rows(touch_size)))
        return
    sizes = [(1_000_000, 10_000)] if args.quick else [
        (10_000_000, 100_000), (30_000_000, 300_000), (100_000_000, 1_000_000)]
    only = os.environ.get("BENCH_USAGE_EVENTS")  # run one full size: "10000000"
    if only:
        sizes = [s for s in sizes if s[0] == int(only)]
    rows = usage_rows(sizes, args.quick)
    print("\nUsage metrics (20 metrics × 12 monthly snapshots, 25 event types)")
    print(table(HEADERS, rows))
    print("\nCost against snapshot dates (weekly snapshots, the first size)")
    print(table(["events", "dates", "ours s", "numpy s", "÷numpy"], date_rows(*sizes[0])))
    if not os.environ.get("BENCH_USAGE_SKIP_TOUCH"):
        print("\nTouchModel.bind on one row per event (pandas frame) vs the daily aggregate",
              flush=True)
        # A fresh process, so that its peak resident memory is the binding's own.
        subprocess.run([sys.executable, __file__, *(["--quick"] if args.quick else [])],
                       env={**os.environ, "BENCH_USAGE_PART": "touch"}, check=True)


if __name__ == "__main__":
    main()
