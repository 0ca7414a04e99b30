"""Stories in the single table: band entries, story records, copies and (story, watchlist) claims.

Key layout in :mod:`newswatch.aws.keys`. Write units per matched article (benchmarks/stories.py
measures them: 15 for a new story, 7 to 14 for a copy): one per band entry it claims
(each under 1 KB: the fingerprint is at most 668 bytes; a copy claims only the bands no story
holds yet), four for the copy (a transaction of the copy item and the story item's counters
costs double) and one for the story's GSI1 entry, two for counting a new site (the story item
and its GSI1 entry; one for the refused write of a known site), and two per watchlist claim
(item and GSI1 entry; one for a copy's refused claim). Reads: one BatchGetItem for all band
entries.

The read side (``newswatch stories``, ``newswatch story``): a story's partition holds its story
item, copies, claims and deliveries, so :meth:`StoryRecords.detail` is one Query. Story items
carry ``GSI1PK=STORIES`` and ``GSI1SK=<first seen>#<id>``, so the newest-first listing is one
Query of GSI1. The trade-off: every story item lives under that one index partition key, and
each matched article's copy rewrites its story's entry there (up to two index writes per
matched article), while one partition takes about 1,000 writes per second, so about 500 matched
articles per second; a throttled index slows the table's writes too. Matched articles are a
small share of all articles, far below that; past it, the key would be sharded (``STORIES#<day>``
or ``STORIES#<n>``) and the listing would merge the newest shards.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newswatch.alerting.delivery import DeliveryState
from newswatch.alerting.messages import WATCHLISTS_PER_MESSAGE
from newswatch.alerting.model import WatchlistReason
from newswatch.article import ArticleSummary
from newswatch.aws import keys
from newswatch.aws.article_store import utc_now
from newswatch.aws.dynamo import (
    batch_get,
    from_item,
    is_condition_failure,
    is_transaction_condition_failure,
    key,
    newest_first,
    put_new,
    query,
    to_item,
)
from newswatch.stories.assign import BandEntry
from newswatch.stories.fingerprint import Fingerprint
from newswatch.stories.membership import StoryCopy, StoryCounts

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DEFAULT_STORY_WINDOW_SECONDS = 7 * 24 * 3600
# Sites listed on a story item; the count goes on past it.
MAX_SITES_LISTED = 100
# Stories read per GSI1 Query page (and per BatchGetItem, whose limit is 100 keys).
LISTING_PAGE = 100


class StoryBands:
    """The band index (:class:`newswatch.stories.assign.BandIndex`) on DynamoDB."""

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        *,
        table_name: str,
        window_seconds: int = DEFAULT_STORY_WINDOW_SECONDS,
    ) -> None:
        self._dynamodb = dynamodb
        self._table = table_name
        self._window = window_seconds

    def entries(self, band_keys: tuple[str, ...]) -> dict[str, BandEntry]:
        now = time.time()
        found = batch_get(
            self._dynamodb,
            self._table,
            (key(keys.band_pk(band), keys.BAND_SK) for band in band_keys),
            consistent=True,
        )
        return {
            values["PK"].removeprefix("BAND#"): _band_entry(values)
            for values in found
            if values["expires_at"] > now
        }

    def claim(self, band_key: str, entry: BandEntry) -> BandEntry | None:
        now = int(entry.claimed_at)
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=to_item(
                    {
                        "PK": keys.band_pk(band_key),
                        "SK": keys.BAND_SK,
                        "story_id": entry.story_id,
                        "article_id": entry.article_id,
                        "fingerprint": entry.fingerprint.to_bytes(),
                        "claimed_at": entry.claimed_at,
                        "expires_at": now + self._window,
                    }
                ),
                ConditionExpression=(
                    "attribute_not_exists(PK) OR expires_at < :now OR article_id = :me"
                ),
                ExpressionAttributeValues=to_item({":now": now, ":me": entry.article_id}),
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            response = self._dynamodb.get_item(
                TableName=self._table,
                Key=key(keys.band_pk(band_key), keys.BAND_SK),
                ConsistentRead=True,
            )
            item = response.get("Item")
            return None if item is None else _band_entry(from_item(item))
        return None


@dataclass(frozen=True, slots=True)
class StoredStory:
    story_id: str
    first: StoryCopy
    first_seen: str
    copies: int
    sites: int


@dataclass(frozen=True, slots=True)
class StoryAlertRecord:
    """Which watchlist a story alerted for, through which article, and whether it was held."""

    story_id: str
    watchlist: str
    article: ArticleSummary
    reason: WatchlistReason
    alerted_at: str
    held: bool


@dataclass(frozen=True, slots=True)
class Story:
    """A story as the listing shows it: its record and the watchlists it alerted for."""

    story: StoredStory
    watchlists: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One message the alert path recorded in a story's partition (its delivery ledger item)."""

    name: str  # DECISION#<article>, ALERT#<article>#<n>, NOTICE#<watchlist>
    state: str  # DeliveryState: PENDING, SENDING, SENT, FAILED
    finished_at: str | None
    detail: str | None  # the SNS message id, or why it failed
    decision: Mapping[str, Any] | None  # for DECISION#: {"instant", "held", "notices"}


