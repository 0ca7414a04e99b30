"""The compiled index: keyed on the declared word forms, refused clearly when stale or damaged,
and carrying each watchlist's delivery settings untouched."""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from newswatch.article import Article
from newswatch.errors import NewswatchError
from newswatch.watchlists import (
    WatchlistIndexCorrupt,
    WatchlistIndexStale,
    WatchlistSet,
    WatchlistsUnavailable,
    load_watchlists,
)
from newswatch.watchlists.document import validate
from newswatch.watchlists.forms import WORD_FORMS_VERSION
from newswatch.watchlists.index import word_forms_key

PLACES = Path(__file__).resolve().parent.parent / (
    "layers/newswatch/newswatch/watchlists/data/places.tsv"
)
TWO = {
    "watchlists": [
        {"name": "nk-russia", "all": ["North Korea", "Russia"]},
        {"name": "near", "query": '"Kim Jong Un" NEAR/5 Putin'},
    ]
}
ARTICLE = Article(title="North Korean troops in Russia", text="Kim Jong Un met Putin.")


def sections(data: bytes) -> tuple[bytes, list[bytes]]:
    """The header line and the four sections (inflated, except the packed document)."""
    header, rest = data.split(b"\n", 1)
    found = []
    while rest:
        size = int.from_bytes(rest[:8], "big")
        found.append(rest[8 : 8 + size])
        rest = rest[8 + size :]
    inflated = [zlib.decompress(section) for section in found[:3]]
    return header, [*inflated, found[3]]


def framed(header: bytes, parts: list[bytes], *, rehash: bool) -> bytes:
    """Valid framing around ``parts`` (the first three compressed again), under the old header
    (as if the bytes were changed after writing) or a new digest (as if a writer made them)."""
    packed = [zlib.compress(part) for part in parts[:3]] + [parts[3]]
    body = b"".join(len(part).to_bytes(8, "big") + part for part in packed)
    if rehash:
        header = header.split(b" ")[0] + b" " + hashlib.sha256(body).hexdigest().encode()
    return header + b"\n" + body


def with_tables(data: bytes, change: dict[str, Any], *, rehash: bool = True) -> bytes:
    header, parts = sections(data)
    tables = {**json.loads(parts[0]), **change}
    return framed(header, [json.dumps(tables).encode(), *parts[1:]], rehash=rehash)


def with_rule(data: bytes, position: int, rule: bytes, *, rehash: bool) -> bytes:
    header, parts = sections(data)
    rules = parts[2].split(b"\n")
    rules[position] = rule
    return framed(header, [parts[0], parts[1], b"\n".join(rules), parts[3]], rehash=rehash)


def test_the_index_is_keyed_on_the_declared_version_and_the_place_table_checksum() -> None:
    checksum = hashlib.sha256(PLACES.read_bytes()).hexdigest()[:16]
    assert word_forms_key() == {"version": WORD_FORMS_VERSION, "places": checksum}
    _, parts = sections(load_watchlists(TWO).dumps())
    assert json.loads(parts[0])["word_forms"] == word_forms_key()


@pytest.mark.parametrize(
    "word_forms",
    [
        {"version": WORD_FORMS_VERSION + 1, "places": word_forms_key()["places"]},
        {"version": WORD_FORMS_VERSION, "places": "0" * 16},
    ],
)
def test_an_index_compiled_with_other_word_forms_is_refused_as_stale(
    word_forms: dict[str, Any],
) -> None:
    """A deployment with a new place table or new forms must recompile, not match stale."""
    original = load_watchlists(TWO)
    stale = with_tables(original.dumps(), {"word_forms": word_forms})
    with pytest.raises(WatchlistIndexStale, match="compiled with other word forms") as caught:
        WatchlistSet.loads(stale)
    assert caught.value.version == original.version


def test_an_index_of_an_earlier_format_is_stale_not_corrupt() -> None:
    data = load_watchlists(TWO).dumps()
    older = b"newswatch-watchlists/2\n" + data.split(b"\n", 1)[1]
    with pytest.raises(WatchlistIndexStale, match="newswatch-watchlists/2 format"):
        WatchlistSet.loads(older)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not zlib",
        zlib.compress(b"[1, 2]"),
        zlib.compress(b'{"format": "other"}'),
        load_watchlists(TWO).dumps()[:-5],
    ],
)
def test_a_damaged_index_is_refused_clearly(data: bytes) -> None:
    with pytest.raises(WatchlistIndexCorrupt, match=r"^watchlist index .*is corrupt: "):
        WatchlistSet.loads(data)


