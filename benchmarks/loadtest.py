"""`make loadtest`: thousands of articles through the local stack (moto's server, the real
handler, several concurrent workers) with transient AWS faults injected, on loopback only.

Pages: the aeb-dev pages and the samples, each uploaded as many variants (a marker comment
and a numbered title make every object a new version with its own id; most variants of a page
are copies of one story, which alerts once), every REJECTED_EVERY-th object a PNG (a stored
rejection), and PERMANENT_FAILURES messages that are not S3 notifications (they can only end
in the dead-letter queue).

Faults: FAULT_RATE of the handler's S3 GetObject, article PutItem, story TransactWriteItems
and SNS Publish calls fail with what AWS raises (SlowDown, ProvisionedThroughputExceeded,
TransactionCanceled, InternalError), from a botocore ``before-call`` hook on the session the
handler's clients come from. A failed record comes back after the runner's retry delay.

Reported: throughput, stored + rejected against uploaded (equal when nothing is lost),
dead-lettered (only the permanent failures), duplicate alerts (an alert published twice for
one article, kind and subject: zero), and upload-to-alert latency p50/p95 (PutObject returned to
the handler's SNS Publish returning, :mod:`benchmarks.local_timing`; under this load mostly
queueing). The last line is for scripts.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.exceptions import ClientError
from newswatch.aws import clients
from newswatch.events import ObjectRef
from newswatch.extraction import extract_article
from newswatch.local.runner import BatchResult, Dispatcher, LocalStack

from benchmarks.aeb import aeb_dir, load_pages
from benchmarks.local_timing import CallClock
from benchmarks.results import median, p95

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ARTICLES = 5_000
DEFAULT_WORKERS = 4
# Of the calls below, this share fails. An unmatched article makes two of them per attempt and
# a matched one up to about five, so one attempt in eight fails and is retried (measured); the
# template's five receives in a row, which would dead-letter it, fail for about one object in
# 30,000 (0.125^5), more often for matched ones.
FAULT_RATE = 0.05
REJECTED_EVERY = 50
MATCHING_EVERY = 10
# Phrases that watchlists.yaml's watchlists match (nk-russia, korean-peninsula-troops,
# zelensky-talks, us-sanctions, who-outbreaks, storm-warnings, ukraine-security-headline: a
# generated title carries the phrase and so does the body). Storm control allows each watchlist
# 20 instant alerts an hour, so spreading the articles over seven lets `latency` alert for all
# of its 100.
MATCHING_PHRASES = (
    "North Korea sends envoys to Russia",
    "Korea sends troops abroad",
    "Zelensky held talks with allies",
    "US sanctions on shipping firms",
    "WHO warns of an outbreak",
    "Amber warning as a storm nears",
    "Ukraine security: what next for Ukraine",
)
PERMANENT_FAILURES = 3
# Threads that read the receipts at the end: one at a time, 5,000 reads took 90 s.
RECEIPT_READERS = 4
# The whole run stops by itself after this, finished or not (the bound: 10 minutes).
TIME_LIMIT_SECONDS = 9 * 60
PROGRESS_EVERY_SECONDS = 5.0
# A failed record's wait before its retry (Lambda's would be the visibility timeout).
RETRY_DELAY_SECONDS = 1
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def _fault(code: str, operation: str, status: int) -> Callable[[], ClientError]:
    response: Any = {
        "Error": {"Code": code, "Message": f"injected {code}"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return lambda: ClientError(response, operation)


# (operation, predicate on its parameters, the error it raises)
FAULTS: dict[str, tuple[Callable[[dict[str, Any]], bool], Callable[[], ClientError]]] = {
    "GetObject": (
        lambda params: str(params.get("Key", "")).startswith("incoming/"),
        _fault("SlowDown", "GetObject", 503),
    ),
    "PutItem": (
        lambda params: params.get("Item", {}).get("SK", {}).get("S") == "ARTICLE",
        _fault("ProvisionedThroughputExceededException", "PutItem", 400),
    ),
    "TransactWriteItems": (
        lambda _: True,
        _fault("TransactionCanceledException", "TransactWriteItems", 400),
    ),
    "Publish": (lambda _: True, _fault("InternalError", "Publish", 500)),
}


@dataclass
class FaultInjector:
    """Fails FAULT_RATE of the fault-prone calls made on the handler's worker threads."""

    rate: float
    rng: random.Random = field(default_factory=lambda: random.Random(9))
    injected: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, session: botocore.session.Session) -> None:
        session.get_component("event_emitter").register("before-parameter-build", self._maybe_fail)

    def _maybe_fail(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if not threading.current_thread().name.startswith("handler-"):
            return  # the uploader, the runner's own polling
        fault = FAULTS.get(model.name)
        if fault is None or not fault[0](params):
            return
        with self._lock:
            hit = self.rng.random() < self.rate
            if hit:
                self.injected[model.name] += 1
        if hit:
            raise fault[1]()


@dataclass
class Tally:
    uploaded: dict[str, float] = field(default_factory=dict)  # article id -> upload time
    finished: set[str] = field(default_factory=set)
    failed_attempts: int = 0
    attempts: int = 0
    alert_latency: list[float] = field(default_factory=list)
    publishes: Counter[tuple[str, str | None, str]] = field(default_factory=Counter)
    seen_messages: set[str] = field(default_factory=set)
    # SNS message id -> when the handler's Publish returned (a CallClock's): the alert's time
    # where known, else the time its batch came back.
    publish_times: dict[str, float] = field(default_factory=dict)

    def add(self, result: BatchResult, at: float) -> None:
        self.failed_attempts += result.failed_messages
        self.attempts += result.failed_messages + len(result.succeeded)
        self.finished.update(ref.article_id for ref in result.succeeded)
        for alert in result.alerts:
            if alert.message_id in self.seen_messages:
                continue  # the same publish, to another subscriber
            self.seen_messages.add(alert.message_id)
            self.publishes[(alert.kind, alert.article_id, alert.subject)] += 1
            uploaded = self.uploaded.get(alert.article_id or "")
            if uploaded is not None:
                published = self.publish_times.get(alert.message_id, at)
                self.alert_latency.append(published - uploaded)


def generated_page(number: int, vocabulary: list[str], rng: random.Random) -> bytes:
    """An article of random words that a watchlist of watchlists.yaml matches: a story of its
    own (no other page shares its paragraphs), so it alerts unless storm control holds it."""
    trigger = MATCHING_PHRASES[number % len(MATCHING_PHRASES)]
    paragraphs = [
        " ".join(rng.choice(vocabulary) for _ in range(60)).capitalize() + "." for _ in range(6)
    ]
    paragraphs[1] = f"{trigger}. {paragraphs[1]}"
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    title = f"{trigger}: report {number}"
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
        "</article></body></html>"
    ).encode()


