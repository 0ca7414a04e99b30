"""The language of a page: as it declares it, or as its script shows."""

from __future__ import annotations

import re

from newswatch.extraction.text import clean_text
from newswatch.extraction.vocabulary import SCRIPT_LANGUAGES

_SCRIPT_PATTERNS = tuple(
    (re.compile(f"[{chars}]"), language) for chars, language in SCRIPT_LANGUAGES
)


def language_code(value: object) -> str | None:
    """The ISO 639-1 code of a declared language ("en-US", "pt_BR" -> "en", "pt"), or None."""
    text = clean_text(value)
    if text is None:
        return None
    primary = re.split(r"[-_]", text, maxsplit=1)[0].lower()
    return primary if len(primary) == 2 and primary.isalpha() and primary.isascii() else None


def language_from_script(text: str) -> str | None:
    """The language that a script unambiguously indicates (kana -> ja, hangul -> ko...).

    Needs the script in a tenth of the letters of the text's first 2,000 characters, so a
    quoted word does not relabel an English article.
    """
    sample = text[:2000]
    letters = sum(1 for char in sample if char.isalpha())
    for pattern, language in _SCRIPT_PATTERNS:
        if letters and len(pattern.findall(sample)) * 10 >= letters:
            return language
    return None
