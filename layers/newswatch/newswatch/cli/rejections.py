"""newswatch rejections: the objects that did not become articles, and why, newest first.

Every object that arrives ends as an article, a rejection or a dead-letter message; this is how
a person sees the second kind without opening the DynamoDB console.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from newswatch.aws.article_store import StoredRejection
from newswatch.stack import add_stack_arguments, stack_from_args


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rejections",
        help="list stored rejections (objects that did not become articles), newest first",
        description="The objects that did not become articles, with the reason, newest first.",
    )
    add_stack_arguments(parser)
    parser.add_argument(
        "--limit", type=int, default=50, metavar="N", help="show at most N (default 50; 0: all)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    store = stack_from_args(args).article_store()
    shown = 0
    for rejection in store.rejections(limit=args.limit or None):
        print(
            json.dumps(_as_dict(rejection), ensure_ascii=False) if args.json else _line(rejection)
        )
        shown += 1
    if not shown and not args.json:
        print("no rejections stored")
    return 0


def _line(rejection: StoredRejection) -> str:
    """Two lines: when, why and which object; then the detail, indented."""
    when_why_what = f"{rejection.rejected_at}  {rejection.reason:<16} {rejection.s3_uri}"
    return f"{when_why_what}\n    {rejection.detail}"


def _as_dict(rejection: StoredRejection) -> dict[str, Any]:
    return {
        "rejected_at": rejection.rejected_at,
        "reason": rejection.reason,
        "detail": rejection.detail,
        "bucket": rejection.bucket,
        "key": rejection.key,
        "version_id": rejection.version_id,
        "article_id": rejection.article_id,
    }
