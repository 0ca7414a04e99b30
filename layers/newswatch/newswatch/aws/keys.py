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

ARTICLES_INDEX_PK = "ARTICLES"
REJECTIONS_INDEX_PK = "REJECTIONS"

WATCHLISTS_PK = "WATCHLISTS"
WATCHLIST_SK_PREFIX = "WATCHLIST#"
CURRENT_WATCHLISTS_SK = "CURRENT"

GSI1 = "GSI1"


def article_pk(article_id: str) -> str:
    return f"ARTICLE#{article_id}"


def match_sk(watchlist: str) -> str:
    return f"{MATCH_SK_PREFIX}{watchlist}"


def watchlist_matches_pk(watchlist: str) -> str:
    """GSI1 partition of one watchlist's matches, sorted by ingestion time."""
    return f"WATCHLIST#{watchlist}"


def newest_first_sk(timestamp: str, article_id: str) -> str:
    """GSI1 sort key: time first so the index sorts chronologically, the id to keep it unique."""
    return f"{timestamp}#{article_id}"


def watchlist_sk(name: str) -> str:
    return f"{WATCHLIST_SK_PREFIX}{name}"
