"""Touch scoring: ``TouchModel.score`` against a hand-written numpy sort-based computation.

Sansan's nine touch points (two tiered by progress; five counted once per account, user and
item, four counted every time) over a year of events with text account ids, user ids and
items, 2 % of them for accounts outside the portfolio. Two configurations: a 90-day window
(about a quarter of the events count) and a 30-day half-life over the whole year. Both sides
compute the points per account and touch point, the score per seat and the number of
unmatched events, and must agree to 1e-9 (the script exits 1 if not). Peak memory is traced
with ``tracemalloc`` in a separate, untimed run of each side (the input arrays not counted).

    python benchmarks/bench_touch.py            # 10,000,000 events over 100,000 accounts
    python benchmarks/bench_touch.py --quick    # 200,000 events over 2,000 accounts (CI)
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import successkit as sk
from _harness import interleaved, parse_args, table

AS_OF = dt.date(2026, 10, 1)
UNMATCHED = 0.02
USERS = 30
# Touch point mix and the number of items of the touch points that have items.
MIX = np.array([0.18, 0.13, 0.27, 0.23, 0.03, 0.02, 0.05, 0.05, 0.04])
ITEMS = {"video": ("video-", 20), "elearning": ("course-", 6), "seminar_signup": ("seminar-", 12),
         "seminar_attendance": ("seminar-", 12), "event_attendance": ("event-", 4)}


def make_events(n_events: int, n_accounts: int, seed: int = 0) -> tuple[dict[str, Any],
                                                                        sk.Portfolio]:
    """A year of events (numpy columns) and the portfolio they are scored against."""
    rng = np.random.default_rng(seed)
    names = sk.TouchModel.sansan().names
    outside = int(n_accounts * UNMATCHED / (1 - UNMATCHED)) + 1
    ids = np.array([f"acct-{i:06d}" for i in range(n_accounts + outside)])
    account = np.where(rng.random(n_events) < UNMATCHED,
                       n_accounts + rng.integers(0, outside, n_events),
                       rng.integers(0, n_accounts, n_events))
    touch = np.searchsorted(np.cumsum(MIX / MIX.sum()), rng.random(n_events), side="right")
    touch = np.minimum(touch, len(names) - 1)
    suffix = np.array([f"/u{u}" for u in range(1, USERS + 1)])
    item_labels = [""]
    item_of = np.zeros((len(names), 20), dtype=np.int64)
    for k, name in enumerate(names):
        if name in ITEMS:
            prefix, count = ITEMS[name]
            start = len(item_labels)
            item_labels += [f"{prefix}{i:02d}" for i in range(1, count + 1)]
            item_of[k] = start + np.arange(20) % count
    item = item_of[touch, rng.integers(0, 20, n_events)]
    progress = np.full(n_events, np.nan)
    video, course = touch == 0, touch == 1
    progress[video] = np.round(rng.random(int(video.sum())), 2)
    progress[course] = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], int(course.sum()))
    events = {
        "account_id": ids[account],
        "touchpoint": np.array(names)[touch],
        "at": np.datetime64(AS_OF, "D") - rng.integers(0, 365, n_events),
        "user_id": np.strings.add(ids[account], suffix[rng.integers(0, USERS, n_events)]),
        "item": np.array(item_labels)[item],
        "progress": progress,
    }
    seats = rng.integers(1, 60, n_accounts)
    pf = sk.Portfolio.from_columns({"id": ids[:n_accounts], "seats": seats}, as_of=AS_OF)
    return events, pf


def reference(events: dict[str, Any], ids: np.ndarray, seats: np.ndarray,
              model: sk.TouchModel) -> dict[str, Any]:
    """The same touch score, written directly in numpy: filter by date, match accounts with
    a sorted index, points per touch point, ``np.unique`` codes for users and items, one
    sort of (account, touch point, user, item) keys for the best event of each group."""
    n, k = ids.shape[0], len(model.touchpoints)
    age = (np.datetime64(AS_OF, "D") - events["at"]).astype(np.int64)
    idx = np.flatnonzero(age < model.window) if model.window else np.arange(age.shape[0])
    account = events["account_id"][idx]
    order = np.argsort(ids)
    ordered = ids[order]
    pos = np.searchsorted(ordered, account)
    pos[pos == n] = 0
    found = ordered[pos] == account
    unmatched = int((~found).sum())
    row, idx = order[pos[found]], idx[found]
    names = np.array(model.names)
    by_name = np.argsort(names)
    touch = by_name[np.searchsorted(names[by_name], events["touchpoint"][idx])]
    progress = events["progress"][idx]
    points = np.zeros(idx.shape[0])
    for j, tp in enumerate(model.touchpoints):
        chosen = touch == j
        if tp.tiers is None:
            points[chosen] = tp.points
        else:
            starts = np.array([p for p, _ in tp.tiers])
            paid = np.array([0.0, *(q for _, q in tp.tiers)])
            points[chosen] = paid[np.searchsorted(starts, progress[chosen], side="right")]
    if model.half_life:
        points *= 0.5 ** (age[idx] / model.half_life)
    best = np.array([tp.combine == "max" for tp in model.touchpoints])[touch]
    cell = row.astype(np.int64) * k + touch
    totals = np.bincount(cell[~best], points[~best], minlength=n * k).astype(np.float64)
    chosen = idx[best]
    _, user = np.unique(events["user_id"][chosen], return_inverse=True)
    _, item = np.unique(events["item"][chosen], return_inverse=True)
    n_users, n_items = int(user.max()) + 1, int(item.max()) + 1
    key = (cell[best] * n_users + user) * n_items + item
    order = np.argsort(key)
    ordered_keys = key[order]
    starts = np.flatnonzero(np.r_[True, ordered_keys[1:] != ordered_keys[:-1]])
    group_best = np.maximum.reduceat(points[best][order], starts)
    totals += np.bincount(ordered_keys[starts] // (n_users * n_items), group_best,
                          minlength=n * k)
    matrix = totals.reshape(n, k)
    return {"matrix": matrix, "score": matrix.sum(axis=1) / seats, "unmatched": unmatched}


def ours(model: sk.TouchModel, events: dict[str, Any], pf: sk.Portfolio) -> dict[str, Any]:
    result = model.score(events, pf)
    return {"matrix": result.touchpoint_matrix, "score": result.score,
            "unmatched": result.unmatched_events}


def agree(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [key for key in b if not np.allclose(a[key], b[key], rtol=1e-9, atol=1e-9)]


def peak_mb(fn: Callable[[], Any]) -> float:
    """Peak memory allocated by ``fn`` beyond what was allocated before, in MB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 1e6


