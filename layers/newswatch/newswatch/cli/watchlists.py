"""newswatch watchlists check|push|preview: tools for the people who write watchlists.

- check FILE: every error (which watchlist, where in it, what was expected) and warning.
- push FILE: refuse what check rejects, else replace the stored set (the pipeline sees
  it within its refresh interval, no redeploy) and make the alert topic's subscriptions match
  the file's `notify:` lists, printing the plan; --dry-run prints the plan and changes nothing.
- preview FILE: run the file's watchlists over the articles already stored and list what
  they would have matched, before pushing them.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from newswatch.aws.sns_subscriptions import TopicSubscriptions
from newswatch.errors import NewswatchError
from newswatch.stack import add_stack_arguments, stack_from_args
from newswatch.watchlists import WatchlistSet, check_watchlists, load_watchlists


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``watchlists`` and its ``check``, ``push`` and ``preview`` sub-commands."""
    parser = subparsers.add_parser(
        "watchlists",
        help="check, push and preview watchlist files",
        description=__doc__,
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    check = actions.add_parser("check", help="list errors and warnings in a watchlist file")
    check.add_argument("file", type=Path, metavar="FILE")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(handler=run_check)

    push = actions.add_parser("push", help="validate a file and make it the stored watchlists")
    push.add_argument("file", type=Path, metavar="FILE")
    push.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would change (watchlists and subscriptions) without changing it",
    )
    add_stack_arguments(push)
    push.set_defaults(handler=run_push)

    preview = actions.add_parser(
        "preview", help="what a watchlist file would have matched among the stored articles"
    )
    preview.add_argument("file", type=Path, metavar="FILE")
    preview.add_argument(
        "--only", metavar="NAME", action="append", help="preview only this watchlist (repeatable)"
    )
    preview.add_argument(
        "--limit",
        type=int,
        default=1000,
        metavar="N",
        help="read the newest N stored articles (default 1000; 0: all)",
    )
    preview.add_argument("--explain", action="store_true", help="show every hit with its context")
    preview.add_argument("--json", action="store_true", help="one JSON object per matched article")
    add_stack_arguments(preview)
    preview.set_defaults(handler=run_preview)


def run_check(args: argparse.Namespace) -> int:
    """0 when the file would be accepted (and, with --strict, has no warnings), else 1."""
    findings = check_watchlists(args.file)
    for finding in findings:
        print(f"{args.file}: {finding}")
    errors = sum(finding.severity == "error" for finding in findings)
    warnings = len(findings) - errors
    if errors:
        print(f"{args.file}: rejected ({errors} errors, {warnings} warnings)", file=sys.stderr)
        return 1
    count = len(load_watchlists(args.file))
    print(f"{args.file}: {count} watchlists OK" + (f", {warnings} warnings" if warnings else ""))
    return 1 if args.strict and warnings else 0


def run_push(args: argparse.Namespace) -> int:
    """Validate the whole file and plan its subscriptions first: nothing is written unless all
    of it is valid and every subscription it asks for is one SNS accepts."""
    watchlists = load_watchlists(args.file)  # raises with every error before any write
    stack = stack_from_args(args)
    subscriptions = TopicSubscriptions(
        stack.sns(), stack.dynamodb(), topic_arn=stack.topic_arn, table_name=stack.table
    )
    plan = subscriptions.reconcile(watchlists, dry_run=True)  # raises before any write
    where = stack.endpoint_url or "AWS"
    if args.dry_run:
        print(f"would push {len(watchlists)} watchlists as version {watchlists.version} (dry run)")
        print("\n".join(plan.lines()))
        return 0
    version = stack.watchlist_store().replace(watchlists)
    print(f"pushed {len(watchlists)} watchlists as version {version} to {stack.table} ({where})")
    print("\n".join(plan.lines()))
    subscriptions.apply(plan)
    return 0


def run_preview(args: argparse.Namespace) -> int:
    """List, newest first, the stored articles that the file's watchlists would match."""
    watchlists = _selected(load_watchlists(args.file), args.only)
    store = stack_from_args(args).article_store()
    read = fired = 0
    for stored in store.iter_articles(full_text=True, limit=args.limit or None):
        read += 1
        matches = watchlists.match(stored.article)
        if not matches:
            continue
        fired += 1
        if args.json:
            record = {
                "article_id": stored.article_id,
                "source": stored.s3_uri,
                "ingested_at": stored.ingested_at,
                "title": stored.article.title,
                "matches": [match.to_dict() for match in matches],
            }
            print(json.dumps(record, ensure_ascii=False))
            continue
        names = ", ".join(match.watchlist for match in matches)
        print(f"{stored.ingested_at}  {stored.article.title or '(untitled)'}  [{names}]")
        print(f"    {stored.s3_uri}")
        if args.explain:
            for match in matches:
                print(textwrap.indent(match.explain(), "    "))
    if not args.json:
        print(f"{fired} of {read} stored articles would match")
    return 0


def _selected(watchlists: WatchlistSet, only: list[str] | None) -> WatchlistSet:
    """The set itself, or just the named watchlists of it (unknown names are an error)."""
    if not only:
        return watchlists
    document = watchlists.to_document()
    unknown = sorted(set(only) - set(watchlists.names))
    if unknown:
        raise NewswatchError(f"no watchlist named {', '.join(unknown)} in the file")
    kept = [entry for entry in document["watchlists"] if entry["name"] in only]
    return load_watchlists({"watchlists": kept})
