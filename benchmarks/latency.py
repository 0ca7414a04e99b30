"""Upload-to-alert latency on the local stack (issue 10): from PutObject returning to the
handler's SNS Publish returning, median and p95 over 100 uploads. Goals: <= 1 s median,
<= 2 s p95.

The stack of ``newswatch local``: moto's server, the real ingest handler, one Dispatcher worker
long-polling the ingest queue as Lambda's poller does (template.yaml's BatchSize, no batching
window), watchlists.yaml pushed. Each upload is a generated article that a watchlist matches
(benchmarks/loadtest.py's, spread over seven watchlists so that storm control, 20 instant
alerts a watchlist an hour, holds none back), one at a time with GAP_SECONDS between one
upload's batch returning and the next upload, so that no figure includes queueing; no faults.
One unmeasured upload first: the first event loads the watchlist index, a cold start that the
coldstart suite measures.

Where the time goes, per upload (medians, :mod:`benchmarks.local_timing`): in the queue
(PutObject returned to the worker's ReceiveMessage returning with the message; below zero when
moto's notification reached the worker before PutObject's answer reached the uploader); the
handler's AWS calls between that and the publish (moto over loopback: the local stack's price,
not Lambda's); and the rest of the handler (extraction, matching, botocore's client work, our
code). After the publish the batch still deletes its message; that is not in the figure.
The calls to moto are most of it, and they grow as the table does: moto's TransactWriteItems
copies the whole table and its Query sorts it, which DynamoDB does not, so the later uploads of
a run are slower than the first (about 40 ms a transaction at 10 articles, several times that
at 100).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from newswatch.aws import clients
from newswatch.local.runner import Dispatcher, LocalStack

from benchmarks.loadtest import Tally, corpus, generated_page, put, start_stack
from benchmarks.local_timing import CallClock
from benchmarks.results import goal, median, p95, print_rows

UPLOADS = 100
GAP_SECONDS = 0.2
# An upload whose batch has not come back by then is counted as not alerted.
RESULT_TIMEOUT_SECONDS = 30.0
MEDIAN_GOAL_SECONDS = 1.0
P95_GOAL_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Sample:
    """One upload's times in seconds, from PutObject returning."""

    received: float
    published: float | None  # None: the handler published nothing for it
    returned: float  # its batch back from the handler
    aws_calls: float  # the handler's AWS calls between receipt and publish, in seconds
    calls: int  # and how many
    operations: dict[str, float]  # seconds by operation, of those calls


@dataclass
class _Run:
    local: LocalStack
    dispatcher: Dispatcher
    clock: CallClock
    s3: Any
    tally: Tally

    def upload(self, key: str, body: bytes) -> Sample | None:
        """Upload one object and wait for the handler's batch with it; None if it never came."""
        sent = time.monotonic()
        article_id = put(self.local, self.s3, key, body, self.tally)
        uploaded = self.tally.uploaded[article_id]
        while time.monotonic() < uploaded + RESULT_TIMEOUT_SECONDS:
            result = self.dispatcher.next_result(timeout=0.5)
            if result is None:
                continue
            returned = time.monotonic()
            self.tally.add(result, returned)
            if any(ref.article_id == article_id for ref in result.succeeded):
                break
        else:
            return None
        calls = self.clock.ended_between(sent, returned)
        received = min((c.ended for c in calls if c.operation == "ReceiveMessage"), default=sent)
        published = min((c.ended for c in calls if c.operation == "Publish"), default=None)
        handled = [c for c in calls if c.started >= received and c.ended <= (published or 0)]
        operations: dict[str, float] = defaultdict(float)
        for call in handled:
            operations[call.operation] += call.ended - call.started
        return Sample(
            received=received - uploaded,
            published=None if published is None else published - uploaded,
            returned=returned - uploaded,
            aws_calls=sum(operations.values()),
            calls=len(handled),
            operations=operations,
        )


