"""Usage metrics from a pre-aggregated event log: successkit vs numpy and pandas references.

Events are (account, day, type, count) rows over a year, 25 event types; 20 windowed count
metrics (single types and pairs, 28d and 1mo) on 12 monthly snapshot dates. The numpy
reference filters rows per date and bins ``account * 25 + type``; the pandas
reference does
the same with ``groupby``. All three results are checked equal. Peak memory is traced
(tracemalloc, in a second run) for successkit alone, as a multiple of the events' bytes.
"""

from __future__ import annotations

import os
import time
import tracemalloc

import numpy as np

from _harness import parse_args, table
from successkit.data.calendar import calendar, shift
from successkit.data.events import Events
from successkit.usage import UsageModel, usage_history

N_TYPES = 25
DATES = calendar("2025-02-01", "2026-01-01")
SPECS = [((i,), "28d") for i in range(10)] + [((i, i + 10), "1mo") for i in range(10)]
MODEL = UsageModel.from_text("\n".join(
    f"metric m{k} = count({{{', '.join(f't{t}' for t in ts)}}}, {w})"
    for k, (ts, w) in enumerate(SPECS)))


def make(n: int, accounts: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "account_id": rng.integers(0, accounts, n).astype(np.int32),
        "at": np.datetime64("2025-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]"),
        "event": rng.integers(0, N_TYPES, n).astype(np.int8),
        "count": rng.integers(1, 5, n).astype(np.int32),
    }


def ours(data: dict[str, np.ndarray], accounts: int) -> np.ndarray:
    ev = Events.from_columns(data, accounts=[f"a{i:07d}" for i in range(accounts)],
                             types=[f"t{i}" for i in range(N_TYPES)], count="count")
    history = usage_history(ev, MODEL, DATES, members="table",
                            accounts={"id": [f"a{i:07d}" for i in range(accounts)]})
    return np.stack([np.stack([p[f"m{k}"] for k in range(len(SPECS))]) for p in history])


def numpy_reference(data: dict[str, np.ndarray], accounts: int) -> np.ndarray:
    acc, day = data["account_id"].astype(np.int64), data["at"]
    typ, cnt = data["event"].astype(np.int64), data["count"].astype(np.float64)
    out = np.empty((len(DATES), len(SPECS), accounts))
    for i, d in enumerate(DATES):
        D = np.datetime64(d, "D")
        for w in ("28d", "1mo"):
            lo = shift(np.array([D]), w, -1)[0]
            rows = (day >= lo) & (day < D)
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
        D = np.datetime64(d, "D")
        for w in ("28d", "1mo"):
            lo = shift(np.array([D]), w, -1)[0]
            part = frame[(frame["at"] >= lo) & (frame["at"] < D)]
            grid = (part.groupby(["account_id", "event"])["count"].sum().unstack(fill_value=0)
                    .reindex(index=range(accounts), columns=range(N_TYPES), fill_value=0))
            values = grid.to_numpy(dtype=np.float64)
            for k, (ts, win) in enumerate(SPECS):
                if win == w:
                    out[i, k] = values[:, list(ts)].sum(axis=1)
    return out


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main() -> None:
    args = parse_args(__doc__ or "")
    sizes = [(1_000_000, 10_000)] if args.quick else [
        (10_000_000, 100_000), (30_000_000, 300_000), (100_000_000, 1_000_000)]
    only = os.environ.get("BENCH_USAGE_EVENTS")  # run one full size: "10000000"
    if only:
        sizes = [s for s in sizes if s[0] == int(only)]
    rows = []
    for n, accounts in sizes:
        data = make(n, accounts)
        own_bytes = sum(a.nbytes for a in data.values())
        t_np, ref = timed(numpy_reference, data, accounts)
        t_pd, ref_pd = timed(pandas_reference, data, accounts) if n <= 30_000_000 else (
            float("nan"), ref)
        t_ours, got = timed(ours, data, accounts)
        tracemalloc.start()  # a second, traced run: tracing slows every allocation
        ours(data, accounts)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        equal = bool(np.array_equal(got, ref) and np.array_equal(ref_pd, ref))
        rows.append([f"{n:,}", f"{accounts:,}", round(t_ours, 2), round(t_np, 2),
                     round(t_pd, 2), round(t_ours / t_np, 2), round(t_ours / t_pd, 3),
                     round(peak / own_bytes, 2), equal])
        print(table(["events", "accounts", "ours s", "numpy s", "pandas s", "÷numpy",
                     "÷pandas", "peak÷bytes", "equal"], rows), flush=True)


if __name__ == "__main__":
    main()
