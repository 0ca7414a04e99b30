"""newswatch stories / newswatch story: the stories that alerted, and one story's copies and alerts.

Copies of one story (re-uploads, syndicated copies on other sites) alert once per watchlist;
these commands show what was grouped and what was sent, so a person can check a merge (or a
missed one) without opening the DynamoDB console. Titles, sites, keys and URLs come from pages
and uploaders: the text lines show them through :mod:`newswatch.untrusted`, and ``--json``
escapes every non-ASCII character, so neither can drive the terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from newswatch.aws.story_store import Story, StoryAlertRecord, StoryDetail, StoryRecords
from newswatch.stack import add_stack_arguments, stack_from_args
from newswatch.stories.membership import StoryCopy
from newswatch.untrusted import cap, clean_line, shown_url

DEFAULT_LIMIT = 20
# Characters of a title on a listing line, so a line stays readable on a terminal.
TITLE_CHARACTERS = 100


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = subparsers.add_parser(
        "stories",
        help="list recent stories (copies grouped), newest first",
        description="Recent stories, newest first: title, first seen, copies, sites, and the "
        "watchlists each alerted for.",
    )
    add_stack_arguments(listing)
    listing.add_argument(
        "--watchlist", metavar="NAME", help="only the stories this watchlist alerted for"
    )
    listing.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show at most N (default {DEFAULT_LIMIT}; 0: all)",
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=run_stories)

    one = subparsers.add_parser(
        "story",
        help="show one story: every copy, and its alerts per watchlist",
        description="One story: its first article, every copy (site, S3 location, time) and, "
        "per watchlist, the alert it sent and where its delivery stands.",
    )
    add_stack_arguments(one)
    one.add_argument("story_id", metavar="STORY_ID", help="as `newswatch stories` lists it")
    one.add_argument("--json", action="store_true", help="one JSON object")
    one.set_defaults(handler=run_story)


def run_stories(args: argparse.Namespace) -> int:
    records = _records(args)
    shown = 0
    for story in records.recent(limit=args.limit or None, watchlist=args.watchlist):
        print(_json(_story_dict(story)) if args.json else _story_lines(story))
        shown += 1
    if not shown and not args.json:
        print("no stories stored" + (f" for {args.watchlist}" if args.watchlist else ""))
    return 0


def run_story(args: argparse.Namespace) -> int:
    detail = _records(args).detail(args.story_id)
    if detail is None:
        print(f"newswatch: no story {clean_line(args.story_id)}", file=sys.stderr)
        return 1
    print(_json(_detail_dict(detail)) if args.json else _detail_lines(detail))
    return 0


def _records(args: argparse.Namespace) -> StoryRecords:
    return stack_from_args(args).story_records()


def _json(values: dict[str, Any]) -> str:
    """Non-ASCII escaped: bidi and C1 controls in a title stay inert on a terminal."""
    return json.dumps(values, ensure_ascii=True)


def _title(copy: StoryCopy) -> str:
    return cap(clean_line(copy.article.title or "(no title)"), TITLE_CHARACTERS)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _story_lines(entry: Story) -> str:
    """Two lines: when, counts, watchlists and id; then the first article's title."""
    story = entry.story
    counts = f"{_plural(story.copies, 'copy', 'copies')} on {_plural(story.sites, 'site', 'sites')}"
    watchlists = ",".join(entry.watchlists) or "-"
    return (
        f"{story.first_seen}  {story.story_id}  {counts:<22} {watchlists}\n"
        f"    {_title(story.first)}"
    )


def _copy_line(copy: StoryCopy) -> str:
    url = shown_url(copy.article.url)
    line = f"  {copy.ingested_at}  {clean_line(copy.site):<28} {clean_line(copy.article.s3_uri)}"
    return line + (f"\n      {url}" if url else "")


def _alert_line(detail: StoryDetail, alert: StoryAlertRecord) -> str:
    state = detail.delivery_state(alert)
    return f"  {alert.watchlist:<20} {state:<9} at {alert.alerted_at} by {alert.article.article_id}"


def _detail_lines(detail: StoryDetail) -> str:
    story = detail.story
    lines = [
        f"story {story.story_id}",
        f"  title       {_title(story.first)}",
        f"  first seen  {story.first_seen} ({story.first.article.article_id})",
        f"  carried by  {_plural(story.copies, 'copy', 'copies')} "
        f"on {_plural(story.sites, 'site', 'sites')}",
        "copies, in arrival order:",
        *(_copy_line(copy) for copy in detail.copies),
        "alerts, per watchlist:" if detail.alerts else "alerts: none",
        *(_alert_line(detail, alert) for alert in detail.alerts),
    ]
    return "\n".join(lines)


def _story_dict(entry: Story) -> dict[str, Any]:
    story = entry.story
    return {
        "story_id": story.story_id,
        "title": story.first.article.title,
        "first_seen": story.first_seen,
        "copies": story.copies,
        "sites": story.sites,
        "watchlists": list(entry.watchlists),
        "first": story.first.to_dict(),
    }


def _detail_dict(detail: StoryDetail) -> dict[str, Any]:
    return {
        "story_id": detail.story.story_id,
        "title": detail.story.first.article.title,
        "first_seen": detail.story.first_seen,
        "copies": detail.story.copies,
        "sites": detail.story.sites,
        "articles": [{**copy.to_dict(), "site": copy.site} for copy in detail.copies],
        "alerts": [
            {
                "watchlist": alert.watchlist,
                "article_id": alert.article.article_id,
                "alerted_at": alert.alerted_at,
                "held": alert.held,
                "delivery": detail.delivery_state(alert),
            }
            for alert in detail.alerts
        ],
    }
