"""The article side of the table: one record per object version, items within DynamoDB's
limits, alert states that only move forward, and the listings the CLI and preview read."""

from __future__ import annotations

import json

import pytest
from ingest_env import BUCKET, IngestEnv, env_fixture  # noqa: F401
from newswatch.article import Article
from newswatch.aws.article_store import (
    MAX_STORED_HITS,
    MAX_STORED_TEXT_BYTES,
    AlertInFlight,
    AlertState,
    utc_now,
)
from newswatch.errors import Rejection
from newswatch.events import ObjectRef
from newswatch.watchlists import Hit, Match

ARTICLE = Article(
    title="North Korean troops in Russia",
    publisher="The Hindu",
    authors=("Reuters",),
    tags=("Ukraine",),
    text="Seoul says thousands were sent.\n\nKyiv agrees.",
)


def ref(name: str) -> ObjectRef:
    return ObjectRef(BUCKET, f"incoming/{name}.html", version_id=f"v-{name}")


def match(watchlist: str = "nk-russia", hits: int = 1) -> Match:
    return Match(
        watchlist=watchlist,
        hits=tuple(
            Hit("Russia", "body", i, i + 6, "Russia", f"... **Russia** {i} ...")
            for i in range(hits)
        ),
        rule='all: "Russia"',
        mentions=(("Russia", hits),),
    )


def test_an_article_is_stored_once_and_read_back(env: IngestEnv) -> None:
    store = env.articles
    assert store.put_article(ref("a"), ARTICLE, watchlists=["nk-russia"], ingested_at=utc_now())
    assert not store.put_article(ref("a"), ARTICLE, watchlists=[], ingested_at=utc_now())
    stored = store.get_article(ref("a").article_id)
    assert stored is not None
    assert stored.article == ARTICLE
    assert stored.watchlists == ("nk-russia",)
    assert stored.s3_uri == f"s3://{BUCKET}/incoming/a.html"
    assert store.get_article("no-such-id") is None


def test_a_long_article_is_cut_in_the_table_and_kept_whole_in_s3(env: IngestEnv) -> None:
    store = env.articles
    paragraph = "Северная Корея направила войска в Россию. " * 50
    long_article = Article(title="t" * 5000, text="\n\n".join([paragraph] * 200))
    assert len(long_article.text.encode()) > 4 * MAX_STORED_TEXT_BYTES

    store.put_article(ref("long"), long_article, watchlists=[], ingested_at=utc_now())

    item = env.item(f"ARTICLE#{ref('long').article_id}", "ARTICLE")
    assert item is not None
    assert len(json.dumps(item).encode()) < 400_000  # DynamoDB's item limit
    cut = store.get_article(ref("long").article_id)
    assert cut is not None and cut.text_truncated
    assert long_article.text.startswith(cut.article.text)
    assert len(cut.article.text.encode()) <= MAX_STORED_TEXT_BYTES
    assert cut.article.word_count == long_article.word_count
    assert cut.extracted_key == f"extracted/{ref('long').article_id}.json"
    whole = store.get_article(ref("long").article_id, full_text=True)
    assert whole is not None and whole.article == long_article
    assert next(store.iter_articles()).article == long_article


def test_hostile_metadata_lists_still_fit_one_item(env: IngestEnv) -> None:
    # A page can declare 50 keywords of 2,000 CJK characters (6 KB each): 300 KB per list.
    store = env.articles
    huge = tuple(f"{i}" + "北" * 2000 for i in range(60))
    article = Article(title="T", tags=huge, authors=huge, text="北朝鮮 " * 40_000)

    assert store.put_article(ref("tags"), article, watchlists=[], ingested_at=utc_now())

    cut = store.get_article(ref("tags").article_id)
    assert cut is not None and cut.text_truncated
    assert sum(map(len, cut.article.tags)) <= 2000 and cut.article.tags[0].startswith("0北")
    whole = store.get_article(ref("tags").article_id, full_text=True)
    assert whole is not None and whole.article == article


def test_articles_are_listed_newest_first_across_pages(env: IngestEnv) -> None:
    store = env.articles
    for i in range(7):
        store.put_article(ref(f"n{i}"), ARTICLE, watchlists=[], ingested_at=f"2024-10-3{i}")
    listed = [a.key for a in store.iter_articles(page_size=3)]
    assert listed == [f"incoming/n{i}.html" for i in reversed(range(7))]


