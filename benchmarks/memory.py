"""Peak memory of extraction and matching (1,000 watchlists), each case in a fresh process so
that its peak RSS (what Lambda reports as Max Memory Used) is its own: a 10 MB page, and a
batch of 10 aeb-dev pages processed one after another as one invocation would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.results import goal, print_rows

ROOT = Path(__file__).resolve().parent.parent
PAGE_BYTES = 10_000_000
LIMIT_MB = 256

_CHILD = """
import json, sys
from benchmarks.aeb import load_pages
from benchmarks.fixtures import cached_index, loaded_index
from newswatch.extraction import extract_article
def peak_kb():
    # VmHWM starts afresh at exec; ru_maxrss keeps the forking parent's peak.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
pages = load_pages()
watchlists = loaded_index(cached_index(1000))
if sys.argv[1] == "10mb":
    head, _, tail = pages[0].html.partition(b"</body>")
    paragraph = b"<p>" + b"The minister of North Korea met officials of Russia. " * 20 + b"</p>"
    filler = paragraph * ((int(sys.argv[2]) - len(pages[0].html)) // len(paragraph))
    inputs = [head + filler + b"</body>" + tail]
else:
    inputs = [page.html for page in pages[:10]]
before = peak_kb()
for html in inputs:
    watchlists.match(extract_article(html))
peak = peak_kb()
print(json.dumps({"input_bytes": sum(map(len, inputs)), "before_mb": before / 1024,
                  "peak_mb": peak / 1024}))
"""


def _measure(case: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, case, str(PAGE_BYTES)],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(completed.stdout.splitlines()[-1])
    return figures


def main() -> dict[str, Any]:
    """Print and return the peak RSS of each case."""
    figures = {"10 MB page": _measure("10mb"), "batch of 10 pages": _measure("batch")}
    print_rows(
        "Peak memory (VmHWM of a fresh process; imports and 1,000 watchlists loaded first)",
        [
            (
                f"{case} ({found['input_bytes'] / 1e6:.1f} MB of HTML)",
                f"{found['peak_mb']:.0f} MB peak ({found['before_mb']:.0f} MB before the work)",
            )
            for case, found in figures.items()
        ],
    )
    peak = figures["10 MB page"]["peak_mb"]
    return {
        **figures,
        "goals": [
            goal(f"peak memory < {LIMIT_MB} MB for a 10 MB page", f"{peak:.0f} MB", peak < LIMIT_MB)
        ],
    }


if __name__ == "__main__":
    main()
