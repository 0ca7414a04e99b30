"""The language of a page: as it declares it, or, when it declares none or a wrong one, as
its text shows.

Detection is a stop-word and script profile (stdlib only, imports in well under a
millisecond): a script of its own names a language (Hangul: Korean; kana: Japanese); within a
shared script (Latin, Cyrillic, Arabic) the language whose most frequent function words make
up the largest share of the text's words wins, when that share is high enough to mean it.
``python -m benchmarks language`` measures it against PyPI's detectors.
"""

from __future__ import annotations

import re
from functools import cache

from newswatch.extraction.text import clean_text
from newswatch.extraction.vocabulary import (
    LANGUAGE_SCRIPTS,
    SCRIPT_DEFAULT_LANGUAGES,
    SCRIPT_LANGUAGES,
    SCRIPTS,
    STOP_WORDS,
)

# How much of the text is read: the first characters are as telling as the rest. Tuned:
# 2,000 is as accurate on aeb-dev as 3,000 (``python -m benchmarks language``) and cheaper.
SAMPLE_CHARS = 2000
# A script names its language when it holds this share of the sample's letters (so a quoted
# word does not relabel an English article).
_SCRIPT_SHARE = 0.1
# Tuned on aeb-dev (``python -m benchmarks language``): fewer stop words than this, or a
# smaller share of the words, and the text is too short or too foreign to say.
MIN_STOP_WORDS = 4
MIN_STOP_WORD_SHARE = 0.08
# A declared language is wrong when the text's dominant script is none of its scripts, or
# when, in the same script, its stop words are fewer than this fraction of the detected
# language's (a German text declared "en": 3 % English stop words against 29 % German; the
# English texts of aeb-dev have English stop words at 8 % to 35 % of their words). Tuned with
# the two above.
DECLARED_LANGUAGE_MIN_RATIO = 0.25

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Each stop word and the languages whose list has it: one look-up per word of the text.
_STOP_WORD_LANGUAGES: dict[str, tuple[str, ...]] = {}
for _language, _words in STOP_WORDS.items():
    for _word in _words:
        _STOP_WORD_LANGUAGES[_word] = (*_STOP_WORD_LANGUAGES.get(_word, ()), _language)


_AFTER_LATIN = "\u0250"


@cache
def _script_counters() -> dict[str, re.Pattern[str]]:
    """Every script the profile counts letters of, compiled at first use: compiling the
    Unicode ranges costs milliseconds that a cold start need not pay before it reads a page."""
    return {name: re.compile(f"[{chars}]+") for name, chars in SCRIPTS.items()}


def _count(pattern: re.Pattern[str], text: str) -> int:
    """Characters in ``pattern``'s runs: one list item per run, not per character."""
    return sum(map(len, pattern.findall(text)))


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
    return profile(text[:2000]).named


class Profile:
    """What a text shows of its language: its dominant script, the language a script of its
    own names, and each language's count of stop words among its words.

    A plain class rather than a dataclass: the decorator costs a cold start a millisecond.
    """

    __slots__ = ("named", "script", "stop_words", "words")

    def __init__(
        self, script: str | None, named: str | None, words: int, stop_words: dict[str, int]
    ) -> None:
        self.script = script
        self.named = named
        self.words = words
        self.stop_words = stop_words

    def share(self, language: str) -> float:
        """The share of the text's words that are ``language``'s stop words."""
        return self.stop_words.get(language, 0) / self.words if self.words else 0.0


def profile(text: str) -> Profile:
    """The script and stop-word profile of ``text``'s first ``SAMPLE_CHARS`` characters."""
    sample = text[:SAMPLE_CHARS]
    words = _WORD.findall(sample.lower())
    # Letters and Latin letters counted on the words: Latin script sorts below U+0250.
    letters = sum(map(len, words))
    counts = {"latin": sum(len(word) for word in words if word[0] < _AFTER_LATIN)}
    if counts["latin"] <= (1 - _SCRIPT_SHARE) * letters:  # else no other script can matter
        counts.update(
            (name, _count(pattern, sample))
            for name, pattern in _script_counters().items()
            if name != "latin"
        )
    script = max(counts, key=counts.__getitem__)
    named = next(
        (
            language
            for name, language in SCRIPT_LANGUAGES
            if letters and counts.get(name, 0) >= _SCRIPT_SHARE * letters
        ),
        None,
    )
    stop_words = dict.fromkeys(STOP_WORDS, 0)
    for word in words:
        for language in _STOP_WORD_LANGUAGES.get(word, ()):
            stop_words[language] += 1
    return Profile(script if counts[script] else None, named, len(words), stop_words)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or None when unsure."""
    return _detected(profile(text))


def _detected(found: Profile) -> str | None:
    if found.named is not None:
        return found.named
    if found.script is not None and found.script in SCRIPT_DEFAULT_LANGUAGES:
        return SCRIPT_DEFAULT_LANGUAGES[found.script]
    candidates = [
        language
        for language, scripts in LANGUAGE_SCRIPTS.items()
        if found.script in scripts and language in STOP_WORDS
    ]
    if not candidates:
        return None
    ranked = sorted(candidates, key=found.stop_words.__getitem__, reverse=True)
    best = ranked[0]
    runner_up = found.stop_words[ranked[1]] if len(ranked) > 1 else 0
    hits = found.stop_words[best]
    if hits < MIN_STOP_WORDS or found.share(best) < MIN_STOP_WORD_SHARE or hits == runner_up:
        return None
    return best


def page_language(declared: str | None, text: str) -> str | None:
    """The page's language: the declared one unless the text clearly says it is wrong.

    Wrong means: the text is dominated by a script the declared language is not written in
    (``lang="en"`` on Korean text), or, in the same script, another language is detected with
    four times the declared one's stop words (``lang="en"`` on a German text). A declared
    language that the detector has no profile for is kept unless the script contradicts it.
    """
    found = profile(text)
    detected = _detected(found)
    if declared is None or detected is None or detected == declared:
        return declared or detected
    scripts = LANGUAGE_SCRIPTS.get(declared)
    if scripts is None:
        return declared
    if found.script not in scripts:
        return detected
    if (
        declared in STOP_WORDS
        and found.stop_words[declared] < DECLARED_LANGUAGE_MIN_RATIO * found.stop_words[detected]
    ):
        return detected
    return declared
