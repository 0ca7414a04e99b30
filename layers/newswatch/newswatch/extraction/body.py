"""Main-text extraction: the article's paragraphs without menus, related links or comments.

One iterative pass over the parsed tree (lxml's ``iterwalk``, no Python recursion, so a page
nested 100,000 tags deep costs no stack) cuts the page into text blocks and skips whole
subtrees that are boilerplate by tag or by class/id, unless they hold so much of the page
that they must be its wrapper. Each block scores the containers above it, readability-style:
long, comma-rich, link-poor paragraphs vote for their parent and, at half weight, their
grandparent. The best container is widened to the ancestor that adds mostly paragraphs and
hardly any links (an article split by ad slots or embedded posts), never beyond the page's
own ``<article>``/``<main>``; it and its strong siblings are the article. Within them these
are dropped: blocks that are mostly links (inline related-story links) and lists of such
links, reader prompts and calls to action, ad labels, staff and photo credits, date-only
lines, the headline, labels at either end and headings left with nothing under them. Length
rules count words in scripts without spaces too, so they hold for Chinese or Japanese.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from itertools import islice

import lxml.html
from lxml import etree

from newswatch.extraction import calls_to_action, liveblog
from newswatch.extraction.boilerplate_rules import (
    BYLINE_LINE,
    CALL_TO_ACTION_CLASS_ALTERNATIVES,
    CARD_LABEL,
    HIDDEN_CLASSES,
    HIDING_STYLE,
    LIVE_FEED_STEMS,
    LIVE_FEED_WORDS,
    READER_PROMPT_PHRASES,
    READER_PROMPT_WORDS,
    class_words,
    may_hold,
)
from newswatch.extraction.credits import closing_credit
from newswatch.extraction.text import holds_any

# Never visible article text. Stripped once, in C, before the walk.
_INVISIBLE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "head",
    "title",
    "meta",
    "link",
    "button",
    "input",
    "select",
    "option",
    "textarea",
)
# Page furniture by tag: skipped (with their subtree) during the walk.
_FURNITURE_TAGS = frozenset(
    {
        "nav",
        "aside",
        "header",
        "footer",
        "menu",
        "dialog",
        "amp-ad",
        "amp-embed",
        "amp-sidebar",
        "amp-social-share",
        "amp-consent",
        # Sign-up boxes and polls; a page wrapped whole in a <form> (ASP.NET) keeps it by the
        # prose-share guard.
        "form",
    }
)
# Furniture too, but a caption is recorded before it is skipped (the lead image's caption).
_CAPTION_TAGS = frozenset({"figcaption"})
_FURNITURE_ROLES = frozenset(
    {"navigation", "complementary", "banner", "contentinfo", "menu", "menubar", "dialog"}
)
# Tags that end one text block and start another; everything else is inline.
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "body",
        "html",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "figure",
        "form",
        "fieldset",
        "address",
        "center",
        # Furniture by tag, but block-level where a page wraps its story in one.
        "header",
        "footer",
        "aside",
        "nav",
        "menu",
        "hr",
        "br",
    }
)
_LIST_TAGS = frozenset({"ul", "ol"})
# Where a live feed or its cards are named ("liveblog-body", "live-update").
_FEED_TAGS = frozenset({"div", "section", "article", "li", "ul", "ol", "main"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Never skipped as boilerplate: the page itself and the elements that declare the article.
_PROTECTED_TAGS = frozenset({"html", "body", "article", "main"})
_PAGE_TAGS = frozenset({"html", "body"})

# Class/id words of boilerplate containers. A word must match whole, between separators or at a
# camelCase step ("imageEmbedCaption", "share-bar"), so "shared-content" or "headline" do not
# match "share" or "ad".
_BOILERPLATE = class_words(
    r"related|share|sharing|sharebar|social|newsletters?|subscribe|subscription|signup|"
    r"comments?|disqus|promo|promotions?|advert[a-z]*|ads?|adv|dfp|sponsor[a-z]*|"
    r"breadcrumbs?|tags?|taglist|author-?bio|bio|authors?|sidebar|widgets?|nav|navbar|navigation|"
    r"menu|popup|modal|cookies?|consent|outbrain|taboola|recirc[a-z]*|more-?stories|"
    r"most-?(?:popular|read|viewed)|popular|trending|captions?|credits?|footer|masthead|"
    r"skip-?link|sr-only|visually-?hidden|print-?only|toolbar|byline|dateline|timestamp|"
    r"tooltips?|popovers?|hovercards?|rollover|carousels?|playlists?|robots-nocontent|noscript|"
    r"next-?prev|prev-?next|pagination|pager|"
    # An editor's bullet summary of the story below it, which repeats it (tuned: aeb-dev); then
    # calls to action and teasers (polls, membership boxes), kept with their rules.
    r"key-?points|" + CALL_TO_ACTION_CLASS_ALTERNATIVES
)
# An embedded post ("social-media-embed", "twitter-tweet") is quoted by the article, not furniture.
_EMBED_SITES = ("social", "twitter", "instagram", "facebook", "tiktok", "youtube")
_EMBED = re.compile(
    rf"(?:{'|'.join(_EMBED_SITES)})[-_ ]?(?:media[-_ ]?)?(?:embed|post)"
    r"|twitter-tweet|instagram-media",
    re.IGNORECASE,
)
# Class/id tokens that vouch for an article container (readability's positive weights).
_ARTICLE_HINT = re.compile(
    r"article|body|content|entry|main|page|post|story|text|blog", re.IGNORECASE
)
_NEGATIVE_HINT = re.compile(
    r"comment|meta|footer|footnote|related|share|sidebar|promo|widget|social|newsletter",
    re.IGNORECASE,
)
# Short lines that invite the reader to act rather than inform: never article text.
_CALL_TO_ACTION = re.compile(
    r"^(?:advertisement|sponsored|read more|continue reading|click here|sign up|subscribe|"
    r"follow us|share this|related|recommended|also read|see also|more from|sign in|"
    r"you (?:may|might) also (?:like|enjoy))\b",
    re.IGNORECASE,
)
# A reading-time label ("5 min read", "Tempo de leitura: 1 minuto"), as a whole line, in the
# languages of the pages we see.
_READING_TIME = re.compile(
    r"(?:(?:estimated )?read(?:ing)? time|lesezeit|temps de lecture|tiempo de lectura|"
    r"tempo de leitura|tempo di lettura|время чтения)\s*:?\s*(?:about |ca\. )?\d+\s*\w*\.?"
    r"|\d+\s*(?:min(?:ute)?s?|minuten|minutos|minuti|мин(?:ут[аы]?)?)\.?\s*"
    r"(?:read|lesezeit|de lecture|de lectura|de leitura|di lettura|чтения)",
    re.IGNORECASE,
)
# The label an ad slot leaves in the text, in the languages of the pages we see. Only as a whole
# line: "Anzeige" or "Werbung" also begin German sentences.
_AD_LABEL = re.compile(
    r"(?:advert(?:isement)?|anzeige|werbung|publicit[ée]|publicidad|pubblicit[àa]|advertentie|"
    r"reklama|реклама|広告|广告|廣告|광고)",
    re.IGNORECASE,
)
# Prompts addressed to the reader anywhere in a short block ("Like this story? Share it with a
# friend!", "Sign up for our free newsletter").
_READER_PROMPT = re.compile(
    r"\b(?:(?:sign up|subscribe|register)\b.{0,80}\b(?:newsletters?|inbox)"
    r"|share (?:it|this(?: story| article)?) with|follow (?:us|him|her|them|me) on"
    r"|follow\b.{0,60}\bon (?:twitter|facebook|instagram|youtube|linkedin|tiktok)"
    r"|(?:like|enjoy)(?:d)? this (?:story|article)\?|have a (?:news )?tip\?|click here"
    r"|download (?:our|the) app|newsletters?\b)",
    re.IGNORECASE,
)
# Staff credits that close wire and newspaper stories: who reported, not what happened.
_STAFF_CREDIT = re.compile(
    r"^\(?(?:additional )?(?:reporting|writing|editing|compiled|edited|written)\b.{0,40}\bby\b"
    r"|\bcontributed (?:reporting|to this (?:report|story|article))\b",
    re.IGNORECASE,
)
# Who took the picture: "Photo by Kirk Irwin/Getty Images", "Sonu Mehta/Hindustan Times/Getty".
_PHOTO_CREDIT = re.compile(
    r"^(?:photo|image|picture|illustration)s?(?: by|:| credit)"
    r"|(?:/|\bvia |\| )(?:getty(?: images)?|ap photo|afp|reuters|epa|shutterstock|alamy)\b",
    re.IGNORECASE,
)
# Words one of which every reader prompt contains: a cheap test before the regex.
_PROMPT_WORDS = (
    "sign up",
    "subscribe",
    "register",
    "share",
    "follow",
    "like",
    "enjoy",
    "tip?",
    "click here",
    "download",
    "newsletter",
)
# A block that only states when (and perhaps "Updated"): metadata the page shows, not text.
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_WEEKDAY = r"mon|tue|wed|thu|fri|sat|sun"
_TIMESTAMP_ONLY = re.compile(
    r"^(?:(?:updated|published|posted|last|modified|on|at|am|pm|a\.m|p\.m|"
    r"utc|gmt|[ecmp][sd]t|ist|cet|cest|bst|jst|kst|et|pt|\d{1,4}(?:st|nd|rd|th)?|"
    rf"(?:{_WEEKDAY})[a-z]*|{_MONTH})\b[\s,.:;|/·•()+-]*)+$",
    re.IGNORECASE,
)
# ...and that names a month or a weekday or has an ISO date: a lone "14" in a results table is
# data, and a lone "4:14 p.m." heads a live-blog entry.
_DATE_CLUE = re.compile(rf"\b(?:{_MONTH}|{_WEEKDAY})|\d{{4}}-\d\d-\d\d", re.IGNORECASE)
_COMMAS = (",", "，", "、", "،")

_MAX_LINE_CHARS = 120  # calls to action, timestamps and photo credits are one short line
_MAX_PROMPT_CHARS = 250  # a longer block that mentions a newsletter is reporting, not a prompt
_MAX_LIST_LINK_DENSITY = 0.35  # article lists link a word or two; "more stories" lists link all
_MAX_LABEL_WORDS = 4
_MIN_CAPTION_WORDS = 5
_SENTENCE_ENDS = (".", "!", "?", "…", '"', "”", "’", "»", ")", "。", "！", "？", "）", "」", "』")
# Visible characters per word where a script writes no spaces between words (Chinese, Japanese,
# Thai): a run of them counts as this many words, so length rules measure any language alike.
_CHARS_PER_WORD = 6
_MIN_SCORED_CHARS = 25  # shorter blocks are labels, not paragraphs
_MAX_LINK_DENSITY = 0.6  # a block more link than text is navigation or a related-story link
# tuned (aeb-dev): a sentence may link more of itself than that, up to here.
_MAX_SENTENCE_LINK_DENSITY = 0.8
_MIN_SENTENCE_WORDS = 8
_GUARD_SHARE = 0.25  # a "boilerplate" container holding this share of the page text is kept
_GUARD_SHARE_ARTICLE_NAMED = 0.1
_GUARD_PROSE_SHARE = 0.5  # a <header> or <aside> with most of the page's prose wraps the story
_GUARD_BUDGET_PAGES = 4
_MIN_PARAGRAPH_CHARS = 60  # a paragraph, not a label or a headline
_WIDEN_RATIO = 0.7  # widening must add mostly paragraphs...
_WIDEN_LINKS = 0.1  # ...and hardly any links
_MAX_CLIMB = 12  # wrappers between an article's segments and their common container
_MAX_BYLINE_WORDS = 10  # "By Name Surname, Senior Staff Writer" and no more
_MAX_HEADING_WORDS = 15  # a heading line (a live post's, a legacy page's); longer is text
_MATCH_OPENING_CHARS = 50  # a JSON-LD update and a card match when their texts open alike


@dataclass(frozen=True, slots=True)
class LivePost:
    """One post of a live blog: its time as shown (and as declared), heading and paragraphs."""

    time: str | None
    published: str | None
    heading: str | None
    paragraphs: tuple[str, ...]

    def lines(self) -> list[str]:
        """The post as body paragraphs: time, heading, text."""
        return [line for line in (self.time, self.heading) if line] + list(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Body:
    """The article's main text as paragraphs, and the lead image's caption when found.

    On a live blog, ``posts`` are its posts in page order (their lines are in ``paragraphs``).
    """

    paragraphs: list[str]
    image_caption: str | None = None
    posts: tuple[LivePost, ...] = ()


@dataclass(slots=True)
class _Block:
    """One run of text between block boundaries, with how much of it is link text."""

    text: str
    link_chars: int
    tag: str
    # Inside an embedded post: its links (the author, "View this post on Instagram") belong to
    # the quoted post, not to a list of other stories.
    quoted: bool = False

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 1.0


@dataclass(slots=True)
class _Candidate:
    """A container that paragraphs voted for, with the blocks it spans (a half-open range)."""

    element: lxml.html.HtmlElement
    start: int
    end: int = -1
    score: float = 0.0


def extract_body(tree: lxml.html.HtmlElement, *, title: str | None = None) -> Body:
    """The article's paragraphs in reading order; the tree is modified (invisible parts dropped)."""
    updates = liveblog.jsonld_updates(tree)
    etree.strip_elements(tree, *_INVISIBLE_TAGS, etree.Comment, etree.PI, with_tail=False)
    walk = _Walk(tree)
    walk.run()
    cards = liveblog.post_elements(tree, declared=updates is not None, named=walk.feed_named)
    if cards or updates:
        live = _live_body(walk, cards, updates or [], title)
        if live is not None:
            return live
    ranges = walk.article_ranges()
    headline = _normalise(title) if title else None
    left_out = walk.left_out_blocks()
    kept = [
        block
        for start, end in ranges
        for index, block in enumerate(walk.blocks[start:end], start)
        if index not in left_out and _keeps(block, headline)
    ]
    paragraphs = [block.text for block in _without_dangling_headings(_trim_labels(kept))]
    caption = walk.lead_caption(ranges)
    return Body(paragraphs=paragraphs, image_caption=caption)