@dataclass(frozen=True, slots=True)
class StoryDetail:
    """A story with its copies in arrival order, its claims and its deliveries."""

    story: StoredStory
    copies: tuple[StoryCopy, ...]
    alerts: tuple[StoryAlertRecord, ...]
    deliveries: Mapping[str, DeliveryRecord]

    def delivery_state(self, alert: StoryAlertRecord) -> str:
        """Where the alert of ``alert.watchlist`` stands: ``held`` (for the digest), a delivery
        state (``SENT``, ``FAILED``, ``SENDING``, ``PENDING``), or ``undecided`` (claimed, and
        the claiming attempt stopped before deciding; its retry decides).

        The alert path (:func:`newswatch.alerting.story_alerts.alert_story`) records the
        decision under ``DECISION#<article>`` and sends the decision's instant watchlists in
        order, WATCHLISTS_PER_MESSAGE to a message ``ALERT#<article>#<n>``.
        """
        if alert.held:
            return "held"
        article_id = alert.article.article_id
        decided = self.deliveries.get(f"DECISION#{article_id}")
        instant = list((decided.decision or {}).get("instant", ())) if decided else []
        if alert.watchlist not in instant:
            return "undecided"
        number = instant.index(alert.watchlist) // WATCHLISTS_PER_MESSAGE
        message = self.deliveries.get(f"ALERT#{article_id}#{number}")
        return message.state if message else DeliveryState.PENDING.value


