"""Read a notified object version from S3, within a size limit, or say why it cannot be read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newswatch.errors import Rejection, RejectionReason
from newswatch.events import ObjectRef

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# The object (or the notified version) is gone: deleted before we read it. Not transient.
_MISSING_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "404"})
# Without a version id we read the key only if it still holds the notified bytes (If-Match on
# the ETag); a newer write has its own notification.
_REPLACED_CODES = frozenset({"PreconditionFailed", "412"})


@dataclass(frozen=True, slots=True)
class FetchedObject:
    body: bytes
    content_type: str | None
    content_encoding: str | None


class S3ObjectReader:
    """Reads at most ``max_bytes`` of an object: an oversized object is refused on the size
    the notification states, then on GetObject's Content-Length (no HeadObject round trip:
    the headers arrive before the body is streamed), and the read itself is bounded."""

    def __init__(self, s3: S3Client, *, max_bytes: int) -> None:
        self._s3 = s3
        self._max_bytes = max_bytes

    def read(self, ref: ObjectRef) -> FetchedObject:
        if ref.size is not None and ref.size > self._max_bytes:
            raise self._too_large(ref.size)
        request: dict[str, Any] = {"Bucket": ref.bucket, "Key": ref.key}
        if ref.version_id:
            request["VersionId"] = ref.version_id
        elif ref.etag:
            request["IfMatch"] = ref.etag if ref.etag.startswith('"') else f'"{ref.etag}"'
        try:
            response = self._s3.get_object(**request)
        except ClientError as error:
            code = _error_code(error)
            if code in _MISSING_CODES:
                raise Rejection(
                    RejectionReason.OBJECT_MISSING,
                    f"{ref.s3_uri} was deleted before it was read ({code})",
                ) from None
            if code in _REPLACED_CODES:
                raise Rejection(
                    RejectionReason.OBJECT_MISSING,
                    f"{ref.s3_uri} was overwritten before the notified content was read",
                ) from None
            raise
        stream = response["Body"]
        try:
            length = response.get("ContentLength")
            if length is not None and length > self._max_bytes:
                raise self._too_large(length)
            body = stream.read(self._max_bytes + 1)
        finally:
            stream.close()
        if len(body) > self._max_bytes:
            raise self._too_large(len(body))
        return FetchedObject(
            body=body,
            content_type=response.get("ContentType"),
            content_encoding=response.get("ContentEncoding"),
        )

    def _too_large(self, size: int) -> Rejection:
        return Rejection(
            RejectionReason.TOO_LARGE,
            f"object is {size} bytes; the limit is {self._max_bytes} bytes",
        )


def is_missing(error: ClientError) -> bool:
    """Whether a read failed because the object (or version) is not there: not transient."""
    return _error_code(error) in _MISSING_CODES


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