def _live_body(
    walk: _Walk,
    cards: list[lxml.html.HtmlElement],
    updates: list[liveblog.JsonLdUpdate],
    title: str | None,
) -> Body | None:
    """A live blog's body: its introduction, then every post in page order; None if no posts.

    Each card is walked on its own, so its short posts are not outvoted by a long one. Posts
    the JSON-LD lists without a card (behind "load more") follow the card listed before them;
    a pinned copy of a post gives way to the post in its place in the feed.
    """
    headline = _normalise(title) if title else None
    posts = [_card_post(card, headline) for card in cards]
    merged = _merge_updates(cards, posts, updates)
    merged = [
        post for index, post in enumerate(merged) if not _repeated_later(post, merged[index + 1 :])
    ]
    merged = [post for post in merged if post.paragraphs or post.heading]
    if not merged:
        return None
    intro = _introduction(walk, cards, headline) if cards else _fallback_text(walk, headline)
    headings = {post.heading for post in merged if post.heading}
    texts = {line for post in merged for line in post.paragraphs}
    intro = [line for line in intro if line not in headings and line not in texts]
    paragraphs = intro + [line for post in merged for line in post.lines()]
    return Body(
        paragraphs=paragraphs,
        image_caption=walk.lead_caption(walk.article_ranges()),
        posts=tuple(merged),
    )