class StoryRecords:
    """Stories, their copies and their (story, watchlist) claims: the
    :class:`~newswatch.stories.membership.StoryMembership` and
    :class:`~newswatch.alerting.story_alerts.AlertClaims` of the pipeline, and what the local
    console shows of a story."""

    def __init__(self, dynamodb: DynamoDBClient, *, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._table = table_name

    # --- membership ------------------------------------------------------------------------

    def record_copy(self, story_id: str, copy: StoryCopy) -> None:
        """One transaction puts the copy (unless recorded before) and counts it on the story
        item, which its first copy creates (``if_not_exists`` keeps the first copy's fields);
        then the copy's site is counted once. No separate put of the story item: every copy
        would pay a write for it, and one for its GSI1 entry when new."""
        pk = keys.story_pk(story_id)
        try:
            self._dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item(
                                {
                                    "PK": pk,
                                    "SK": keys.copy_sk(copy.article.article_id),
                                    **copy.to_dict(),
                                }
                            ),
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": key(pk, keys.STORY_SK),
                            "UpdateExpression": (
                                "SET story_id = :story, #first = if_not_exists(#first, :first),"
                                " first_seen = if_not_exists(first_seen, :seen),"
                                " GSI1PK = :listing, GSI1SK = if_not_exists(GSI1SK, :newest)"
                                " ADD copies :one"
                            ),
                            "ExpressionAttributeNames": {"#first": "first"},
                            "ExpressionAttributeValues": to_item(
                                {
                                    ":story": story_id,
                                    ":first": copy.to_dict(),
                                    ":seen": copy.ingested_at,
                                    ":listing": keys.STORIES_INDEX_PK,
                                    ":newest": keys.newest_first_sk(copy.ingested_at, story_id),
                                    ":one": 1,
                                }
                            ),
                        }
                    },
                ]
            )
        except ClientError as error:
            if not is_transaction_condition_failure(error):
                raise
            # Recorded before: membership unchanged. The site is counted again all the same
            # (a no-op when it was), in case the earlier attempt stopped before counting it.
        self._add_site(pk, copy.site)

    def _add_site(self, pk: str, site: str) -> None:
        """Count a site once: the site set grows only with a site not in it yet."""
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=key(pk, keys.STORY_SK),
                UpdateExpression="ADD sites :site, site_count :one",
                ConditionExpression=(
                    "NOT contains(sites, :name)"
                    " AND (attribute_not_exists(site_count) OR site_count < :cap)"
                ),
                ExpressionAttributeValues={
                    ":site": {"SS": [site]},
                    ":name": {"S": site},
                    ":one": {"N": "1"},
                    ":cap": {"N": str(MAX_SITES_LISTED)},
                },
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise

    def counts(self, story_id: str) -> StoryCounts:
        story = self.get_story(story_id, consistent=True)  # this worker's copy included
        return StoryCounts(1, 1) if story is None else StoryCounts(story.copies, story.sites)

    # --- alert claims ----------------------------------------------------------------------

    def claim(
        self, story_id: str, article: ArticleSummary, reason: WatchlistReason, at: str
    ) -> str:
        # The index sorts by when the claim was written, not by ``at`` (the article's
        # ingestion, which a retry reuses minutes or days later): a digest window, read after
        # it ended, then holds every claim written in it, however late its article's retry.
        claimed_at = utc_now()
        created = self._put_new(
            {
                "PK": keys.story_pk(story_id),
                "SK": keys.alert_sk(reason.watchlist),
                "GSI1PK": keys.watchlist_stories_pk(reason.watchlist),
                "GSI1SK": keys.newest_first_sk(claimed_at, story_id),
                "story_id": story_id,
                "watchlist": reason.watchlist,
                "article_id": article.article_id,
                "article": article.to_dict(),
                "reason": reason.to_dict(),
                "alerted_at": at,
                "claimed_at": claimed_at,
                "held": False,
            }
        )
        if created:
            return article.article_id
        response = self._dynamodb.get_item(
            TableName=self._table,
            Key=key(keys.story_pk(story_id), keys.alert_sk(reason.watchlist)),
            ConsistentRead=True,
            ProjectionExpression="article_id",
        )
        return str(from_item(response["Item"])["article_id"])

    def hold(self, story_id: str, watchlist: str) -> None:
        self._dynamodb.update_item(
            TableName=self._table,
            Key=key(keys.story_pk(story_id), keys.alert_sk(watchlist)),
            UpdateExpression="SET held = :held",
            ExpressionAttributeValues={":held": {"BOOL": True}},
        )

    # --- listings --------------------------------------------------------------------------

    def get_story(self, story_id: str, *, consistent: bool = False) -> StoredStory | None:
        response = self._dynamodb.get_item(
            TableName=self._table,
            Key=key(keys.story_pk(story_id), keys.STORY_SK),
            ConsistentRead=consistent,
        )
        item = response.get("Item")
        return None if item is None else _stored_story(from_item(item))

    def copies(self, story_id: str) -> list[StoryCopy]:
        return [StoryCopy.from_dict(v) for v in self._partition(story_id, keys.COPY_SK_PREFIX)]

    def alerts(self, story_id: str) -> list[StoryAlertRecord]:
        return [_alert_record(v) for v in self._partition(story_id, keys.ALERT_SK_PREFIX)]

    def recent(self, *, limit: int | None = None, watchlist: str | None = None) -> Iterator[Story]:
        """Stories newest first (by first seen), or those ``watchlist`` alerted for (newest
        alert first); each with the watchlists it alerted for.

        One GSI1 Query page per 100 stories, then one Query per story for its claims (a CLI
        reads a screenful; the write path pays nothing for this listing). With a watchlist,
        one BatchGetItem per 100 stories reads their story items.
        """
        if limit is not None and limit <= 0:
            return
        partition = (
            keys.STORIES_INDEX_PK if watchlist is None else keys.watchlist_stories_pk(watchlist)
        )
        found = newest_first(
            self._dynamodb, self._table, partition, limit=limit, page_size=LISTING_PAGE
        )
        for page in itertools.batched(found, LISTING_PAGE):
            if watchlist is None:
                stories = [_stored_story(values) for values in page]
            else:
                stories = self._stories([values["story_id"] for values in page])
            for story in stories:
                yield Story(story, tuple(self._watchlists(story.story_id)))

    def detail(self, story_id: str) -> StoryDetail | None:
        """The story with every copy, claim and delivery: one Query of its partition."""
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.story_pk(story_id)}),
        }
        story: StoredStory | None = None
        copies: list[StoryCopy] = []
        alerts: list[StoryAlertRecord] = []
        deliveries: dict[str, DeliveryRecord] = {}
        for values in query(self._dynamodb, request):
            sort_key: str = values["SK"]
            if sort_key == keys.STORY_SK:
                story = _stored_story(values)
            elif sort_key.startswith(keys.COPY_SK_PREFIX):
                copies.append(StoryCopy.from_dict(values))
            elif sort_key.startswith(keys.ALERT_SK_PREFIX):
                alerts.append(_alert_record(values))
            elif sort_key.startswith(keys.DELIVERY_SK_PREFIX):
                record = _delivery_record(values)
                deliveries[record.name] = record
        if story is None:
            return None
        copies.sort(key=lambda copy: (copy.ingested_at, copy.article.article_id))
        return StoryDetail(story, tuple(copies), tuple(alerts), deliveries)

    def _stories(self, story_ids: list[str]) -> list[StoredStory]:
        """Story items by id, in the order asked (one BatchGetItem per 100)."""
        found = {
            values["story_id"]: _stored_story(values)
            for values in batch_get(
                self._dynamodb,
                self._table,
                (key(keys.story_pk(story_id), keys.STORY_SK) for story_id in story_ids),
            )
        }
        return [found[story_id] for story_id in story_ids if story_id in found]

    def _watchlists(self, story_id: str) -> Iterator[str]:
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.story_pk(story_id), ":prefix": keys.ALERT_SK_PREFIX}
            ),
            "ProjectionExpression": "watchlist",
        }
        return (str(values["watchlist"]) for values in query(self._dynamodb, request))

    def _partition(self, story_id: str, prefix: str) -> Iterator[dict[str, Any]]:
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.story_pk(story_id), ":prefix": prefix}
            ),
        }
        return query(self._dynamodb, request)

    def _put_new(self, values: dict[str, Any]) -> bool:
        return put_new(self._dynamodb, self._table, values)


