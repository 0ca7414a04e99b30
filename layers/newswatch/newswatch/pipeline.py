"""The ingest pipeline: one notified object in, a stored article (and its alerts) or a stored
rejection out. Plain Python: the Lambda handler, the local stack and the tests all drive it.

Idempotency, step by step (S3 delivers at least once; SQS retries failed records):
1. a receipt (TTL'd) for the object version ends a redelivery at once;
2. the article and each match are conditional puts: a retry never writes a second record;
3. each (article, watchlist) alert moves PENDING -> SENDING (leased) -> SENT, and is
   published only by the worker that claimed it; a retry after a failed publish sends it then;
4. the receipt is written last, so a failure anywhere before it is retried in full.
Transient failures (throttling, SNS or DynamoDB errors) propagate: the caller fails the
record, SQS retries it, and after maxReceiveCount it lands in the dead-letter queue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import boto3

from newswatch.alerts import AlertContent, render_alert
from newswatch.article import Article
from newswatch.aws.article_store import AlertState, ArticleStore, utc_now
from newswatch.aws.s3_objects import S3ObjectReader
from newswatch.aws.sns_alerts import SnsAlertPublisher
from newswatch.aws.watchlist_store import WatchlistStore
from newswatch.config import Settings
from newswatch.errors import Rejection
from newswatch.events import ObjectRef
from newswatch.extraction import extract_article

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

logger = logging.getLogger(__name__)


class Status(StrEnum):
    STORED = "stored"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one object; the handler turns these into metrics and logs."""

    ref: ObjectRef
    status: Status
    article_id: str
    reason: str | None = None
    detail: str | None = None
    matched: tuple[str, ...] = ()
    alerts_sent: tuple[str, ...] = ()


class IngestPipeline:
    def __init__(
        self,
        *,
        settings: Settings,
        reader: S3ObjectReader,
        articles: ArticleStore,
        watchlists: WatchlistStore,
        publisher: SnsAlertPublisher,
    ) -> None:
        self._settings = settings
        self._reader = reader
        self._articles = articles
        self._watchlists = watchlists
        self._publisher = publisher

    @classmethod
    def from_settings(
        cls, settings: Settings, *, endpoint_url: str | None = None
    ) -> IngestPipeline:
        """The pipeline on new boto3 clients (AWS, or moto at ``endpoint_url``)."""
        return cls.from_clients(
            settings,
            s3=boto3.client("s3", endpoint_url=endpoint_url),
            dynamodb=boto3.client("dynamodb", endpoint_url=endpoint_url),
            sns=boto3.client("sns", endpoint_url=endpoint_url),
        )

    @classmethod
    def from_clients(
        cls, settings: Settings, *, s3: S3Client, dynamodb: DynamoDBClient, sns: SNSClient
    ) -> IngestPipeline:
        """The pipeline on the given clients (one set per Lambda container)."""
        return cls(
            settings=settings,
            reader=S3ObjectReader(s3, max_bytes=settings.max_object_bytes),
            articles=ArticleStore(
                dynamodb, s3, table_name=settings.table_name, bucket=settings.article_bucket
            ),
            watchlists=WatchlistStore(
                dynamodb,
                s3,
                table_name=settings.table_name,
                bucket=settings.article_bucket,
                refresh_seconds=settings.watchlist_refresh_seconds,
            ),
            publisher=SnsAlertPublisher(sns, topic_arn=settings.topic_arn),
        )

    def process(self, ref: ObjectRef) -> Outcome:
        """Take one object to its end state; raises only on transient failures."""
        article_id = ref.article_id
        if not ref.key.startswith(self._settings.incoming_prefix):
            # Our own writes (extracted/, watchlists/) must never feed back into the pipeline.
            logger.warning("skipping %s: outside %s", ref.s3_uri, self._settings.incoming_prefix)
            return Outcome(ref, Status.SKIPPED, article_id)
        earlier = self._articles.receipt(article_id)
        if earlier is not None:
            logger.info("%s already processed (%s)", ref.s3_uri, earlier)
            return Outcome(ref, Status.DUPLICATE, article_id, reason=earlier)
        try:
            fetched = self._reader.read(ref)
            article = extract_article(
                fetched.body,
                content_type=fetched.content_type,
                content_encoding=fetched.content_encoding,
            )
        except Rejection as rejection:
            stored = self._articles.get_article(article_id)
            if stored is not None:
                # An earlier attempt stored the article and failed later (an SNS outage); the
                # object has gone or changed since. The record stands: finish its alerts.
                logger.info("%s: stored before (%s now); finishing", ref.s3_uri, rejection)
                return self._finish_stored(ref, stored.article, stored.watchlists)
            self._articles.put_rejection(ref, rejection)
            self._articles.put_receipt(article_id, Status.REJECTED.value)
            logger.info("rejected %s: %s", ref.s3_uri, rejection)
            return Outcome(
                ref, Status.REJECTED, article_id, reason=rejection.reason, detail=rejection.detail
            )
        watchlist_set = self._watchlists.current()
        matches = watchlist_set.match(article) if watchlist_set is not None else []
        matched = tuple(m.watchlist for m in matches)
        ingested_at = utc_now()
        first_write = self._articles.put_article(
            ref, article, watchlists=matched, ingested_at=ingested_at
        )
        for match in matches:
            self._articles.put_match(
                article_id, match, title=article.title, ingested_at=ingested_at
            )
        # Most articles match nothing: when this attempt also wrote the article first, no
        # earlier one can have left an alert either, and the query for stored matches is moot.
        return self._finish_stored(
            ref, article, matched, alerts_possible=bool(matches) or not first_write
        )

    def _finish_stored(
        self,
        ref: ObjectRef,
        article: Article,
        matched: tuple[str, ...],
        *,
        alerts_possible: bool = True,
    ) -> Outcome:
        """Send the stored article's pending alerts, then write the receipt that ends it."""
        sent = self._send_alerts(ref, article) if alerts_possible else ()
        self._articles.put_receipt(ref.article_id, Status.STORED.value)
        return Outcome(ref, Status.STORED, ref.article_id, matched=matched, alerts_sent=sent)

    def _send_alerts(self, ref: ObjectRef, article: Article) -> tuple[str, ...]:
        """Publish the alert of every stored match of the article that is not sent yet.

        Driven by the stored matches rather than this attempt's, so a retry also finishes the
        alerts that an earlier attempt recorded.
        """
        sent: list[str] = []
        for match in self._articles.matches_of_article(ref.article_id):
            if match.alert_state is AlertState.SENT:
                continue
            if not self._articles.claim_alert(ref.article_id, match.watchlist):
                continue
            try:
                alert = render_alert(
                    AlertContent(
                        article_id=ref.article_id,
                        article=article,
                        s3_uri=ref.s3_uri,
                        watchlist=match.watchlist,
                        hits=match.hits,
                        mentions=match.mentions,
                    )
                )
                message_id = self._publisher.publish(alert)
            except BaseException:
                # Not sent: hand the claim back so the retry need not wait out the lease.
                self._articles.release_alert(ref.article_id, match.watchlist)
                raise
            self._articles.mark_alert_sent(ref.article_id, match.watchlist, message_id)
            sent.append(match.watchlist)
        return tuple(sent)
