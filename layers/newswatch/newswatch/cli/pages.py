"""The pages that ``extract`` and ``match`` read: files, directories of pages, or stdin.

Both commands take the same FILE arguments and extract each page as the pipeline would, so a
page that cannot become an article is reported with its rejection reason and the run goes on.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from newswatch.article import Article
from newswatch.errors import Rejection, RejectionReason

PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")
STDIN = "-"


def add_page_arguments(parser: argparse.ArgumentParser) -> None:
    """The FILE... arguments."""
    parser.add_argument(
        "sources", nargs="+", metavar="FILE", help="an HTML page, a directory of pages, or -"
    )


def read_pages(sources: list[str]) -> Iterator[tuple[str, bytes | None]]:
    """(name, bytes) for each page named, in order; bytes is None for a missing path.

    A directory stands for the pages in it (by suffix, recursively), ``-`` for stdin.
    """
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


def extracted_pages(sources: list[str]) -> Iterator[tuple[str, Article | Rejection]]:
    """(name, article) for each page, or (name, rejection) for one that is not an article."""
    from newswatch.extraction import extract_article  # the parser stack only when needed

    for source, data in read_pages(sources):
        if data is None:
            yield source, Rejection(RejectionReason.UNREADABLE, "no such file")
            continue
        try:
            yield source, extract_article(data)
        except Rejection as rejection:
            yield source, rejection