def _band_entry(values: dict[str, Any]) -> BandEntry:
    return BandEntry(
        story_id=values["story_id"],
        article_id=values["article_id"],
        fingerprint=Fingerprint.from_bytes(bytes(values["fingerprint"])),
        claimed_at=float(values["claimed_at"]),
    )


def _stored_story(values: dict[str, Any]) -> StoredStory:
    return StoredStory(
        story_id=values["story_id"],
        first=StoryCopy.from_dict(values["first"]),
        first_seen=values["first_seen"],
        copies=max(1, int(values.get("copies") or 0)),
        sites=max(1, int(values.get("site_count") or 0)),
    )


def _delivery_record(values: dict[str, Any]) -> DeliveryRecord:
    decision = values.get("decision")
    return DeliveryRecord(
        name=str(values["SK"]).removeprefix(keys.DELIVERY_SK_PREFIX),
        state=str(values.get("state", "")),
        finished_at=values.get("sent_at"),
        detail=values.get("message_id") or values.get("failure"),
        decision=json.loads(decision) if isinstance(decision, str) else None,
    )


def _alert_record(values: dict[str, Any]) -> StoryAlertRecord:
    return StoryAlertRecord(
        story_id=values["story_id"],
        watchlist=values["watchlist"],
        article=ArticleSummary.from_dict(values["article"]),
        reason=WatchlistReason.from_dict(values["reason"]),
        alerted_at=values["alerted_at"],
        held=bool(values.get("held")),
    )
