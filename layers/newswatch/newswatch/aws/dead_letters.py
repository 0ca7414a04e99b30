"""The last error of each ingest message that failed, kept where ``newswatch dlq list`` finds it.

SQS keeps a failed message's body and receive count, but not why it failed: a Lambda handler
can only name the failed records in its partial batch response, and a message attribute cannot
be changed after sending. So whoever sees a record fail (the handler, or the local runner)
records the error here, keyed by the SQS message id, which the message keeps when SQS moves it
to the dead-letter queue.

Item: ``PK = DLQ#<message id>``, ``SK = LAST_ERROR``; ``error`` (one line, capped),
``receive_count``, ``failed_at``; ``expires_at`` after SQS's longest retention (14 days).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from newswatch.untrusted import cap, clean_line

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LAST_ERROR_SK = "LAST_ERROR"
# One line for a terminal; the full traceback is in the function's log.
MAX_ERROR_CHARS = 500
# SQS keeps a message at most 14 days; a day more so the record outlives any message it names.
RECORD_TTL_SECONDS = 15 * 24 * 3600
# BatchGetItem's limit per request.
_BATCH_GET_LIMIT = 100


def dead_letter_pk(message_id: str) -> str:
    return f"DLQ#{message_id}"


@dataclass(frozen=True, slots=True)
class FailureRecord:
    """Why one message last failed."""

    message_id: str
    error: str
    receive_count: int
    failed_at: str


class DeadLetterLog:
    """Records and reads the last error per SQS message id in the newswatch table."""

    def __init__(self, dynamodb: DynamoDBClient, *, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._table = table_name

    def record_failure(self, message_id: str, error: str, *, receive_count: int) -> None:
        """Remember ``error`` as the last one of ``message_id`` (replacing an earlier one)."""
        self._dynamodb.put_item(
            TableName=self._table,
            Item={
                "PK": {"S": dead_letter_pk(message_id)},
                "SK": {"S": LAST_ERROR_SK},
                "error": {"S": cap(clean_line(error), MAX_ERROR_CHARS) or "(no message)"},
                "receive_count": {"N": str(receive_count)},
                "failed_at": {"S": datetime.now(UTC).isoformat(timespec="microseconds")},
                "expires_at": {"N": str(int(time.time()) + RECORD_TTL_SECONDS)},
            },
        )

    def last_failures(self, message_ids: Iterable[str]) -> dict[str, FailureRecord]:
        """The recorded last error of each of ``message_ids`` that has one."""
        wanted = list(dict.fromkeys(message_ids))
        found: dict[str, FailureRecord] = {}
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            keys = [
                {"PK": {"S": dead_letter_pk(message_id)}, "SK": {"S": LAST_ERROR_SK}}
                for message_id in wanted[start : start + _BATCH_GET_LIMIT]
            ]
            request: dict[str, object] = {self._table: {"Keys": keys}}
            while request:
                response = self._dynamodb.batch_get_item(RequestItems=request)  # type: ignore[arg-type]
                for item in response.get("Responses", {}).get(self._table, []):
                    message_id = item["PK"]["S"].removeprefix("DLQ#")
                    found[message_id] = FailureRecord(
                        message_id=message_id,
                        error=item["error"]["S"],
                        receive_count=int(item["receive_count"]["N"]),
                        failed_at=item["failed_at"]["S"],
                    )
                request = dict(response.get("UnprocessedKeys") or {})
        return found
