"""Shared timing helpers for the benchmarks.

Each benchmark compares successkit with a hand-written numpy version of the same computation,
timed in one process and interleaved (ours, reference, ours, reference, ...), so machine noise
hits both sides alike. The figure that matters is the ratio ``ours / reference``. Nothing here
asserts on time; benchmarks report, tests check behaviour.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable, Sequence
from typing import Any


def parse_args(description: str) -> argparse.Namespace:
    """``--quick`` runs small sizes (for CI); without it the full sizes of the issue run."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats (CI)")
    parser.add_argument("--repeat", type=int, default=None, help="timed rounds per size")
    parser.add_argument("--splits", type=int, default=1,
                        help="accuracy benchmarks: train/test splits to average over")
    return parser.parse_args()


def interleaved(
    ours: Callable[[], Any], reference: Callable[[], Any], *, repeat: int = 5
) -> tuple[float, float]:
    """Best-of-``repeat`` seconds of ``ours`` and ``reference``, timed alternately."""
    ours()
    reference()  # warm caches and lazy imports on both sides before timing
    best_ours = best_ref = float("inf")
    for _ in range(repeat):
        for fn, is_ours in ((ours, True), (reference, False)):
            gc.collect()
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            if is_ours:
                best_ours = min(best_ours, elapsed)
            else:
                best_ref = min(best_ref, elapsed)
    return best_ours, best_ref


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table (Markdown-compatible) for the benchmark's report."""
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