def corpus() -> tuple[list[bytes], list[str]]:
    """The pages to upload and the words of the generated articles."""
    samples = [path.read_bytes() for path in sorted((ROOT / "samples").glob("*.html"))]
    # The development pages where they are checked out beside the repository; a fresh clone
    # has the samples alone, and their extracted text gives the generated articles' words.
    loaded = load_pages() if (aeb_dir() / "ground-truth.json").exists() else []
    pages = [page.html for page in loaded] + samples
    texts = [page.truth for page in loaded] or [extract_article(page).text for page in samples]
    return pages, sorted({word for text in texts for word in text.split() if word.isalpha()})


def variants(count: int) -> list[tuple[str, bytes]]:
    """``count`` (key, body) pairs: the pages round-robin, every MATCHING_EVERY-th a
    generated matching article, every REJECTED_EVERY-th a PNG."""
    pages, vocabulary = corpus()
    rng = random.Random(5)
    made = []
    for number in range(count):
        if number % REJECTED_EVERY == REJECTED_EVERY - 1:
            made.append((f"incoming/load/{number:05d}.html", PNG))
            continue
        if number % MATCHING_EVERY == 0:
            made.append(
                (f"incoming/load/{number:05d}.html", generated_page(number, vocabulary, rng))
            )
            continue
        page = pages[number % len(pages)]
        marker = f"<!-- loadtest variant {number} -->".encode()
        made.append(
            (
                f"incoming/load/{number:05d}.html",
                page.replace(b"<head>", b"<head>" + marker, 1)
                if b"<head>" in page
                else marker + page,
            )
        )
    return made


def put(local: LocalStack, s3: Any, key: str, body: bytes, tally: Tally) -> str:
    """Upload one object; its article id, with when PutObject returned in ``tally``."""
    response = s3.put_object(Bucket=local.stack.bucket, Key=key, Body=body)
    ref = ObjectRef(bucket=local.stack.bucket, key=key, version_id=response.get("VersionId"))
    tally.uploaded[ref.article_id] = time.monotonic()
    return ref.article_id


def upload(local: LocalStack, objects: list[tuple[str, bytes]], tally: Tally) -> None:
    s3 = local.stack.s3()
    for key, body in objects:
        put(local, s3, key, body, tally)
    sqs = local.stack.sqs()
    for number in range(PERMANENT_FAILURES):
        sqs.send_message(QueueUrl=local.stack.queue_url, MessageBody=f"not a notification {number}")


