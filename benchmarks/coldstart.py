"""Cold start: a fresh Python process made ready for its first event, ours against a naive
handler, measured in turns in one run.

Ours: import ``functions/ingest/app.py`` and build its pipeline (``ingest_pipeline()``).
Naive: import ``benchmarks/naive_handler.py`` (Tracer, event parser, boto3 resources and bs4
at module level). Each figure is the whole process, spawn to exit, so interpreter start-up
counts as it does in Lambda's Init phase. One unmeasured run of each first writes the
bytecode caches (into a directory of the run's own), as a deployed package ships them (the
layer's build compiles it).

Each run is timed twice: wall clock, and the CPU seconds the child used (user + system, from
``getrusage``). A cold start is single-threaded and reads only local files, so on an idle
machine the two agree; on a shared, loaded one the wall clock also counts waiting for a core,
so the goal is judged on CPU time and the wall-clock ratio is printed beside it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.results import goal, median, print_rows

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5  # tuned: rerun `python -m benchmarks coldstart`; more runs, steadier medians

_LOAD = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('handler_module', sys.argv[1])\n"
    "module = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(module)\n"
)
OURS = _LOAD + "module.ingest_pipeline()\n"
NAIVE = _LOAD


# Bytecode caches written by the warm-up runs, wherever this process's settings would put
# them (or not: PYTHONDONTWRITEBYTECODE would make every run compile newswatch from source,
# which a deployed layer never does, while site-packages came with its caches).
_BYTECODE = tempfile.mkdtemp(prefix="newswatch-coldstart-")


def _environment() -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **inherited,
        "PYTHONPYCACHEPREFIX": _BYTECODE,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "TABLE_NAME": "newswatch",
        "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:alerts",
        "ARTICLE_BUCKET": "newswatch-articles",
        "POWERTOOLS_SERVICE_NAME": "newswatch",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(code: str, handler_file: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds from spawning a fresh interpreter to its exit once the
    handler is ready."""
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, str(handler_file)],
        check=True,
        env=_environment(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started, _children_cpu() - cpu


def _run(code: str, handler_file: Path) -> float:
    """Wall-clock seconds of :func:`_timed`."""
    return _timed(code, handler_file)[0]


def main() -> dict[str, Any]:
    """Print and return the cold-start figures and their goal."""
    ours_file = ROOT / "functions" / "ingest" / "app.py"
    naive_file = ROOT / "benchmarks" / "naive_handler.py"
    bare = [_run("pass", ours_file)]
    _run(OURS, ours_file)
    _run(NAIVE, naive_file)
    ours: list[float] = []
    naive: list[float] = []
    ours_cpu: list[float] = []
    naive_cpu: list[float] = []
    bare_cpu: list[float] = []
    for _ in range(RUNS):
        for code, handler_file, wall, cpu in (
            (OURS, ours_file, ours, ours_cpu),
            (NAIVE, naive_file, naive, naive_cpu),
            ("pass", ours_file, bare, bare_cpu),
        ):
            wall_s, cpu_s = _timed(code, handler_file)
            wall.append(wall_s)
            cpu.append(cpu_s)
    figures: dict[str, Any] = {
        "runs": RUNS,
        "interpreter_only_s": median(bare),
        "ours_ready_s": median(ours),
        "naive_ready_s": median(naive),
        "wall_ratio": median(ours) / median(naive),
        "interpreter_only_cpu_s": median(bare_cpu),
        "ours_ready_cpu_s": median(ours_cpu),
        "naive_ready_cpu_s": median(naive_cpu),
        "ratio": median(ours_cpu) / median(naive_cpu),
    }

    def both(name: str) -> str:
        return (
            f"{figures[name + '_cpu_s'] * 1e3:.0f} ms CPU ({figures[name + '_s'] * 1e3:.0f} wall)"
        )

    print_rows(
        f"Cold start, fresh process to ready (median of {RUNS}, in turns)",
        [
            ("interpreter only (python -c pass)", both("interpreter_only")),
            ("ours: import app + ingest_pipeline()", both("ours_ready")),
            ("naive: Tracer, parser, boto3 resources, bs4", both("naive_ready")),
            ("ours / naive", f"{figures['ratio']:.2f}x CPU ({figures['wall_ratio']:.2f}x wall)"),
        ],
    )
    figures["goals"] = [
        goal(
            "cold start <= 0.5x the naive handler's (CPU time)",
            f"{figures['ratio']:.2f}x",
            figures["ratio"] <= 0.5,
        )
    ]
    return figures


if __name__ == "__main__":
    main()
