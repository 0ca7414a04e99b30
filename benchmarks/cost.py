"""The cost model (docs/cost-model.md): what a million articles cost at list prices, from a real
run of the ingest handler against moto, and the Lambda memory size chosen from it.

Measured here, per article, by running ``functions/ingest/app.py``'s handler on SQS batches of
the aeb-dev pages (1,000 watchlists): the handler's CPU time (one core, the fastest of
``ROUNDS``) less the time moto spends answering its calls in the same process, every DynamoDB
call with the write and read units it bills (item sizes read before and after each write,
``benchmarks.stories.DynamoMeter``), the S3 and SNS calls, and the bytes the handler logs
(Powertools' JSON lines and the EMF metric records; the platform's START/END/REPORT lines are
off: the template sets ``SystemLogLevel: WARN``). The rest comes from template.yaml: batch size,
memory size.
"""

from __future__ import annotations

import contextlib
import io
import math
import time
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from newswatch.aws.dynamo import item_bytes
from newswatch.local.template import load_template

from benchmarks.aeb import aeb_dir, load_pages
from benchmarks.fixtures import (
    MotoClock,
    cached_index,
    function_environment,
    install_index,
    sqs_event,
)
from benchmarks.results import goal, print_rows
from benchmarks.stories import DynamoMeter

ROOT = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
WATCHLISTS = 1_000
ARTICLES = 1_000_000

# List prices, us-east-1, arm64, on-demand, as published on the AWS pricing pages named here
# (read 2026-12-02; first tier, no free tier). Bump them here when AWS does.
PRICES_READ = "2026-12-02"
LAMBDA_GB_SECOND_ARM64 = 0.0000133334  # "AWS Lambda pricing", Arm, first 7.5 billion GB-s
LAMBDA_REQUEST = 0.20 / 1e6  # "AWS Lambda pricing", requests
SQS_REQUEST = 0.40 / 1e6  # "Amazon SQS pricing", standard queue, per 64 KB request
S3_GET = 0.0004 / 1e3  # "Amazon S3 pricing", S3 Standard GET
S3_PUT = 0.005 / 1e3  # "Amazon S3 pricing", S3 Standard PUT (the upload itself)
DYNAMODB_WRITE_UNIT = 0.625 / 1e6  # "Amazon DynamoDB pricing", on-demand write request unit
DYNAMODB_READ_UNIT = 0.125 / 1e6  # "Amazon DynamoDB pricing", on-demand read request unit
SNS_PUBLISH = 0.50 / 1e6  # "Amazon SNS pricing", standard topic publishes (64 KB each)
SNS_EMAIL_DELIVERY = 2.00 / 1e5  # "Amazon SNS pricing", email/email-JSON notifications
LOGS_INGESTED_GB = 0.50  # "Amazon CloudWatch pricing", Logs standard ingestion (Lambda tier 1)
T4G_SMALL_HOUR = 0.0168  # "Amazon EC2 On-Demand pricing", t4g.small, Linux
HOURS_PER_MONTH = 730

# Lambda gives CPU in proportion to memory: 1,769 MB is one full vCPU ("Lambda memory and
# computing power", Lambda developer guide); below it a CPU-bound article takes longer in that
# ratio. This machine's one core stands for one vCPU.
FULL_VCPU_MB = 1_769
MEMORY_SIZES_MB = (128, 256, 512, 1_024, 1_769)
# Not measurable against in-process moto: the round trip of one AWS API call from Lambda in the
# same region, which waits at any memory size. A stated assumption, not a measurement.
AWS_CALL_SECONDS = 0.008
# Peak memory of the largest page the function accepts (benchmarks/memory.py, 10 MB page), plus
# the runtime: a memory size below this fails on such a page. Last measured 246 MB.
PEAK_MB_10MB_PAGE = 246
RUNTIME_MB = 60
BATCHES = 3  # SQS batches of template's BatchSize measured (after one warm-up batch)
# The timed batches run this many times, each time as new objects (new keys), and the fastest
# time counts: the CPU time of the same work on a shared machine varies by a third from run to
# run, and only upwards.
ROUNDS = 3


class PipelineMeter(DynamoMeter):
    """DynamoMeter on the ingest table, also billing Query reads by the bytes returned."""

    def __init__(self, counted: Any, reader: Any, table: str) -> None:
        self._table = table
        super().__init__(counted, reader)
        counted.meta.events.register("after-call.dynamodb.Query", self._on_query)

    def _item(self, item_key: dict[str, Any]) -> dict[str, Any]:
        found = self._reader.get_item(TableName=self._table, Key=item_key, ConsistentRead=True)
        item: dict[str, Any] = found.get("Item", {})
        return item

    def _on_query(self, parsed: dict[str, Any], **_: Any) -> None:
        returned = sum(item_bytes(item) for item in parsed.get("Items", []))
        self.count.read_units += max(1, math.ceil(returned / 4096))


