"""Hostile markup (issue 9, defect 1): how parse and extraction time grow with the input.

Each shape is built at three sizes (x, 2x, 4x) and timed in a fresh process, twice: lxml on the
raw page (what extraction cost before ``newswatch.extraction.markup_limits``) and
``extract_article`` now (best of 3). Linear work grows 4x from x to 4x; quadratic work 16x.
Raw lxml runs under a wall-clock limit, since some shapes run for minutes. The survey of
aeb-dev's real pages (when present) is what the limits in markup_limits.py and body.py are set
against.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.aeb import aeb_dir, load_pages
from benchmarks.results import goal, print_rows

ROOT = Path(__file__).resolve().parent.parent
RAW_LXML_WALL_SECONDS = 20
# From x to 4x, linear work grows 4x and quadratic work 16x: the goal is below their geometric
# midpoint, so that noise on shared cores does not decide it.
MAX_GROWTH_FROM_X_TO_4X = 8.0
TEN_MB_GOAL_SECONDS = 2.0
# Times under this are noise on a shared machine: growth is measured from here.
_TIME_FLOOR_SECONDS = 0.01

# name -> (page template as a Python expression of n, the three values of n)
SHAPES: dict[str, tuple[str, tuple[int, int, int]]] = {
    "attributes on one element": (
        "'<div ' + ' '.join(f'a{i}' for i in range(n)) + '>' + A + '</div>'",
        (10_000, 20_000, 40_000),
    ),
    "elements at the attribute cap": (
        "('<b ' + ' '.join(f'a{i}' for i in range(CAP)) + '>x</b>') * n + A",
        (250, 500, 1_000),  # 1,000 x 250: the most attributes a page may have
    ),
    "data: URI value (chars)": (
        "'<img src=\"data:image/png;base64,' + b64(n) + '\">' + A",
        (2_500_000, 5_000_000, 10_000_000),
    ),
    "class words on one element": (
        "'<div class=\"' + 'aB ' * n + '\">x</div>' + A",
        (250_000, 500_000, 1_000_000),
    ),
    "60 KB classes (elements)": (
        "('<div class=\"' + 'w ' * 30_000 + '\">x</div>') * n + A",
        (40, 80, 160),
    ),
    "siblings": ("'<i>x</i>' * n + A", (25_000, 50_000, 90_000)),
    "text line without tags (chars)": (
        "'<div>' + 'word ' * (n // 5) + '</div>' + A",
        (
            1_250_000,
            2_500_000,
            5_000_000,
        ),
    ),
    "entities": ("'<p>' + '&amp;' * n + '</p>' + A", (250_000, 500_000, 1_000_000)),
    "comment that never closes (chars)": (
        "A + '<!--' + '<p>x</p>' * (n // 8)",
        (
            1_250_000,
            2_500_000,
            5_000_000,
        ),
    ),
    "tag name (chars)": ("'<' + 'x' * n + '>' + A", (1_250_000, 2_500_000, 5_000_000)),
}

_CHILD = """
import base64, json, random, sys, time
mode, expression, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
A = '<article><h1>Flood barrier</h1>' + '<p>The council said the new flood barrier would '\\
    'protect four hundred homes along the river, and that work would start soon.</p>' * 4 \\
    + '</article>'
