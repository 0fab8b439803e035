"""Roadmap assignment: ``Roadmap.assign`` against hand-written numpy.

Two roadmaps over one portfolio:

- **tenure**: Sansan's lifecycle (``Roadmap.lifecycle()``) from ``contract_start``, a
  ``renewals`` count (5 % missing, read from ``renewal_date`` instead) and ``renewal_date``:
  stage, entry date, days in stage and stalled;
- **criteria**: four stages with entry and goal conditions over numbers and a boolean with
  missing values (three-valued: unknown is not true): stage, goal met / unknown, progress.

Both sides must agree exactly (the script exits 1 if not).

    python benchmarks/bench_roadmap.py            # 1,000,000 accounts
    python benchmarks/bench_roadmap.py --quick    # 20,000 accounts (CI)
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import successkit as sk
from _harness import interleaved, parse_args, table

AS_OF = dt.date(2026, 10, 1)
TODAY = np.datetime64(AS_OF, "D")

CRITERIA = sk.Roadmap([
    sk.Stage("onboarding", goal="first_login_rate >= 80%", expected_duration="2mo"),
    sk.Stage("adoption", entry="first_login_rate >= 60% and activation >= 50%",
             goal="login_rate >= 60% and nps_responded"),
    sk.Stage("expansion", entry="roi >= 80% and login_rate >= 50%", goal="roi >= 100%"),
    sk.Stage("advocacy", entry="nps_responded and roi >= 120%"),
])


def make_portfolio(n: int, seed: int = 0) -> sk.Portfolio:
    rng = np.random.default_rng(seed)
    months = np.datetime64("2026-09", "M") - rng.integers(0, 96, n).astype("timedelta64[M]")
    start = months.astype("datetime64[D]") + rng.integers(0, 28, n).astype("timedelta64[D]")
    years = (TODAY - start).astype(np.int64) // 365
    renewals = np.where(rng.random(n) < 0.05, np.nan, years.astype(np.float64))
    renewal_date = (months + (12 * (years + 1)).astype("timedelta64[M]")).astype(
        "datetime64[D]") + (start - months.astype("datetime64[D]"))

    def unit(missing: float) -> np.ndarray:
        values = rng.random(n) * 1.4
        values[rng.random(n) < missing] = np.nan
        return values

    nps = rng.random(n) < 0.7
    return sk.Portfolio.from_columns({
        "id": np.array([f"acct-{i:07d}" for i in range(n)]),
        "contract_start": start,
        "renewals": renewals,
        "renewal_date": renewal_date,
        "first_login_rate": unit(0.02),
        "activation": unit(0.0),
        "login_rate": unit(0.05),
        "roi": unit(0.03),
        "nps_responded": np.where(rng.random(n) < 0.1, None, nps).tolist(),
    }, as_of=AS_OF)


# -- hand-written numpy ---------------------------------------------------------------------------


def _minus_years(dates: np.ndarray, years: np.ndarray) -> np.ndarray:
    months = dates.astype("datetime64[M]")
    day = dates - months.astype("datetime64[D]")
    return (months - (12 * years).astype("timedelta64[M]")).astype("datetime64[D]") + day


def tenure_reference(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    start, count, upcoming = columns["start"], columns["renewals"], columns["renewal_date"]
    age = (TODAY - start).astype(np.int64)
    gap = (upcoming - start).astype(np.float64)
    count = np.where(np.isnan(count), np.maximum(np.floor(gap / 365.25 + 0.5) - 1, 0), count)
    codes = np.select([count >= 2, count >= 1, age >= 60], [3, 2, 1], 0).astype(np.int32)
    back = np.where(codes >= 2, count - codes + 2, 0).astype(np.int64)  # count - n + 1
    entered = np.select(
        [codes >= 2, codes == 1],
        [_minus_years(upcoming, back), start + np.timedelta64(60, "D")],
        start,
    )
    days = (TODAY - entered).astype(np.float64)
    limit = np.array([60.0, 305.0, 365.0, np.nan])[codes]
    return {"codes": codes, "days": days, "stalled": days > limit}


def criteria_reference(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    first, act, login, roi = (columns[k] for k in ("first", "activation", "login", "roi"))
    nps, nps_known = columns["nps"], columns["nps_known"]
    nps_true, nps_false = nps & nps_known, ~nps & nps_known
    codes = np.zeros(first.shape[0], dtype=np.int32)
    codes[(first >= 0.6) & (act >= 0.5)] = 1
    codes[(roi >= 0.8) & (login >= 0.5)] = 2
    codes[nps_true & (roi >= 1.2)] = 3
    with np.errstate(invalid="ignore"):
        g0_true, g0_false = first >= 0.8, first < 0.8
        g1_true = (login >= 0.6) & nps_true
        g1_false = (login < 0.6) | nps_false
        g2_true, g2_false = roi >= 1.0, roi < 1.0
    goal_true = np.select([codes == 0, codes == 1, codes == 2], [g0_true, g1_true, g2_true], False)
    goal_false = np.select([codes == 0, codes == 1, codes == 2], [g0_false, g1_false, g2_false],
                           False)
    met = np.select(
        [codes == 0, codes == 1, codes >= 2],
        [g0_true, g0_true.astype(int) + g1_true,
         g0_true.astype(int) + g1_true + g2_true],
        0,
    )
    total = np.array([1, 2, 3, 3])[codes]
    return {"codes": codes, "goal_true": goal_true, "goal_unknown": ~(goal_true | goal_false),
            "progress": met / total}


def main() -> int:
    args = parse_args(__doc__ or "")
    n = 20_000 if args.quick else 1_000_000
    repeat = args.repeat or (3 if args.quick else 5)
    pf = make_portfolio(n)
    lifecycle = sk.Roadmap.lifecycle()
    nps = pf.column("nps_responded")
    tenure_cols = {"start": pf["contract_start"], "renewals": pf["renewals"],
                   "renewal_date": pf["renewal_date"]}
    criteria_cols = {"first": pf["first_login_rate"], "activation": pf["activation"],
                     "login": pf["login_rate"], "roi": pf["roi"],
                     "nps": np.array(nps.values), "nps_known": ~np.array(nps.missing)}

    failures = []
    rows = []
    for label, roadmap, cols, ref, keys in (
        ("tenure (lifecycle)", lifecycle, tenure_cols, tenure_reference,
         {"codes": "codes", "days": "days_in_stage", "stalled": "stalled"}),
        ("criteria (4 stages)", CRITERIA, criteria_cols, criteria_reference,
         {"codes": "codes", "goal_true": "goal_true", "goal_unknown": "goal_unknown",
          "progress": "progress"}),
    ):
        def run(roadmap: sk.Roadmap = roadmap) -> Any:
            return roadmap.assign(pf)

        def hand(cols: dict[str, np.ndarray] = cols, ref: Any = ref) -> Any:
            return ref(cols)

        result, expected = run(), hand()
        for theirs, ours in keys.items():
            if not np.array_equal(np.asarray(getattr(result, ours)), expected[theirs],
                                  equal_nan=expected[theirs].dtype.kind == "f"):
                failures.append(f"{label}: {ours}")
        t_ours, t_ref = interleaved(run, hand, repeat=repeat)
        rows.append([label, n, t_ours * 1e3, t_ref * 1e3, t_ours / t_ref])
    print(table(["roadmap", "accounts", "successkit ms", "numpy ms", "ratio"], rows))
    if failures:
        print("MISMATCH: " + ", ".join(failures), file=sys.stderr)
        return 1
    print("successkit and the hand-written numpy agree")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
