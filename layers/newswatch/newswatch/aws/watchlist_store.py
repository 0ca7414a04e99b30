"""The stored watchlist set: one item per watchlist, the compiled index in S3, a version pointer.

Watchlists live in the table so that changing them needs no redeploy. A cold function loads the
compiled index (``watchlists/<version>.bin`` in the article bucket, outside ``incoming/``)
instead of compiling 100,000 watchlists, and a warm one re-reads only the small pointer item
every ``refresh_seconds`` to notice a push.

When there is no set to match against, :meth:`WatchlistStore.current` says so with an error
instead of an empty set (unless the store was told that no watchlists are expected): an article
matched against nothing would be stored, receipted and never alerted on, silently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newswatch.aws import keys
from newswatch.aws.article_store import utc_now
from newswatch.aws.dynamo import batch_write, from_item, key, query, to_item
from newswatch.aws.s3_objects import is_missing
from newswatch.watchlists import (
    WatchlistError,
    WatchlistIndexCorrupt,
    WatchlistIndexStale,
    WatchlistSet,
    WatchlistsUnavailable,
    load_watchlists,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger(__name__)

INDEX_PREFIX = "watchlists/"


class WatchlistStore:
    """Read and replace the stored watchlist set.

    ``watchlists_expected`` (the default) makes a missing set an error; a deployment that runs
    without watchlists on purpose (storing articles only) sets it to False and matches against
    an empty set.
    """

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        s3: S3Client,
        *,
        table_name: str,
        bucket: str,
        refresh_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
        watchlists_expected: bool = True,
    ) -> None:
        self._dynamodb = dynamodb
        self._s3 = s3
        self._table = table_name
        self._bucket = bucket
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._watchlists_expected = watchlists_expected
        self._cached: WatchlistSet | None = None
        self._checked_at: float | None = None

    def replace(self, watchlists: WatchlistSet) -> str:
        """Make ``watchlists`` the stored set and return its version.

        The caller validated the set (it is a loaded :class:`WatchlistSet`). Order matters for
        readers running meanwhile: the index and the items are written before the pointer moves
        to the new version, and the items of dropped watchlists are deleted only after it.
        """
        version = watchlists.version
        index_key = f"{INDEX_PREFIX}{version}.bin"
        self._s3.put_object(
            Bucket=self._bucket,
            Key=index_key,
            Body=watchlists.dumps(),
            ContentType="application/octet-stream",
        )
        definitions = _definitions(watchlists)
        previous = set(self.names())
        updated_at = utc_now()
        batch_write(
            self._dynamodb,
            self._table,
            (
                {
                    "PutRequest": {
                        "Item": to_item(
                            {
                                "PK": keys.WATCHLISTS_PK,
                                "SK": keys.watchlist_sk(name),
                                "name": name,
                                # File order decides the set's version, so a rebuild keeps it.
                                "position": position,
                                "version": version,
                                "definition": definition,
                                "updated_at": updated_at,
                            }
                        )
                    }
                }
                for position, (name, definition) in enumerate(definitions.items())
            ),
        )
        self._dynamodb.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "PK": keys.WATCHLISTS_PK,
                    "SK": keys.CURRENT_WATCHLISTS_SK,
                    "version": version,
                    "index_key": index_key,
                    "count": len(definitions),
                    "updated_at": updated_at,
                }
            ),
        )
        batch_write(
            self._dynamodb,
            self._table,
            (
                {"DeleteRequest": {"Key": key(keys.WATCHLISTS_PK, keys.watchlist_sk(name))}}
                for name in sorted(previous - definitions.keys())
            ),
        )
        self._cached, self._checked_at = watchlists, self._clock()
        return version

    def current(self) -> WatchlistSet:
        """The stored set, cached for ``refresh_seconds``.

        Raises :class:`WatchlistsUnavailable` when no set was ever pushed (while watchlists are
        expected; else the set is empty) or when its index is gone and its items do not make
        the pushed set, and :class:`WatchlistIndexCorrupt` when its index is corrupt and the
        items cannot stand in for it. Neither is cached: the first call after a push succeeds.
        """
        now = self._clock()
        if (
            self._cached is not None
            and self._checked_at is not None
            and now - self._checked_at < self._refresh_seconds
        ):
            return self._cached
        pointer = self._pointer()
        if pointer is None:
            self._cached = self._nothing_pushed()
        elif self._cached is None or self._cached.version != pointer["version"]:
            self._cached = self._load(pointer)
        self._checked_at = now
        return self._cached

    def names(self) -> list[str]:
        """Names of the stored watchlists, in file order."""
        return [values["name"] for values in self._items("#n, #p")]

    def definitions(self) -> list[dict[str, Any]]:
        """The stored watchlists as written in a watchlist file's ``watchlists`` list."""
        return [values["definition"] for values in self._items()]

    def _pointer(self) -> dict[str, Any] | None:
        response = self._dynamodb.get_item(
            TableName=self._table,
            Key=key(keys.WATCHLISTS_PK, keys.CURRENT_WATCHLISTS_SK),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return None if item is None else from_item(item)

    def _nothing_pushed(self) -> WatchlistSet:
        if self._watchlists_expected:
            logger.error(
                "no watchlists: the pointer item %s/%s is missing; articles are not matched "
                "until 'newswatch watchlists push'",
                keys.WATCHLISTS_PK,
                keys.CURRENT_WATCHLISTS_SK,
            )
            raise WatchlistsUnavailable(
                "no watchlist set has been pushed (the pointer item is missing), "
                "while watchlists are expected"
            )
        return load_watchlists({"watchlists": []})

    def _load(self, pointer: dict[str, Any]) -> WatchlistSet:
        """The compiled index from S3; compiled from the items instead if the index is gone,
        stale (other word forms or format) or corrupt: the items are the source of truth."""
        version, index_key = pointer["version"], pointer["index_key"]
        corrupt: WatchlistIndexCorrupt | None = None
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=index_key)["Body"].read()
        except ClientError as error:
            if not is_missing(error):
                raise
            problem = f"{index_key} is missing"
        else:
            try:
                return WatchlistSet.loads(body)
            except WatchlistIndexStale as error:
                problem = str(error)
            except WatchlistIndexCorrupt as error:
                corrupt = WatchlistIndexCorrupt(version, error.detail)
                problem = str(corrupt)
                logger.error("%s (%s)", problem, index_key)
        # Compiling costs seconds per 10,000 watchlists, at every cold start until the next
        # push writes an index this code can load: say so, so that someone pushes again.
        logger.warning(
            "compiling watchlist version %s from its items (%s); push them again to fix",
            version,
            problem,
        )
        try:
            rebuilt = self._compile_items(pointer)
        except WatchlistsUnavailable as error:
            if corrupt is None:
                raise
            raise WatchlistIndexCorrupt(version, f"{corrupt.detail}; {error}") from error
        rebuilt.compiled_at_load = True
        return rebuilt

    def _compile_items(self, pointer: dict[str, Any]) -> WatchlistSet:
        """The pushed set from its items, if they are all there and valid."""
        definitions = self.definitions()
        expected = int(pointer["count"])
        if len(definitions) != expected:
            raise WatchlistsUnavailable(
                f"watchlist version {pointer['version']} has {expected} watchlists but "
                f"{len(definitions)} items (a push under way, or items lost)"
            )
        try:
            rebuilt = load_watchlists({"watchlists": definitions})
        except WatchlistError as error:
            raise WatchlistsUnavailable(
                f"the items of watchlist version {pointer['version']} do not compile: {error}"
            ) from error
        if rebuilt.version != pointer["version"]:
            logger.warning(
                "the items compile to watchlist version %s, not %s",
                rebuilt.version,
                pointer["version"],
            )
        return rebuilt

    def _items(self, projection: str | None = None) -> list[dict[str, Any]]:
        """The watchlist items, in file order."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.WATCHLISTS_PK, ":prefix": keys.WATCHLIST_SK_PREFIX}
            ),
            "ConsistentRead": True,
        }
        if projection:
            request["ProjectionExpression"] = projection
            request["ExpressionAttributeNames"] = {"#n": "name", "#p": "position"}
        return sorted(query(self._dynamodb, request), key=lambda values: int(values["position"]))


def _definitions(watchlists: WatchlistSet) -> dict[str, dict[str, Any]]:
    """Each watchlist's definition by name, as in the set's document form."""
    document = watchlists.to_document()
    return {entry["name"]: entry for entry in document["watchlists"]}
