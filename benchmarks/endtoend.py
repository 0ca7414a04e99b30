"""End to end in one process against moto: each aeb-dev page through
``IngestPipeline.process`` (S3 read, extraction, matching against 1,000 watchlists, DynamoDB
writes, SNS publish), beside extraction and matching alone on the same pages, in turns.

The AWS calls cost little against an in-process moto; what the ratio shows is our own
overhead around the core work (serialising items, rendering alerts, the client calls).
"""

from __future__ import annotations

import os
import time
from typing import Any

from moto import mock_aws
from newswatch.extraction import extract_article

from benchmarks.aeb import aeb_dir, load_pages
from benchmarks.fixtures import cached_index, install_index, loaded_index
from benchmarks.results import goal, median, p95, print_rows

WATCHLISTS = 1_000
REGION = "us-east-1"


def item_bytes(value: Any) -> int:
    """An item's size by DynamoDB's rules, approximately: attribute names and UTF-8 strings
    count their bytes, numbers about one byte per two digits, each map/list entry 1 byte."""
    if isinstance(value, dict) and len(value) == 1:
        ((kind, inner),) = value.items()
        if kind in ("S", "N", "BOOL", "NULL", "L", "M", "SS", "NS"):
            if kind == "S":
                return len(inner.encode())
            if kind == "N":
                return len(inner) // 2 + 1
            if kind in ("BOOL", "NULL"):
                return 1
            if kind == "L":
                return 3 + sum(1 + item_bytes(entry) for entry in inner)
            if kind == "M":
                return 3 + sum(len(k.encode()) + 1 + item_bytes(v) for k, v in inner.items())
            return sum(len(str(entry)) for entry in inner)
    return sum(len(name.encode()) + item_bytes(attribute) for name, attribute in value.items())


def main() -> dict[str, Any]:
    """Print and return per-article times, end to end and core only."""
    folder = aeb_dir()
    if not (folder / "ground-truth.json").exists():
        print(f"end-to-end benchmark skipped: no aeb-dev at {folder}")
        return {"goals": [goal("end to end <= 1.5x extraction + matching", "no aeb-dev", None)]}
    from tests.ingest_env import BUCKET, TABLE, create_ingest_env

    pages = load_pages(folder)
    index = cached_index(WATCHLISTS)
    watchlists = loaded_index(index)
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    end_to_end, core = [], []
    alerts = 0
    with mock_aws():
        env = create_ingest_env()
        install_index(env.s3, env.dynamodb, bucket=BUCKET, table=TABLE, index=index)
        pipeline = env.pipeline(watchlist_refresh_seconds=300)
        refs = [env.put(f"incoming/{page.page_id}.html", page.html) for page in pages]
        pipeline.process(env.put("incoming/warm-up.html", pages[0].html))  # loads the index
        for page, ref in zip(pages, refs, strict=True):
            started = time.perf_counter()
            matches = watchlists.match(extract_article(page.html))
            core.append(time.perf_counter() - started)
            started = time.perf_counter()
            outcome = pipeline.process(ref)
            end_to_end.append(time.perf_counter() - started)
            alerts += len(outcome.alerts_sent)
            del matches
        items = env.items()
    sizes: dict[str, list[int]] = {}
    for item in items:
        kind = item["SK"]["S"].split("#")[0]
        sizes.setdefault(kind, []).append(item_bytes(item))
    ratio = median(end_to_end) / median(core)
    figures: dict[str, Any] = {
        "pages": len(pages),
        "watchlists": WATCHLISTS,
        "end_to_end_median_s": median(end_to_end),
        "end_to_end_p95_s": p95(end_to_end),
        "end_to_end_mean_s": sum(end_to_end) / len(end_to_end),
        "core_median_s": median(core),
        "core_p95_s": p95(core),
        "core_mean_s": sum(core) / len(core),
        "alerts_sent": alerts,
        "ratio_of_medians": ratio,
        "ratio_of_totals": sum(end_to_end) / sum(core),
        "item_bytes_mean": {kind: sum(found) / len(found) for kind, found in sizes.items()},
        "item_write_units_mean": {
            kind: sum(-(-size // 1024) for size in found) / len(found)
            for kind, found in sizes.items()
        },
    }
    ms = 1e3
    print_rows(
        f"End to end on moto, {len(pages)} aeb-dev pages, {WATCHLISTS:,} watchlists",
        [
            (
                "pipeline.process: median / p95",
                f"{figures['end_to_end_median_s'] * ms:.1f} / "
                f"{figures['end_to_end_p95_s'] * ms:.1f} ms",
            ),
            (
                "extraction + matching alone: median / p95",
                f"{figures['core_median_s'] * ms:.1f} / {figures['core_p95_s'] * ms:.1f} ms",
            ),
            ("alerts published", str(alerts)),
            *(
                (
                    f"{kind} item: mean size (write units)",
                    f"{size:,.0f} B "
                    f"({figures['item_write_units_mean'][kind]:.1f} WRU, x2 if in GSI1)",
                )
                for kind, size in figures["item_bytes_mean"].items()
            ),
            ("ratio of medians (of totals)", f"{ratio:.2f}x ({figures['ratio_of_totals']:.2f}x)"),
        ],
    )
    figures["goals"] = [
        goal("end to end <= 1.5x extraction + matching (medians)", f"{ratio:.2f}x", ratio <= 1.5)
    ]
    return figures


if __name__ == "__main__":
    main()
