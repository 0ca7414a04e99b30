"""Class/id and phrase vocabularies of body extraction, kept as data (as trafilatura's xpaths.py).

Rules marked *tuned* were set on the fixtures under ``tests/fixtures/`` (liveblog, cta, legacy)
and checked against ``python -m benchmarks extraction`` (aeb-dev and other-sites F1 must not
drop): rerun both after changing one. Class/id words match whole, between separators or at a
camelCase step, as in :mod:`.body`.
"""

from __future__ import annotations

import re


def _class_words(alternatives: str) -> re.Pattern[str]:
    """A pattern matching any of ``alternatives`` as a whole class/id word."""
    return re.compile(
        r"(?:^|(?<=[^A-Za-z0-9])|(?<=[a-z0-9])(?=[A-Z]))(?i:" + alternatives + r")(?=$|[^a-z])"
    )


# A live feed names itself so: "liveblog-body", "live-update", "liveticker", "timeline-entry",
# "lb-post" (Liveblog Pro), "minute-by-minute". Tuned (liveblog fixtures).
LIVE_FEED_WORDS = re.compile(
    r"live|ticker|timeline|minute-?by-?minute|lb-(?:post|item)s?|blog-?posts?", re.IGNORECASE
)
# Runs of stamped cards that are not the page's own reporting: readers' comments, story tiles.
NOT_A_FEED_WORDS = _class_words(
    r"comments?|replies|reply|disqus|related|recirc[a-z]*|teasers?|promo|more-?stories|"
    r"most-?(?:popular|read|viewed)|sidebar|footer|rail"
)
# The element holding a card's time: "update-time", "ticker-time", "entry-stamp", "post-date".
TIME_CLASS_WORDS = _class_words(r"time|times|timestamp|stamp|date|dateline|posted|published")
# A live card's state label or bare clock time, never its text ("Pinned", "Key event 22:34",
# "16:20 Uhr"), in the fixtures' languages. Tuned (liveblog fixtures).
CARD_LABEL = re.compile(
    r"(?i:pinned|key events?|breaking|highlight|important|updated?|eilmeldung|wichtig|"
    r"épinglé|essentiel|en direct|live)?[\s:·•|-]*"
    r"(?:\d{1,2}[:.h]\d\d(?:\s?(?i:[ap]\.?m\.?|uhr|gmt|bst|utc|cet|cest|[ecmp][sd]?t))*)?"
)
