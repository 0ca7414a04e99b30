"""newswatch extract FILE... [--json]: run the article extractor on local pages.

A directory stands for the pages in it (.html, .htm, .html.gz, recursively) and - for standard
input. A page that cannot become an article is reported with its rejection reason and the run
goes on; the exit code is 1 if any page was rejected or unreadable.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newswatch.errors import Rejection

PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")
STDIN = "-"
_SUMMARY_WIDTH = 100


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``extract`` sub-command."""
    parser = subparsers.add_parser(
        "extract",
        help="extract articles from HTML files (title, date, authors, main text)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "sources", nargs="+", metavar="FILE", help="an HTML page, a directory of pages, or -"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per page and line: source plus the article's fields",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Extract every page named on the command line; 0 if all became articles, else 1."""
    from newswatch.extraction import extract_article  # the parser stack only when needed

    failures = 0
    for source, data in _pages(args.sources):
        if data is None:
            failures += 1
            _report(args.json, source, {"error": "unreadable", "detail": "no such file"})
            continue
        try:
            article = extract_article(data)
        except Rejection as rejection:
            failures += 1
            _report(args.json, source, {"rejection": rejection.reason, "detail": rejection.detail})
            continue
        if args.json:
            print(json.dumps({"source": source, **article.to_dict()}, ensure_ascii=False))
        else:
            print(_summary(source, article.to_dict()))
    return 1 if failures else 0


def _pages(sources: list[str]) -> Iterator[tuple[str, bytes | None]]:
    """(name, bytes) for each page named, in order; bytes is None for a missing path."""
    for source in sources:
        if source == STDIN:
            yield "<stdin>", sys.stdin.buffer.read()
            continue
        path = Path(source)
        if path.is_dir():
            for page in sorted(path.rglob("*")):
                if page.is_file() and page.name.lower().endswith(PAGE_SUFFIXES):
                    yield str(page), page.read_bytes()
        elif path.is_file():
            yield source, path.read_bytes()
        else:
            yield source, None


def _report(as_json: bool, source: str, outcome: dict[str, str]) -> None:
    if as_json:
        print(json.dumps({"source": source, **outcome}, ensure_ascii=False))
    else:
        reason = outcome.get("rejection") or outcome.get("error")
        print(f"{source}\n  rejected ({reason}): {outcome['detail']}\n")


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
