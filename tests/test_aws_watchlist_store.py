"""The stored watchlist set: replaced whole, loaded from its compiled index, seen by a running
function within its refresh period."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from ingest_env import BUCKET, NK_RUSSIA, TABLE, IngestEnv, env_fixture  # noqa: F401
from newswatch.article import Article
from newswatch.aws.watchlist_store import WatchlistStore
from newswatch.watchlists import (
    WatchlistIndexCorrupt,
    WatchlistSet,
    WatchlistsUnavailable,
    index,
    load_watchlists,
)
from newswatch.watchlists.document import validate

ARTICLE = Article(title="North Korean troops in Russia", text="Seoul says thousands were sent.")
TWO = {
    "watchlists": [
        {"name": "nk-russia", "all": ["North Korea", "Russia"]},
        {"name": "korea-china", "all": ["Korea", "China"]},
    ]
}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def names(env: IngestEnv) -> list[str]:
    return env.watchlist_store().names()


def index_key(version: str) -> str:
    return f"watchlists/{version}.bin"


def test_nothing_pushed_is_an_error_while_watchlists_are_expected(
    env: IngestEnv, caplog: pytest.LogCaptureFixture
) -> None:
    """Not an empty set: every article would be stored as matching nothing, silently."""
    store = env.watchlist_store()
    assert env.item("WATCHLISTS", "CURRENT") is None
    with pytest.raises(WatchlistsUnavailable, match="no watchlist set has been pushed"):
        store.current()
    assert "the pointer item WATCHLISTS/CURRENT is missing" in caplog.text
    assert store.names() == []


def test_the_first_call_after_a_push_finds_the_set(env: IngestEnv) -> None:
    """The failure is not cached: a record retried (or redriven) after a push matches."""
    store = env.watchlist_store(refresh_seconds=300)
    with pytest.raises(WatchlistsUnavailable):
        store.current()
    env.push_watchlists()
    assert [m.watchlist for m in store.current().match(ARTICLE)] == ["nk-russia"]


def test_without_expected_watchlists_nothing_pushed_is_an_empty_set(env: IngestEnv) -> None:
    store = WatchlistStore(
        env.dynamodb,
        env.s3,
        table_name=TABLE,
        bucket=BUCKET,
        refresh_seconds=0,
        watchlists_expected=False,
    )
    current = store.current()
    assert len(current) == 0 and current.match(ARTICLE) == []
    env.push_watchlists()
    assert [m.watchlist for m in store.current().match(ARTICLE)] == ["nk-russia"]


def test_replace_stores_items_index_and_pointer(env: IngestEnv) -> None:
    wset = load_watchlists(TWO)
    version = env.watchlist_store().replace(wset)

    assert version == wset.version
    assert names(env) == ["nk-russia", "korea-china"]
    index = env.s3.get_object(Bucket=BUCKET, Key=f"watchlists/{version}.bin")["Body"].read()
    assert index == wset.dumps()
    pointer = env.item("WATCHLISTS", "CURRENT")
    assert pointer is not None and pointer["version"]["S"] == version
    assert env.watchlist_store().definitions()[0] == {
        "name": "nk-russia",
        "all": ["North Korea", "Russia"],
    }


def test_a_fresh_reader_loads_the_same_set(env: IngestEnv) -> None:
    env.watchlist_store().replace(load_watchlists(TWO))
    loaded = env.watchlist_store().current()
    assert [m.watchlist for m in loaded.match(ARTICLE)] == ["nk-russia"]


def test_replacing_drops_watchlists_no_longer_in_the_file(env: IngestEnv) -> None:
    store = env.watchlist_store()
    store.replace(load_watchlists(TWO))
    store.replace(load_watchlists(NK_RUSSIA))
    assert names(env) == ["nk-russia"]
    assert env.watchlist_store().current().names == ("nk-russia",)


def test_a_running_reader_sees_a_push_after_its_refresh_period(env: IngestEnv) -> None:
    clock = Clock()
    reader = WatchlistStore(
        env.dynamodb,
        env.s3,
        table_name=env.settings.table_name,
        bucket=BUCKET,
        refresh_seconds=300,
        clock=clock,
    )
    env.watchlist_store().replace(load_watchlists(NK_RUSSIA))
    first = reader.current()
    new_version = env.watchlist_store().replace(load_watchlists(TWO))

    clock.now += 299
    assert reader.current() is first  # cached: no read at all within the period
    clock.now += 2
    assert reader.current().version == new_version


def test_an_unchanged_version_is_not_reloaded(env: IngestEnv) -> None:
    env.push_watchlists()
    reader = env.watchlist_store(refresh_seconds=0)
    first = reader.current()
    assert reader.current() is first


def test_a_loaded_index_was_not_compiled_at_load(env: IngestEnv) -> None:
    env.watchlist_store().replace(load_watchlists(TWO))
    assert env.watchlist_store().current().compiled_at_load is False


def test_a_missing_index_is_rebuilt_from_the_items(
    env: IngestEnv, caplog: pytest.LogCaptureFixture
) -> None:
    version = env.watchlist_store().replace(load_watchlists(TWO))
    env.s3.delete_object(Bucket=BUCKET, Key=index_key(version))
    loaded = env.watchlist_store().current()
    assert loaded.version == version and loaded.compiled_at_load
    assert [m.watchlist for m in loaded.match(ARTICLE)] == ["nk-russia"]
    assert f"compiling watchlist version {version} from its items" in caplog.text


def test_a_damaged_index_is_rebuilt_from_the_items(
    env: IngestEnv, caplog: pytest.LogCaptureFixture
) -> None:
    version = env.watchlist_store().replace(load_watchlists(TWO))
    env.s3.put_object(Bucket=BUCKET, Key=index_key(version), Body=b"not an index")
    loaded = env.watchlist_store().current()
    assert loaded.version == version and loaded.compiled_at_load
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        f"watchlist index {version} is corrupt: it does not start with "
        f"b'newswatch-watchlists/3 ' ({index_key(version)})"
    ]


def _stale(data: bytes) -> bytes:
    """``data`` as an index compiled with another word-form table version would be."""
    parts = index.load(data)
    tables = {**parts.tables, "word_forms": {"version": -1, "places": "0" * 16}}
    return index.dump(index.IndexData(tables, parts.names, parts.rules, parts.packed_document))


def test_an_index_compiled_with_other_word_forms_is_recompiled_and_says_so(
    env: IngestEnv, caplog: pytest.LogCaptureFixture
) -> None:
    wset = load_watchlists(TWO)
    version = env.watchlist_store().replace(wset)
    env.s3.put_object(Bucket=BUCKET, Key=index_key(version), Body=_stale(wset.dumps()))
    with caplog.at_level(logging.WARNING):
        loaded = env.watchlist_store().current()
    assert loaded.compiled_at_load and loaded.version == version
    assert "compiled with other word forms" in caplog.text
    assert "push them again" in caplog.text


def test_a_corrupt_index_without_its_items_names_the_version(
    env: IngestEnv, caplog: pytest.LogCaptureFixture
) -> None:
    """The record fails clearly (retried, then dead-lettered), not with an IndexError."""
    version = env.watchlist_store().replace(load_watchlists(TWO))
    env.s3.put_object(Bucket=BUCKET, Key=index_key(version), Body=b"not an index")
    for name in ("nk-russia", "korea-china"):
        env.dynamodb.delete_item(
            TableName=TABLE, Key={"PK": {"S": "WATCHLISTS"}, "SK": {"S": f"WATCHLIST#{name}"}}
        )
    with pytest.raises(WatchlistIndexCorrupt, match=f"watchlist index {version} is corrupt") as e:
        env.watchlist_store().current()
    assert e.value.version == version
    assert "has 2 watchlists but 0 items" in str(e.value)
    assert f"watchlist index {version} is corrupt" in caplog.text


def test_a_missing_index_with_items_missing_too_is_unavailable(env: IngestEnv) -> None:
    version = env.watchlist_store().replace(load_watchlists(TWO))
    env.s3.delete_object(Bucket=BUCKET, Key=index_key(version))
    env.dynamodb.delete_item(
        TableName=TABLE, Key={"PK": {"S": "WATCHLISTS"}, "SK": {"S": "WATCHLIST#korea-china"}}
    )
    with pytest.raises(WatchlistsUnavailable, match="has 2 watchlists but 1 items"):
        env.watchlist_store().current()


def test_delivery_settings_reach_a_fresh_reader_through_the_index(env: IngestEnv) -> None:
    definitions, _ = validate(TWO)
    definitions = [replace(definitions[0], settings={"digest": "daily"}), definitions[1]]
    document = {"watchlists": [definition.entry for definition in definitions]}
    env.watchlist_store().replace(WatchlistSet.compile(definitions, document))
    loaded = env.watchlist_store().current()
    assert dict(loaded.settings("nk-russia")) == {"digest": "daily"}
    assert dict(loaded.settings("korea-china")) == {}


def test_many_watchlists_are_written_in_batches(env: IngestEnv) -> None:
    many = {"watchlists": [{"name": f"w{i:03}", "all": [f"term{i}"]} for i in range(60)]}
    env.watchlist_store().replace(load_watchlists(many))
    assert len(names(env)) == 60
    env.watchlist_store().replace(load_watchlists(NK_RUSSIA))
    assert names(env) == ["nk-russia"]
