"""Articles, matches, alert states, rejections and receipts in the single DynamoDB table.

Every write that could be repeated by a redelivered notification or a retried batch is
conditional, so repeating it changes nothing: this is what makes the pipeline idempotent.
The key layout is in :mod:`newswatch.aws.keys` and explained in the README (Storage).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newswatch.article import Article
from newswatch.aws import keys
from newswatch.aws.dynamo import from_item, is_condition_failure, key, query, to_item
from newswatch.errors import NewswatchError, Rejection
from newswatch.events import ObjectRef

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

    from newswatch.watchlists.explain import Match

# DynamoDB items are limited to 400 KB. The text of a very long article (and any absurdly long
# metadata field) is cut to fit; the whole extraction then goes to S3 under extracted/, and
# readers that need every word (watchlist preview) load it from there. Worst case: 100 KB of
# text and 13 metadata fields (strings or lists) of 2,000 characters of up to 4 bytes each.
MAX_STORED_TEXT_BYTES = 100_000
MAX_STORED_FIELD_CHARS = 2_000
MAX_STORED_LIST_ENTRIES = 50
MAX_STORED_HITS = 20
EXTRACTED_PREFIX = "extracted/"

# A receipt short-cuts redeliveries; it must outlive the longest time SQS keeps a message
# (14 days). The conditional writes keep things right even after it expires.
RECEIPT_TTL_SECONDS = 15 * 24 * 3600
# How long a claimed alert is reserved for the worker sending it. Far above one SNS publish,
# below the queue's visibility timeout, so the retry of a crashed worker finds it expired.
ALERT_LEASE_SECONDS = 120


class AlertState(StrEnum):
    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"


class AlertInFlight(NewswatchError):
    """Another worker holds the alert's lease right now. Transient: failing the record makes
    SQS retry it after the lease has run out, when the alert is either sent or claimable."""


@dataclass(frozen=True, slots=True)
class StoredArticle:
    article_id: str
    article: Article
    bucket: str
    key: str
    version_id: str | None
    ingested_at: str
    watchlists: tuple[str, ...] = ()
    text_truncated: bool = False
    extracted_key: str | None = None

    @property
    def s3_uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True, slots=True)
class StoredMatch:
    article_id: str
    watchlist: str
    alert_state: AlertState
    ingested_at: str
    hits: list[dict[str, Any]] = field(default_factory=list)
    mentions: dict[str, int] = field(default_factory=dict)
    explanation: str = ""
    title: str | None = None
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredRejection:
    article_id: str
    bucket: str
    key: str
    version_id: str | None
    reason: str
    detail: str
    rejected_at: str

    @property
    def s3_uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def utc_now() -> str:
    """ISO-8601 UTC with microseconds: sorts as a string, so it can lead a sort key."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class ArticleStore:
    """The table's article side. ``bucket`` is the article bucket, used for extracted/."""

    def __init__(
        self, dynamodb: DynamoDBClient, s3: S3Client, *, table_name: str, bucket: str
    ) -> None:
        self._dynamodb = dynamodb
        self._s3 = s3
        self._table = table_name
        self._bucket = bucket

    # --- receipts (idempotency records with a TTL) -------------------------------------------

    def receipt(self, article_id: str) -> str | None:
        """The recorded outcome (``stored`` or ``rejected``) of an object version already
        processed to the end, or ``None``."""
        response = self._dynamodb.get_item(
            TableName=self._table,
            Key=key(keys.article_pk(article_id), keys.RECEIPT_SK),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return None if item is None else str(from_item(item)["outcome"])

    def put_receipt(self, article_id: str, outcome: str) -> None:
        self._dynamodb.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "PK": keys.article_pk(article_id),
                    "SK": keys.RECEIPT_SK,
                    "outcome": outcome,
                    "completed_at": utc_now(),
                    "expires_at": int(time.time()) + RECEIPT_TTL_SECONDS,
                }
            ),
        )

    # --- rejections --------------------------------------------------------------------------

    def put_rejection(self, ref: ObjectRef, rejection: Rejection) -> bool:
        """Record why an object did not become an article; ``False`` if already recorded."""
        rejected_at = utc_now()
        return self._put_new(
            {
                "PK": keys.article_pk(ref.article_id),
                "SK": keys.REJECTION_SK,
                "GSI1PK": keys.REJECTIONS_INDEX_PK,
                "GSI1SK": keys.newest_first_sk(rejected_at, ref.article_id),
                "article_id": ref.article_id,
                "bucket": ref.bucket,
                "key": ref.key,
                "version_id": ref.version_id,
                "reason": rejection.reason,
                "detail": rejection.detail[:MAX_STORED_FIELD_CHARS],
                "rejected_at": rejected_at,
            }
        )

    def get_rejection(self, article_id: str) -> StoredRejection | None:
        """Why one object version did not become an article, or ``None``."""
        response = self._dynamodb.get_item(
            TableName=self._table, Key=key(keys.article_pk(article_id), keys.REJECTION_SK)
        )
        item = response.get("Item")
        return None if item is None else _stored_rejection(from_item(item))

    def rejections(self, limit: int | None = None) -> Iterator[StoredRejection]:
        """Stored rejections, newest first."""
        for values in self._query_index(keys.REJECTIONS_INDEX_PK, limit=limit):
            yield _stored_rejection(values)

    # --- articles ----------------------------------------------------------------------------

    def put_article(
        self, ref: ObjectRef, article: Article, *, watchlists: Sequence[str], ingested_at: str
    ) -> bool:
        """Store the article once; ``False`` if this object version was stored before."""
        stored, truncated = _fit_for_item(article)
        extracted_key = None
        if truncated:
            # Written before the item, so an item never points at a missing object.
            extracted_key = f"{EXTRACTED_PREFIX}{ref.article_id}.json"
            self._s3.put_object(
                Bucket=self._bucket,
                Key=extracted_key,
                Body=json.dumps(article.to_dict(), ensure_ascii=False).encode(),
                ContentType="application/json",
            )
        return self._put_new(
            {
                "PK": keys.article_pk(ref.article_id),
                "SK": keys.ARTICLE_SK,
                "GSI1PK": keys.ARTICLES_INDEX_PK,
                "GSI1SK": keys.newest_first_sk(ingested_at, ref.article_id),
                "article_id": ref.article_id,
                "bucket": ref.bucket,
                "key": ref.key,
                "version_id": ref.version_id,
                "etag": ref.etag,
                "ingested_at": ingested_at,
                "watchlists": list(watchlists),
                "text_truncated": truncated,
                "extracted_key": extracted_key,
                "article": stored,
            }
        )

    def get_article(self, article_id: str, *, full_text: bool = False) -> StoredArticle | None:
        """One article by id; with ``full_text`` a truncated text is completed from S3."""
        response = self._dynamodb.get_item(
            TableName=self._table, Key=key(keys.article_pk(article_id), keys.ARTICLE_SK)
        )
        item = response.get("Item")
        if item is None:
            return None
        stored = _stored_article(from_item(item))
        return self._with_full_text(stored) if full_text else stored

    def iter_articles(
        self, *, full_text: bool = True, page_size: int = 100
    ) -> Iterator[StoredArticle]:
        """Every stored article, newest first, a page at a time (watchlist preview)."""
        for values in self._query_index(keys.ARTICLES_INDEX_PK, page_size=page_size):
            stored = _stored_article(values)
            yield self._with_full_text(stored) if full_text else stored

    def _with_full_text(self, stored: StoredArticle) -> StoredArticle:
        if not stored.extracted_key:
            return stored
        body = self._s3.get_object(Bucket=self._bucket, Key=stored.extracted_key)["Body"]
        article = Article.from_dict(json.loads(body.read()))
        return replace(stored, article=article, text_truncated=False)

    # --- matches and their alerts ------------------------------------------------------------

    def put_match(
        self, article_id: str, match: Match, *, title: str | None, ingested_at: str
    ) -> bool:
        """Record a match with its alert ``PENDING``; ``False`` if recorded before (its alert
        state is then left as it is)."""
        hits = [hit.to_dict() for hit in match.hits]
        return self._put_new(
            {
                "PK": keys.article_pk(article_id),
                "SK": keys.match_sk(match.watchlist),
                "GSI1PK": keys.watchlist_matches_pk(match.watchlist),
                "GSI1SK": keys.newest_first_sk(ingested_at, article_id),
                "article_id": article_id,
                "watchlist": match.watchlist,
                "title": _cut(title),
                "ingested_at": ingested_at,
                "hits": hits[:MAX_STORED_HITS],
                "mentions": dict(match.mentions),
                "rule": _cut(match.rule),
                "explanation": match.explain()[:MAX_STORED_FIELD_CHARS],
                "alert_state": AlertState.PENDING.value,
            }
        )

    def matches_of_article(self, article_id: str) -> list[StoredMatch]:
        """All matches of one article with their alert states (strongly consistent: a retry
        must see what the failed attempt wrote)."""
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.article_pk(article_id), ":prefix": keys.MATCH_SK_PREFIX}
            ),
            "ConsistentRead": True,
        }
        return [_stored_match(values) for values in query(self._dynamodb, request)]

    def matches_of_watchlist(
        self, watchlist: str, limit: int | None = None
    ) -> Iterator[StoredMatch]:
        """One watchlist's matches, newest first."""
        for values in self._query_index(keys.watchlist_matches_pk(watchlist), limit=limit):
            yield _stored_match(values)

    def claim_alert(self, article_id: str, watchlist: str) -> bool:
        """Reserve the alert for sending: ``True`` if this worker must publish it, ``False`` if
        it was sent already. Raises :class:`AlertInFlight` while another worker holds it."""
        now = int(time.time())
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=key(keys.article_pk(article_id), keys.match_sk(watchlist)),
                UpdateExpression="SET alert_state = :sending, claimed_until = :until",
                ConditionExpression=(
                    "alert_state = :pending OR (alert_state = :sending AND claimed_until < :now)"
                ),
                ExpressionAttributeValues=to_item(
                    {
                        ":pending": AlertState.PENDING.value,
                        ":sending": AlertState.SENDING.value,
                        ":until": now + ALERT_LEASE_SECONDS,
                        ":now": now,
                    }
                ),
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            state = self._alert_state(article_id, watchlist)
            if state is AlertState.SENT:
                return False
            raise AlertInFlight(
                f"alert for watchlist {watchlist!r} of article {article_id} is being sent"
            ) from None
        return True

    def release_alert(self, article_id: str, watchlist: str) -> None:
        """Give back a claim whose publish failed, so that a retry may send at once."""
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=key(keys.article_pk(article_id), keys.match_sk(watchlist)),
                UpdateExpression="SET alert_state = :pending REMOVE claimed_until",
                ConditionExpression="alert_state = :sending",
                ExpressionAttributeValues=to_item(
                    {":pending": AlertState.PENDING.value, ":sending": AlertState.SENDING.value}
                ),
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise

    def mark_alert_sent(self, article_id: str, watchlist: str, message_id: str) -> None:
        self._dynamodb.update_item(
            TableName=self._table,
            Key=key(keys.article_pk(article_id), keys.match_sk(watchlist)),
            UpdateExpression="SET alert_state = :sent, message_id = :id, sent_at = :at "
            "REMOVE claimed_until",
            ExpressionAttributeValues=to_item(
                {":sent": AlertState.SENT.value, ":id": message_id, ":at": utc_now()}
            ),
        )

    def _alert_state(self, article_id: str, watchlist: str) -> AlertState | None:
        response = self._dynamodb.get_item(
            TableName=self._table,
            Key=key(keys.article_pk(article_id), keys.match_sk(watchlist)),
            ConsistentRead=True,
            ProjectionExpression="alert_state",
        )
        item = response.get("Item")
        return None if item is None else AlertState(from_item(item)["alert_state"])

    # --- shared ------------------------------------------------------------------------------

    def _put_new(self, values: dict[str, Any]) -> bool:
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=to_item(values),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def _query_index(
        self, partition: str, *, limit: int | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Items of one GSI1 partition, newest first, fetched a page at a time."""
        if limit is not None and limit <= 0:
            return iter(())
        request = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": partition}),
            "ScanIndexForward": False,
            "Limit": page_size if limit is None else min(page_size, limit),
        }
        return query(self._dynamodb, request, limit=limit)


def _fit_for_item(article: Article) -> tuple[dict[str, Any], bool]:
    """The article's fields cut to fit a DynamoDB item, and whether anything was cut."""
    values = article.to_dict()
    truncated = False
    encoded = article.text.encode()
    if len(encoded) > MAX_STORED_TEXT_BYTES:
        values["text"] = encoded[:MAX_STORED_TEXT_BYTES].decode(errors="ignore")
        truncated = True
    for name, value in values.items():
        if name == "text":
            continue
        if isinstance(value, str) and len(value) > MAX_STORED_FIELD_CHARS:
            values[name] = value[:MAX_STORED_FIELD_CHARS]
            truncated = True
        elif isinstance(value, list) and (cut := _cut_list(value)) != value:
            values[name] = cut
            truncated = True
    return values, truncated


def _cut_list(entries: list[str]) -> list[str]:
    """At most 50 entries and, like one metadata string, 2,000 characters in all: 50 entries of
    2,000 characters each (a hostile page's keywords) would alone overflow the item."""
    kept: list[str] = []
    budget = MAX_STORED_FIELD_CHARS
    for entry in entries[:MAX_STORED_LIST_ENTRIES]:
        if budget <= 0:
            break
        kept.append(entry[:budget])
        budget -= len(kept[-1])
    return kept


def _cut(value: str | None) -> str | None:
    return None if value is None else value[:MAX_STORED_FIELD_CHARS]


def _stored_article(values: dict[str, Any]) -> StoredArticle:
    article_values = values["article"]
    return StoredArticle(
        article_id=values["article_id"],
        article=Article.from_dict(article_values),
        bucket=values["bucket"],
        key=values["key"],
        version_id=values.get("version_id"),
        ingested_at=values["ingested_at"],
        watchlists=tuple(values.get("watchlists") or ()),
        text_truncated=bool(values.get("text_truncated")),
        extracted_key=values.get("extracted_key"),
    )


def _stored_rejection(values: dict[str, Any]) -> StoredRejection:
    return StoredRejection(
        article_id=values["article_id"],
        bucket=values["bucket"],
        key=values["key"],
        version_id=values.get("version_id"),
        reason=values["reason"],
        detail=values["detail"],
        rejected_at=values["rejected_at"],
    )


def _stored_match(values: dict[str, Any]) -> StoredMatch:
    return StoredMatch(
        article_id=values["article_id"],
        watchlist=values["watchlist"],
        alert_state=AlertState(values["alert_state"]),
        ingested_at=values["ingested_at"],
        hits=list(values.get("hits") or ()),
        mentions={term: int(n) for term, n in (values.get("mentions") or {}).items()},
        explanation=values.get("explanation", ""),
        title=values.get("title"),
        message_id=values.get("message_id"),
    )
