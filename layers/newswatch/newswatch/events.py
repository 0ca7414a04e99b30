"""Turn the three shapes in which S3 announces a new object into one list of :class:`ObjectRef`.

S3 delivers the same "object created" fact as a notification record (directly, or wrapped in an
SQS message body) or as an EventBridge event. The pipeline must not care which, so this module
is the single place that knows the shapes, skips S3's ``s3:TestEvent`` and decodes keys.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from newswatch.errors import NewswatchError


class UnrecognisedEvent(NewswatchError):
    """An event that is not an S3 object notification: it fails loudly (and so reaches the
    dead-letter queue) instead of being dropped."""


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """One notified object version. ``key`` is decoded (S3 sends it URL-encoded)."""

    bucket: str
    key: str
    version_id: str | None = None
    size: int | None = None
    etag: str | None = None
    sequencer: str | None = None

    @property
    def article_id(self) -> str:
        """A stable id for this object *version*, so a redelivered notification maps to the same
        records. The version id names a version; without versioning the sequencer orders writes
        to one key; moto sends neither, and the ETag then tells contents apart."""
        revision = self.version_id or self.sequencer or self.etag or ""
        digest = hashlib.sha256(f"{self.bucket}\0{self.key}\0{revision}".encode())
        return digest.hexdigest()[:32]

    @property
    def s3_uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def object_refs(event: Mapping[str, Any]) -> list[ObjectRef]:
    """The created objects an event announces: an S3 notification (``Records``), an S3 test
    event (none), or an EventBridge ``Object Created`` event.

    Records of other S3 event types (removals, restores) announce no new object and are left
    out; anything that is not an S3 event at all raises :class:`UnrecognisedEvent`.
    """
    if event.get("Event") == "s3:TestEvent":
        return []
    if "Records" in event:
        records = event["Records"]
        if not isinstance(records, list):
            raise UnrecognisedEvent("'Records' is not a list")
        return [ref for record in records if (ref := _from_s3_record(record)) is not None]
    if event.get("source") == "aws.s3" and "detail" in event:
        if event.get("detail-type") != "Object Created":
            return []
        return [_from_eventbridge_detail(event["detail"])]
    raise UnrecognisedEvent(f"not an S3 notification; keys: {sorted(event)[:10]}")


def object_refs_from_message(body: str) -> list[ObjectRef]:
    """The created objects announced by an SQS message body (an S3 notification or an
    EventBridge event that a rule sent to the queue)."""
    try:
        event = json.loads(body)
    except json.JSONDecodeError as error:
        raise UnrecognisedEvent(f"message body is not JSON: {error}") from None
    if not isinstance(event, dict):
        raise UnrecognisedEvent("message body is not a JSON object")
    return object_refs(event)


def _from_s3_record(record: Any) -> ObjectRef | None:
    try:
        if record.get("eventSource") != "aws:s3":
            raise UnrecognisedEvent(f"record from {record.get('eventSource')!r}, not aws:s3")
        if not str(record["eventName"]).startswith("ObjectCreated:"):
            return None
        s3 = record["s3"]
        return _object_ref(s3["bucket"]["name"], s3["object"], version="versionId", etag="eTag")
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise UnrecognisedEvent(f"malformed S3 notification record: {error!r}") from None


def _from_eventbridge_detail(detail: Any) -> ObjectRef:
    try:
        return _object_ref(
            detail["bucket"]["name"], detail["object"], version="version-id", etag="etag"
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise UnrecognisedEvent(f"malformed EventBridge S3 event: {error!r}") from None


def _object_ref(bucket: str, obj: Any, *, version: str, etag: str) -> ObjectRef:
    """The object of either shape; they differ only in how they spell two field names."""
    return ObjectRef(
        bucket=bucket,
        key=decode_key(obj["key"]),
        version_id=obj.get(version) or None,
        size=_optional_int(obj.get("size")),
        etag=obj.get(etag) or None,
        sequencer=obj.get("sequencer") or None,
    )


def decode_key(raw_key: str) -> str:
    """S3 URL-encodes keys in notifications, a space as ``+``. Real S3 leaves ``/`` as is while
    moto sends ``%2F``: ``unquote_plus`` restores both to the same key."""
    return unquote_plus(raw_key)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