def _card_post(card: lxml.html.HtmlElement, headline: str | None) -> LivePost:
    """One card's post: its blocks kept as in an article, the heading and time set apart."""
    walk = _Walk(card)
    walk.run()
    left_out = walk.left_out_blocks()
    blocks = [
        block
        for index, block in enumerate(walk.blocks)
        if index not in left_out and _keeps(block, headline)
    ]
    shown, declared = liveblog.post_time(card)
    lines = [block for block in blocks if block.text != shown and not _is_card_label(block.text)]
    heading = None
    if lines and (lines[0].tag in _HEADING_TAGS or (len(lines) > 1 and _is_heading(lines[0].text))):
        heading = lines.pop(0).text
    # What is left at the card's end is the card's furniture ("Share", "Copy link").
    while lines and _is_label(lines[-1]):
        lines.pop()
    return LivePost(
        time=shown,
        published=declared,
        heading=heading,
        paragraphs=tuple(block.text for block in lines),
    )


def _is_heading(text: str) -> bool:
    """A short unpunctuated line: over text, a heading set in ``<strong>`` or ``<font>``."""
    return _word_count(text) <= _MAX_HEADING_WORDS and not text.endswith((".", "…", ":"))


def without_lead_heading(body: Body) -> tuple[str | None, Body]:
    """The heading that opens the body, and the body without it (unchanged when it opens with
    text): the headline of a page whose title names only the site, as old pages set it."""
    paragraphs = body.paragraphs
    if body.posts or len(paragraphs) < 2 or not _is_heading(paragraphs[0]):
        return None, body
    return paragraphs[0], Body(paragraphs[1:], body.image_caption)


