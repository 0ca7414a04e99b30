"""The ingest pipeline: one notified object in, a stored article (with its story and alerts) or
a stored rejection out. Plain Python: the Lambda handler, the local stack and the tests drive it.

Idempotency, step by step (S3 delivers at least once; SQS retries failed records):
1. a finished object version ends a redelivery at once: its rejection, its article when that
   matched nothing (one write is all either needs), or the receipt (TTL'd) of one with a story;
2. an article item already stored is the first attempt's decision (its story, its matches):
   a retry finishes it and never extracts or matches again, so a watchlist push or a deleted
   object between attempts changes nothing;
3. otherwise the article is extracted, matched and (when it matched) given a story; its match
   items are written first and the article item last, so no retry sees one without the other;
4. the story records the article as a copy (once), and the alert path
   (:mod:`newswatch.alerting.story_alerts`) sends what this article owes, once per
   (story, watchlist);
5. the receipt is written last, so a failure anywhere before it is retried in full.
Transient failures (throttling, SNS or DynamoDB errors) propagate: the caller fails the
record, SQS retries it, and after maxReceiveCount it lands in the dead-letter queue.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from newswatch.alerting.model import WatchlistReason
from newswatch.alerting.schedule import DigestSchedule
from newswatch.alerting.story_alerts import (
    AlertOutcome,
    AlertPorts,
    WatchlistDelivery,
    alert_story,
    held_until,
)
from newswatch.article import Article, ArticleSummary
from newswatch.aws import clients
from newswatch.aws.article_store import (
    MAX_STORED_HITS,
    OUTCOME_REJECTED,
    OUTCOME_STORED,
    ArticleStore,
    EarlierAttempt,
    StoredArticle,
    utc_now,
)
from newswatch.aws.delivery_ledger import DynamoDeliveryLedger
from newswatch.aws.rate_limiter import DynamoRateLimiter
from newswatch.aws.s3_objects import S3ObjectReader
from newswatch.aws.sns_publisher import SnsPublisher
from newswatch.aws.story_store import StoryBands, StoryRecords
from newswatch.aws.watchlist_store import WatchlistStore
from newswatch.config import Settings
from newswatch.deadline import Deadline
from newswatch.errors import Rejection
from newswatch.events import ObjectRef
from newswatch.extraction import extract_article
from newswatch.stories.assign import assign_story, story_id_for
from newswatch.stories.fingerprint import fingerprint
from newswatch.stories.membership import StoryCopy
from newswatch.watchlists import document

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

    from newswatch.watchlists import Match

logger = logging.getLogger(__name__)


class Status(StrEnum):
    STORED = OUTCOME_STORED
    REJECTED = OUTCOME_REJECTED
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
    story_id: str | None = None
    alerts_sent: tuple[str, ...] = ()
    alerts_held: tuple[str, ...] = ()
    alerts_failed: tuple[str, ...] = ()


class IngestPipeline:
    def __init__(
        self,
        *,
        settings: Settings,
        reader: S3ObjectReader,
        articles: ArticleStore,
        watchlists: WatchlistStore,
        bands: StoryBands,
        stories: StoryRecords,
        alert_ports: AlertPorts,
    ) -> None:
        self._settings = settings
        self._reader = reader
        self._articles = articles
        self._watchlists = watchlists
        self._bands = bands
        self._stories = stories
        self._alert_ports = alert_ports

    @classmethod
    def from_settings(
        cls, settings: Settings, *, endpoint_url: str | None = None
    ) -> IngestPipeline:
        """The pipeline on new clients (AWS, or moto at ``endpoint_url``)."""
        return cls.from_clients(
            settings,
            s3=clients.client("s3", endpoint_url=endpoint_url),
            dynamodb=clients.client("dynamodb", endpoint_url=endpoint_url),
            sns=clients.client("sns", endpoint_url=endpoint_url),
        )

    @classmethod
    def from_clients(
        cls, settings: Settings, *, s3: S3Client, dynamodb: DynamoDBClient, sns: SNSClient
    ) -> IngestPipeline:
        """The pipeline on the given clients (one set per Lambda container)."""
        table = settings.table_name
        watchlists = WatchlistStore(
            dynamodb,
            s3,
            table_name=table,
            bucket=settings.article_bucket,
            refresh_seconds=settings.watchlist_refresh_seconds,
            watchlists_expected=settings.watchlists_expected,
        )
        stories = StoryRecords(dynamodb, table_name=table)
        alert_ports = AlertPorts(
            claims=stories,
            stories=stories,
            limiter=DynamoRateLimiter(dynamodb, table_name=table),
            ledger=DynamoDeliveryLedger(dynamodb, table_name=table),
            publisher=SnsPublisher(sns, topic_arn=settings.topic_arn),
            settings=functools.partial(delivery_settings, watchlists),
        )

        return cls(
            settings=settings,
            reader=S3ObjectReader(s3, max_bytes=settings.max_object_bytes),
            articles=ArticleStore(dynamodb, s3, table_name=table, bucket=settings.article_bucket),
            watchlists=watchlists,
            bands=StoryBands(
                dynamodb, table_name=table, window_seconds=settings.story_window_seconds
            ),
            stories=stories,
            alert_ports=alert_ports,
        )

    def process(self, ref: ObjectRef) -> Outcome:
        """Take one object to its end state; raises only on transient failures."""
        article_id = ref.article_id
        if not ref.key.startswith(self._settings.incoming_prefix):
            # Nothing outside the trigger prefix (watchlists/, anything else) feeds the pipeline.
            logger.warning("skipping %s: outside %s", ref.s3_uri, self._settings.incoming_prefix)
            return Outcome(ref, Status.SKIPPED, article_id)
        earlier = self._articles.earlier_attempt(article_id)
        if earlier.outcome is not None:
            logger.info("%s already processed (%s)", ref.s3_uri, earlier.outcome)
            return Outcome(ref, Status.DUPLICATE, article_id, reason=earlier.outcome)
        if earlier.article is not None:
            # An earlier attempt decided (story, matches) and failed later: finish its decision.
            logger.info("%s: stored by an earlier attempt; finishing it", ref.s3_uri)
            return self._finish_earlier(ref, earlier)
        try:
            fetched = self._reader.read(ref)
            article = extract_article(
                fetched.body,
                content_type=fetched.content_type,
                content_encoding=fetched.content_encoding,
                # Started after the read, so only the page's own cost counts: past it, the
                # object is a stored too-slow rejection, since it is as slow on every retry.
                deadline=Deadline(self._settings.deadline_seconds),
            )
        except Rejection as rejection:
            self._articles.put_rejection(ref, rejection)
            logger.info("rejected %s: %s", ref.s3_uri, rejection)
            return Outcome(
                ref, Status.REJECTED, article_id, reason=rejection.reason, detail=rejection.detail
            )
        return self._store(ref, article)

    def _store(self, ref: ObjectRef, article: Article) -> Outcome:
        """Match, place in a story, and store the article: matches first, article last."""
        watchlist_set = self._watchlists.current()
        matches: Sequence[Match] = watchlist_set.match(article)
        story_id = self._story_of(ref.article_id, article) if matches else None
        ingested_at = utc_now()
        self._articles.put_matches(ref.article_id, matches, ingested_at=ingested_at)
        names = [match.watchlist for match in matches]
        if self._articles.put_article(
            ref, article, watchlists=names, story_id=story_id, ingested_at=ingested_at
        ):
            stored = StoredArticle(
                article_id=ref.article_id,
                article=article,
                bucket=ref.bucket,
                key=ref.key,
                version_id=ref.version_id,
                ingested_at=ingested_at,
                watchlists=tuple(names),
                watchlist_count=len(names),
                story_id=story_id,
            )
            reasons = [
                WatchlistReason.from_hits(
                    match.watchlist,
                    [hit.to_dict() for hit in match.hits[:MAX_STORED_HITS]],
                    dict(match.mentions),
                )
                for match in matches
            ]
            return self._finish(ref, stored, reasons)
        # Another worker stored this object version a moment ago: its decision stands.
        return self._finish_earlier(ref, self._articles.earlier_attempt(ref.article_id))

    def _story_of(self, article_id: str, article: Article) -> str:
        """The story of a matched article: found by its fingerprint among the window's stories,
        or a new one; an article too short to fingerprint is a story of its own."""
        print_ = fingerprint(article.text)
        if print_ is None:
            return story_id_for(article_id)
        return assign_story(self._bands, article_id, print_, time.time())

    def _finish_earlier(self, ref: ObjectRef, earlier: EarlierAttempt) -> Outcome:
        """Finish the decision an earlier attempt stored, from its own matches."""
        if earlier.article is None:  # pragma: no cover - the conditional put saw the item
            raise RuntimeError(f"article {ref.article_id} neither written nor found")
        reasons = [
            WatchlistReason.from_hits(match.watchlist, match.hits, match.mentions)
            for match in earlier.matches
        ]
        return self._finish(ref, earlier.article, reasons if earlier.article.story_id else [])

    def _finish(
        self, ref: ObjectRef, stored: StoredArticle, reasons: Sequence[WatchlistReason]
    ) -> Outcome:
        """Record the article on its story, send what it owes, then write the receipt (an
        article without a story owes nothing: its item is its end)."""
        alerts = AlertOutcome()
        if stored.story_id:
            summary = ArticleSummary.of(stored.article_id, stored.article, stored.s3_uri)
            self._stories.record_copy(stored.story_id, StoryCopy(summary, stored.ingested_at))
            alerts = alert_story(
                self._alert_ports,
                story_id=stored.story_id,
                article=summary,
                reasons=reasons,
                at=stored.ingested_at,
                owner=uuid.uuid4().hex,
                lease_seconds=self._settings.lease_seconds,
            )
            self._articles.put_receipt(ref.article_id, Status.STORED.value)
        return Outcome(
            ref,
            Status.STORED,
            ref.article_id,
            matched=stored.watchlists,
            story_id=stored.story_id,
            alerts_sent=alerts.sent,
            alerts_held=alerts.held,
            alerts_failed=alerts.failed,
        )


def delivery_settings(watchlists: WatchlistStore, name: str) -> WatchlistDelivery:
    """A watchlist's storm limit and when its next digest goes, from the stored set."""
    try:
        settings = document.delivery_settings(watchlists.current().settings(name))
    except KeyError:  # pushed away since the article matched it: the defaults
        settings = document.delivery_settings({})
    return WatchlistDelivery(
        max_per_hour=int(settings["max_per_hour"]),
        next_digest=held_until(DigestSchedule.parse(str(settings["digest"]))),
    )
