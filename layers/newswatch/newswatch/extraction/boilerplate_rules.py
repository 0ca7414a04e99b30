"""Class/id and phrase vocabularies of body extraction, kept as data (as trafilatura's xpaths.py).

Rules marked *tuned* were set on the fixtures under ``tests/fixtures/`` (liveblog, cta, legacy)
and checked against ``python -m benchmarks extraction`` (aeb-dev and other-sites F1 must not
drop): rerun both after changing one. Class/id words match whole, between separators or at a
camelCase step, as in :mod:`.body`.
"""

from __future__ import annotations

import re

from newswatch.extraction.text import holds_any


def class_words(alternatives: str) -> re.Pattern[str]:
    """A pattern matching any of ``alternatives`` as a whole class/id word."""
    return re.compile(
        r"(?:^|(?<=[^A-Za-z0-9])|(?<=[a-z0-9])(?=[A-Z]))(?i:" + alternatives + r")(?=$|[^a-z])"
    )


def may_hold(attributes: str, stems: tuple[str, ...]) -> bool:
    """False when ``attributes`` cannot match a case-insensitive pattern every match of which
    holds one of ``stems`` (lowercase): it is ASCII, where IGNORECASE folds only A-Z, and holds
    none of them. Most class names hold none, and a substring test costs a fraction of the
    search of a pattern of alternatives (IGNORECASE also folds "ſ", "ı" and the Kelvin sign,
    so other names go to the pattern)."""
    return not attributes.isascii() or holds_any(attributes.lower(), stems)


# A live feed names itself so: "liveblog-body", "live-update", "liveticker", "timeline-entry",
# "lb-post" (Liveblog Pro), "minute-by-minute". Tuned (liveblog fixtures).
LIVE_FEED_WORDS = re.compile(
    r"live|ticker|timeline|minute-?by-?minute|lb-(?:post|item)s?|blog-?posts?", re.IGNORECASE
)
# What every match of LIVE_FEED_WORDS holds, for :func:`may_hold`.
LIVE_FEED_STEMS = ("live", "ticker", "timeline", "minute", "lb-", "blog")
# Runs of stamped cards that are not the page's own reporting: readers' comments, story tiles.
NOT_A_FEED_WORDS = class_words(
    r"comments?|replies|reply|disqus|related|recirc[a-z]*|teasers?|promo|more-?stories|"
    r"most-?(?:popular|read|viewed)|sidebar|footer|rail"
)
# The element holding a card's time: "update-time", "ticker-time", "entry-stamp", "post-date".
TIME_CLASS_WORDS = class_words(r"time|times|timestamp|stamp|date|dateline|posted|published")
# A live card's state label or bare clock time, never its text ("Pinned", "Key event 22:34",
# "16:20 Uhr"), in the fixtures' languages. Tuned (liveblog fixtures).
CARD_LABEL = re.compile(
    r"(?i:pinned|key events?|breaking|highlight|important|updated?|eilmeldung|wichtig|"
    r"épinglé|essentiel|en direct|live)?[\s:·•|-]*"
    r"(?:\d{1,2}[:.h]\d\d(?:\s?(?i:[ap]\.?m\.?|uhr|gmt|bst|utc|cet|cest|[ecmp][sd]?t))*)?"
)

