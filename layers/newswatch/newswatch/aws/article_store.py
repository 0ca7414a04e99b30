"""Articles, matches, alert states, rejections and receipts in the single DynamoDB table.

Every write that could be repeated by a redelivered notification or a retried batch is
conditional, so repeating it changes nothing: this is what makes the pipeline idempotent.
The key layout is in :mod:`newswatch.aws.keys` and explained in the README (Storage).
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newswatch.article import Article
from newswatch.aws import keys
from newswatch.aws.dynamo import (
    batch_get,
    batch_write,
    from_item,
    item_bytes,
    key,
    newest_first,
    put_new,
    query,
    scan,
    to_item,
)
from newswatch.errors import Rejection
from newswatch.events import ObjectRef
from newswatch.untrusted import ELLIPSIS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

    from newswatch.watchlists.explain import Match

# DynamoDB items are limited to 400 KB and every KB written is a write unit. The article item
# is in no index (an index entry would be a second unit for every article, to serve one command
# line listing, which scans instead), and it holds what lists and alerts show (who,
# what, when, where from), not the body: the source object version stays in S3 and extraction
# is deterministic, so readers that need the text (watchlist preview) extract it again from
# there. Every field is capped where it enters the item.
MAX_STORED_FIELD_CHARS = 2_000
MAX_STORED_LIST_ENTRIES = 50
# Rebuilt from the source object, never stored: the body and the picture (about 400 B of an
# aeb-dev article item's 1,460).
NOT_STORED_FIELDS = ("text", "image", "image_caption")
# One write unit. When the item would be larger, these fields are shortened, in this order,
# until it fits (the others are what an alert, a digest and a listing show).
MAX_ARTICLE_ITEM_BYTES = 1_024
SHORTENED_TO_FIT = ("tags", "subtitle")
MAX_STORED_HITS = 20
MAX_STORED_MENTIONS = 50
# The article item names at most this many of its matched watchlists (and counts all of them);
# every match has its own item, so an article matching thousands still fits.
MAX_LISTED_WATCHLISTS = 100

# What a finished object version became (the receipt's ``outcome``).
OUTCOME_STORED = "stored"
OUTCOME_REJECTED = "rejected"

# A receipt short-cuts redeliveries; it must outlive the longest time SQS keeps a message
# (14 days). The conditional writes keep things right even after it expires.
RECEIPT_TTL_SECONDS = 15 * 24 * 3600


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as stored: its metadata (``article.text`` is empty unless read with
    ``full_text``), and the decision its first attempt made: the story and the matches."""

    article_id: str
    article: Article
    bucket: str
    key: str
    version_id: str | None
    ingested_at: str
    watchlists: tuple[str, ...] = ()
    watchlist_count: int = 0
    story_id: str | None = None
    full_text: bool = False

    @property
    def s3_uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True, slots=True)