def _is_card_label(text: str) -> bool:
    """A card's state label ("Pinned", "Key event", "Breaking") or its bare time."""
    return bool(CARD_LABEL.fullmatch(text))


def _merge_updates(
    cards: list[lxml.html.HtmlElement], posts: list[LivePost], updates: list[liveblog.JsonLdUpdate]
) -> list[LivePost]:
    """The card posts with the JSON-LD updates that match no card put after their predecessor."""
    merged = list(posts)
    by_anchor = liveblog.anchors(cards)
    by_heading: dict[str, int] = {}
    for index, post in enumerate(posts):
        if post.heading:
            by_heading.setdefault(post.heading.casefold(), index)
    texts = [" ".join(post.paragraphs).casefold() for post in posts]
    after: int | None = None  # index in ``merged`` of the post the last update matched
    for update in updates:
        match = _matching_post(update, by_anchor, by_heading, texts)
        if match is not None:
            after = merged.index(posts[match])
            continue
        post = LivePost(
            time=None,
            published=update.published,
            heading=update.headline,
            paragraphs=tuple(update.body.splitlines()),
        )
        position = len(merged) if after is None else after + 1
        merged.insert(position, post)
        after = position
    return merged


def _matching_post(
    update: liveblog.JsonLdUpdate,
    by_anchor: dict[str, int],
    by_heading: dict[str, int],
    texts: list[str],
) -> int | None:
    """The card an update describes: by its anchor, its headline or its text's opening."""
    if update.anchor and update.anchor in by_anchor:
        return by_anchor[update.anchor]
    if update.headline and update.headline.casefold() in by_heading:
        return by_heading[update.headline.casefold()]
    opening = _normalise(update.body)[:_MATCH_OPENING_CHARS].casefold()
    if opening:
        return next((index for index, text in enumerate(texts) if opening in text), None)
    return None


def _repeated_later(post: LivePost, later: list[LivePost]) -> bool:
    """A pinned copy: the same heading and text as a post further down the feed."""
    return any(
        other.paragraphs == post.paragraphs and other.heading == post.heading for other in later
    )


def _introduction(
    walk: _Walk, cards: list[lxml.html.HtmlElement], headline: str | None
) -> list[str]:
    """The live blog's opening (standfirst, summary) above its first card, in its container."""
    first = next((walk.candidates[card] for card in cards if card in walk.candidates), None)
    feed = cards[0].getparent()
    region = feed if feed is None or _marks_article(feed) else feed.getparent()
    container = walk.candidates.get(region) if region is not None else None
    if first is None or container is None:
        return []
    left_out = walk.left_out_blocks()
    kept = [
        block
        for index, block in enumerate(walk.blocks[container.start : first.start], container.start)
        if index not in left_out and _keeps(block, headline)
    ]
    return [block.text for block in _without_dangling_headings(_trim_labels(kept))]


def _fallback_text(walk: _Walk, headline: str | None) -> list[str]:
    """The article walk's text, for a declared live blog whose cards were not recognised."""
    left_out = walk.left_out_blocks()
    kept = [
        block
        for start, end in walk.article_ranges()
        for index, block in enumerate(walk.blocks[start:end], start)
        if index not in left_out and _keeps(block, headline)
    ]
    return [block.text for block in _without_dangling_headings(_trim_labels(kept))]


