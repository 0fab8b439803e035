"""``python -m successkit``: a short portfolio report on the built-in sample data."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Print the demo report; ``--accounts`` and ``--seed`` choose the sample."""
    parser = argparse.ArgumentParser(
        prog="python -m successkit",
        description="Score the built-in sample portfolio and show what a CS team would see.",
    )
    parser.add_argument("--accounts", type=int, default=1000, help="sample size (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the sample")
    args = parser.parse_args(argv)

    from successkit._demo import report
    from successkit.datasets import make_portfolio

    sample = make_portfolio(args.accounts, seed=args.seed)
    sys.stdout.write(report(sample))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
