"""From a stored object's bytes to an :class:`Article`, or a :class:`Rejection` saying why not.

The steps, each in its own module: :mod:`.decoding` (gzip, binary sniffing, charset),
:mod:`.parsing` (a bounded ``lxml.html`` tree), :mod:`.metadata` (read first, because body
extraction prunes the tree) and :mod:`.body` (the main text). Bad input ends as a
``Rejection`` with a reason code; nothing else is raised for it.
"""

from __future__ import annotations

import lxml.html

from newswatch.article import Article
from newswatch.deadline import Deadline
from newswatch.errors import Rejection, RejectionReason
from newswatch.extraction.body import extract_body, without_lead_heading
from newswatch.extraction.credits import closing_credit, lead_dateline
from newswatch.extraction.decoding import (
    MAX_HTML_BYTES,
    decode,
    decompress,
    require_markup,
    too_large,
)
from newswatch.extraction.language import page_language
from newswatch.extraction.metadata import Metadata, extract_metadata
from newswatch.extraction.parsing import parse_html
from newswatch.extraction.text import count_words
from newswatch.untrusted import clean_line, clean_text

__all__ = ["Article", "Metadata", "extract_article", "page_text"]

_IDENTITY_ENCODINGS = frozenset({"", "identity", "gzip", "x-gzip"})


def extract_article(
    html: bytes | str,
    *,
    url: str | None = None,
    content_type: str | None = None,
    content_encoding: str | None = None,
    deadline: Deadline | None = None,
) -> Article:
    """The article in an HTML page.

    ``url`` is where the page came from (used when it names no canonical URL, and to resolve
    relative links); ``content_type`` and ``content_encoding`` are the stored object's headers,
    hints for the charset and compression. Raises :class:`Rejection` (``empty``, ``not-html``,
    ``undecodable``, ``too-large``, ``too-deep``, ``too-many-attributes``, ``tag-too-long``,
    ``no-article-text``) for a page that holds no article, and ``too-slow`` when ``deadline``
    passes (checked after each step).
    """
    deadline = deadline or Deadline.unlimited()
    text = page_text(html, content_type=content_type, content_encoding=content_encoding)
    deadline.check("decoding")
    root = parse_html(text)
    deadline.check("parsing")
    metadata = extract_metadata(root, url=url)
    deadline.check("metadata extraction")
    body = extract_body(root, title=None if metadata.title_names_site else metadata.title)
    deadline.check("body extraction")
    title = metadata.title
    if metadata.title_names_site:
        heading, body = without_lead_heading(body)
        title = heading or title
    if not body.paragraphs:
        raise _no_text(root)
    text = "\n\n".join(body.paragraphs)
    place, agency = lead_dateline(body.paragraphs[0])
    # A wire agency is the author when it is the only credit: in the lead, or closing the text.
    agency = agency or closing_credit(body.paragraphs[-1])
    # Page text enters the system here: what a reader would not see as written (terminal
    # escapes, bidi overrides, zero-width characters, line breaks in one-line fields) goes now,
    # so records, matching and every later reader get clean text.
    return Article(
        text=clean_text(text),
        title=_line(title),
        subtitle=_line(metadata.subtitle),
        published=_line(metadata.published),
        modified=_line(metadata.modified),
        authors=_lines(metadata.authors or ([agency] if agency else [])),
        publisher=_line(metadata.publisher),
        url=_line(metadata.url),
        language=page_language(metadata.language, text),
        section=_line(metadata.section),
        tags=_lines(metadata.tags),
        dateline=_line(metadata.dateline or place),
        image=_line(metadata.image),
        image_caption=_line(metadata.image_caption or body.image_caption),
        word_count=count_words(text),
    )


def _line(value: str | None) -> str | None:
    """A one-line field, cleaned; ``None`` when nothing visible is left."""
    return (clean_line(value) or None) if value is not None else None


def _lines(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(line for value in values if (line := clean_line(value)))


def page_text(
    html: bytes | str, *, content_type: str | None = None, content_encoding: str | None = None
) -> str:
    """The page as text: decompressed, charset-decoded, checked to be HTML and within the cap."""
    if isinstance(html, str):
        if len(html) > MAX_HTML_BYTES:
            raise too_large(len(html))
        text = html.removeprefix("\ufeff")
    else:
        data = decompress(html)
        try:
            text = decode(data, content_type=content_type)
        except Rejection as rejection:
            claimed = (content_encoding or "").strip().lower()
            if rejection.reason != RejectionReason.NOT_HTML or claimed in _IDENTITY_ENCODINGS:
                raise
            raise Rejection(
                rejection.reason,
                f"{rejection.detail} (the object claims Content-Encoding {claimed!r}, "
                "which newswatch does not decode; store it uncompressed or gzip)",
            ) from None
    require_markup(text)
    return text


def _no_text(root: lxml.html.HtmlElement) -> Rejection:
    """Why a parsed page yielded no paragraphs: nothing visible at all, or no article in it.

    Body extraction has already dropped scripts and styles from ``root``.
    """
    visible = " ".join(root.text_content().split())
    if not visible:
        return Rejection(
            RejectionReason.NO_ARTICLE_TEXT,
            "the page has no visible text (only scripts, styles or markup)",
        )
    return Rejection(
        RejectionReason.NO_ARTICLE_TEXT,
        f"no article body found among {count_words(visible):,} words of visible text "
        "(navigation, lists or short snippets only)",
    )
