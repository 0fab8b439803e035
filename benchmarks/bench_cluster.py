"""Scoring on a cluster: ``successkit.dask.score`` on two worker processes vs one machine.

A ``LocalCluster`` of two worker processes (one thread each, loopback only) scores a book of
accounts held in partitions on the workers; the same accounts, in one pandas frame, are
scored on one machine with ``Portfolio.from_columns`` + ``HealthModel.score`` +
``to_frame()`` (what each partition does). The model has 6 metrics in 2 groups (Linear and
Thresholds), 5 % of values missing. Each partition is made on the worker that holds it, from
its number (the data never leave the workers), and is in worker memory before timing.

Two cluster figures: ``persist`` leaves the scores on the workers (what a pipeline writing
Parquet pays), ``compute`` also ships every account's scores back to the client and
concatenates them. Workers are warmed on one partition first; best of ``--repeat`` rounds
(3 in quick mode, 1 at full size). The results must equal the single machine's bit for bit
(the script exits 1 if not).

    python benchmarks/bench_cluster.py            # 10M accounts (20 partitions)
    python benchmarks/bench_cluster.py --quick    # 200k accounts (4 partitions; CI)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import successkit as sk
from _harness import parse_args, table

METRICS = 6
MISSING = 0.05


def make_model() -> sk.HealthModel:
    metrics = []
    for j in range(METRICS):
        scheme: sk.Scheme = sk.Linear(0.1, 0.9) if j % 2 == 0 else sk.Thresholds([0.2, 0.5, 0.8])
        metrics.append(sk.Metric(f"m{j}", scheme=scheme, group=f"g{j % 2}", weight=1 + j % 3))
    return sk.HealthModel(metrics)


def make_part(number: int, size: int) -> Any:
    """Partition ``number`` of the book: ``size`` accounts, the same wherever it is made."""
    import pandas as pd

    rng = np.random.default_rng(number)
    first = number * size
    data: dict[str, Any] = {"id": [f"a{i:09d}" for i in range(first, first + size)]}
    for j in range(METRICS):
        values = rng.random(size)
        values[rng.random(size) < MISSING] = np.nan
        data[f"m{j}"] = values
    return pd.DataFrame(data)


def equal(got: Any, want: Any) -> bool:
    """Bit for bit, text compared as text (dask gives text its own string dtype)."""
    import pandas as pd

    def plain(frame: Any) -> Any:
        frame = frame.copy()
        frame.index = frame.index.astype(object)
        for name in frame.columns:
            if pd.api.types.is_string_dtype(frame[name].dtype):
                frame[name] = frame[name].astype(object)
        return frame

    try:
        pd.testing.assert_frame_equal(plain(got), plain(want), check_exact=True)
    except AssertionError as error:
        print(f"cluster and single machine disagree: {error}", file=sys.stderr)
        return False
    return True


def run(accounts: int, partitions: int, client: Any, repeat: int) -> tuple[list[Any], bool]:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import wait

    import successkit.dask as skd

    size = accounts // partitions
    model = make_model()

    # one machine: the whole book in one frame
    whole = pd.concat([make_part(k, size) for k in range(partitions)], ignore_index=True)
    single = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        want = model.score(sk.Portfolio.from_columns(whole)).to_frame()
        single = min(single, time.perf_counter() - start)
    del whole

    # the cluster: partitions made and kept on the workers
    frame = dd.from_map(make_part, range(partitions), size=size,
                        meta=make_part(0, 1).iloc[:0], divisions=[None] * (partitions + 1))
    frame = client.persist(frame)
    wait(frame)
    lazy = skd.score(model, frame)
    # warm the workers (imports, the model's parsed sources) on one partition first
    client.compute(skd.score(model, frame.partitions[0])).result()
    persisted = computed = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        kept = client.persist(lazy)
        wait(kept)
        persisted = min(persisted, time.perf_counter() - start)
        del kept
        start = time.perf_counter()
        got = client.compute(lazy).result()
        computed = min(computed, time.perf_counter() - start)
    same = equal(got, want)
    rows = [
        [f"{accounts:,}", partitions, "single machine", single, 1.0],
        [f"{accounts:,}", partitions, "2 workers, persist", persisted, single / persisted],
        [f"{accounts:,}", partitions, "2 workers, compute", computed, single / computed],
    ]
    return rows, same


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("needs the dask extra: pip install 'successkit[dask]'")
        return 0
    accounts, partitions = (200_000, 4) if args.quick else (10_000_000, 20)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                     dashboard_address=":0", silence_logs=50) as cluster,
        Client(cluster) as client,
    ):
        repeat = args.repeat or (3 if args.quick else 1)
        rows, same = run(accounts, partitions, client, repeat)
    print(table(["accounts", "partitions", "where", "seconds", "speed-up"], rows))
    print("results equal bit for bit:", "yes" if same else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
