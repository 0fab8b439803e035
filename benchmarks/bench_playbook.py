"""Playbook evaluation versus hand-written numpy masks, and parsing speed.

    python benchmarks/bench_playbook.py            # 1,000,000 accounts (the issue's size)
    python benchmarks/bench_playbook.py --quick    # small sizes (CI)

50 rules (comparisons, ``and``, ``between``, ``in``, category equality) over accounts with
3 % missing values. The reference is what a person would write in numpy: one boolean mask
per rule over float and string arrays, then ``np.flatnonzero``. Both sides are timed
interleaved in one process; the benchmark exits non-zero if they disagree on any rule.
Also: scaling over sizes, the time of ``CTAs.to_frame()`` (every CTA as a row, with its
reason) at each size, checked against the reference masks and against reasons written row
by row; parse time of a 1,000-rule playbook, and a per-record peer engine (``rule-engine``,
from the ``bench`` extra) on 10,000 accounts.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the DSL tests' reference writer of reasons, row by row (tests/dsl/_reference_reasons.py)
sys.path.insert(1, str(Path(__file__).resolve().parent.parent / "tests"))

import successkit as sk
from _harness import interleaved, parse_args, table

NUMBERS = [f"x{i}" for i in range(10)]
CATEGORIES = {
    "tier": ["high", "low", "tech"],
    "industry": ["finance", "health", "media", "retail", "saas", "telecom", "travel", "utility"],
    "region": ["apac", "emea", "latam", "na", "nordics"],
}


def make_data(n: int, seed: int = 0) -> dict[str, Any]:
    """Raw columns: floats with NaN, labels with None (3 % missing each)."""
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {"id": np.char.add("acct-", np.arange(n).astype(str))}
    for name in NUMBERS:
        values = rng.random(n)
        values[rng.random(n) < 0.03] = np.nan
        data[name] = values
    for name, labels in CATEGORIES.items():
        codes = rng.integers(0, len(labels), n)
        values = np.asarray(labels, dtype=object)[codes]
        values[rng.random(n) < 0.03] = None
        data[name] = values
    return data


def make_rules(count: int = 50, seed: int = 1) -> list[dict[str, Any]]:
    """Rule specs, each with its playbook text and its hand-written numpy mask."""
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(count):
        x, y = rng.choice(NUMBERS, 2, replace=False)
        t = round(float(rng.uniform(0.2, 0.8)), 2)
        lo = round(float(rng.uniform(0.1, 0.4)), 2)
        hi = round(lo + 0.3, 2)
        tier = CATEGORIES["tier"][i % 3]
        pair = list(rng.choice(CATEGORIES["industry"], 2, replace=False))
        region = CATEGORIES["region"][i % 5]
        kind = i % 5
        if kind == 0:
            text = f"{x} > {t}"
            spec = ("cmp", x, t)
        elif kind == 1:
            text = f'{x} <= {t} and tier = "{tier}"'
            spec = ("cmp_tier", x, t, tier)
        elif kind == 2:
            text = f"{x} between {lo} and {hi} and {y} < {t}"
            spec = ("between", x, lo, hi, y, t)
        elif kind == 3:
            text = f'industry in ("{pair[0]}", "{pair[1]}") and {x} >= {t}'
            spec = ("in", pair, x, t)
        else:
            text = f'region = "{region}" and tier = "{tier}" and {x} < {t}'
            spec = ("eq2", region, tier, x, t)
        specs.append({"name": f"r{i}", "text": text, "spec": spec})
    return specs


def playbook_text(specs: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"rule {s['name']}: when {s['text']} then act_{s['name']} as risk" for s in specs
    )


def reference(raw: dict[str, Any], specs: list[dict[str, Any]]) -> list[np.ndarray]:
    """What a person writes by hand: one mask per rule, then flatnonzero."""
    out = []
    for s in specs:
        spec = s["spec"]
        if spec[0] == "cmp":
            mask = raw[spec[1]] > spec[2]
        elif spec[0] == "cmp_tier":
            mask = (raw[spec[1]] <= spec[2]) & (raw["tier"] == spec[3])
        elif spec[0] == "between":
            x = raw[spec[1]]
            mask = (x >= spec[2]) & (x <= spec[3]) & (raw[spec[4]] < spec[5])
        elif spec[0] == "in":
            mask = np.isin(raw["industry"], spec[1]) & (raw[spec[2]] >= spec[3])
        else:
            mask = (raw["region"] == spec[1]) & (raw["tier"] == spec[2]) & (raw[spec[3]] < spec[4])
        out.append(np.flatnonzero(mask))
    return out


def reference_inputs(data: dict[str, Any]) -> dict[str, Any]:
    """Columns as a numpy user holds them: float64 arrays and fixed-width string arrays."""
    raw: dict[str, Any] = {name: np.asarray(data[name], dtype=np.float64) for name in NUMBERS}
    for name in CATEGORIES:
        values = data[name].copy()
        values[values == None] = ""  # noqa: E711 - element-wise test for missing labels
        raw[name] = values.astype(str)
    return raw


def ours_by_rule(ctas: sk.CTAs, rules: int) -> list[np.ndarray]:
    order = np.argsort(ctas.rule, kind="stable")  # the arrays are rule-major already
    rule, account = ctas.rule[order], ctas.account[order]
    bounds = np.searchsorted(rule, np.arange(rules + 1))
    return [account[bounds[j] : bounds[j + 1]] for j in range(rules)]


def check_same(ours: list[np.ndarray], ref: list[np.ndarray]) -> bool:
    return len(ours) == len(ref) and all(
        np.array_equal(a, b) for a, b in zip(ours, ref, strict=True)
    )


def check_frame(frame: Any, ctas: sk.CTAs, ref: list[np.ndarray], sample: int = 300) -> bool:
    """``to_frame()`` has every CTA of the reference masks, and the reasons of a sample of
    rows equal the reasons written one row at a time."""
    from dsl._reference_reasons import reason

    counts = frame["rule"].value_counts().to_dict()
    same = len(frame) == len(ctas) and all(
        counts.get(ctas.rules[j].name, 0) == len(accounts) for j, accounts in enumerate(ref)
    )
    order = ctas._order
    frames = ctas.explain.frames  # type: ignore[union-attr]
    for i in np.random.default_rng(0).choice(len(ctas), min(sample, len(ctas)), replace=False):
        k = order[i]
        rule = ctas.rules[int(ctas.rule[k])]
        expected = reason(frames[int(ctas.batch[k])], rule.condition, int(ctas.row[k]))
        same &= (frame["reason"].iat[i], frame["rule"].iat[i]) == (expected, rule.name)
        same &= frame["account_id"].iat[i] == ctas.account_ids[ctas.account[k]]
    return bool(same)


def time_frame(ctas: sk.CTAs, repeat: int) -> tuple[float, Any]:
    """Best-of-``repeat`` seconds of ``ctas.to_frame()`` (pandas imported beforehand)."""
    best, frame = float("inf"), None
    for _ in range(repeat):
        frame = None
        gc.collect()
        start = time.perf_counter()
        frame = ctas.to_frame()
        best = min(best, time.perf_counter() - start)
    return best, frame


def main() -> int:
    args = parse_args(__doc__ or "")
    sizes = [10_000, 50_000] if args.quick else [10_000, 100_000, 1_000_000]
    repeat = args.repeat or (3 if args.quick else 5)
    specs = make_rules(50)
    pb = sk.Playbook.parse(playbook_text(specs))
    ok = True
    rows = []
    try:
        import pandas  # noqa: F401 - imported once, outside the to_frame() timings
    except ImportError:
        has_pandas = False
    else:
        has_pandas = True
    for n in sizes:
        data = make_data(n)
        pf = sk.Portfolio.from_columns(data)
        raw = reference_inputs(data)
        ctas = pb.evaluate(pf)
        same = check_same(ours_by_rule(ctas, len(specs)), reference(raw, specs))
        ok &= same
        t_ours, t_ref = interleaved(
            lambda pf=pf: pb.evaluate(pf), lambda raw=raw: reference(raw, specs), repeat=repeat
        )
        row = [f"{n:,}", len(ctas), t_ours * 1e3, t_ref * 1e3, t_ours / t_ref,
               "yes" if same else "NO"]
        if has_pandas:  # CTAs → DataFrame: ~10 CTAs per account, one run at 1M
            t_frame, frame = time_frame(ctas, 1 if n >= 1_000_000 else min(repeat, 3))
            frame_ok = check_frame(frame, ctas, reference(raw, specs))
            ok &= frame_ok
            del frame
            row += [t_frame * 1e3, t_frame / max(len(ctas), 1) * 1e6,
                    "yes" if frame_ok else "NO"]
        rows.append(row)
    print("50 rules, 3 % missing: pb.evaluate() vs hand-written numpy masks + flatnonzero;")
    print("to_frame(): every CTA as a pandas row with its reason (checked against the masks")
    print("and against reasons written row by row)")
    headers = ["accounts", "CTAs", "successkit ms", "numpy ms", "ratio", "same"]
    if has_pandas:
        headers += ["to_frame ms", "µs/CTA", "frame ok"]
    print(table(headers, rows))

    # parse time of a 1,000-rule playbook (lark LALR + building the syntax tree)
    big = playbook_text(make_rules(1000, seed=2))
    sk.Playbook.parse("when a then b")  # load the grammar once
    best = float("inf")
    for _ in range(3 if args.quick else 5):
        start = time.perf_counter()
        sk.Playbook.parse(big)
        best = min(best, time.perf_counter() - start)
    tokens = sum(1 for _ in sk.dsl._parser._lark().lex(big))
    print(f"\nparse a 1,000-rule playbook ({len(big):,} characters, {tokens:,} tokens): "
          f"{best * 1e3:.0f} ms ({tokens / best / 1e3:.0f}k tokens/s)")
    text = pb.format()
    start = time.perf_counter()
    again = sk.Playbook.parse(text)
    print(f"format + parse round trip of the 50-rule playbook: equal={again == pb}, "
          f"{(time.perf_counter() - start) * 1e3:.1f} ms")
    ok &= again == pb

    # a per-record peer engine
    try:
        import rule_engine
    except ImportError:
        print("\nrule-engine is not installed (pip install 'successkit[bench]'): "
              "peer comparison skipped")
        return 0 if ok else 1
    n_peer = 2_000 if args.quick else 10_000
    data = make_data(n_peer, seed=3)
    pf = sk.Portfolio.from_columns(data)
    records = [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in (
            dict(zip(data, values, strict=True))
            for values in zip(*(np.asarray(data[k], dtype=object).tolist() for k in data),
                              strict=True)
        )
    ]
    peer_rules = [rule_engine.Rule(_peer_text(s)) for s in specs]

    def peer() -> list[np.ndarray]:
        return [
            np.asarray([i for i, r in enumerate(records) if rule.matches(r)], dtype=np.intp)
            for rule in peer_rules
        ]

    peer_result = peer()
    same = check_same(ours_by_rule(pb.evaluate(pf), len(specs)), peer_result)
    ok &= same
    t_ours, t_peer = interleaved(lambda: pb.evaluate(pf), peer, repeat=1 if args.quick else 2)
    print(f"\nrule-engine {rule_engine.__version__} (per record) on {n_peer:,} accounts, "
          f"50 rules: {t_peer * 1e3:,.0f} ms vs successkit {t_ours * 1e3:.1f} ms "
          f"→ {t_peer / t_ours:,.0f}× faster (same CTAs: {'yes' if same else 'NO'})")
    if not ok:
        print("MISMATCH between successkit and the reference", file=sys.stderr)
    return 0 if ok else 1


def _peer_text(spec: dict[str, Any]) -> str:
    """The rule in rule-engine's syntax (null checks first: it raises on null < 0.5)."""
    s = spec["spec"]

    def num(name: str, op: str, value: float) -> str:
        return f"({name} != null and {name} {op} {value})"

    if s[0] == "cmp":
        return num(s[1], ">", s[2])
    if s[0] == "cmp_tier":
        return f'{num(s[1], "<=", s[2])} and tier == "{s[3]}"'
    if s[0] == "between":
        return f"{num(s[1], '>=', s[2])} and {num(s[1], '<=', s[3])} and {num(s[4], '<', s[5])}"
    if s[0] == "in":
        return f'industry in ["{s[1][0]}", "{s[1][1]}"] and {num(s[2], ">=", s[3])}'
    return f'region == "{s[1]}" and tier == "{s[2]}" and {num(s[3], "<", s[4])}'


if __name__ == "__main__":
    raise SystemExit(main())