def test_a_match_records_its_hits_within_limits(env: IngestEnv) -> None:
    store = env.articles
    article_id = ref("a").article_id
    assert store.put_match(article_id, match(hits=50), title="T", ingested_at=utc_now())
    assert not store.put_match(article_id, match(hits=1), title="T", ingested_at=utc_now())
    (stored,) = store.matches_of_article(article_id)
    assert stored.alert_state is AlertState.PENDING
    assert (len(stored.hits), stored.mentions) == (MAX_STORED_HITS, {"Russia": 50})
    assert stored.hits[0] == match().hits[0].to_dict()
    assert stored.explanation.startswith('nk-russia: all: "Russia"')


def test_a_watchlists_matches_are_listed_newest_first(env: IngestEnv) -> None:
    store = env.articles
    for day, name in [("2024-10-01", "old"), ("2024-10-03", "new"), ("2024-10-02", "mid")]:
        store.put_match(ref(name).article_id, match(), title=name, ingested_at=day)
    store.put_match(ref("other").article_id, match("other"), title="x", ingested_at="2024-10-04")
    titles = [m.title for m in store.matches_of_watchlist("nk-russia")]
    assert titles == ["new", "mid", "old"]
    assert [m.title for m in store.matches_of_watchlist("nk-russia", limit=1)] == ["new"]


def test_an_alert_is_claimed_once_and_sent_once(env: IngestEnv) -> None:
    store = env.articles
    article_id = ref("a").article_id
    store.put_match(article_id, match(), title="T", ingested_at=utc_now())

    assert store.claim_alert(article_id, "nk-russia")
    with pytest.raises(AlertInFlight):  # a concurrent duplicate must not publish too
        store.claim_alert(article_id, "nk-russia")
    store.mark_alert_sent(article_id, "nk-russia", "message-1")

    assert not store.claim_alert(article_id, "nk-russia")
    (stored,) = store.matches_of_article(article_id)
    assert (stored.alert_state, stored.message_id) == (AlertState.SENT, "message-1")


def test_a_released_or_expired_claim_can_be_taken_again(env: IngestEnv) -> None:
    store = env.articles
    article_id = ref("a").article_id
    store.put_match(article_id, match(), title="T", ingested_at=utc_now())
    assert store.claim_alert(article_id, "nk-russia")
    store.release_alert(article_id, "nk-russia")
    assert store.claim_alert(article_id, "nk-russia")

    env.dynamodb.update_item(  # a worker that died holding the claim, its lease run out
        TableName=env.settings.table_name,
        Key={"PK": {"S": f"ARTICLE#{article_id}"}, "SK": {"S": "MATCH#nk-russia"}},
        UpdateExpression="SET claimed_until = :past",
        ExpressionAttributeValues={":past": {"N": "0"}},
    )
    assert store.claim_alert(article_id, "nk-russia")


def test_rejections_are_recorded_once_and_listed_newest_first(env: IngestEnv) -> None:
    store = env.articles
    assert store.put_rejection(ref("first"), Rejection("not-html", "a PNG image"))
    assert not store.put_rejection(ref("first"), Rejection("not-html", "a PNG image"))
    store.put_rejection(ref("second"), Rejection("too-large", "11 MB"))
    listed = list(store.rejections())
    assert [(r.key, r.reason, r.detail) for r in listed] == [
        ("incoming/second.html", "too-large", "11 MB"),
        ("incoming/first.html", "not-html", "a PNG image"),
    ]
    assert listed[0].version_id == "v-second"
    assert [r.reason for r in store.rejections(limit=1)] == ["too-large"]
    assert store.get_rejection(ref("first").article_id) == listed[1]
    assert store.get_rejection(ref("never").article_id) is None


def test_a_receipt_expires_with_the_table_ttl(env: IngestEnv) -> None:
    store = env.articles
    assert store.receipt("abc") is None
    store.put_receipt("abc", "stored")
    assert store.receipt("abc") == "stored"
    item = env.item("ARTICLE#abc", "RECEIPT")
    assert item is not None and "expires_at" in item