def _is_byline(text: str) -> bool:
    """A short credit line ("By Ellen Marsh, Staff Writer"), not a sentence opening with "By"."""
    return (
        _word_count(text) <= _MAX_BYLINE_WORDS
        and not text.endswith(_SENTENCE_ENDS)
        and BYLINE_LINE.match(text) is not None
    )


def _is_timestamp(text: str) -> bool:
    return bool(_TIMESTAMP_ONLY.match(text) and _DATE_CLUE.search(text))


def _trim_labels(blocks: list[_Block]) -> list[_Block]:
    """Drop short unpunctuated blocks at either end: labels ("Advert", "Comments", "Topics").

    Inside the body a short line takes its meaning from the paragraphs around it (jusText's
    context rule); at the edges it borders boilerplate, and labels are what sits there.
    """
    start, end = 0, len(blocks)
    while start < end and _is_label(blocks[start]):
        start += 1
    while end > start and _is_label(blocks[end - 1]):
        end -= 1
    return blocks[start:end]


def _is_label(block: _Block) -> bool:
    text = block.text
    return (
        _word_count(text) <= _MAX_LABEL_WORDS
        and not text.endswith(_SENTENCE_ENDS)
        # "AFP", "With inputs from PTI": the wire credit the article's authorship is read from.
        and closing_credit(text) is None
    )


def _without_dangling_headings(blocks: list[_Block]) -> list[_Block]:
    """Drop headings with no text under them: what they introduced was boilerplate, now gone."""
    kept = []
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.tag in _HEADING_TAGS and (
            following is None
            # The next heading is not a subheading of this one (h2 then h3 is fine).
            or (following.tag in _HEADING_TAGS and following.tag <= block.tag)
        ):
            continue
        kept.append(block)
    return kept


