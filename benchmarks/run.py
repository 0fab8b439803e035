"""Run every ``bench_*.py`` in this folder, each in its own process.

    python benchmarks/run.py --quick     # small sizes, as CI runs them
    python benchmarks/run.py             # the full sizes the issues name

Exits non-zero if any benchmark fails (crashes or finds successkit and the reference disagree).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    args = sys.argv[1:]
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n=== {script.name} {' '.join(args)}", flush=True)
        if subprocess.run([sys.executable, str(script), *args], check=False).returncode:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
