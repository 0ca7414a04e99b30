"""The last error of each ingest message that failed, kept where ``newswatch dlq list`` finds it.

SQS keeps a failed message's body and receive count, but not why it failed: a Lambda handler
can only name the failed records in its partial batch response, and a message attribute cannot
be changed after sending. So whoever sees a record fail (the handler, or the local runner)
records the error here, keyed by the SQS message id, which the message keeps when SQS moves it
to the dead-letter queue.

Item: ``PK = DLQ#<message id>``, ``SK = LAST_ERROR``; ``error`` (one line, capped),
``receive_count``, ``failed_at``, ``recorded_by`` (who saw it fail); ``expires_at`` after SQS's
longest retention (14 days).

:class:`DeadLetterQueue` reads and empties the dead-letter queue for ``newswatch dlq``: listing
peeks (receives every message, then makes each visible again at once), redriving sends each
message back to the ingest queue and only then deletes it from the dead-letter queue. A crash
between the two leaves the message in both queues; the pipeline's receipts make the second run
of an object that already succeeded a duplicate, so redriving is safe to repeat.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newswatch.events import ObjectRef, UnrecognisedEvent, object_refs_from_message
from newswatch.untrusted import cap, clean_line

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

LAST_ERROR_SK = "LAST_ERROR"
# One line for a terminal; the full traceback is in the function's log.
MAX_ERROR_CHARS = 500
# SQS keeps a message at most 14 days; a day more so the record outlives any message it names.
RECORD_TTL_SECONDS = 15 * 24 * 3600
# BatchGetItem's limit per request.
_BATCH_GET_LIMIT = 100
# SQS's limit per ReceiveMessage.
_RECEIVE_LIMIT = 10
# How long a listed message stays hidden while the listing collects the rest; each is made
# visible again right after. Long enough for a listing of MAX_LISTED messages on a slow link.
PEEK_VISIBILITY_SECONDS = 60
# A bound on one listing or redrive: 10 receives a request, so at most 100 requests.
MAX_LISTED = 1000
# How much of a message body that is not an S3 notification a listing shows.
MAX_BODY_CHARS = 200


def dead_letter_pk(message_id: str) -> str:
    return f"DLQ#{message_id}"


@dataclass(frozen=True, slots=True)
class FailureRecord:
    """Why one message last failed."""

    message_id: str
    error: str
    receive_count: int
    failed_at: str
    recorded_by: str


class DeadLetterLog:
    """Records and reads the last error per SQS message id in the newswatch table."""

    def __init__(self, dynamodb: DynamoDBClient, *, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._table = table_name

    def record_failure(
        self, message_id: str, error: str, *, receive_count: int, recorded_by: str
    ) -> None:
        """Remember ``error`` as the last one of ``message_id`` (replacing an earlier one);
        ``recorded_by`` says who saw it (``ingest handler``, ``local runner``)."""
        self._dynamodb.put_item(
            TableName=self._table,
            Item={
                "PK": {"S": dead_letter_pk(message_id)},
                "SK": {"S": LAST_ERROR_SK},
                "error": {"S": cap(clean_line(error), MAX_ERROR_CHARS) or "(no message)"},
                "receive_count": {"N": str(receive_count)},
                "failed_at": {"S": datetime.now(UTC).isoformat(timespec="microseconds")},
                "recorded_by": {"S": recorded_by},
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
                        recorded_by=item.get("recorded_by", {}).get("S", "unknown"),
                    )
                request = dict(response.get("UnprocessedKeys") or {})
        return found


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One message in the dead-letter queue: what it announced and what SQS knows of it."""

    message_id: str
    body: str
    # The objects its body announces; empty with ``unreadable`` set if it announces none.
    objects: tuple[ObjectRef, ...]
    unreadable: str | None
    # SQS's count, which goes on in the dead-letter queue: every listing adds one.
    receive_count: int
    sent_at: datetime
    first_received_at: datetime | None
    message_attributes: dict[str, Any]
    receipt_handle: str

    @classmethod
    def from_message(cls, message: Any) -> DeadLetter:
        attributes = message.get("Attributes", {})
        body = str(message.get("Body", ""))
        try:
            objects, unreadable = tuple(object_refs_from_message(body)), None
        except UnrecognisedEvent as error:
            objects, unreadable = (), str(error)
        return cls(
            message_id=message["MessageId"],
            body=body,
            objects=objects,
            unreadable=unreadable,
            receive_count=int(attributes.get("ApproximateReceiveCount", 0)),
            sent_at=_from_epoch_millis(attributes.get("SentTimestamp")) or datetime.now(UTC),
            first_received_at=_from_epoch_millis(
                attributes.get("ApproximateFirstReceiveTimestamp")
            ),
            message_attributes=dict(message.get("MessageAttributes", {})),
            receipt_handle=message["ReceiptHandle"],
        )

    @property
    def shown_body(self) -> str:
        """The body as a listing may show it: one line, capped (it may come from anyone who
        can send to the queue)."""
        return cap(clean_line(self.body), MAX_BODY_CHARS)