def queue_is_empty(local: LocalStack) -> bool:
    """No message waiting, in flight or delayed in the ingest queue."""
    attributes = local.stack.sqs().get_queue_attributes(
        QueueUrl=local.stack.queue_url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return all(int(value) == 0 for value in attributes.values())


def count_outcomes(local: LocalStack, article_ids: list[str]) -> Counter[str]:
    """Each uploaded object's receipt, as the table has it (``stored``, ``rejected``, none)."""
    store = local.stack.article_store()
    with ThreadPoolExecutor(RECEIPT_READERS) as readers:
        return Counter(outcome or "none" for outcome in readers.map(store.outcome, article_ids))


def start_stack(session: botocore.session.Session, outbox: Path) -> LocalStack:
    """A local stack from template.yaml on a free port, with watchlists.yaml pushed, whose
    handler's clients and the runner's (boto3's default session) come from ``session``."""
    clients.use_session(session)
    boto3.DEFAULT_SESSION = boto3.Session(botocore_session=session)
    local = LocalStack(
        ROOT / "template.yaml",
        port=0,
        outbox_dir=outbox,
        parameters={"LogLevel": "CRITICAL"},
        retry_delay_seconds=RETRY_DELAY_SECONDS,
    )
    local.start()
    try:
        local.push_watchlists(ROOT / "watchlists.yaml")
    except BaseException:
        local.stop()
        raise
    return local


def run(articles: int, workers: int, outbox: Path) -> str:
    session = botocore.session.get_session()
    injector = FaultInjector(FAULT_RATE)
    injector.install(session)
    clock = CallClock().install(session)
    local = start_stack(session, outbox)
    try:
        objects = variants(articles)
        tally = Tally(publish_times=clock.published)
        started = time.monotonic()
        uploader = threading.Thread(target=upload, args=(local, objects, tally), daemon=True)
        uploader.start()
        dispatcher = Dispatcher(local, workers=workers).start()
        next_progress = started + PROGRESS_EVERY_SECONDS
        finished = False
        try:
            while time.monotonic() - started < TIME_LIMIT_SECONDS:
                result = dispatcher.next_result(timeout=0.5)
                if result is not None:
                    tally.add(result, time.monotonic())
                if time.monotonic() >= next_progress:
                    dead = local.dead_letters()
                    print(
                        f"  {time.monotonic() - started:6.1f} s  uploaded {len(tally.uploaded)}"
                        f"/{articles}  done {len(tally.finished)}  retried attempts "
                        f"{tally.failed_attempts}  dead-lettered {dead}",
                        flush=True,
                    )
                    next_progress += PROGRESS_EVERY_SECONDS
                # Done when everything is uploaded and the ingest queue is empty: each message
                # ended stored, rejected or dead-lettered.
                if result is None and not uploader.is_alive() and queue_is_empty(local):
                    finished = True
                    break
        finally:
            dispatcher.stop(timeout=2)
        elapsed = time.monotonic() - started
        outcomes = count_outcomes(local, list(tally.uploaded))
        dead = local.dead_letters()
    finally:
        local.stop()
    unfinished = len(tally.uploaded) - outcomes["stored"] - outcomes["rejected"]
    if not finished:
        print(
            f"stopped at the {TIME_LIMIT_SECONDS} s limit: {articles - len(tally.uploaded)} not "
            f"uploaded, {unfinished} uploaded but not finished (still queued, not lost)"
        )
    elif unfinished:
        print(f"{unfinished} uploaded objects were dead-lettered: every attempt of theirs failed")
    duplicates = sum(count - 1 for count in tally.publishes.values() if count > 1)
    latency = sorted(tally.alert_latency)
    print(
        f"faults injected: {dict(injected_sorted(injector.injected))}; "
        f"{tally.failed_attempts} of {tally.attempts} attempts failed and were retried; "
        f"{len(tally.publishes)} alerts; receipts {dict(outcomes)}"
    )
    return (
        f"loadtest: uploaded={len(tally.uploaded)} stored={outcomes['stored']} "
        f"rejected={outcomes['rejected']} dead-lettered={dead} duplicate-alerts={duplicates} "
        f"throughput={len(tally.finished) / elapsed:.1f}/s "
        f"p50={median(latency) if latency else 0:.2f}s p95={p95(latency) if latency else 0:.2f}s"
    )


def injected_sorted(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, metavar="N")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, metavar="N")
    parser.add_argument("--outbox", type=Path, default=Path(".cache/loadtest/outbox"))
    parser.add_argument(
        "--log",
        type=Path,
        default=Path(".cache/loadtest/handler.log"),
        help="where the handler's tracebacks of the injected faults go (default %(default)s)",
    )
    args = parser.parse_args(argv)
    args.log.parent.mkdir(parents=True, exist_ok=True)
    print(f"loadtest: {args.articles} articles, {args.workers} workers; handler log {args.log}")
    with args.log.open("w", encoding="utf-8") as log, contextlib.redirect_stderr(log):
        line = run(args.articles, args.workers, args.outbox)
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