def measure(uploads: int) -> list[Sample | None]:
    """One warm-up upload, then ``uploads`` measured ones, through a fresh local stack."""
    previous_default, previous_functions = boto3.DEFAULT_SESSION, clients.use_session(None)
    session = botocore.session.get_session()
    clock = CallClock().install(session)
    _, vocabulary = corpus()
    rng = random.Random(10)
    with tempfile.TemporaryDirectory(prefix="newswatch-latency-") as outbox:
        local = start_stack(session, Path(outbox))
        try:
            dispatcher = Dispatcher(local, workers=1).start()
            run = _Run(local, dispatcher, clock, local.stack.s3(), Tally())
            try:
                samples = []
                for number in range(uploads + 1):
                    page = generated_page(number, vocabulary, rng)
                    samples.append(run.upload(f"incoming/latency/{number:04d}.html", page))
                    time.sleep(GAP_SECONDS)
            finally:
                dispatcher.stop(timeout=2)
        finally:
            local.stop()
            boto3.DEFAULT_SESSION = previous_default
            clients.use_session(previous_functions)
    return samples[1:]


def main(uploads: int = UPLOADS) -> dict[str, Any]:
    """Print and return the latency figures and the two goals."""
    samples = measure(uploads)
    alerted = [s for s in samples if s is not None and s.published is not None]
    latency = [s.published for s in alerted if s.published is not None]
    figures: dict[str, Any] = {"uploads": uploads, "alerted": len(alerted)}
    if not alerted:
        print(f"none of {uploads} uploads alerted")
        figures["goals"] = [
            goal("upload-to-alert median <= 1 s", "no alert", None),
            goal("upload-to-alert p95 <= 2 s", "no alert", None),
        ]
        return figures
    operations: dict[str, float] = defaultdict(float)
    for sample in alerted:
        for name, seconds in sample.operations.items():
            operations[name] += seconds
    rest = [s.published - s.received - s.aws_calls for s in alerted if s.published is not None]
    figures |= {
        "median_s": median(latency),
        "p95_s": p95(latency),
        "max_s": max(latency),
        "mean_s": sum(latency) / len(latency),
        "in_queue_median_s": median([s.received for s in alerted]),
        "handler_aws_calls_median_s": median([s.aws_calls for s in alerted]),
        "handler_aws_calls_median": median([s.calls for s in alerted]),
        "handler_rest_median_s": median(rest),
        "batch_returned_median_s": median([s.returned for s in alerted]),
        "aws_call_s_per_upload": {
            name: seconds / len(alerted)
            for name, seconds in sorted(operations.items(), key=lambda item: -item[1])
        },
    }
    ms = 1e3
    print_rows(
        f"Upload to alert on the local stack: {len(alerted)} of {uploads} uploads alerted, "
        f"one at a time, 1 worker",
        [
            (
                "PutObject returned -> Publish returned: median / p95 / max",
                f"{figures['median_s'] * ms:.0f} / {figures['p95_s'] * ms:.0f} / "
                f"{figures['max_s'] * ms:.0f} ms",
            ),
            (
                "  in the queue (to ReceiveMessage returning)",
                f"{figures['in_queue_median_s'] * ms:.0f} ms",
            ),
            (
                "  the handler's AWS calls to moto",
                f"{figures['handler_aws_calls_median_s'] * ms:.0f} ms "
                f"({figures['handler_aws_calls_median']:.0f} calls)",
            ),
            (
                "  the rest of the handler (extraction, matching, our code)",
                f"{figures['handler_rest_median_s'] * ms:.0f} ms",
            ),
            *(
                (f"    {name}", f"{seconds * ms:.1f} ms an upload")
                for name, seconds in figures["aws_call_s_per_upload"].items()
            ),
            (
                "to the batch returning (message deleted)",
                f"{figures['batch_returned_median_s'] * ms:.0f} ms",
            ),
        ],
    )
    every = "" if len(alerted) == uploads else f", {uploads - len(alerted)} uploads not alerted"
    figures["goals"] = [
        goal(
            "upload-to-alert median <= 1 s (local stack, PutObject to SNS Publish)",
            f"{figures['median_s']:.2f} s{every}",
            figures["median_s"] <= MEDIAN_GOAL_SECONDS and not every,
        ),
        goal(
            "upload-to-alert p95 <= 2 s (local stack, PutObject to SNS Publish)",
            f"{figures['p95_s']:.2f} s{every}",
            figures["p95_s"] <= P95_GOAL_SECONDS and not every,
        ),
    ]
    return figures


if __name__ == "__main__":
    main()
