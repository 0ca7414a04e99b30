"""End to end in one process against moto: each aeb-dev page through
``IngestPipeline.process`` (S3 read, extraction, matching against 1,000 watchlists, DynamoDB
writes, SNS publish), beside extraction and matching alone on the same pages, in turns.

In-process moto is not free: its emulation of S3 and DynamoDB (parsing each request, and a
Query that sorts the table's items) runs in this process. The time spent inside moto's request
handler is measured (a timer around ``BotocoreStubber.__call__``, which answers every request)
and taken off, so the goal's ratio is what Lambda would run: extraction and matching, botocore's
client work (serialising, signing, parsing) and our own code around them.
"""

from __future__ import annotations

import os
import time
from typing import Any

from moto import mock_aws
from newswatch.aws.dynamo import item_bytes
from newswatch.extraction import extract_article

from benchmarks.aeb import aeb_dir, load_pages
from benchmarks.fixtures import MotoClock, cached_index, install_index, loaded_index
from benchmarks.results import goal, median, p95, print_rows

WATCHLISTS = 1_000
REGION = "us-east-1"


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
    end_to_end, core, without_moto = [], [], []
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
            with MotoClock() as moto_clock:
                started = time.perf_counter()
                outcome = pipeline.process(ref)
                end_to_end.append(time.perf_counter() - started)
            without_moto.append(end_to_end[-1] - moto_clock.seconds)
            alerts += len(outcome.alerts_sent)
            del matches
        items = env.items()
    sizes: dict[str, list[int]] = {}
    for item in items:
        kind = item["SK"]["S"].split("#")[0]
        sizes.setdefault(kind, []).append(item_bytes(item))
    with_moto_ratio = median(end_to_end) / median(core)
    ratio = median(without_moto) / median(core)
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
        "without_moto_median_s": median(without_moto),
        "moto_share_of_end_to_end": 1 - sum(without_moto) / sum(end_to_end),
        "ratio_with_moto": with_moto_ratio,
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
            (
                "pipeline.process less moto's own time: median",
                f"{figures['without_moto_median_s'] * ms:.1f} ms "
                f"(moto was {figures['moto_share_of_end_to_end']:.0%} of the total)",
            ),
            (
                "ratio of medians with moto (of totals)",
                f"{with_moto_ratio:.2f}x ({figures['ratio_of_totals']:.2f}x)",
            ),
            ("ratio of medians, moto's time taken off", f"{ratio:.2f}x"),
        ],
    )
    figures["goals"] = [
        goal(
            "end to end <= 1.5x extraction + matching (medians, moto's time taken off)",
            f"{ratio:.2f}x",
            ratio <= 1.5,
        )
    ]
    return figures


if __name__ == "__main__":
    main()