class StoredMatch:
    article_id: str
    watchlist: str
    ingested_at: str
    hits: list[dict[str, Any]] = field(default_factory=list)
    mentions: dict[str, int] = field(default_factory=dict)
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class EarlierAttempt:
    """What earlier attempts on one object version left: a ``receipt`` when one finished its
    alerts, the ``article`` (with the matches written before it) when one decided, ``rejected``
    when one stored a rejection."""

    receipt: str | None = None
    article: StoredArticle | None = None
    matches: list[StoredMatch] = field(default_factory=list)
    rejected: bool = False

    @property
    def outcome(self) -> str | None:
        """``stored`` or ``rejected`` when an earlier attempt finished, else ``None``.

        Only an article with a story has work after its item (a copy to record, alerts to
        send), so only it needs a receipt; a rejection, or an article that matched nothing, is
        finished by its one write, which saves a write unit on nearly every object."""
        if self.receipt is not None:
            return self.receipt
        if self.rejected:
            return OUTCOME_REJECTED
        if self.article is not None and self.article.story_id is None:
            return OUTCOME_STORED
        return None


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
    """The table's article side: articles, their matches, rejections and receipts."""

    def __init__(
        self, dynamodb: DynamoDBClient, s3: S3Client, *, table_name: str, bucket: str
    ) -> None:
        self._dynamodb = dynamodb
        self._s3 = s3
        self._table = table_name
        self._bucket = bucket

    # --- what earlier attempts left --------------------------------------------------------

    def earlier_attempt(self, article_id: str) -> EarlierAttempt:
        """The article, matches, receipt and rejection that earlier attempts on this object
        version wrote, in one strongly consistent query: the sort keys ``ARTICLE`` <
        ``MATCH#...`` < ``RECEIPT`` < ``REJECTION`` are one range. A first attempt pays one
        read that finds nothing."""
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :first AND :last",
            "ExpressionAttributeValues": to_item(
                {
                    ":pk": keys.article_pk(article_id),
                    ":first": keys.ARTICLE_SK,
                    ":last": keys.REJECTION_SK,
                }
            ),
            "ConsistentRead": True,
        }
        attempt = EarlierAttempt()
        for values in query(self._dynamodb, request):
            if values["SK"] == keys.RECEIPT_SK:
                attempt = replace(attempt, receipt=str(values["outcome"]))
            elif values["SK"] == keys.ARTICLE_SK:
                attempt = replace(attempt, article=_stored_article(values))
            elif values["SK"].startswith(keys.MATCH_SK_PREFIX):
                attempt.matches.append(_stored_match(values))
            elif values["SK"] == keys.REJECTION_SK:
                attempt = replace(attempt, rejected=True)
        return attempt

    def outcome(self, article_id: str) -> str | None:
        """What one object version became, once finished (``stored`` or ``rejected``): see
        :attr:`EarlierAttempt.outcome`."""
        return self.earlier_attempt(article_id).outcome

    # --- receipts (idempotency records with a TTL) -------------------------------------------

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
        self,
        ref: ObjectRef,
        article: Article,
        *,
        watchlists: Sequence[str],
        story_id: str | None,
        ingested_at: str,
    ) -> bool:
        """Store the article once, after its matches (:meth:`put_matches`): a retry that finds
        the article item finds every match item too. ``False`` if stored before."""
        return self._put_new(
            _within_write_unit(
                {
                    "PK": keys.article_pk(ref.article_id),
                    "SK": keys.ARTICLE_SK,
                    "article_id": ref.article_id,
                    "bucket": ref.bucket,
                    "key": _cut(ref.key),
                    "version_id": ref.version_id,
                    "etag": ref.etag,
                    "ingested_at": ingested_at,
                    "watchlists": [_cut(name) for name in watchlists[:MAX_LISTED_WATCHLISTS]],
                    "watchlist_count": len(watchlists),
                    "story_id": story_id,
                    "article": _fit_for_item(article),
                }
            )
        )

    def get_article(self, article_id: str, *, full_text: bool = False) -> StoredArticle | None:
        """One article by id (strongly consistent: a retry must see what a failed attempt
        wrote); with ``full_text`` the text is extracted again from the source object."""
        response = self._dynamodb.get_item(
            TableName=self._table,
            Key=key(keys.article_pk(article_id), keys.ARTICLE_SK),
            ConsistentRead=True,
        )
        item = response.get("Item")
        if item is None:
            return None
        stored = _stored_article(from_item(item))
        return self._with_full_text(stored) if full_text else stored

    def iter_articles(
        self, *, full_text: bool = True, limit: int | None = None, page_size: int = 100
    ) -> Iterator[StoredArticle]:
        """The newest ``limit`` stored articles (all without one), newest first (watchlist
        preview). No index lists articles, so that each costs one write unit: this scans the
        table once for their ids and times (holding ``limit`` of them, or about 200 B per
        article), then reads them ``page_size`` to a BatchGetItem. With ``full_text``, an article
        whose source object is gone is skipped."""
        found = (
            (values["ingested_at"], values["article_id"])
            for values in scan(
                self._dynamodb,
                {
                    "TableName": self._table,
                    "FilterExpression": "SK = :article",
                    "ProjectionExpression": "article_id, ingested_at",
                    "ExpressionAttributeValues": to_item({":article": keys.ARTICLE_SK}),
                },
            )
        )
        newest = heapq.nlargest(limit, found) if limit else sorted(found, reverse=True)
        for page in itertools.batched((article_id for _, article_id in newest), page_size):
            item_keys = [key(keys.article_pk(article_id), keys.ARTICLE_SK) for article_id in page]
            read = {
                values["article_id"]: _stored_article(values)
                for values in batch_get(self._dynamodb, self._table, item_keys)
            }
            for article_id in page:
                if (stored := read.get(article_id)) is None:
                    continue  # deleted since the scan
                if full_text:
                    stored = self._with_full_text(stored)
                if stored.full_text or not full_text:
                    yield stored

    def _with_full_text(self, stored: StoredArticle) -> StoredArticle:
        """The article extracted again from the object version it was stored from."""
        from newswatch.extraction import extract_article  # only readers that need text pay

        request: dict[str, Any] = {"Bucket": stored.bucket, "Key": stored.key}
        if stored.version_id:
            request["VersionId"] = stored.version_id
        try:
            response = self._s3.get_object(**request)
            article = extract_article(
                response["Body"].read(),
                content_type=response.get("ContentType"),
                content_encoding=response.get("ContentEncoding"),
            )
        except (ClientError, Rejection):
            return stored
        return replace(stored, article=article, full_text=True)

    # --- matches -----------------------------------------------------------------------------

    def put_matches(self, article_id: str, matches: Sequence[Match], *, ingested_at: str) -> None:
        """Record every match of the article, 25 to a batch. Plain puts: until the article item
        exists nothing reads them, and a repeat writes the same values. A match is in no index:
        it is read with its article, by the retry that finishes the article's decision."""
        requests = (
            {"PutRequest": {"Item": to_item(_match_values(article_id, match, ingested_at))}}
            for match in matches
        )
        batch_write(self._dynamodb, self._table, requests)

    def matches_of_article(self, article_id: str) -> list[StoredMatch]:
        """All matches of one article (strongly consistent)."""
        return self.earlier_attempt(article_id).matches

    # --- shared ------------------------------------------------------------------------------

    def _put_new(self, values: dict[str, Any]) -> bool:
        return put_new(self._dynamodb, self._table, values)

    def _query_index(
        self, partition: str, *, limit: int | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Items of one GSI1 partition, newest first, fetched a page at a time."""
        return newest_first(
            self._dynamodb, self._table, partition, limit=limit, page_size=page_size
        )


def _match_values(article_id: str, match: Match, ingested_at: str) -> dict[str, Any]:
    hits = [hit.to_dict() for hit in match.hits[:MAX_STORED_HITS]]
    mentions = dict(match.mentions[:MAX_STORED_MENTIONS])
    return {
        "PK": keys.article_pk(article_id),
        "SK": keys.match_sk(match.watchlist),
        "article_id": article_id,
        "watchlist": match.watchlist,
        "ingested_at": ingested_at,
        "hits": [{**hit, "snippet": _cut(hit.get("snippet"))} for hit in hits],
        "mentions": {_cut(term): count for term, count in mentions.items()},
        "rule": _cut(match.rule),
        "explanation": match.explain()[:MAX_STORED_FIELD_CHARS],
    }


def _fit_for_item(article: Article) -> dict[str, Any]:
    """The article's stored fields (not its body), each capped."""
    values = article.to_dict()
    for name in NOT_STORED_FIELDS:
        del values[name]
    values["text_bytes"] = len(article.text.encode())
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value[:MAX_STORED_FIELD_CHARS]
        elif isinstance(value, list):
            values[name] = _cut_list(value)
    return values


def _within_write_unit(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (an article item) with the :data:`SHORTENED_TO_FIT` fields of its article
    shortened until the item is one write unit, or gone when that is not enough."""
    fields = values["article"]
    for name in SHORTENED_TO_FIT:
        while (over := item_bytes(to_item(values)) - MAX_ARTICLE_ITEM_BYTES) > 0 and fields.get(
            name
        ):
            value = fields[name]
            if isinstance(value, list):
                value.pop()
            else:
                fields[name] = _without_last_bytes(value, over + len(ELLIPSIS.encode()))
    return values


def _without_last_bytes(text: str, count: int) -> str | None:
    """``text`` shortened by at least ``count`` UTF-8 bytes and marked so, or ``None``."""
    kept = text.encode()[:-count].decode(errors="ignore").rstrip()
    return kept + ELLIPSIS if kept else None


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
    article_values = {"text": "", **values["article"]}
    article_values.pop("text_bytes", None)
    return StoredArticle(
        article_id=values["article_id"],
        article=Article.from_dict(article_values),
        bucket=values["bucket"],
        key=values["key"],
        version_id=values.get("version_id"),
        ingested_at=values["ingested_at"],
        watchlists=tuple(values.get("watchlists") or ()),
        watchlist_count=int(values.get("watchlist_count") or len(values.get("watchlists") or ())),
        story_id=values.get("story_id"),
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
        ingested_at=values["ingested_at"],
        hits=list(values.get("hits") or ()),
        mentions={term: int(n) for term, n in (values.get("mentions") or {}).items()},
        explanation=values.get("explanation", ""),
    )
