"""The word forms that count as a watchlist term, so that users need not spell them out.

A term that names a place (a country, territory or region in ``data/places.tsv``) counts in all
the place's names and demonyms: "North Korea" also matches "North Korean(s)" and "North Korea's",
"Myanmar" matches "Burma", and the reverse holds, a term "Russian" matches "Russia". A term that
is a demonym shared by several places ("Congolese") stands for all of them. Place names get no
plural ("Chinas" is not a form of "China"); demonyms get theirs from the table ("Koreans", but
"Chinese" and "Swiss" stay as they are).

Any other term varies its LAST token only (the head noun of an English phrase): the regular
plural, kept conservative (no plural for words of fewer than three letters, for words already
ending in a plain "s", or for anything but ASCII letters) and the possessive "'s". The plural
possessive ("troops'") needs no form of its own: the tokeniser ends a token before a final
apostrophe. Hyphen and space variants ("Kim Jong-un" / "Kim Jong Un") need none either: both cut
into the same tokens.

Deliberate choices, since each one trades a miss for a false alarm:
- "American(s)" counts for the United States: that is what it means in news, at the price of
  also matching inside "Latin American" (a watchlist can exclude that with NOT).
- "Korean" belongs to the region "Korea", not to either state, so a "South Korea" watchlist
  never fires on "North Korean"; likewise "Congo" and "Congolese" for the two Congos.
- Acronyms (US, UK, DPRK, UAE) are not forms: casefolded they collide with words ("us"); a
  watchlist writes ``=US`` or declares them as aliases.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache, lru_cache
from importlib import resources

Tokens = tuple[str, ...]

# What a compiled index's atoms depend on besides the watchlists. Bump it with any change to the
# rules of this module or to normalise.py's token space; a change of the place table needs no
# bump, its checksum (places_checksum) is part of the key. A stale index is recompiled from the
# stored watchlists at each cold start until the next push: a bump costs that, a docstring edit
# must not.
WORD_FORMS_VERSION = 1

_TABLE = "places.tsv"
_POSSESSIVE = "'s"
_PLURALISABLE = re.compile(r"[a-z]{3,}")
# Not "-as": that is mostly a plural already ("areas", "ideas"); gas and bias are listed below.
_SIBILANT_ENDINGS = ("ss", "x", "z", "ch", "sh", "us")
_VOWELS = frozenset("aeiou")
# Plurals no rule here gets right, common in news ("-man" words have a rule: spokesmen, gunmen).
_IRREGULAR_PLURALS = {
    "child": "children",
    "person": "people",
    "life": "lives",
    "wife": "wives",
    "knife": "knives",
    "thief": "thieves",
    "leaf": "leaves",
    "half": "halves",
    "wolf": "wolves",
    "shelf": "shelves",
    "foot": "feet",
    "tooth": "teeth",
    "mouse": "mice",
    "goose": "geese",
    "criterion": "criteria",
    "gas": "gases",
    "bias": "biases",
    "alias": "aliases",
    "atlas": "atlases",
    "phenomenon": "phenomena",
}


def variants(tokens: Tokens) -> frozenset[Tokens]:
    """Every normalised token sequence that counts as the term ``tokens``, itself included."""
    return _variants(tuple(tokens))


@lru_cache(maxsize=1 << 16)
def _variants(tokens: Tokens) -> frozenset[Tokens]:
    if not tokens:
        return frozenset({tokens})
    places = _places_named(tokens)
    if places:
        table = _table()
        return frozenset({tokens}.union(*(table.forms_of_place[place] for place in places)))
    head = tokens[:-1]
    return frozenset({tokens}.union((*head, form) for form in word_forms(tokens[-1])))


def word_forms(word: str) -> frozenset[str]:
    """The plural(s) and possessives of one normalised word, the word itself excluded."""
    if not word.isascii() or not any(char.isalpha() for char in word) or word.endswith(_POSSESSIVE):
        return frozenset()
    plurals = _plurals(word) if _PLURALISABLE.fullmatch(word) else set()
    # A plural in -s needs no possessive form: "troops'" is cut as the token "troops".
    irregular_possessives = {plural + _POSSESSIVE for plural in plurals if not plural.endswith("s")}
    return frozenset({word + _POSSESSIVE, *plurals, *irregular_possessives})


def _plurals(word: str) -> set[str]:
    if word in _IRREGULAR_PLURALS:
        return {_IRREGULAR_PLURALS[word]}
    if word.endswith("man"):  # chairmen, but also Germans and humans
        return {word[:-3] + "men", word + "s"}
    if word.endswith("sis"):  # crisis -> crises, analysis -> analyses; not tennis or Paris
        return {word[:-2] + "es"}
    if word.endswith(_SIBILANT_ENDINGS):
        return {word + "es"}
    if word.endswith("s"):  # already plural ("talks") or invariant ("news", "series")
        return set()
    if word.endswith("y") and word[-2] not in _VOWELS:
        return {word[:-1] + "ies"}
    if word.endswith("o") and word[-2] not in _VOWELS:  # vetoes and heroes, photos and memos
        return {word + "s", word + "es"}
    return {word + "s"}


def _places_named(tokens: Tokens) -> frozenset[str]:
    """The places that ``tokens`` names, also as a possessive ("Russia's") or after an article
    ("the Philippines", "the Middle East")."""
    by_form = _table().places_by_form
    candidates = [tokens, tokens[1:]] if len(tokens) > 1 and tokens[0] == "the" else [tokens]
    for candidate in candidates:
        found = by_form.get(candidate)
        if found is None and candidate[-1].endswith(_POSSESSIVE):
            found = by_form.get((*candidate[:-1], candidate[-1][: -len(_POSSESSIVE)]))
        if found:
            return found
    return frozenset()


class _PlaceTable:
    """``data/places.tsv`` indexed both ways: form -> places, place -> all its forms."""

    def __init__(self, rows: list[tuple[str, Tokens, Tokens]]) -> None:
        forms: dict[str, set[Tokens]] = {}
        places: dict[Tokens, set[str]] = {}
        for place, singular, plural in rows:
            place_forms = forms.setdefault(place, set())
            place_forms |= {singular, _with_possessive(singular)}
            places.setdefault(singular, set()).add(place)
            if plural:
                place_forms.add(plural)
                places.setdefault(plural, set()).add(place)
                if not plural[-1].endswith("s"):  # Frenchmen's; Koreans' is just "koreans"
                    place_forms.add(_with_possessive(plural))
        self.forms_of_place = {place: frozenset(found) for place, found in forms.items()}
        self.places_by_form = {form: frozenset(found) for form, found in places.items()}


def _with_possessive(tokens: Tokens) -> Tokens:
    return (*tokens[:-1], tokens[-1] + _POSSESSIVE)


@cache
def places_checksum() -> str:
    """A digest of the shipped place table, stored in (and checked against) a compiled index."""
    table = resources.files(__package__).joinpath("data", _TABLE).read_bytes()
    return hashlib.sha256(table).hexdigest()[:16]


@cache
def _table() -> _PlaceTable:
    """The place table, read once per process on first use (a few milliseconds)."""
    text = resources.files(__package__).joinpath("data", _TABLE).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            place, _kind, form, plural = line.split("\t")
            rows.append((place, tuple(form.split(" ")), tuple(plural.split())))
    return _PlaceTable(rows)
