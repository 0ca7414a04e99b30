"""newswatch match FILE... --watchlists W [--json] [--explain]: which watchlists fire.

Each page is extracted as the pipeline would (so menus and related links never match) and run
through the watchlists of W, a YAML or JSON watchlist file. --json prints one object per
page and line: {"source", "title", "matches": [{"watchlist", "rule", "hits": [...]}]}.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

from newswatch.cli.pages import add_page_arguments, extracted_pages
from newswatch.errors import Rejection
from newswatch.watchlists import Match, load_watchlists


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``match`` sub-command."""
    parser = subparsers.add_parser(
        "match",
        help="run watchlists over HTML pages and show which fire, with their hits",
        description=__doc__,
    )
    add_page_arguments(parser)
    parser.add_argument(
        "--watchlists",
        "-w",
        required=True,
        type=Path,
        metavar="W",
        help="the watchlist file (YAML or JSON)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per page and line")
    parser.add_argument(
        "--explain", action="store_true", help="show every hit with its field, offsets and context"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Match every page; 0 if every page was read and extracted, else 1."""
    watchlists = load_watchlists(args.watchlists)
    failures = 0
    for source, article in extracted_pages(args.sources):
        if isinstance(article, Rejection):
            failures += 1
            outcome = {"source": source, "rejection": article.reason, "detail": article.detail}
            print(json.dumps(outcome) if args.json else f"{source}\n  rejected: {article}\n")
            continue
        matches = watchlists.match(article)
        if args.json:
            record = {
                "source": source,
                "title": article.title,
                "matches": [match.to_dict() for match in matches],
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(_report(source, article.title, matches, explain=args.explain))
    return 1 if failures else 0


def _report(source: str, title: str | None, matches: list[Match], *, explain: bool) -> str:
    lines = [source, f"  title: {title or '(none)'}"]
    if not matches:
        lines.append("  no watchlist fired")
    for match in matches:
        if explain:
            lines.append(textwrap.indent(match.explain(), "  "))
        else:
            terms = ", ".join(dict.fromkeys(hit.term for hit in match.hits)) or "exclusions only"
            mentions = sum(count for _, count in match.mentions) or len(match.hits)
            lines.append(f"  {match.watchlist}: {mentions} mentions ({terms})")
    return "\n".join(lines) + "\n"