@dataclass(frozen=True, slots=True)
class Redriven:
    """A message moved back to the ingest queue: its id there is a new one."""

    message_id: str
    new_message_id: str


class DeadLetterQueue:
    """The ingest path's dead-letter queue, with the ingest queue that redriven messages go
    back to."""

    def __init__(self, sqs: SQSClient, *, dlq_url: str, queue_url: str) -> None:
        self._sqs = sqs
        self._dlq_url = dlq_url
        self._queue_url = queue_url

    def messages(self, limit: int = MAX_LISTED) -> list[DeadLetter]:
        """Up to ``limit`` messages, oldest sent first; each is visible again afterwards."""
        letters = list(self._receive(limit))
        self._make_visible(letters)
        return sorted(letters, key=lambda letter: letter.sent_at)

    def redrive(
        self, message_ids: Collection[str] | None = None, *, limit: int = MAX_LISTED
    ) -> tuple[list[Redriven], set[str]]:
        """Move the messages ``message_ids`` (all, if None) back to the ingest queue. Returns
        those moved and the ids asked for but not found."""
        wanted = None if message_ids is None else set(message_ids)
        moved: list[Redriven] = []
        kept: list[DeadLetter] = []
        for letter in self._receive(limit):
            if wanted is not None and letter.message_id not in wanted:
                kept.append(letter)
                continue
            sent = (
                self._sqs.send_message(
                    QueueUrl=self._queue_url,
                    MessageBody=letter.body,
                    MessageAttributes=letter.message_attributes,
                )
                if letter.message_attributes
                else self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=letter.body)
            )
            # Deleted only once it is safely back on the ingest queue.
            self._sqs.delete_message(QueueUrl=self._dlq_url, ReceiptHandle=letter.receipt_handle)
            moved.append(Redriven(letter.message_id, sent["MessageId"]))
        self._make_visible(kept)
        missing = set() if wanted is None else wanted - {entry.message_id for entry in moved}
        return moved, missing

    def _receive(self, limit: int) -> Iterator[DeadLetter]:
        """Every message (up to ``limit``), each hidden while the rest are collected."""
        seen: set[str] = set()
        while len(seen) < limit:
            messages = self._sqs.receive_message(
                QueueUrl=self._dlq_url,
                MaxNumberOfMessages=min(_RECEIVE_LIMIT, limit - len(seen)),
                VisibilityTimeout=PEEK_VISIBILITY_SECONDS,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                return
            for message in messages:
                if message["MessageId"] not in seen:
                    seen.add(message["MessageId"])
                    yield DeadLetter.from_message(message)

    def _make_visible(self, letters: Iterable[DeadLetter]) -> None:
        pending = list(letters)
        for start in range(0, len(pending), _RECEIVE_LIMIT):
            batch = pending[start : start + _RECEIVE_LIMIT]
            self._sqs.change_message_visibility_batch(
                QueueUrl=self._dlq_url,
                Entries=[
                    {
                        "Id": str(index),
                        "ReceiptHandle": letter.receipt_handle,
                        "VisibilityTimeout": 0,
                    }
                    for index, letter in enumerate(batch)
                ],
            )


def _from_epoch_millis(value: str | None) -> datetime | None:
    return None if not value else datetime.fromtimestamp(int(value) / 1000, UTC)
