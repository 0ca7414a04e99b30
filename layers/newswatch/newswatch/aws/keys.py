"""The single-table key design, in one place (documented in the README, Storage).

Base table ``PK``/``SK``; one global index ``GSI1`` (``GSI1PK``/``GSI1SK``); TTL on
``expires_at``. Everything about one notified object version lives in the partition
``ARTICLE#<id>``, so a retry finds the article, its matches and their alert states together.
Timestamps in sort keys are ISO-8601 UTC, which sort as strings; "newest first" is a query
with ``ScanIndexForward=False``.
"""

from __future__ import annotations

ARTICLE_SK = "ARTICLE"
REJECTION_SK = "REJECTION"
RECEIPT_SK = "RECEIPT"
MATCH_SK_PREFIX = "MATCH#"

REJECTIONS_INDEX_PK = "REJECTIONS"

WATCHLISTS_PK = "WATCHLISTS"
WATCHLIST_SK_PREFIX = "WATCHLIST#"
CURRENT_WATCHLISTS_SK = "CURRENT"

GSI1 = "GSI1"


def article_pk(article_id: str) -> str:
    return f"ARTICLE#{article_id}"


def match_sk(watchlist: str) -> str:
    return f"{MATCH_SK_PREFIX}{watchlist}"


def newest_first_sk(timestamp: str, article_id: str) -> str:
    """GSI1 sort key: time first so the index sorts chronologically, the id to keep it unique."""
    return f"{timestamp}#{article_id}"


def watchlist_sk(name: str) -> str:
    return f"{WATCHLIST_SK_PREFIX}{name}"


# --- stories (issue: one alert per story) ----------------------------------------------------
# ``STORY#<id>`` holds a story: its ``STORY`` item, one ``COPY#<article>`` item per article that
# carried it, one ``ALERT#<watchlist>`` item per watchlist it alerted for (GSI1: the watchlist's
# stories, newest first, which digests read) and one ``DELIVERY#<name>`` item per message sent
# for it. ``BAND#<key>`` items find a story's candidates in one BatchGetItem; they expire with
# the story window. ``RATE#<watchlist>`` holds storm control's rolling hour; ``DIGEST#<watchlist>``
# one item per digest window sent.
STORY_SK = "STORY"
STORIES_INDEX_PK = "STORIES"
COPY_SK_PREFIX = "COPY#"
ALERT_SK_PREFIX = "ALERT#"
DELIVERY_SK_PREFIX = "DELIVERY#"
BAND_SK = "BAND"
RATE_SK = "RATE"


def story_pk(story_id: str) -> str:
    return f"STORY#{story_id}"


def copy_sk(article_id: str) -> str:
    return f"{COPY_SK_PREFIX}{article_id}"


def alert_sk(watchlist: str) -> str:
    return f"{ALERT_SK_PREFIX}{watchlist}"


def delivery_sk(name: str) -> str:
    return f"{DELIVERY_SK_PREFIX}{name}"


def band_pk(band_key: str) -> str:
    return f"BAND#{band_key}"


def watchlist_stories_pk(watchlist: str) -> str:
    """GSI1 partition of the stories one watchlist alerted for, by time of the alert."""
    return f"WLSTORY#{watchlist}"


def rate_pk(watchlist: str) -> str:
    return f"RATE#{watchlist}"


def digest_pk(watchlist: str) -> str:
    return f"DIGEST#{watchlist}"


# The digest partition ``DIGEST#<watchlist>`` holds the last window sent (this item) and one
# ``DELIVERY#WINDOW#<end>#<delivery>`` item per digest message.
DIGEST_WINDOW_SK = "WINDOW"
