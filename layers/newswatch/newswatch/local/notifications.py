"""moto's S3 notifications, completed with what S3 itself sends: the version id and a sequencer.

moto announces an object with its key, size and ETag only. newswatch names an object *version*
by its version id (see :attr:`newswatch.events.ObjectRef.article_id`) and reads exactly that
version, so without it the local stack would fall back to the ETag: A, B, A written to one key
would be one article locally and two on AWS, and a notification read after an overwrite would
find the announced content gone. moto has no setting for this; so the local stack's server
process wraps the function that builds the notification to add the two fields from the very
key object that moto announces.
"""

from __future__ import annotations

import itertools
from typing import Any

# S3's sequencer is an opaque hex string that grows with each write to a key; a process-wide
# counter has that property for every key at once.
_sequence = itertools.count(1)


def complete_moto_notifications() -> None:
    """Make this process's moto send S3 notifications carrying ``versionId`` (versioned
    buckets) and ``sequencer``, as S3's do (call once)."""
    from moto.s3 import notifications

    original = notifications._get_s3_event

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
