"""Cold start: a fresh Python process made ready for its first event, ours against a naive
handler, measured in turns in one run.

Ours: import ``functions/ingest/app.py`` and build its pipeline (``ingest_pipeline()``).
Naive: import ``benchmarks/naive_handler.py`` (Tracer, event parser, boto3 resources and bs4
at module level). Each figure is the whole process, spawn to exit, so interpreter start-up
counts as it does in Lambda's Init phase. One unmeasured run of each first writes the
bytecode caches, as a deployed package ships them.
"""

from __future__ import annotations

import os
import subprocess
import sys
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


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "TABLE_NAME": "newswatch",
        "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:alerts",
        "ARTICLE_BUCKET": "newswatch-articles",
        "POWERTOOLS_SERVICE_NAME": "newswatch",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def _run(code: str, handler_file: Path) -> float:
    """Seconds from spawning a fresh interpreter to its exit once the handler is ready."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, str(handler_file)],
        check=True,
        env=_environment(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> dict[str, Any]:
    """Print and return the cold-start figures and their goal."""
    ours_file = ROOT / "functions" / "ingest" / "app.py"
    naive_file = ROOT / "benchmarks" / "naive_handler.py"
    bare = [_run("pass", ours_file)]
    _run(OURS, ours_file)
    _run(NAIVE, naive_file)
    ours, naive = [], []
    for _ in range(RUNS):
        ours.append(_run(OURS, ours_file))
        naive.append(_run(NAIVE, naive_file))
        bare.append(_run("pass", ours_file))
    figures: dict[str, Any] = {
        "runs": RUNS,
        "interpreter_only_s": median(bare),
        "ours_ready_s": median(ours),
        "naive_ready_s": median(naive),
        "ratio": median(ours) / median(naive),
    }
    print_rows(
        f"Cold start, fresh process to ready (median of {RUNS}, in turns)",
        [
            ("interpreter only (python -c pass)", f"{figures['interpreter_only_s'] * 1e3:.0f} ms"),
            ("ours: import app + ingest_pipeline()", f"{figures['ours_ready_s'] * 1e3:.0f} ms"),
            (
                "naive: Tracer, parser, boto3 resources, bs4",
                f"{figures['naive_ready_s'] * 1e3:.0f} ms",
            ),
            ("ours / naive", f"{figures['ratio']:.2f}x"),
        ],
    )
    figures["goals"] = [
        goal(
            "cold start <= 0.5x the naive handler's",
            f"{figures['ratio']:.2f}x",
            figures["ratio"] <= 0.5,
        )
    ]
    return figures


if __name__ == "__main__":
    main()
