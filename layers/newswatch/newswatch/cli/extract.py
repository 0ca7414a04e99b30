"""newswatch extract FILE... [--json]: run the article extractor on local pages.

A directory stands for the pages in it (.html, .htm, .html.gz, recursively) and - for standard
input. A page that cannot become an article is reported with its rejection reason and the run
goes on; the exit code is 1 if any page was rejected or unreadable.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any

from newswatch.cli.pages import add_page_arguments, extracted_pages
from newswatch.errors import Rejection

_SUMMARY_WIDTH = 100


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``extract`` sub-command."""
    parser = subparsers.add_parser(
        "extract",
        help="extract articles from HTML files (title, date, authors, main text)",
        description=__doc__,
    )
    add_page_arguments(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per page and line: source plus the article's fields",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Extract every page named on the command line; 0 if all became articles, else 1."""
    failures = 0
    for source, article in extracted_pages(args.sources):
        if isinstance(article, Rejection):
            failures += 1
            _report(args.json, source, {"rejection": article.reason, "detail": article.detail})
            continue
        if args.json:
            print(json.dumps({"source": source, **article.to_dict()}, ensure_ascii=False))
        else:
            print(_summary(source, article.to_dict()))
    return 1 if failures else 0


def _report(as_json: bool, source: str, outcome: dict[str, str]) -> None:
    if as_json:
        print(json.dumps({"source": source, **outcome}, ensure_ascii=False))
    else:
        print(f"{source}\n  rejected ({outcome['rejection']}): {outcome['detail']}\n")


def _summary(source: str, article: dict[str, Any]) -> str:
    """A few readable lines: the metadata that is present and the start of the text."""
    lines = [source]
    for name in ("title", "published", "authors", "publisher", "dateline", "language", "url"):
        value = article.get(name)
        if value:
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            lines.append(f"  {name + ':':<11}{shown}")
    paragraphs = [p for p in str(article["text"]).split("\n\n") if p]
    lines.append(f"  {'text:':<11}{article['word_count']} words in {len(paragraphs)} paragraphs")
    if paragraphs:
        lead = textwrap.shorten(paragraphs[0], _SUMMARY_WIDTH - 13, placeholder=" ...")
        lines.append(f"  {'':<11}{lead}")
    return "\n".join(lines) + "\n"
