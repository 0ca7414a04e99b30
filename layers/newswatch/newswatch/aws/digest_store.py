"""Digests on DynamoDB: a watchlist's stories of a window (GSI1) and the last window sent.

- :class:`WatchlistStoryIndex` (:class:`newswatch.alerting.digests.WatchlistStories`): the
  ``ALERT#<watchlist>`` claims sit on GSI1 under ``WLSTORY#<watchlist>``, sorted by the time
  the claim was written; a window is ``GSI1SK BETWEEN <start> AND <end>`` (an item at exactly
  ``end`` sorts after ``<end>``, because ``#<story>`` follows, so windows do not overlap).
  Reads: one page for the newest 50, one ``Select=COUNT`` pass for the total, and one
  BatchGetItem for those stories' site counts.
- :class:`DynamoDigestState` (:class:`newswatch.alerting.digests.DigestState`): the item
  ``DIGEST#<watchlist>`` / ``WINDOW`` holds the last window's end, advanced by a conditional
  update only. The digest deliveries live in the same partition
  (:class:`newswatch.aws.delivery_ledger.DynamoDeliveryLedger`, ``Scope.WATCHLIST``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newswatch.alerting.digests import Window, WindowStories
from newswatch.alerting.model import DigestEntry, WatchlistReason
from newswatch.article import ArticleSummary
from newswatch.aws import keys
from newswatch.aws.dynamo import batch_get, from_item, is_condition_failure, key, query, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def index_time(moment: datetime) -> str:
    """``moment`` as the sort keys write times (:func:`newswatch.aws.article_store.utc_now`)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class WatchlistStoryIndex:
    def __init__(self, dynamodb: DynamoDBClient, *, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._table = table_name

    def in_window(
        self, watchlist: str, window: Window, *, held_only: bool, limit: int
    ) -> WindowStories:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK BETWEEN :start AND :end",
            "ExpressionAttributeValues": to_item(
                {
                    ":pk": keys.watchlist_stories_pk(watchlist),
                    ":start": index_time(window[0]),
                    ":end": index_time(window[1]),
                    **({":held": True} if held_only else {}),
                }
            ),
            "ScanIndexForward": False,
        }
        if held_only:
            request["FilterExpression"] = "held = :held"
        # Unfiltered, a page of ``limit`` items is the answer; filtered, pages run on until
        # ``limit`` held ones are found.
        page = request if held_only else {**request, "Limit": limit}
        found = list(query(self._dynamodb, page, limit=limit))
        # A short first page is the whole window; only a full one needs counting.
        total = len(found) if len(found) < limit else self._count(request)
        sites = self._site_counts([values["story_id"] for values in found])
        entries = tuple(
            DigestEntry(
                story_id=values["story_id"],
                article=ArticleSummary.from_dict(values["article"]),
                reason=WatchlistReason.from_dict(values["reason"]),
                alerted_at=values["alerted_at"],
                sites=sites.get(values["story_id"], 1),
            )
            for values in found
        )
        return WindowStories(entries=entries, total=total)

    def _count(self, request: Mapping[str, Any]) -> int:
        """How many items match, over every page (a count reads the keys, returns no items)."""
        counting = {**request, "Select": "COUNT"}
        total = 0
        while True:
            response = self._dynamodb.query(**counting)
            total += int(response.get("Count", 0))
            if "LastEvaluatedKey" not in response:
                return total
            counting["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _site_counts(self, story_ids: Sequence[str]) -> dict[str, int]:
        stories = batch_get(
            self._dynamodb,
            self._table,
            (key(keys.story_pk(story_id), keys.STORY_SK) for story_id in dict.fromkeys(story_ids)),
            projection="story_id, site_count",
        )
        return {
            values["story_id"]: max(1, int(values.get("site_count") or 0)) for values in stories
        }


class DynamoDigestState:
    def __init__(self, dynamodb: DynamoDBClient, *, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._table = table_name

    def last_window_ends(self, watchlists: Sequence[str]) -> dict[str, datetime]:
        found = batch_get(
            self._dynamodb,
            self._table,
            (
                key(keys.digest_pk(name), keys.DIGEST_WINDOW_SK)
                for name in dict.fromkeys(watchlists)
            ),
            consistent=True,
            projection="watchlist, window_end",
        )
        return {
            values["watchlist"]: datetime.fromisoformat(values["window_end"]) for values in found
        }

    def record_window(self, watchlist: str, window: Window) -> None:
        start, end = (index_time(moment) for moment in window)
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=key(keys.digest_pk(watchlist), keys.DIGEST_WINDOW_SK),
                UpdateExpression=(
                    "SET watchlist = :name, window_start = :start, window_end = :end, "
                    "recorded_at = :now"
                ),
                # ISO-8601 UTC strings of one format compare as times.
                ConditionExpression="attribute_not_exists(window_end) OR window_end < :end",
                ExpressionAttributeValues=to_item(
                    {
                        ":name": watchlist,
                        ":start": start,
                        ":end": end,
                        ":now": index_time(datetime.now(UTC)),
                    }
                ),
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            # A later window is recorded already (a concurrent or newer run): keep it.

    def window_item(self, watchlist: str) -> dict[str, Any] | None:
        """The recorded item, for people (``newswatch local`` shows when digests went)."""
        response = self._dynamodb.get_item(
            TableName=self._table,
            Key=key(keys.digest_pk(watchlist), keys.DIGEST_WINDOW_SK),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return None if item is None else from_item(item)
