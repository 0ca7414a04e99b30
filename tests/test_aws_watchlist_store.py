"""The stored watchlist set: replaced whole, loaded from its compiled index, seen by a running
function within its refresh period."""

from __future__ import annotations

from ingest_env import BUCKET, NK_RUSSIA, IngestEnv, env_fixture  # noqa: F401
from newswatch.article import Article
from newswatch.aws.watchlist_store import WatchlistStore
from newswatch.watchlists import load_watchlists

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


def test_nothing_pushed_means_no_watchlists(env: IngestEnv) -> None:
    store = env.watchlist_store()
    assert store.current() is None
    assert env.item("WATCHLISTS", "CURRENT") is None
    assert store.names() == []


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
    assert loaded is not None
    assert [m.watchlist for m in loaded.match(ARTICLE)] == ["nk-russia"]


def test_replacing_drops_watchlists_no_longer_in_the_file(env: IngestEnv) -> None:
    store = env.watchlist_store()
    store.replace(load_watchlists(TWO))
    store.replace(load_watchlists(NK_RUSSIA))
    assert names(env) == ["nk-russia"]
    current = env.watchlist_store().current()
    assert current is not None and current.names == ("nk-russia",)


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
    refreshed = reader.current()
    assert refreshed is not None and refreshed.version == new_version


def test_an_unchanged_version_is_not_reloaded(env: IngestEnv) -> None:
    env.push_watchlists()
    reader = env.watchlist_store(refresh_seconds=0)
    first = reader.current()
    assert reader.current() is first


def test_a_missing_index_is_rebuilt_from_the_items(env: IngestEnv) -> None:
    version = env.watchlist_store().replace(load_watchlists(TWO))
    env.s3.delete_object(Bucket=BUCKET, Key=f"watchlists/{version}.bin")
    loaded = env.watchlist_store().current()
    assert loaded is not None and loaded.version == version
    assert [m.watchlist for m in loaded.match(ARTICLE)] == ["nk-russia"]


def test_a_damaged_index_is_rebuilt_from_the_items(env: IngestEnv) -> None:
    version = env.watchlist_store().replace(load_watchlists(TWO))
    env.s3.put_object(Bucket=BUCKET, Key=f"watchlists/{version}.bin", Body=b"not an index")
    loaded = env.watchlist_store().current()
    assert loaded is not None and loaded.version == version


def test_many_watchlists_are_written_in_batches(env: IngestEnv) -> None:
    many = {"watchlists": [{"name": f"w{i:03}", "all": [f"term{i}"]} for i in range(60)]}
    env.watchlist_store().replace(load_watchlists(many))
    assert len(names(env)) == 60
    env.watchlist_store().replace(load_watchlists(NK_RUSSIA))
    assert names(env) == ["nk-russia"]
