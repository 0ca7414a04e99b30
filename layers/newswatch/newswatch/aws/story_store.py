"""Stories in the single table: band entries, story records, copies and (story, watchlist) claims.

Key layout in :mod:`newswatch.aws.keys`. Write units per matched article, at most: one per band
entry it claims (each under 1 KB: the fingerprint is about 650 bytes), two for the copy (a
transaction of the copy item and the story's counters costs double), one for the story item
when new, and one per watchlist claim. Reads: one BatchGetItem for all band entries.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

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
        pk = keys.story_pk(story_id)
        self._put_new(
            {
                "PK": pk,
                "SK": keys.STORY_SK,
                "GSI1PK": keys.STORIES_INDEX_PK,
                "GSI1SK": keys.newest_first_sk(copy.ingested_at, story_id),
                "story_id": story_id,
                "first": copy.to_dict(),
                "first_seen": copy.ingested_at,
                "copies": 0,
                "site_count": 0,
            }
        )
        site = copy.site
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
                            "UpdateExpression": "ADD copies :one",
                            "ExpressionAttributeValues": to_item({":one": 1}),
                        }
                    },
                ]
            )
        except ClientError as error:
            if is_transaction_condition_failure(error):
                return  # this article was recorded before: membership unchanged
            raise
        self._add_site(pk, site)

    def _add_site(self, pk: str, site: str) -> None:
        """Count a site once: the site set grows only with a site not in it yet."""
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=key(pk, keys.STORY_SK),
                UpdateExpression="ADD sites :site, site_count :one",
                ConditionExpression="NOT contains(sites, :name) AND site_count < :cap",
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


def _alert_record(values: dict[str, Any]) -> StoryAlertRecord:
    return StoryAlertRecord(
        story_id=values["story_id"],
        watchlist=values["watchlist"],
        article=ArticleSummary.from_dict(values["article"]),
        reason=WatchlistReason.from_dict(values["reason"]),
        alerted_at=values["alerted_at"],
        held=bool(values.get("held")),
    )
