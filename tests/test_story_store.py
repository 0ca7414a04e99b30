"""The story records on moto: the first copy makes the story and stays its first article, a
retried copy changes nothing, and a retry after a crash between the copy and its site still
counts the site once."""

from __future__ import annotations

from typing import Any

import pytest
from ingest_env import TABLE, IngestEnv, env_fixture  # noqa: F401
from newswatch.article import ArticleSummary
from newswatch.aws.story_store import StoryRecords
from newswatch.stories.membership import StoryCopy

STORY = "0123456789abcdef01234567"


def copy(article_id: str, url: str, at: str) -> StoryCopy:
    summary = ArticleSummary(
        article_id, f"Title {article_id}", None, url, None, (), f"s3://b/{article_id}"
    )
    return StoryCopy(summary, at)


def test_the_first_copy_makes_the_story_and_later_ones_count(env: IngestEnv) -> None:
    records = StoryRecords(env.dynamodb, table_name=TABLE)
    records.record_copy(STORY, copy("a1", "https://one.example/x", "2026-01-01T00:00:01"))
    records.record_copy(STORY, copy("a2", "https://www.two.example/y", "2026-01-01T00:00:02"))
    records.record_copy(STORY, copy("a3", "https://one.example/z", "2026-01-01T00:00:03"))
    story = records.get_story(STORY)
    assert story is not None
    assert (story.copies, story.sites) == (3, 2)
    assert story.first.article.article_id == "a1"
    assert story.first_seen == "2026-01-01T00:00:01"
    (listed,) = records.recent()
    assert listed.story.story_id == STORY


def test_a_retried_copy_changes_nothing(env: IngestEnv) -> None:
    records = StoryRecords(env.dynamodb, table_name=TABLE)
    first = copy("a1", "https://one.example/x", "2026-01-01T00:00:01")
    records.record_copy(STORY, first)
    records.record_copy(STORY, first)
    story = records.get_story(STORY)
    assert story is not None and (story.copies, story.sites) == (1, 1)
    assert len(records.copies(STORY)) == 1


def test_a_retry_after_a_crash_before_the_site_was_counted_counts_it(env: IngestEnv) -> None:
    records = StoryRecords(env.dynamodb, table_name=TABLE)
    records.record_copy(STORY, copy("a1", "https://one.example/x", "2026-01-01T00:00:01"))
    crash = [1]

    def crash_once(**_: Any) -> None:
        if crash:
            crash.pop()
            raise RuntimeError("worker stopped")

    env.dynamodb.meta.events.register("before-call.dynamodb.UpdateItem", crash_once)
    second = copy("a2", "https://two.example/y", "2026-01-01T00:00:02")
    with pytest.raises(RuntimeError):
        records.record_copy(STORY, second)
    records.record_copy(STORY, second)
    story = records.get_story(STORY)
    assert story is not None and (story.copies, story.sites) == (2, 2)
