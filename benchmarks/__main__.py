"""`make bench`: every benchmark suite, one after the other, in one run; one goals table at the
end; every figure written to ``benchmarks/results.json``.

Each benchmark compares figures measured side by side in the same run (ratios, not absolute
times), since the machines these run on are shared and noisy. A suite's ``main()`` returns a
dict of its figures; one that returns nothing is kept as the text it printed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from benchmarks import (
    coldstart,
    cost,
    deployment,
    endtoend,
    extraction,
    hostile,
    language,
    latency,
    memory,
    stories,
    watchlists,
)
from benchmarks.results import goals_in_output, print_goals, write

Suite = Callable[[], Any]


def _suites() -> dict[str, Suite]:
    suites: dict[str, Suite] = {"extraction": extraction.main, "watchlists": watchlists.main}
    suites["language"] = language.main
    suites["stories"] = stories.main
    suites["hostile"] = hostile.main
    suites["coldstart"] = coldstart.main
    suites["endtoend"] = endtoend.main
    suites["latency"] = latency.main
    suites["memory"] = memory.main
    suites["deployment"] = deployment.main
    suites["cost"] = cost.main
    return suites


class _Tee(io.StringIO):
    """Prints as it goes and keeps a copy, for suites that print rather than return."""

    def __init__(self, out: TextIO) -> None:
        super().__init__()
        self._out = out

    def write(self, text: str) -> int:
        self._out.write(text)
        self._out.flush()
        return super().write(text)


def main() -> None:
    suites = _suites()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("suites", nargs="*", metavar="SUITE", help=f"any of {', '.join(suites)}")
    args = parser.parse_args()
    unknown = set(args.suites) - set(suites)
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(sorted(unknown))}")
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    goals: list[dict[str, Any]] = []
    for name in args.suites or list(suites):
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        tee = _Tee(sys.stdout)
        with contextlib.redirect_stdout(tee):
            figures = suites[name]()
        if not isinstance(figures, dict):
            figures = {"printed": tee.getvalue(), "goals": goals_in_output(tee.getvalue())}
        figures["suite_seconds"] = time.perf_counter() - started
        goals += [{**entry, "goal": f"{name}: {entry['goal']}"} for entry in figures["goals"]]
        results[name] = figures
    results["goals"] = goals
    print_goals(goals)
    write(results)


if __name__ == "__main__":
    main()