def test_a_rule_changed_after_writing_is_found_at_load() -> None:
    """Not by every article that makes its watchlist a candidate."""
    data = load_watchlists(TWO).dumps()
    damaged = with_rule(data, 1, b'["t","Putin",[9999],""]', rehash=False)
    with pytest.raises(WatchlistIndexCorrupt, match="does not match the digest"):
        WatchlistSet.loads(damaged)


def test_tables_changed_after_writing_are_found_at_load() -> None:
    data = load_watchlists(TWO).dumps()
    with pytest.raises(WatchlistIndexCorrupt, match="does not match the digest"):
        WatchlistSet.loads(with_tables(data, {"always": [0, 1]}, rehash=False))


@pytest.mark.parametrize(
    ("rule", "complaint"),
    [
        (b'["t","Putin",[9999],""]', "not a term of this index"),
        (b'["t","Putin",[0],"headline"]', "not a term of this index"),
        (b'["x",[]]', "not a rule node"),
        (b'["n",5,0,["!",["t","a",[0],""]],["t","b",[1],""]]', "a NEAR side has no positions"),
        (b'["c",0,["t","a",[0],""]]', "not a rule node"),
        (b'{"t": 1}', "not a non-empty list"),
        (b'["!",' * 500 + b'["t","a",[0],""]' + b"]" * 500, "nests more than"),
        (b'["t", "Rus', "Unterminated string"),
    ],
)
def test_a_rule_its_writer_got_wrong_is_refused_by_name_and_version(
    rule: bytes, complaint: str
) -> None:
    """An index whose digest holds (its writer made the mistake): the rule is checked when it
    is first decoded, and the error says which watchlist of which version."""
    original = load_watchlists(TWO)
    loaded = WatchlistSet.loads(with_rule(original.dumps(), 1, rule, rehash=True))
    with pytest.raises(WatchlistIndexCorrupt, match=complaint) as caught:
        loaded.match(ARTICLE)
    assert caught.value.version == original.version
    assert str(caught.value).startswith(
        f"watchlist index {original.version} is corrupt: the rule of watchlist 'near': "
    )


def test_the_index_errors_are_newswatch_errors_and_corrupt_means_unavailable() -> None:
    """The ingest handler retries (and finally dead-letters) a record on either."""
    assert issubclass(WatchlistIndexCorrupt, WatchlistsUnavailable)
    assert issubclass(WatchlistsUnavailable, NewswatchError)
    assert issubclass(WatchlistIndexStale, NewswatchError)


def with_settings(document: dict[str, Any], settings: dict[str, dict[str, Any]]) -> WatchlistSet:
    definitions, _ = validate(document)
    definitions = [
        replace(definition, settings=settings.get(definition.name, {}))
        for definition in definitions
    ]
    return WatchlistSet.compile(
        definitions, {"watchlists": [definition.entry for definition in definitions]}
    )


def test_delivery_settings_travel_through_the_index_untouched() -> None:
    delivery = {"max_per_hour": 5, "digest": "daily", "notify": ["ops", {"sms": False}]}
    compiled = with_settings(TWO, {"near": delivery})
    restored = WatchlistSet.loads(compiled.dumps())
    assert restored.names == ("nk-russia", "near")
    assert dict(restored.settings("near")) == delivery
    assert dict(restored.settings("nk-russia")) == {}
    with pytest.raises(KeyError):
        restored.settings("no-such-watchlist")
    with pytest.raises(TypeError):
        restored.settings("near")["digest"] = "weekly"  # type: ignore[index]
    assert [m.watchlist for m in restored.match(ARTICLE)] == ["nk-russia", "near"]


def test_a_set_without_settings_has_empty_ones() -> None:
    loaded = WatchlistSet.loads(load_watchlists(TWO).dumps())
    assert [dict(loaded.settings(name)) for name in loaded.names] == [{}, {}]
    assert loaded.compiled_at_load is False