def b64(chars):
    return base64.b64encode(random.Random(chars).randbytes(chars * 3 // 4 + 3)).decode()[:chars]
from newswatch.extraction.markup_limits import MAX_ATTRIBUTES_PER_ELEMENT as CAP
page = '<html><body>' + eval(expression) + '</body></html>'
data = page.encode()
if mode == "lxml":
    import lxml.html
    from newswatch.extraction.parsing import _new_parser
    started = time.perf_counter()
    lxml.html.document_fromstring(page, parser=_new_parser())
    outcome, seconds = "parsed", time.perf_counter() - started
else:
    from newswatch.errors import Rejection
    from newswatch.extraction import extract_article
    timings = []
    for _ in range(3):  # the best of 3: growth ratios of one run each are noise on shared cores
        started = time.perf_counter()
        try:
            extract_article(data)
            outcome = "stored"
        except Rejection as rejection:
            outcome = rejection.reason
        timings.append(time.perf_counter() - started)
    seconds = min(timings)
print(json.dumps({"seconds": seconds, "bytes": len(data), "outcome": outcome}))
"""


def _run(mode: str, expression: str, n: int) -> dict[str, Any]:
    try:
        completed = subprocess.run(
            [sys.executable, "-c", _CHILD, mode, expression, str(n)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=RAW_LXML_WALL_SECONDS if mode == "lxml" else 120,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "outcome": f"over {RAW_LXML_WALL_SECONDS} s"}
    result: dict[str, Any] = json.loads(completed.stdout.splitlines()[-1])
    return result


def _seconds(result: dict[str, Any]) -> str:
    seconds = result["seconds"]
    return result["outcome"] if seconds is None else f"{seconds:.3f} s"


def _growth(results: list[dict[str, Any]]) -> float | None:
    """Time at 4x over time at x (with a floor, so that near-zero times do not divide)."""
    first, last = results[0]["seconds"], results[-1]["seconds"]
    if first is None or last is None:
        return None
    return float(max(last, _TIME_FLOOR_SECONDS) / max(first, _TIME_FLOOR_SECONDS))


def survey() -> dict[str, Any] | None:
    """The largest class + id, attribute count and attribute value in aeb-dev's real pages."""
    import lxml.html

    if not (aeb_dir() / "ground-truth.json").exists():
        return None
    pages = load_pages()
    hints: list[int] = []
    attributes: list[int] = []
    values: list[int] = []
    for page in pages:
        root = lxml.html.document_fromstring(page.html)
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            hints.append(len(f"{element.get('class', '')} {element.get('id', '')}".strip()))
            attributes.append(len(element.attrib))
            values.extend(len(value) for value in element.attrib.values())
    hints.sort()
    return {
        "pages": len(pages),
        "class_id_chars_p999": hints[int(0.999 * (len(hints) - 1))],
        "class_id_chars_max": hints[-1],
        "attributes_max": max(attributes),
        "attribute_value_chars_max": max(values),
    }


def main() -> dict[str, Any]:
    """Print the growth table; return its figures and goals."""
    figures: dict[str, Any] = {}
    rows: list[tuple[str, str]] = []
    for name, (expression, sizes) in SHAPES.items():
        raw = [_run("lxml", expression, n) for n in sizes]
        now = [_run("extract", expression, n) for n in sizes]
        growth = _growth(now)
        figures[name] = {"sizes": sizes, "raw_lxml": raw, "extract": now, "growth": growth}
        megabytes = now[-1]["bytes"] / 1e6
        rows.append(
            (
                f"{name}: {', '.join(f'{n:,}' for n in sizes)} ({megabytes:.1f} MB at 4x)",
                f"raw lxml {' / '.join(map(_seconds, raw))}; extract "
                f"{' / '.join(map(_seconds, now))} ({now[-1]['outcome']}, "
                f"x{growth:.1f} from x to 4x)"
                if growth is not None
                else "extract did not finish",
            )
        )
    print_rows("Hostile markup: time at x / 2x / 4x (fresh process each)", rows)
    found = survey()
    if found is not None:
        figures["aeb_dev_survey"] = found
        print_rows("Real pages (aeb-dev): what the limits are set against", list(found.items()))
    worst_growth = max(
        entry["growth"] or float("inf") for entry in figures.values() if "growth" in entry
    )
    slowest = max(
        entry["extract"][-1]["seconds"] for entry in figures.values() if "extract" in entry
    )
    figures["goals"] = [
        goal(
            f"hostile markup extracts in linear time (4x the size, < {MAX_GROWTH_FROM_X_TO_4X:g}x)",
            f"worst x{worst_growth:.1f}",
            worst_growth < MAX_GROWTH_FROM_X_TO_4X,
        ),
        goal(
            f"every hostile shape at its largest size extracts in < {TEN_MB_GOAL_SECONDS:g} s",
            f"slowest {slowest:.2f} s",
            slowest < TEN_MB_GOAL_SECONDS,
        ),
    ]
    return figures


if __name__ == "__main__":
    main()
