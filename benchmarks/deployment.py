"""Deployment size: the function plus its own layer, from ``sam build``'s output, as
``scripts/deployment_size.py`` reports it (run ``make build`` first)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.results import goal

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / ".aws-sam" / "build"
SCRIPT = ROOT / "scripts" / "deployment_size.py"


def main() -> dict[str, Any]:
    """Print the sizes (or why they are not known) and return the printed report."""
    if not BUILD_DIR.is_dir() or not SCRIPT.exists():
        print("deployment size: run make build first")
        return {"goals": [goal("function plus own layer < 20 MB unzipped", "not built", None)]}
    completed = subprocess.run(
        [sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    print(completed.stdout, end="")
    figures: dict[str, Any] = json.loads(completed.stdout.splitlines()[-1])
    unzipped_mb = figures["total"]["unzipped_bytes"] / 1e6
    return {
        **figures,
        "goals": [
            goal(
                "functions plus own layer < 20 MB unzipped",
                f"{unzipped_mb:.1f} MB",
                unzipped_mb < 20,
            )
        ],
    }