def _word_count(text: str) -> int:
    """Words in a text, whether or not its script separates them with spaces.

    Counting spaces alone makes a Japanese paragraph one "word" (so a label); counting
    characters as well, at a typical word's length, keeps spaced text's count unchanged.
    """
    return max(len(text.split()), _visible_chars(text) // _CHARS_PER_WORD)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _visible_chars(text: str) -> int:
    """Characters other than whitespace: a text's size however the page is indented."""
    # Unrolled: a generator over the five made this 3 % of extraction.
    return (
        len(text)
        - text.count(" ")
        - text.count("\n")
        - text.count("\t")
        - text.count("\r")
        - text.count("\xa0")
    )


def _is_linked_sentence(block: _Block) -> bool:
    """A paragraph that is a sentence whose names are links ("<a>Van Der Beek</a> was voted off
    <a>Dancing with the Stars</a>."): prose, however much of it links; a related story's title
    does not end as a sentence ends."""
    return (
        block.tag == "p"
        and block.link_density <= _MAX_SENTENCE_LINK_DENSITY
        and block.text.endswith(_SENTENCE_ENDS)
        and _word_count(block.text) >= _MIN_SENTENCE_WORDS
    )


def _keeps(block: _Block, headline: str | None) -> bool:
    """Whether a block inside the article container is article text."""
    if block.tag == "h1" or (
        block.link_density > _MAX_LINK_DENSITY and not _is_linked_sentence(block)
    ):
        return False
    if headline is not None and block.text.casefold() == headline.casefold():
        return False
    if len(block.text) < _MAX_LINE_CHARS and (
        _CALL_TO_ACTION.match(block.text)
        or _AD_LABEL.fullmatch(block.text)
        or _READING_TIME.fullmatch(block.text)
        or _is_timestamp(block.text)
        or _PHOTO_CREDIT.search(block.text)
    ):
        return False
    if len(block.text) >= _MAX_PROMPT_CHARS:
        return True
    if _STAFF_CREDIT.search(block.text) or _is_byline(block.text):
        return False
    lowered = block.text.lower()
    return not (
        (holds_any(lowered, _PROMPT_WORDS) and _READER_PROMPT.search(block.text))
        or (holds_any(lowered, READER_PROMPT_WORDS) and READER_PROMPT_PHRASES.search(block.text))
    )


class _Walk:
    """One pass over the tree: text blocks, candidate containers and their scores."""

    def __init__(self, tree: lxml.html.HtmlElement) -> None:
        self.tree = tree
        # Links to support or subscription pages, to the site's legal pages, and links that
        # are a subheading's whole text: the calls to action, site notices and teaser cards
        # around them are found after the walk.
        self._prompt_links: list[lxml.html.HtmlElement] = []
        self._notice_links: list[lxml.html.HtmlElement] = []
        self._headed_links: list[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement]] = []
        # Elements named like a live feed, for :func:`liveblog.post_elements`.
        self.feed_named: list[lxml.html.HtmlElement] = []
        self.blocks: list[_Block] = []
        self.candidates: dict[lxml.html.HtmlElement, _Candidate] = {}
        self.captions: list[tuple[int, str]] = []
        self.article_start: int | None = None
        self._pieces: list[str] = []
        self._link_chars = 0
        self._page_chars = _visible_chars(tree.text_content())
        self._guard_budget = _GUARD_BUDGET_PAGES * self._page_chars
        self._page_prose = _prose_chars(tree, self._page_chars)
        # Running totals over the blocks (filled by run()), so any container's characters,
        # link characters and paragraph characters are a subtraction away.
        self._chars: list[int] = [0]
        self._links: list[int] = [0]
        self._paragraph_chars: list[int] = [0]
        self._open_embeds: list[lxml.html.HtmlElement] = []

    def run(self) -> None:
        """Cut the tree into blocks, skipping boilerplate subtrees, and score containers."""
        # The open block elements, innermost last: the block text in progress belongs to [-1].
        open_blocks: list[lxml.html.HtmlElement] = []
        # The tags of the elements entered and not skipped, innermost last: lxml builds a new
        # string at each read of ``.tag``, so each is read once, at the element's start.
        open_tags: list[str] = []
        link_depth = 0
        skipped: lxml.html.HtmlElement | None = None
        walker = etree.iterwalk(self.tree, events=("start", "end"))
        for event, element in walker:
            if event == "start":
                tag = element.tag
                if not isinstance(tag, str):
                    tag = ""
                attributes = _attributes(element)
                if self._is_boilerplate(element, tag, attributes):
                    if tag in _CAPTION_TAGS or "caption" in attributes.lower():
                        self._record_caption(element)
                    walker.skip_subtree()
                    skipped = element
                    continue
                open_tags.append(tag)
                if tag in _BLOCK_TAGS:
                    self._flush(open_blocks)
                    open_blocks.append(element)
                    self.candidates[element] = _Candidate(element, len(self.blocks))
                    if attributes and _names_embed(attributes):
                        self._open_embeds.append(element)
                elif tag == "a":
                    link_depth += 1
                    self._note_link(element, open_blocks)
                self._add(element.text, link_depth)
                continue
            if element is skipped:
                skipped = None
            else:
                tag = open_tags.pop()
                if tag in _BLOCK_TAGS:
                    self._flush(open_blocks)
                    open_blocks.pop()
                    self.candidates[element].end = len(self.blocks)
                    if self._open_embeds and self._open_embeds[-1] is element:
                        self._open_embeds.pop()
                elif tag == "a":
                    link_depth -= 1
            self._add(element.tail, link_depth)
        self._flush(open_blocks)
        self._total_blocks()

    def _note_link(
        self, link: lxml.html.HtmlElement, open_blocks: list[lxml.html.HtmlElement]
    ) -> None:
        href = link.get("href")
        if not href:
            return
        if calls_to_action.is_call_to_action_link(href):
            self._prompt_links.append(link)
        elif calls_to_action.is_site_notice_link(href):
            self._notice_links.append(link)
        elif (
            open_blocks
            and open_blocks[-1].tag in calls_to_action.HEADING_TAGS
            and link.getparent() is open_blocks[-1]
            and not href.startswith("#")
        ):
            self._headed_links.append((link, open_blocks[-1]))

    def left_out_blocks(self) -> set[int]:
        """Blocks no body keeps: link lists, calls to action, site notices and teaser cards."""
        indexes = self.link_list_blocks()
        if not self._prompt_links and not self._headed_links and not self._notice_links:
            return indexes
        boxes = calls_to_action.prompt_boxes(self._prompt_links)
        boxes |= calls_to_action.notice_boxes(self._notice_links)
        boxes |= calls_to_action.teaser_cards(self._headed_links)
        for box in boxes:
            candidate = self.candidates.get(box)
            if candidate is not None:
                indexes.update(range(candidate.start, candidate.end))
        return indexes

    def _total_blocks(self) -> None:
        """Fill the running totals over the blocks, for the container measures of scoring."""
        for block in self.blocks:
            size = len(block.text)
            self._chars.append(self._chars[-1] + size)
            self._links.append(self._links[-1] + (0 if block.quoted else block.link_chars))
            self._paragraph_chars.append(
                self._paragraph_chars[-1] + (size if _is_paragraph(block) else 0)
            )

    def _is_boilerplate(self, element: lxml.html.HtmlElement, tag: str, attributes: str) -> bool:
        if tag in _PROTECTED_TAGS or not tag:
            return False
        if element.get("hidden") is not None or tag in _CAPTION_TAGS:
            return True
        if _hidden_by_markup(element):
            # A page's own "hidden" class or display:none: unseen, unless it holds much of the
            # page (a story revealed by script, or a "read more" remainder).
            shares = self._page_shares(element)
            return shares is not None and shares[0] < _GUARD_SHARE
        if tag in _FURNITURE_TAGS or element.get("role", "") in _FURNITURE_ROLES:
            # Some sites wrap the whole story in <header> or <aside>: furniture by its tag, the
            # page itself by holding most of its prose (text outside links: a mega-menu can
            # outweigh a short story in characters, not in prose). Over the measuring budget,
            # the tag is believed.
            shares = self._page_shares(element)
            return shares is None or shares[1] < _GUARD_PROSE_SHARE
        # A heading's id is usually an anchor slug of its text ("nav_only_the_foil_remains"),
        # not a role; a heading that introduced furniture goes later, left with nothing under it.
        if element.get("itemprop") == "articleBody" or tag in _HEADING_TAGS:
            return False
        if not attributes:
            return False
        if (
            tag in _FEED_TAGS
            and may_hold(attributes, LIVE_FEED_STEMS)
            and LIVE_FEED_WORDS.search(attributes)
        ):
            self.feed_named.append(element)
        if not _named_like_boilerplate(attributes):
            return False
        # A container named like boilerplate but holding much of the page is the page itself
        # (a body class such as "has-sidebar" or "comments-open"). Over the measuring budget,
        # matches are kept (a missed boilerplate costs precision, a lost body more).
        shares = self._page_shares(element)
        if shares is None:
            return False
        # "content-with-sidebar" or "article modal-enabled" name the article with a modifier:
        # such containers must be small to go.
        limit = _GUARD_SHARE_ARTICLE_NAMED if _ARTICLE_HINT.search(attributes) else _GUARD_SHARE
        return shares[0] < limit

    def _page_shares(self, element: lxml.html.HtmlElement) -> tuple[float, float] | None:
        """The shares of the page's text and prose inside ``element``; None past the budget.

        Measuring costs a pass over the subtree, so a page of many nested furniture-like
        elements gets a budget of a few page-lengths.
        """
        if self._guard_budget <= 0 or not self._page_prose:
            return None
        size = _visible_chars(element.text_content())
        self._guard_budget -= size
        return size / self._page_chars, _prose_chars(element, size) / self._page_prose

    def _record_caption(self, element: lxml.html.HtmlElement) -> None:
        text = _normalise(element.text_content())
        # A caption describes the picture; "Shutterstock" or "Photo: iFixit" only credits it.
        if _word_count(text) >= _MIN_CAPTION_WORDS:
            self.captions.append((len(self.blocks), text))

    def _add(self, text: str | None, link_depth: int) -> None:
        if text:
            self._pieces.append(text)
            # A link that shows its own address is content the reader is meant to see (a
            # source, a shop link); related-story links show headlines.
            if link_depth and not text.lstrip().startswith(("http://", "https://", "www.")):
                self._link_chars += len(text.strip())

    def _flush(self, open_blocks: list[lxml.html.HtmlElement]) -> None:
        """Close the block in progress and let it vote for the containers above it."""
        if not self._pieces:
            return
        text = _normalise("".join(self._pieces))
        link_chars = min(self._link_chars, len(text))
        self._pieces.clear()
        self._link_chars = 0
        if not text or not open_blocks:
            return
        owner = open_blocks[-1]
        block = _Block(text, link_chars, owner.tag, quoted=bool(self._open_embeds))
        self.blocks.append(block)
        if len(text) < _MIN_SCORED_CHARS or block.tag in _HEADING_TAGS:
            return
        commas = sum(map(text.count, _COMMAS))  # no generator frame per block
        vote = (1 + commas + min(len(text) / 100, 3)) * (1 - block.link_density)
        # A block owned by a <p> votes for the <p>'s container; text written straight into a
        # <div> votes for that <div> itself.
        voters = open_blocks[-3:-1] if block.tag == "p" else open_blocks[-2:]
        for weight, container in zip((1.0, 0.5), reversed(voters), strict=False):
            self.candidates[container].score += vote * weight

    def article_ranges(self) -> list[tuple[int, int]]:
        """Block ranges of the best container and of its siblings that look like article too."""
        scored = [c for c in self.candidates.values() if c.score > 0]
        if not scored:
            return [(0, len(self.blocks))]
        for candidate in scored:
            candidate.score *= (1 - self._link_density(candidate)) * _hint_weight(candidate.element)
        top = self._widen(max(scored, key=lambda c: c.score))
        self.article_start = self._declared_article_start(top)
        parent = top.element.getparent()
        if parent is None:
            return [(top.start, top.end)]
        threshold = max(10.0, top.score * 0.2)
        ranges = []
        for sibling in parent:
            neighbour = self.candidates.get(sibling)
            if neighbour is None:
                continue
            if (
                sibling is top.element
                or neighbour.score >= threshold
                or (sibling.tag == "p" and self._is_good_paragraph(neighbour))
            ):
                ranges.append((neighbour.start, neighbour.end))
        return ranges

    def _widen(self, top: _Candidate) -> _Candidate:
        """The highest ancestor whose text beyond ``top`` is mostly paragraphs, else ``top``.

        Articles split into several containers (multi-part stories, ad slots between segments)
        vote for one segment; the ancestor that adds more paragraphs than furniture is the
        article.
        """
        widest = top
        for ancestor in islice(top.element.iterancestors(), _MAX_CLIMB):
            candidate = self.candidates.get(ancestor)
            if candidate is None:
                continue
            if ancestor.tag in _PAGE_TAGS:
                break
            extra_total = _span(self._chars, candidate) - _span(self._chars, top)
            extra_good = _span(self._paragraph_chars, candidate) - _span(self._paragraph_chars, top)
            extra_links = _span(self._links, candidate) - _span(self._links, top)
            if (
                extra_total
                and extra_good / extra_total >= _WIDEN_RATIO
                and extra_links / extra_total < _WIDEN_LINKS
            ):
                widest = candidate
            if _marks_article(ancestor):
                break
        return widest

    def _declared_article_start(self, top: _Candidate) -> int | None:
        """Where the page's own ``<article>`` (or ``<main>``) around the body begins, if any."""
        for element in islice(top.element.iterancestors(), _MAX_CLIMB):
            if _marks_article(element) and element in self.candidates:
                return self.candidates[element].start
        return top.start if _marks_article(top.element) else None

    def _link_density(self, candidate: _Candidate) -> float:
        chars = _span(self._chars, candidate)
        return _span(self._links, candidate) / chars if chars else 1.0

    def _is_good_paragraph(self, candidate: _Candidate) -> bool:
        text = " ".join(b.text for b in self.blocks[candidate.start : candidate.end])
        density = self._link_density(candidate)
        if len(text) > 80:
            return density < 0.25
        return density == 0 and text.endswith((".", "!", "?", "。"))

    def link_list_blocks(self) -> set[int]:
        """Indexes of blocks in lists that are mostly links: related-story and "more" lists."""
        indexes: set[int] = set()
        for candidate in self.candidates.values():
            if (
                candidate.element.tag in _LIST_TAGS
                and candidate.end - candidate.start >= 2
                and self._link_density(candidate) > _MAX_LIST_LINK_DENSITY
            ):
                indexes.update(range(candidate.start, candidate.end))
        return indexes

    def lead_caption(self, ranges: list[tuple[int, int]]) -> str | None:
        """The lead image's caption: the first inside the body, else the last one above it.

        A lead image often sits between the headline and the body's container; looking above
        stays within the page's declared ``<article>``, so a caption from elsewhere never counts.
        """
        for position, text in self.captions:
            if any(start <= position <= end for start, end in ranges):
                return text
        if not ranges or self.article_start is None:
            return None
        above = [
            text
            for position, text in self.captions
            if self.article_start <= position <= ranges[0][0]
        ]
        return above[-1] if above else None


