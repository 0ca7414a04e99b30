"""What `make bench` keeps of a run: every suite's figures and goals, printed and as JSON.

A suite's ``main()`` returns a dict of its figures; goals go under ``"goals"`` as
:class:`Goal` dicts, so the runner can print one goals table for the whole run. A suite that
returns nothing (it only prints) is kept as the text it printed, and goals printed in the
``[met] description: 1.23x`` form are read back from that text.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"
_PRINTED_GOAL = re.compile(r"^\s*\[(met|MISSED)\]\s+(.+?):\s+(.+)$")


@dataclass(frozen=True, slots=True)
class Goal:
    """One goal of issue 10 (or of another suite): what it asks, the figure, whether met.

    ``met`` is ``None`` when the figure could not be measured in this run (say why in figure).
    """

    goal: str
    figure: str
    met: bool | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def goal(description: str, figure: str, met: bool | None) -> dict[str, Any]:
    """A goal as a suite returns it."""
    return Goal(description, figure, met).as_dict()


def goals_in_output(printed: str) -> list[dict[str, Any]]:
    """Goals a suite printed as ``[met] description: figure`` lines."""
    found = []
    for line in printed.splitlines():
        match = _PRINTED_GOAL.match(line)
        if match:
            found.append(goal(match[2], match[3], match[1] == "met"))
    return found


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (nearest rank), so that 5 % of runs were slower."""
    ordered = sorted(values)
    rank = max(1, -(-95 * len(ordered) // 100))
    return ordered[rank - 1]


def print_rows(title: str, rows: Sequence[tuple[str, str]], out: TextIO = sys.stdout) -> None:
    """A two-column table: what was measured and its figure."""
    width = max((len(name) for name, _ in rows), default=10)
    print(f"\n{title}", file=out)
    print("-" * (width + 30), file=out)
    for name, figure in rows:
        print(f"{name:<{width}}  {figure}", file=out)


def print_goals(goals: Sequence[dict[str, Any]], out: TextIO = sys.stdout) -> None:
    """The run's goals table: goal, figure, met or not."""
    width = max((len(entry["goal"]) for entry in goals), default=10)
    print(f"\n{'goal':<{width}}  {'status':<8}figure", file=out)
    print("-" * (width + 40), file=out)
    for entry in goals:
        status = {True: "met", False: "MISSED", None: "n/a"}[entry["met"]]
        print(f"{entry['goal']:<{width}}  {status:<8}{entry['figure']}", file=out)


def write(results: dict[str, Any], path: Path = RESULTS_PATH) -> None:
    path.write_text(json.dumps(results, indent=2, sort_keys=False, default=str) + "\n")
