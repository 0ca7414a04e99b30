"""Regenerate the place-name and demonym table that watchlist word forms are drawn from.

Usage::

    cd /tmp && npm pack world-countries@5.1.0
    .venv/bin/python scripts/build_demonyms.py /tmp/world-countries-5.1.0.tgz

The source is the npm package ``world-countries`` (the mledoze/countries data set, ODbL-1.0):
English common and official names, alternative spellings and the English demonyms of 250
countries and territories. ``scripts/demonym_additions.tsv`` adds what it lacks (regions, noun
forms such as "Dane", current spellings) and drops the few alternative spellings that are English
words. The output, ``newswatch/watchlists/data/places.tsv``, holds every form already cut into
newswatch tokens (by the same tokeniser that cuts terms and articles), so loading it at run time
is a split per line. Ambiguity is resolved here, once, by two rules explained in the data README.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newswatch.watchlists.normalise import tokenise

REPO = Path(__file__).resolve().parent.parent
ADDITIONS = REPO / "scripts" / "demonym_additions.tsv"
OUTPUT = REPO / "layers/newswatch/newswatch/watchlists/data/places.tsv"

Tokens = tuple[str, ...]
# A demonym whose last token ends like this has no plural of its own ("the Chinese", "the Swiss",
# "the British", "the French", "Seychellois", "Greenlandic").
_INVARIANT_ENDINGS = ("ese", "ss", "sh", "ch", "s", "x", "z", "ic")
_VOWELS = frozenset("aeiou")
_REGULAR_PLURAL: Tokens = ()  # placeholder: the demonym takes the regular plural, decided later


@dataclass
class Place:
    """One country, territory or region and the forms that name it."""

    entity: str
    sovereign: bool
    primary_names: set[Tokens] = field(default_factory=set)
    other_names: set[Tokens] = field(default_factory=set)
    demonyms: dict[Tokens, Tokens | None] = field(default_factory=dict)  # singular -> plural


def _read_source(path: Path) -> tuple[list[dict[str, Any]], str]:
    """The countries list and a provenance line from the npm tarball or an unpacked package."""
    if path.is_dir():
        package = json.loads((path / "package.json").read_text(encoding="utf-8"))
        countries = json.loads((path / "countries.json").read_text(encoding="utf-8"))
    else:
        with tarfile.open(path) as tarball:
            package = json.load(_member(tarball, "package/package.json"))
            countries = json.load(_member(tarball, "package/countries.json"))
    licences = ", ".join(entry["type"] for entry in package.get("licenses", []))
    return countries, f"npm {package['name']}@{package['version']} ({licences or 'licence ?'})"


def _member(tarball: tarfile.TarFile, name: str) -> Any:
    member = tarball.extractfile(name)
    if member is None:
        sys.exit(f"{name} is not a file in the package")
    return member


def _usable_alternative(spelling: str) -> bool:
    """Alternative spellings worth matching: no codes or acronyms (US, DPRK: the user's aliases
    or ``=US`` say those), no inverted index forms ("Korea, Republic of") or glosses in
    parentheses, and only Latin-script spellings (the rest are native names that the tokeniser
    would cut into single characters or that English news never writes)."""
    if spelling.isupper() or any(mark in spelling for mark in ",()"):
        return False
    tokens = tokenise(spelling)
    return bool(tokens) and all(token.isascii() for token in tokens)


def _demonym_spellings(demonyms: dict[str, Any]) -> set[str]:
    english = demonyms.get("eng") or {}
    spellings: set[str] = set()
    for value in english.values():
        for part in value.replace(" or ", ",").split(","):
            if part.strip():
                spellings.add(part.strip())
    return spellings


def _regular_plural(place: Place, singular: Tokens) -> Tokens | None:
    last = singular[-1]
    place_words = {name[-1] for name in place.primary_names}
    if last.endswith(_INVARIANT_ENDINGS) or last in place_words:  # Ni-Vanuatu, Djibouti
        return None
    if last.endswith("y") and last[-2:-1] not in _VOWELS:
        return (*singular[:-1], last[:-1] + "ies")
    return (*singular[:-1], last + "s")


def _load_places(countries: list[dict[str, Any]]) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for country in countries:
        place = Place(country["cca3"], bool(country.get("independent")))
        place.primary_names.add(tokenise(country["name"]["common"]))
        names = [country["name"]["official"], *country.get("altSpellings", [])]
        place.other_names |= {tokenise(name) for name in names if _usable_alternative(name)}
        for spelling in _demonym_spellings(country.get("demonyms", {})):
            place.demonyms[tokenise(spelling)] = _REGULAR_PLURAL
        places[place.entity] = place
    return places


def _apply_additions(places: dict[str, Place]) -> None:
    for number, line in enumerate(ADDITIONS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        entity, kind, form, plural, _note = line.split("\t")
        if entity.isupper() and entity not in places:
            sys.exit(f"{ADDITIONS}:{number}: {entity} is not a country code in the source")
        place = places.setdefault(entity, Place(entity, sovereign=True))  # a region
        tokens = tokenise(form)
        if kind == "name":
            place.primary_names.add(tokens)
        elif kind == "demonym":
            place.demonyms[tokens] = (
                _REGULAR_PLURAL if not plural else None if plural == "-" else tokenise(plural)
            )
        elif kind == "drop":
            place.other_names.discard(tokens)
            place.demonyms.pop(tokens, None)
        else:
            sys.exit(f"{ADDITIONS}:{number}: unknown kind {kind!r}")


def _contains(haystack: Tokens, needle: Tokens) -> bool:
    width = len(needle)
    return any(haystack[start : start + width] == needle for start in range(len(haystack)))


def _drop_ambiguous(places: dict[str, Place]) -> None:
    """Rule 1: an alternative name of one place that occurs inside a name or demonym of another
    ("Republic of Korea" inside "Democratic People's Republic of Korea", "Congo" inside "DR
    Congo") is dropped: it would make one place's watchlist fire on the other.
    Rule 2: a demonym the source gives both a sovereign state and a dependent territory
    ("French", "Indian", "American") stays with the state only."""
    forms_of = {
        place.entity: place.primary_names | place.other_names | set(place.demonyms)
        for place in places.values()
    }
    for place in places.values():
        place.other_names -= place.primary_names
        place.primary_names -= set(place.demonyms)  # "Thai", "Saudi": a demonym, so it plurals
        place.other_names -= set(place.demonyms)
        place.other_names = {
            name
            for name in place.other_names
            if not any(
                _contains(form, name)
                for entity, forms in forms_of.items()
                if entity != place.entity
                for form in forms
            )
        }
    holders: dict[Tokens, list[Place]] = defaultdict(list)
    for place in places.values():
        for demonym in place.demonyms:
            holders[demonym].append(place)
    for demonym, sharing in holders.items():
        if any(place.sovereign for place in sharing):
            for place in sharing:
                if not place.sovereign:
                    del place.demonyms[demonym]


def _rows(places: dict[str, Place]) -> list[str]:
    rows: list[str] = []
    for entity in sorted(places):
        place = places[entity]
        names = place.primary_names | place.other_names
        rows.extend(f"{entity}\tname\t{' '.join(name)}\t" for name in sorted(names))
        for singular in sorted(place.demonyms):
            plural = place.demonyms[singular]
            if plural == _REGULAR_PLURAL:
                plural = _regular_plural(place, singular)
            rows.append(f"{entity}\tdemonym\t{' '.join(singular)}\t{' '.join(plural or ())}")
    return rows


def main() -> None:
    """Read the package given on the command line and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path, help="world-countries .tgz or unpacked directory")
    arguments = parser.parse_args()
    countries, provenance = _read_source(arguments.package)
    places = _load_places(countries)
    _apply_additions(places)
    _drop_ambiguous(places)
    rows = _rows(places)
    header = [
        "# Place names and demonyms as newswatch tokens: entity, kind, form, plural (demonyms).",
        f"# Source: {provenance}, plus scripts/demonym_additions.tsv.",
        "# Generated by scripts/build_demonyms.py; do not edit by hand (see README.md here).",
    ]
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    kinds = [row.split("\t")[1] for row in rows]
    print(
        f"{OUTPUT.relative_to(REPO)}: {len(places)} places, {kinds.count('name')} names, "
        f"{kinds.count('demonym')} demonyms"
    )


if __name__ == "__main__":
    main()
