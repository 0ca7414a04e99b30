"""The digest job: the stored watchlists and their schedules, the DynamoDB and SNS adapters, and
:func:`newswatch.alerting.digests.send_due_digests` over them. Plain Python, as the ingest
pipeline is: the Lambda handler (``functions/digest``), the local stack and the tests drive it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from newswatch.alerting.digests import DigestPorts, DigestRun, send_due_digests
from newswatch.alerting.schedule import DigestSchedule, ScheduleError
from newswatch.aws import clients
from newswatch.aws.delivery_ledger import DynamoDeliveryLedger
from newswatch.aws.digest_store import DynamoDigestState, WatchlistStoryIndex
from newswatch.aws.sns_publisher import SnsPublisher
from newswatch.aws.watchlist_store import WatchlistStore
from newswatch.config import (
    LEASE_MARGIN_SECONDS,
    STACK_RESOURCES,
    ConfigurationError,
    int_setting,
    require_settings,
)
from newswatch.errors import NewswatchError
from newswatch.watchlists import document

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

DEFAULT_DIGEST_TIMEOUT_SECONDS = 300


class UnknownWatchlist(NewswatchError):
    """A digest was asked for a watchlist the stored set does not have."""


@dataclass(frozen=True, slots=True)
class DigestSettings:
    table_name: str
    topic_arn: str
    article_bucket: str
    # The digest function's Timeout (its own name: the local stack runs both functions in one
    # process, whose environment cannot hold two values of FUNCTION_TIMEOUT_SECONDS).
    timeout_seconds: int = DEFAULT_DIGEST_TIMEOUT_SECONDS

    @property
    def lease_seconds(self) -> int:
        return self.timeout_seconds + LEASE_MARGIN_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DigestSettings:
        """``TABLE_NAME``, ``TOPIC_ARN``, ``ARTICLE_BUCKET`` and ``DIGEST_TIMEOUT_SECONDS``."""
        env = os.environ if environ is None else environ
        require_settings(env, STACK_RESOURCES)
        return cls(
            table_name=env["TABLE_NAME"],
            topic_arn=env["TOPIC_ARN"],
            article_bucket=env["ARTICLE_BUCKET"],
            timeout_seconds=int_setting(
                env, "DIGEST_TIMEOUT_SECONDS", DEFAULT_DIGEST_TIMEOUT_SECONDS, minimum=1
            ),
        )


class DigestJob:
    def __init__(
        self, *, settings: DigestSettings, watchlists: WatchlistStore, ports: DigestPorts
    ) -> None:
        self._settings = settings
        self._watchlists = watchlists
        self._ports = ports

    @classmethod
    def from_settings(cls, settings: DigestSettings) -> DigestJob:
        return cls.from_clients(
            settings,
            s3=clients.client("s3"),
            dynamodb=clients.client("dynamodb"),
            sns=clients.client("sns"),
        )

    @classmethod
    def from_clients(
        cls, settings: DigestSettings, *, s3: S3Client, dynamodb: DynamoDBClient, sns: SNSClient
    ) -> DigestJob:
        table = settings.table_name
        return cls(
            settings=settings,
            # Read afresh on every run: an hourly job has nothing to gain from a cache.
            watchlists=WatchlistStore(
                dynamodb, s3, table_name=table, bucket=settings.article_bucket, refresh_seconds=0
            ),
            ports=DigestPorts(
                stories=WatchlistStoryIndex(dynamodb, table_name=table),
                state=DynamoDigestState(dynamodb, table_name=table),
                ledger=DynamoDeliveryLedger(dynamodb, table_name=table),
                publisher=SnsPublisher(sns, topic_arn=settings.topic_arn),
            ),
        )

    def run(
        self,
        now: datetime,
        *,
        at_once: bool = False,
        watchlist: str | None = None,
        out_of_time: Callable[[], bool] = lambda: False,
    ) -> DigestRun:
        """Send the digests due at ``now`` (``at_once``: every current window, ending now), of
        every watchlist or only of ``watchlist``."""
        schedules = dict(self.schedules())
        if watchlist is not None:
            if watchlist not in schedules:
                raise UnknownWatchlist(
                    f"no watchlist {watchlist!r} in the stored set "
                    f"({', '.join(sorted(schedules)[:20]) or 'none pushed'})"
                )
            schedules = {watchlist: schedules[watchlist]}
        return send_due_digests(
            self._ports,
            schedules.items(),
            now,
            owner=uuid.uuid4().hex,
            lease_seconds=self._settings.lease_seconds,
            at_once=at_once,
            out_of_time=out_of_time,
        )

    def schedules(self) -> Iterator[tuple[str, DigestSchedule]]:
        """Each stored watchlist's digest schedule (validated when it was pushed)."""
        current = self._watchlists.current()
        for name in current.names:
            text = str(document.delivery_settings(current.settings(name))["digest"])
            try:
                yield name, DigestSchedule.parse(text)
            except ScheduleError as error:  # pragma: no cover - push refuses these
                raise ConfigurationError(f"watchlist {name!r}: digest {text!r}: {error}") from None
