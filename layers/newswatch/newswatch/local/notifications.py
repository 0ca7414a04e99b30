"""moto's S3 notifications, completed with what S3 itself sends: the version id and a sequencer.

moto announces an object with its key, size and ETag only. newswatch names an object *version*
by its version id (see :attr:`newswatch.events.ObjectRef.article_id`) and reads exactly that
version, so without it the local stack would fall back to the ETag: A, B, A written to one key
would be one article locally and two on AWS, and a notification read after an overwrite would
find the announced content gone. moto has no setting for this; its embedded server runs in this
process, so while a local stack runs, the function that builds the notification is wrapped to
add the two fields from the very key object that moto announces.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

# S3's sequencer is an opaque hex string that grows with each write to a key; a process-wide
# counter has that property for every key at once.
_sequence = itertools.count(1)
_lock = threading.Lock()
_original: Callable[..., dict[str, Any]] | None = None


def complete_moto_notifications() -> None:
    """Make moto's S3 notifications carry ``versionId`` (versioned buckets) and ``sequencer``,
    as S3's do. Idempotent; undone by :func:`restore_moto_notifications`."""
    from moto.s3 import notifications

    global _original
    with _lock:
        if _original is not None:
            return
        original: Callable[..., dict[str, Any]] = notifications._get_s3_event
        _original = original

        def completed(event_name: str, bucket: Any, key: Any, notification_id: str) -> Any:
            event = original(event_name, bucket, key, notification_id)
            for record in event.get("Records", []):
                announced = record["s3"]["object"]
                version_id = getattr(key, "version_id", None)
                # An unversioned bucket's keys have the version "null", which S3 does not send.
                if version_id and version_id != "null":
                    announced.setdefault("versionId", version_id)
                announced.setdefault("sequencer", f"{next(_sequence):016X}")
            return event

        notifications._get_s3_event = completed


def restore_moto_notifications() -> None:
    """Give moto its own notification builder back."""
    from moto.s3 import notifications

    global _original
    with _lock:
        if _original is not None:
            notifications._get_s3_event = _original
            _original = None
