"""Import time of successkit with numpy already imported (target < 150 ms), in fresh
interpreters, best of several runs; and the cost of then loading every area (each area is
imported on first use). Also checks that no optional extra is imported."""

from __future__ import annotations

import json
import subprocess
import sys

from _harness import parse_args, table

PROBE = """
import json, sys, time
import numpy
start = time.perf_counter()
import successkit
elapsed = time.perf_counter() - start
lark_at_import = "lark" in sys.modules
start = time.perf_counter()
for name in successkit.__all__:
    getattr(successkit, name)
every = time.perf_counter() - start
heavy = sorted({"pandas", "polars", "pyarrow", "matplotlib", "dask", "sklearn"} & set(sys.modules))
print(json.dumps({"ms": elapsed * 1000, "every": every * 1000, "heavy": heavy,
                  "lark": lark_at_import}))
"""


def main() -> int:
    args = parse_args(__doc__ or "")
    runs = args.repeat or (3 if args.quick else 10)
    results = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", PROBE], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(runs)
    ]
    best = min(r["ms"] for r in results)
    median = sorted(r["ms"] for r in results)[len(results) // 2]
    every = min(r["every"] for r in results)
    print(table(
        ["measure", "value"],
        [
            ["import successkit, best (ms)", round(best, 1)],
            ["import successkit, median (ms)", round(median, 1)],
            ["then loading every area, best (ms)", round(every, 1)],
            ["runs", runs],
            ["lark imported at import time", results[0]["lark"]],
            ["optional extras imported", ", ".join(results[0]["heavy"]) or "none"],
        ],
    ))
    if results[0]["heavy"]:
        print("FAIL: importing successkit imported optional extras", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