# The text inside an element's links, gathered in C (links do not nest in a parsed page).
_LINK_TEXT = etree.XPath(".//a//text()", smart_strings=False)


def _prose_chars(element: lxml.html.HtmlElement, visible_chars: int) -> int:
    """Visible characters of ``element`` (given) less those inside its links."""
    links = _visible_chars("".join(_LINK_TEXT(element)))
    return max(visible_chars - links, 0)


def _span(totals: list[int], candidate: _Candidate) -> int:
    """A running total's growth over the candidate's blocks."""
    return totals[candidate.end] - totals[candidate.start]


def _marks_article(element: lxml.html.HtmlElement) -> bool:
    """Whether the page's markup declares this element the article (a limit for widening)."""
    return element.tag in ("article", "main") or element.get("itemprop") == "articleBody"


def _is_paragraph(block: _Block) -> bool:
    return (
        len(block.text) >= _MIN_PARAGRAPH_CHARS
        and block.link_density < 0.3
        and block.tag not in _HEADING_TAGS
    )


# How much of a class or id the hint regexes read: their cost is linear in it, with a large
# constant (160 classes of 60,000 characters took 3 s). aeb-dev's longest class + id has 2,109
# characters, its 99.9th percentile 166 (benchmarks/hostile.py surveys them).
_MAX_HINT_CHARS = 512


