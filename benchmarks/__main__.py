"""`make bench`: every benchmark table, one after the other, in one process.

Each benchmark compares figures measured side by side in the same run (ratios, not absolute
times), since the machines these run on are shared and noisy.
"""

from __future__ import annotations

import argparse

from benchmarks import extraction, watchlists

SUITES = {"extraction": extraction.main, "watchlists": watchlists.main}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("suites", nargs="*", metavar="SUITE", help=f"any of {', '.join(SUITES)}")
    args = parser.parse_args()
    unknown = set(args.suites) - set(SUITES)
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(sorted(unknown))}")
    chosen = args.suites or list(SUITES)
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        SUITES[name]()


if __name__ == "__main__":
    main()