def template_settings() -> dict[str, Any]:
    """Batch size and memory size of the ingest function, as the template says."""
    function = load_template(ROOT / "template.yaml")["Resources"]["IngestFunction"]["Properties"]
    return {
        "batch_size": function["Events"]["IngestQueue"]["Properties"]["BatchSize"],
        "memory_mb": function["MemorySize"],
    }


# A watchlist that nearly every news page matches: the matched articles' path (story, claim,
# delivery, SNS publish), measured apart and weighted by MATCH_RATE.
EVERY_ARTICLE = {"watchlists": [{"name": "said", "any": ["said"]}]}
# The share of articles that match some watchlist: stated, not measured (it is the user's
# watchlists that decide it). Each match is one SNS publish delivered to one email address.
MATCH_RATE = 0.05


def measure(batch_size: int, *, matching: bool) -> dict[str, Any]:
    """Per-article figures from the handler: ``BATCHES`` full SQS batches timed (the fastest of
    ``ROUNDS``, in CPU time less moto's), then as many different pages metered (the meter's own
    reads are not timed)."""
    from tests.ingest_env import BUCKET, TABLE, LambdaContext, create_ingest_env, load_function

    pages = load_pages(aeb_dir())
    needed = batch_size * (2 * BATCHES + 1)
    pages = (pages * (needed // len(pages) + 1))[:needed]
    with mock_aws(), contextlib.ExitStack() as stack:
        env = create_ingest_env()
        if matching:
            env.push_watchlists(EVERY_ARTICLE)
        else:
            install_index(
                env.s3, env.dynamodb, bucket=BUCKET, table=TABLE, index=cached_index(WATCHLISTS)
            )
        # The whole run in the function's environment: the handler reads it on first use.
        stack.enter_context(function_environment(env.settings, REGION))
        app: Any = load_function("ingest", "cost_app")
        pipeline = env.pipeline(watchlist_refresh_seconds=300)
        app.ingest_pipeline = lambda: pipeline
        logged = io.StringIO()
        app.logger.registered_handler.setStream(logged)
        # The template's default LogLevel. Powertools' loggers of one service share one logging
        # logger, which an earlier suite's local stack (LogLevel CRITICAL) leaves at its level:
        # the full run then counted 25 B logged per article instead of 484.
        app.logger.setLevel("INFO")

        def batches_of(prefix: str, chosen: list[Any]) -> list[list[Any]]:
            refs = [env.put(f"{prefix}{n:04}.html", page.html) for n, page in enumerate(chosen)]
            return [refs[i : i + batch_size] for i in range(0, len(refs), batch_size)]

        articles = batch_size * BATCHES
        warm_up = batches_of("incoming/warm-up/", pages[:batch_size])
        rounds = [
            batches_of(f"incoming/round-{n}/", pages[batch_size : batch_size + articles])
            for n in range(ROUNDS)
        ]
        metered = batches_of("incoming/metered/", pages[batch_size + articles :])

        def run(batch: list[Any]) -> None:
            """One batch through the handler, which must process every record: a failing
            record would be measured as a cheap article."""
            response = app.handler(sqs_event(batch, REGION), LambdaContext(memory_limit_in_mb=1024))
            if response["batchItemFailures"]:
                raise RuntimeError(f"the handler failed records: {logged.getvalue()[-2000:]}")

        with contextlib.redirect_stdout(logged):
            # The first batch loads the index (cold-start work, not per article).
            for batch in warm_up:
                run(batch)
            timings = []
            for timed in rounds:
                with MotoClock(time.process_time) as moto_clock:
                    started = time.process_time()
                    for batch in timed:
                        run(batch)
                    timings.append((time.process_time() - started, moto_clock.seconds))
            seconds, moto_seconds = min(timings)
            meter = PipelineMeter(env.dynamodb, boto3.client("dynamodb", region_name=REGION), TABLE)
            calls: Counter[str] = Counter()
            for client, service in ((env.s3, "s3"), (env.sns, "sns")):
                client.meta.events.register(
                    f"before-call.{service}",
                    lambda model, service=service, **_: calls.update([f"{service}:{model.name}"]),
                )
            logged.seek(0)
            logged.truncate()
            for batch in metered:
                run(batch)
        delivered = env.alerts()
    dynamo_calls = meter.count.total_calls
    return {
        "articles": articles,
        "handler_seconds_per_article": (seconds - moto_seconds) / articles,
        "moto_seconds_per_article": moto_seconds / articles,
        "dynamodb_calls_per_article": dynamo_calls / articles,
        "dynamodb_calls": dict(meter.count.calls),
        "write_units_per_article": meter.count.write_units / articles,
        "read_units_per_article": meter.count.read_units / articles,
        "s3_gets_per_article": calls["s3:GetObject"] / articles,
        "s3_calls": {k: v for k, v in calls.items() if k.startswith("s3:")},
        "sns_publishes_per_article": calls["sns:Publish"] / articles,
        "alert_deliveries_per_article": len(delivered) / articles,
        "log_bytes_per_article": len(logged.getvalue().encode()) / articles,
        "aws_calls_per_article": (dynamo_calls + sum(calls.values())) / articles,
    }


def blended(unmatched: dict[str, Any], matched: dict[str, Any]) -> dict[str, Any]:
    """Per-article figures at MATCH_RATE: the mix of the two runs (time from the unmatched run,
    whose index is the 1,000 watchlists)."""
    times = ("handler_seconds_per_article", "moto_seconds_per_article")
    mix = {
        key: (1 - MATCH_RATE) * value + MATCH_RATE * matched[key]
        for key, value in unmatched.items()
        if isinstance(value, float) and key not in times
    }
    return {**mix, **{key: unmatched[key] for key in times}}


def cost_terms(m: dict[str, Any], batch_size: int, memory_mb: int) -> list[tuple[str, float]]:
    """Dollars per article, term by term (full batches, one email subscriber per alert)."""
    seconds = lambda_seconds(m, memory_mb)
    return [
        ("Lambda GB-seconds", memory_mb / 1024 * seconds * LAMBDA_GB_SECOND_ARM64),
        ("Lambda requests (1 per batch)", LAMBDA_REQUEST / batch_size),
        # S3's send, one receive and one batch delete per batch.
        ("SQS requests", SQS_REQUEST * (1 + 2 / batch_size)),
        ("S3 GETs", m["s3_gets_per_article"] * S3_GET),
        ("S3 PUT (the upload)", S3_PUT),
        ("DynamoDB write units", m["write_units_per_article"] * DYNAMODB_WRITE_UNIT),
        ("DynamoDB read units", m["read_units_per_article"] * DYNAMODB_READ_UNIT),
        # At the stated rate: the measured run's storm control holds most of one watchlist's
        # alerts for its digest, which would understate a spread of watchlists.
        ("SNS publishes", MATCH_RATE * SNS_PUBLISH),
        ("SNS email deliveries", MATCH_RATE * SNS_EMAIL_DELIVERY),
        ("CloudWatch Logs ingestion", m["log_bytes_per_article"] / 1e9 * LOGS_INGESTED_GB),
    ]


def lambda_seconds(m: dict[str, Any], memory_mb: int) -> float:
    """Billed seconds per article at ``memory_mb``: the measured one-core compute stretched by
    Lambda's CPU share, plus the AWS calls' round trips (which no CPU share shortens)."""
    share = min(1.0, memory_mb / FULL_VCPU_MB)
    seconds: float = m["handler_seconds_per_article"] / share
    waits: float = m["aws_calls_per_article"] * AWS_CALL_SECONDS
    return seconds + waits


def memory_table(m: dict[str, Any]) -> list[dict[str, Any]]:
    """Cost and latency per article at each memory size, as AWS Lambda Power Tuning compares."""
    rows = []
    for memory_mb in MEMORY_SIZES_MB:
        seconds = lambda_seconds(m, memory_mb)
        dollars = memory_mb / 1024 * seconds * LAMBDA_GB_SECOND_ARM64
        rows.append(
            {
                "memory_mb": memory_mb,
                "seconds_per_article": seconds,
                "dollars_per_million": dollars * ARTICLES,
                "cost_x_latency": dollars * ARTICLES * seconds,
                "fits_10mb_page": memory_mb >= PEAK_MB_10MB_PAGE + RUNTIME_MB,
            }
        )
    return rows


def main() -> dict[str, Any]:
    """Print and return the cost per million articles and the memory-size table."""
    if not (aeb_dir() / "ground-truth.json").exists():
        print(f"cost benchmark skipped: no aeb-dev at {aeb_dir()}")
        return {"goals": [goal("cost <= $3 per million articles", "no aeb-dev", None)]}
    settings = template_settings()
    batch_size, memory_mb = settings["batch_size"], settings["memory_mb"]
    unmatched = measure(batch_size, matching=False)
    matched = measure(batch_size, matching=True)
    m = blended(unmatched, matched)
    terms = cost_terms(m, batch_size, memory_mb)
    per_million = sum(dollars for _, dollars in terms) * ARTICLES
    # The upload's PUT is the sender's cost, paid whatever processes the page; the goal is ours.
    pipeline_per_million = per_million - S3_PUT * ARTICLES
    lambda_per_article = terms[0][1] + terms[1][1]
    instance_month = T4G_SMALL_HOUR * HOURS_PER_MONTH
    break_even = instance_month / lambda_per_article
    instance_capacity = 2 * 3600 * HOURS_PER_MONTH / m["handler_seconds_per_article"]
    largest = max((t for t in terms if not t[0].startswith("S3 PUT")), key=lambda t: t[1])
    print_rows(
        f"Per article, {BATCHES * batch_size} articles per run (handler on moto; {WATCHLISTS:,} "
        f"watchlists, and one that every article matches, mixed at {MATCH_RATE:.0%})",
        [
            (
                "handler CPU time (one core), less moto's",
                f"{m['handler_seconds_per_article'] * 1e3:.1f} ms "
                f"(moto answering its calls: {m['moto_seconds_per_article'] * 1e3:.1f} ms)",
            ),
            (
                "DynamoDB calls / write units / read units",
                f"{m['dynamodb_calls_per_article']:.1f} / {m['write_units_per_article']:.1f} / "
                f"{m['read_units_per_article']:.1f}",
            ),
            (
                "S3 GETs, SNS publishes, alert deliveries",
                f"{m['s3_gets_per_article']:.2f}, {m['sns_publishes_per_article']:.2f}, "
                f"{m['alert_deliveries_per_article']:.2f}",
            ),
            ("bytes logged", f"{m['log_bytes_per_article']:,.0f} B"),
        ],
    )
    print_rows(
        f"Cost of {ARTICLES:,} articles, us-east-1 arm64 list prices of {PRICES_READ}, "
        f"{memory_mb} MB, batch {batch_size}, match rate "
        f"{MATCH_RATE:.0%} (one email subscriber)",
        [
            *((name, f"${dollars * ARTICLES:8.3f}") for name, dollars in terms),
            ("total per million", f"${per_million:8.3f}"),
            ("  without the upload's PUT (the pipeline's)", f"${pipeline_per_million:8.3f}"),
            ("total per 100 million", f"${per_million * 100:8.2f}"),
            ("  without the upload's PUT", f"${pipeline_per_million * 100:8.2f}"),
            ("largest term of the pipeline's", largest[0]),
            ("t4g.small always on, per month", f"${instance_month:.2f}"),
            ("  cheaper than Lambda compute above", f"{break_even:,.0f} articles/month"),
            (
                "  its capacity (2 vCPU, this run's time)",
                f"{instance_capacity:,.0f} articles/month",
            ),
        ],
    )
    table = memory_table(m)
    print(
        f"\nLambda memory size (CPU share: memory / {FULL_VCPU_MB:,} MB of one vCPU; "
        f"{AWS_CALL_SECONDS * 1e3:.0f} ms per AWS call assumed)"
    )
    print(
        f"{'MB':>6} {'s/article':>10} {'$/million':>10} {'cost x latency':>15} {'10 MB page':>11}"
    )
    for row in table:
        print(
            f"{row['memory_mb']:>6} {row['seconds_per_article']:>10.3f} "
            f"{row['dollars_per_million']:>10.3f} {row['cost_x_latency']:>15.4f} "
            f"{'fits' if row['fits_10mb_page'] else 'too small':>11}"
        )
    return {
        "unmatched": unmatched,
        "matched": matched,
        "blended": m,
        "match_rate": MATCH_RATE,
        "prices_read": PRICES_READ,
        "batch_size": batch_size,
        "memory_mb": memory_mb,
        "terms_per_million": {name: dollars * ARTICLES for name, dollars in terms},
        "total_per_million": per_million,
        "pipeline_per_million": pipeline_per_million,
        "largest_term": largest[0],
        "t4g_small_break_even_articles_per_month": break_even,
        "memory_sizes": table,
        "goals": [
            goal(
                "cost <= $3 per million articles (pipeline, without the upload's PUT)",
                f"${pipeline_per_million:.2f}",
                pipeline_per_million <= 3.0,
            )
        ],
    }


if __name__ == "__main__":
    main()
