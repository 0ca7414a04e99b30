"""The ingest Lambda: unwrap the event, run each announced object through the pipeline.

Thin on purpose: everything that decides what happens to an article is in
``newswatch.pipeline``, which the local stack and the tests drive too. Here: logging, metrics,
the SQS partial batch response, and one pipeline (with its AWS clients) per container.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from newswatch.startup import collector_paused

with collector_paused():
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
    from aws_lambda_powertools.metrics import MetricUnit, single_metric
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from newswatch.config import Settings
    from newswatch.events import ObjectRef, object_refs, object_refs_from_message
    from newswatch.pipeline import IngestPipeline, Outcome, Status

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "newswatch"))
# The pipeline logs through the standard logging module; give it the same JSON format.
copy_config_to_registered_loggers(source_logger=logger, include={"newswatch"})
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "newswatch")
metrics = Metrics(namespace=NAMESPACE)
# Keys that say on every line what the log group already says (the function's name, ARN and
# memory size; the source line): half the bytes of the one line each article logs, and
# CloudWatch Logs bills every byte. The request id and cold start stay.
CONSTANT_LOG_KEYS = ("function_name", "function_arn", "function_memory_size", "location")

if TYPE_CHECKING:
    from newswatch.aws.dead_letters import DeadLetterLog

Handler = Callable[[dict[str, Any], LambdaContext], Mapping[str, object]]


class RecordDeferred(Exception):
    """A record not started because too little of the invocation remains: SQS redelivers it."""


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


@functools.cache
def ingest_pipeline() -> IngestPipeline:
    """Built on first use, then kept for the container's life (clients, watchlist cache)."""
    with collector_paused():
        return IngestPipeline.from_settings(settings())


def _traced(handler: Handler) -> Handler:
    """X-Ray tracing only when asked for: importing the Tracer costs ~0.66 s of cold start."""
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() in {"true", "1"}:
        return handler
    from aws_lambda_powertools import Tracer

    return Tracer().capture_lambda_handler(handler)


@_traced
@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> Mapping[str, object]:
    """SQS batch (the deployed path): failures are reported per record, so SQS retries only
    those. A direct S3 or EventBridge event: any failure fails the invocation (and is retried by
    Lambda's asynchronous retry)."""
    logger.remove_keys(CONSTANT_LOG_KEYS)  # appended again by each inject_lambda_context
    records = event.get("Records") or [{}]
    if records[0].get("eventSource") == "aws:sqs":
        return _partial_batch_response(records, context)
    outcomes = [_ingest(ref) for ref in object_refs(event)]
    return {"outcomes": [_summary(outcome) for outcome in outcomes]}


def _partial_batch_response(
    records: list[dict[str, Any]], context: LambdaContext
) -> dict[str, list[dict[str, str]]]:
    """SQS's partial batch response: the records that failed or were deferred, which SQS alone
    redelivers (a batch whose every record failed answers the same way; RecordFailures and
    RecordsDeferred count them). Powertools' BatchProcessor does this too, but importing it
    (asyncio and every event class) cost 0.1 s of each cold start."""
    failed = []
    for record in records:
        try:
            _ingest_message(record, context)
        except Exception:  # reported, logged and counted by _ingest_message
            failed.append({"itemIdentifier": str(record["messageId"])})
    return {"batchItemFailures": failed}


def _ingest_message(record: dict[str, Any], lambda_context: LambdaContext) -> None:
    try:
        _start_or_defer(record, lambda_context)
        for ref in object_refs_from_message(record["body"]):
            _ingest(ref)
    except RecordDeferred:
        raise
    except Exception:
        # SQS retries the record and, after maxReceiveCount, moves it to the dead-letter queue;
        # Lambda's Errors metric does not count partial batch failures, so count them here.
        metrics.add_metric(name="RecordFailures", unit=MetricUnit.Count, value=1)
        # The response only reports the id back to SQS; say here what went wrong.
        logger.exception(
            "record failed; SQS will retry it",
            extra={"message_id": record["messageId"], "receive_count": _receive_count(record)},
        )
        _record_last_error(record)
        raise


def _receive_count(record: dict[str, Any]) -> int:
    return int(record.get("attributes", {}).get("ApproximateReceiveCount", 1))


def _start_or_defer(record: dict[str, Any], lambda_context: LambdaContext) -> None:
    """Raise :class:`RecordDeferred` (SQS redelivers the record, unstarted) when the invocation
    could time out before the record is done: a timeout would fail every record of the batch."""
    remaining_ms = lambda_context.get_remaining_time_in_millis()
    needed_seconds = settings().record_start_seconds
    if remaining_ms >= needed_seconds * 1000:
        return
    # Every later record of the batch is deferred too: the remaining time only shrinks.
    metrics.add_metric(name="RecordsDeferred", unit=MetricUnit.Count, value=1)
    logger.warning(
        "record deferred to SQS: too little time left in this invocation",
        extra={"message_id": record["messageId"], "remaining_ms": remaining_ms},
    )
    raise RecordDeferred(f"{remaining_ms} ms left, {needed_seconds:g} s needed")


@functools.cache
def dead_letter_log() -> DeadLetterLog:
    """Built on the first failure only: a healthy container never pays for its import and
    client."""
    from newswatch.aws import clients
    from newswatch.aws.dead_letters import DeadLetterLog

    return DeadLetterLog(clients.client("dynamodb"), table_name=settings().table_name)


def _record_last_error(record: dict[str, Any]) -> None:
    """Keep why the record failed where `newswatch dlq list` finds it once SQS gives up."""
    error = sys.exc_info()[1]
    try:
        dead_letter_log().record_failure(
            record["messageId"],
            f"{type(error).__name__}: {error}",
            receive_count=_receive_count(record),
            recorded_by="ingest handler",
        )
    except Exception:
        # The record is retried all the same; only its error text is lost.
        logger.warning("could not record the error", extra={"message_id": record["messageId"]})


def _ingest(ref: ObjectRef) -> Outcome:
    outcome = ingest_pipeline().process(ref)
    # Only what is set: the empty fields were a fifth of the bytes logged per article.
    summary = {name: value for name, value in _summary(outcome).items() if value}
    logger.info("object processed", extra={"s3_uri": ref.s3_uri, **summary})
    if outcome.status is Status.STORED:
        metrics.add_metric(name="ArticlesStored", unit=MetricUnit.Count, value=1)
    elif outcome.status is Status.REJECTED:
        # Its own EMF record, so that the reason is a dimension (one series per reason).
        with single_metric(
            name="Rejections", unit=MetricUnit.Count, value=1, namespace=NAMESPACE
        ) as metric:
            metric.add_dimension(name="reason", value=outcome.reason or "unknown")
    elif outcome.status is Status.DUPLICATE:
        metrics.add_metric(name="DuplicatesSkipped", unit=MetricUnit.Count, value=1)
    for name, alerts in (
        ("AlertsSent", outcome.alerts_sent),
        # Held by storm control for the digest; refused by SNS for good (never retried).
        ("AlertsHeld", outcome.alerts_held),
        ("AlertsFailed", outcome.alerts_failed),
    ):
        if alerts:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=len(alerts))
    return outcome


def _summary(outcome: Outcome) -> dict[str, Any]:
    return {
        "article_id": outcome.article_id,
        "status": outcome.status.value,
        "reason": outcome.reason,
        "matched": list(outcome.matched),
        "story_id": outcome.story_id,
        "alerts_sent": list(outcome.alerts_sent),
        "alerts_held": list(outcome.alerts_held),
        "alerts_failed": list(outcome.alerts_failed),
    }