# A page repeats its class names (every teaser, every menu item): the answer is remembered for
# the last few thousand (each at most 1,025 characters: _MAX_HINT_CHARS twice).
@functools.lru_cache(maxsize=4096)
def _named_like_boilerplate(attributes: str) -> bool:
    return bool(_BOILERPLATE.search(attributes)) and not _names_embed(attributes)


def _names_embed(attributes: str) -> bool:
    """Whether a class or id names an embedded post (every such name holds a site's name)."""
    return may_hold(attributes, _EMBED_SITES) and _EMBED.search(attributes) is not None


def _hidden_by_markup(element: lxml.html.HtmlElement) -> bool:
    """Whether the element's class is a hiding utility class or its style hides it."""
    classes = element.get("class")
    if classes and not HIDDEN_CLASSES.isdisjoint(classes.split()):
        return True
    style = element.get("style")
    return bool(style) and HIDING_STYLE.search(style[:_MAX_HINT_CHARS]) is not None


def _attributes(element: lxml.html.HtmlElement) -> str:
    """An element's class and id, as the hint patterns read them ("" without either, a third
    of a page's elements, returned without building a string)."""
    classes = element.get("class")
    name = element.get("id")
    if not classes and not name:
        return ""
    return f"{(classes or '')[:_MAX_HINT_CHARS]} {(name or '')[:_MAX_HINT_CHARS]}".strip()


def _hint_weight(element: lxml.html.HtmlElement) -> float:
    """Readability's class weight, as a factor: article-like names up, furniture-like down."""
    if _marks_article(element):
        return 1.5
    attributes = _attributes(element)
    weight = 1.0
    if _ARTICLE_HINT.search(attributes):
        weight *= 1.25
    if _NEGATIVE_HINT.search(attributes):
        weight *= 0.5
    return weight
