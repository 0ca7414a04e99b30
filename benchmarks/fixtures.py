"""What the issue-10 suites share: generated watchlist indexes (cached), moto resources laid
out as the function sees them, and SQS events shaped as Lambda's event source sends them.

The 100,000-watchlist index takes tens of seconds to compile, so it is built once from the
watchlist benchmark's generator and kept under ``.cache/bench/``, keyed on the
index format and word-form key (another format or table would not load) and the seed.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber
from newswatch.aws import keys
from newswatch.aws.dynamo import to_item
from newswatch.aws.watchlist_store import INDEX_PREFIX
from newswatch.watchlists import WatchlistSet, load_watchlists
from newswatch.watchlists.index import FORMAT, word_forms_key

from benchmarks.watchlists import SEED, Pools, generate_watchlists

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache" / "bench"
REFERENCE_PAGE = ROOT / "samples" / "thehindu-2024-10-30-ukraine-south-korea.html"


class MotoClock:
    """Seconds spent inside moto answering requests, while installed: a timer around
    ``BotocoreStubber.__call__``, which answers every request of every client. In Lambda that
    time is the services' own, on their machines, so the suites take it off ours. ``clock``:
    wall time (``perf_counter``) or the process's CPU time (``process_time``)."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.seconds = 0.0
        self._clock = clock
        self._call = BotocoreStubber.__call__

    def __enter__(self) -> MotoClock:
        call, clock = self._call, self._clock

        def timed(stubber: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
            started = clock()
            try:
                return call(stubber, *args, **kwargs)
            finally:
                self.seconds += clock() - started

        BotocoreStubber.__call__ = timed  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *_: object) -> None:
        BotocoreStubber.__call__ = self._call  # type: ignore[method-assign]


@dataclass(frozen=True, slots=True)
class CachedIndex:
    """A compiled watchlist index on disk and the version it was stored under."""

    path: Path
    version: str
    count: int


def generated_watchlists(count: int) -> dict[str, Any]:
    """The watchlist benchmark's first ``count`` generated watchlists (same seed, same set)."""
    return generate_watchlists(count, Pools(random.Random(SEED)))


def cached_index(count: int) -> CachedIndex:
    """The compiled index of ``count`` generated watchlists, compiled only if not cached."""
    key = word_forms_key()
    layout = f"{FORMAT.rsplit('/', 1)[-1]}-{key['version']}-{key['places'][:12]}"
    stem = f"watchlists-{count}-{SEED}-{layout}"
    blob_path, meta_path = CACHE_DIR / f"{stem}.bin", CACHE_DIR / f"{stem}.json"
    if blob_path.exists() and meta_path.exists():
        return CachedIndex(blob_path, json.loads(meta_path.read_text())["version"], count)
    watchlists = load_watchlists(generated_watchlists(count))
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    blob_path.write_bytes(watchlists.dumps())
    meta_path.write_text(json.dumps({"version": watchlists.version, "count": count}))
    return CachedIndex(blob_path, watchlists.version, count)


def install_index(s3: Any, dynamodb: Any, *, bucket: str, table: str, index: CachedIndex) -> None:
    """Make ``index`` the stored set as ``WatchlistStore.replace`` would, without writing one
    item per watchlist (100,000 items into moto would take minutes and the function never
    reads them while the index loads)."""
    index_key = f"{INDEX_PREFIX}{index.version}.bin"
    s3.put_object(Bucket=bucket, Key=index_key, Body=index.path.read_bytes())
    dynamodb.put_item(
        TableName=table,
        Item=to_item(
            {
                "PK": keys.WATCHLISTS_PK,
                "SK": keys.CURRENT_WATCHLISTS_SK,
                "version": index.version,
                "index_key": index_key,
                "count": index.count,
                "updated_at": "2026-01-01T00:00:00.000000+00:00",
            }
        ),
    )


def loaded_index(index: CachedIndex) -> WatchlistSet:
    return WatchlistSet.loads(index.path.read_bytes())


@contextmanager
def function_environment(settings: Any, region: str) -> Iterator[None]:
    """Inside: the environment template.yaml gives the function, pointed at ``settings``'
    resources; the process's own environment is restored after."""
    saved = dict(os.environ)
    os.environ.update(_function_variables(settings, region))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _function_variables(settings: Any, region: str) -> dict[str, str]:
    return {
        "TABLE_NAME": settings.table_name,
        "TOPIC_ARN": settings.topic_arn,
        "ARTICLE_BUCKET": settings.article_bucket,
        "INCOMING_PREFIX": "incoming/",
        "WATCHLIST_REFRESH_SECONDS": "300",
        "POWERTOOLS_SERVICE_NAME": "newswatch",
        "POWERTOOLS_METRICS_NAMESPACE": "Newswatch",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": "newswatch-ingest",
    }


def sqs_event(refs: list[Any], region: str) -> dict[str, Any]:
    """One SQS batch, each record carrying the S3 notification of one object version."""
    records = []
    for number, ref in enumerate(refs):
        notification = {
            "Records": [
                {
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": ref.bucket},
                        "object": {
                            "key": ref.key,
                            "size": ref.size,
                            "eTag": ref.etag,
                            "versionId": ref.version_id,
                        },
                    },
                }
            ]
        }
        records.append(
            {
                "messageId": f"message-{number}",
                "receiptHandle": f"handle-{number}",
                "body": json.dumps(notification),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{region}:123456789012:ingest",
                "awsRegion": region,
            }
        )
    return {"Records": records}
