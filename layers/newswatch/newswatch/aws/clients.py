"""The functions' AWS clients, made by botocore without boto3.

The functions use low-level clients only. Importing boto3 adds its resource layer and
s3transfer, about 70 ms of every cold start (`python -m benchmarks coldstart`), for nothing
they call. The CLI and the tests keep boto3, since its convenience costs nothing there.

The clients come from one botocore session per process. Before the functions build their
clients, a load test or a fault test can :func:`use_session` a session of its own with event
hooks registered on it (injected faults, timings).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Literal, cast, overload

import botocore.session

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

_lock = threading.Lock()
_session: botocore.session.Session | None = None


def session() -> botocore.session.Session:
    """The process's session, created on first use (region and credentials from the
    environment, as Lambda sets them)."""
    global _session
    with _lock:
        if _session is None:
            _session = botocore.session.get_session()
        return _session


def use_session(replacement: botocore.session.Session | None) -> botocore.session.Session | None:
    """Make the functions' clients from ``replacement`` (None: a fresh default one); returns the
    session it replaces, for restoring."""
    global _session
    with _lock:
        previous, _session = _session, replacement
        return previous


@overload
def client(service: Literal["s3"], *, endpoint_url: str | None = None) -> S3Client: ...
@overload
def client(service: Literal["dynamodb"], *, endpoint_url: str | None = None) -> DynamoDBClient: ...
@overload
def client(service: Literal["sns"], *, endpoint_url: str | None = None) -> SNSClient: ...
def client(
    service: Literal["s3", "dynamodb", "sns"], *, endpoint_url: str | None = None
) -> S3Client | DynamoDBClient | SNSClient:
    """A new client of ``service`` (at ``endpoint_url``, or where ``AWS_ENDPOINT_URL`` says)."""
    # botocore types every client as BaseClient; the service's stub types what it really is.
    return cast(
        "S3Client | DynamoDBClient | SNSClient",
        session().create_client(service, endpoint_url=endpoint_url),
    )