def main() -> int:
    args = parse_args(__doc__ or "")
    n_events, n_accounts = (200_000, 2_000) if args.quick else (10_000_000, 100_000)
    repeat = args.repeat or (3 if args.quick else 2)
    start = time.perf_counter()
    events, pf = make_events(n_events, n_accounts)
    made = time.perf_counter() - start
    ids, seats = pf.ids, pf["seats"]
    rows = []
    for label, model in (("window 90d", sk.TouchModel.sansan(window="90d")),
                         ("half-life 30d", sk.TouchModel.sansan(half_life="30d"))):
        mine, theirs = ours(model, events, pf), reference(events, ids, seats, model)
        bad = agree(mine, theirs)
        if bad:
            print(f"MISMATCH ({label}): {', '.join(bad)}", file=sys.stderr)
            return 1
        t_ours, t_ref = interleaved(lambda m=model: m.score(events, pf),
                                    lambda m=model: reference(events, ids, seats, m),
                                    repeat=repeat)
        mem_ours = peak_mb(lambda m=model: m.score(events, pf))
        mem_ref = peak_mb(lambda m=model: reference(events, ids, seats, m))
        rows.append([label, t_ours, t_ref, t_ours / t_ref, t_ours / n_events * 1e9,
                     mem_ours, mem_ref, mine["unmatched"]])
    print(f"Touch scoring: {n_events:,} events over {n_accounts:,} accounts, Sansan's 9 touch "
          f"points, text ids (events made in {made:.1f} s), best of {repeat}")
    print(table(["model", "successkit s", "numpy s", "ratio", "ns / event", "peak MB ours",
                 "peak MB numpy", "unmatched"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