# Utility classes and inline styles that hide an element (Bootstrap's, Tailwind's, WordPress
# themes'): whole class tokens only, since "hidden-xs" shows on larger screens. Tuned (aeb-dev).
HIDDEN_CLASSES = frozenset({"hidden", "d-none", "is-hidden", "hide", "invisible"})
HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# Containers of calls to action and teasers by class/id: polls, quizzes, membership and
# donation boxes, paywall offers, inline teasers for other stories. Checked with the same
# page-share guard as the walk's furniture words. Tuned (cta fixtures, aeb-dev).
CALL_TO_ACTION_CLASS_ALTERNATIVES = (
    r"polls?|quiz(?:zes)?|survey|donat[a-z]*|membership|members?-?(?:box|cta|prompt)|socios?|"
    r"contribut(?:e|ions?)|support-?(?:box|us|cta|prompt)|epic|cta|upsell|offer|"
    # Not "paywall" alone: sites mark the paid paragraphs themselves so (wired.com).
    r"paywall-?(?:modal|bar|offer|prompt|message|banner|promo|box|cta)|read-?also|also-?read|inline-?teasers?|teaser-?list|teasers|"
    r"boletin|abo-?[a-z]+|newsletter-?[a-z]+"
)
CALL_TO_ACTION_CLASS_WORDS = class_words(CALL_TO_ACTION_CLASS_ALTERNATIVES)
# Where a call to action's link goes: support, membership, subscription and newsletter pages
# and quizzes, in the fixtures' languages. A short box linking there is a prompt, not text.
CALL_TO_ACTION_HREF = re.compile(
    r"/(?:support|donate|donations?|contribute|contributions?|membership|members|join|"
    r"subscribe|subscriptions?|newsletters?|signup|sign-up|abo|abonnements?|suscripcion|"
    r"suscribete|socios|spenden|unterstuetzen|soutenir|dons|quiz(?:zes)?)(?=$|[/?#._-])"
    r"|[?&](?:cta|ref)=(?:inline|paywall|support|epic)",
    re.IGNORECASE,
)
# The site's own legal pages: privacy and cookie policies, terms of use, community rules, an
# imprint. A short box linking to two of them is a site notice (a comment policy, a sign-up's
# consent line, a cookie banner); an article that reports on a privacy policy links to one.
SITE_NOTICE_HREF = re.compile(
    r"/(?:privacy|privacy[-_]?(?:policy|notice|statement)|cookies?|cookie[-_]?policy|"
    r"terms|terms[-_]?(?:of[-_]?(?:use|service)|and[-_]?conditions|conditions)|tos|legal|"
    r"community[-_]?(?:guidelines|rules|standards)|(?:comment|discussion)[-_]?(?:policy|rules)|"
    r"datenschutz(?:erklaerung)?|nutzungsbedingungen|agb|impressum|mentions[-_]?legales|"
    r"aviso[-_]?legal|politica[-_]?de[-_]?privacidad)(?=$|[/?#._-])",
    re.IGNORECASE,
)
# Fallback phrases of a short prompt addressed to the reader, anywhere in the block, used
# only where structure says nothing. Tuned (cta fixtures, aeb-dev).
READER_PROMPT_PHRASES = re.compile(
    r"\b(?:become an? (?:member|supporter|subscriber)|donate (?:now|today|here)"
    r"|make a (?:donation|contribution)|support (?:our|independent) journalism"
    r"|vote now|take (?:our|the) quiz|test yourself|read also|read more:"
    r"|lire aussi|abonnez-vous|inscrivez-vous|soutenez"
    r"|lesen sie auch|jetzt (?:testen|abonnieren|weiterlesen)|weiterlesen mit|bereits ein abo"
    r"|lee también|suscríbete|hazte soci[oa]|boletín)",
    re.IGNORECASE,
)
# The cheap test before READER_PROMPT_PHRASES: one of these is in every match (lower case).
READER_PROMPT_WORDS = (
    "become",
    "donat",
    "contribution",
    "journalism",
    "vote now",
    "quiz",
    "test yourself",
    "read ",
    "lire aussi",
    "vous",
    "soutenez",
    "lesen sie",
    "jetzt",
    "weiterlesen",
    "abo",
    "lee tambi",
    "suscr",
    "socio",
    "bolet",
)
# A byline line left in the body (legacy pages have no byline markup): "By Ellen Marsh, Staff
# Writer", "By JAMES PORTER | Business Editor". Only a short unpunctuated line. Tuned (legacy
# fixtures, aeb-dev).
BYLINE_LINE = re.compile(
    r"^(?:By|BY|by)\s+(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|(?:January|February|March|"
    r"April|May|June|July|August|September|October|November|December)\b)[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|van|von|de|da|del|der|le|la|y|and|&))*"
    r"\s*(?:$|[,|/–—-]\s*\w)"
)
