"""The article side of the table: one record per object version, items within DynamoDB's
limits whatever the page or the match count, and the listings the CLI and preview read."""

from __future__ import annotations

import json

from ingest_env import BUCKET, TABLE, IngestEnv, env_fixture  # noqa: F401
from newswatch.article import Article
from newswatch.aws.article_store import (
    MAX_ARTICLE_ITEM_BYTES,
    MAX_LISTED_WATCHLISTS,
    MAX_STORED_HITS,
    utc_now,
)
from newswatch.aws.dynamo import item_bytes, scan
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


def put(env: IngestEnv, name: str, article: Article = ARTICLE, **kwargs: object) -> bool:
    values: dict[str, object] = {"watchlists": [], "story_id": None, "ingested_at": utc_now()}
    return env.articles.put_article(ref(name), article, **{**values, **kwargs})  # type: ignore[arg-type]


def test_an_article_is_stored_once_with_its_metadata_and_decision(env: IngestEnv) -> None:
    store = env.articles
    assert put(env, "a", watchlists=["nk-russia"], story_id="s1")
    assert not put(env, "a", watchlists=[])
    stored = store.get_article(ref("a").article_id)
    assert stored is not None
    assert (stored.article.title, stored.article.tags) == (ARTICLE.title, ARTICLE.tags)
    assert stored.article.text == ""  # the body is rebuilt from the source object
    assert stored.article.word_count == ARTICLE.word_count
    assert (stored.watchlists, stored.story_id) == (("nk-russia",), "s1")
    assert stored.s3_uri == f"s3://{BUCKET}/incoming/a.html"
    assert store.get_article("no-such-id") is None


def test_full_text_is_extracted_again_from_the_stored_version(env: IngestEnv) -> None:
    page = (
        b"<html><head><title>Talks</title></head><body><article>"
        + (b"<p>North Korean troops were seen in the Kursk region of Russia this week.</p>" * 30)
        + b"</article></body></html>"
    )
    first = env.put("incoming/page.html", page)
    env.put("incoming/page.html", b"<html><body><p>Overwritten.</p></body></html>")
    env.articles.put_article(first, ARTICLE, watchlists=[], story_id=None, ingested_at=utc_now())
    whole = env.articles.get_article(first.article_id, full_text=True)
    assert whole is not None and whole.full_text
    assert whole.article.text.count("Kursk") == 30
    (listed,) = env.articles.iter_articles(full_text=True)
    assert listed.article.text == whole.article.text


def test_hostile_articles_and_thousands_of_matches_still_fit_one_item(env: IngestEnv) -> None:
    # A page can declare 50 keywords of 2,000 CJK characters (6 KB each): 300 KB per list; an
    # article can match thousands of watchlists.
    huge = tuple(f"{i}" + "北" * 2000 for i in range(60))
    article = Article(title="北" * 200_000, tags=huge, authors=huge, text="北朝鮮 " * 40_000)
    names = [f"watchlist-{n:05d}-" + "x" * 40 for n in range(5000)]
    assert put(env, "tags", article, watchlists=names, story_id="s")
    item = env.item(f"ARTICLE#{ref('tags').article_id}", "ARTICLE")
    assert item is not None and len(json.dumps(item).encode()) < 100_000
    stored = env.articles.get_article(ref("tags").article_id)
    assert stored is not None
    authors = stored.article.authors
    assert sum(map(len, authors)) <= 2000 and authors[0].startswith("0北")
    assert stored.article.tags == ()  # shortened away: the item is over a write unit
    assert stored.article.text == ""
    assert len(stored.watchlists) == MAX_LISTED_WATCHLISTS and stored.watchlist_count == 5000


def test_an_article_item_is_one_write_unit_its_tags_then_subtitle_shortened(
    env: IngestEnv,
) -> None:
    # A typical article with a long standfirst and many tags: a unit per KB.
    article = Article(
        title="North Korean troops in Russia, Seoul says",
        subtitle="Thousands of soldiers were moved to the Kursk region. " * 12,
        tags=tuple(f"topic number {n}" for n in range(30)),
        authors=("Reuters",),
        url="https://news.example/world/asia/north-korean-troops-in-russia-seoul-says-1.html",
        image="https://news.example/images/" + "x" * 300 + ".jpg",
        text="Seoul says thousands were sent.\n\nKyiv agrees." * 50,
    )
    assert put(env, "unit", article)
    item = env.item(f"ARTICLE#{ref('unit').article_id}", "ARTICLE")
    assert item is not None and item_bytes(item) <= MAX_ARTICLE_ITEM_BYTES
    stored = env.articles.get_article(ref("unit").article_id)
    assert stored is not None
    assert stored.article.tags == () and stored.article.image is None
    assert stored.article.subtitle and stored.article.subtitle.endswith("…")
    assert article.subtitle and article.subtitle.startswith(stored.article.subtitle[:-1])
    assert (stored.article.title, stored.article.url) == (article.title, article.url)


def test_articles_are_listed_newest_first_across_pages(env: IngestEnv) -> None:
    for i in (3, 0, 6, 1, 5, 2, 4):
        put(env, f"n{i}", ingested_at=f"2024-10-2{i}")
    # Other items of article partitions and of the table are not articles.
    env.articles.put_matches(ref("n1").article_id, [match()], ingested_at="2024-10-21")
    env.articles.put_rejection(ref("png"), Rejection("not-html", "a PNG image"))
    env.articles.put_receipt(ref("n2").article_id, "stored")
    listed = [a.key for a in env.articles.iter_articles(full_text=False, page_size=3)]
    assert listed == [f"incoming/n{i}.html" for i in reversed(range(7))]
    newest = [a.key for a in env.articles.iter_articles(full_text=False, limit=2, page_size=3)]
    assert newest == ["incoming/n6.html", "incoming/n5.html"]


def test_the_scan_behind_the_listing_follows_every_page(env: IngestEnv) -> None:
    for i in range(5):
        put(env, f"p{i}")
    request = {"TableName": TABLE, "Limit": 2}  # 2 items a page: 3 pages
    assert sorted(item["key"] for item in scan(env.dynamodb, request)) == [
        f"incoming/p{i}.html" for i in range(5)
    ]


def test_articles_and_matches_are_in_no_index_an_unmatched_article_costs_one_write_unit(
    env: IngestEnv,
) -> None:
    # The index would bill every article and match a second time, for listings that read a
    # whole table's worth of articles anyway (watchlist preview re-extracts each from S3).
    assert put(env, "plain", ARTICLE)
    env.articles.put_matches(ref("plain").article_id, [match()], ingested_at=utc_now())
    article = env.item(f"ARTICLE#{ref('plain').article_id}", "ARTICLE")
    matched = env.item(f"ARTICLE#{ref('plain').article_id}", "MATCH#nk-russia")
    assert article is not None and matched is not None
    assert not {"GSI1PK", "GSI1SK"} & (set(article) | set(matched))
    assert item_bytes(article) <= MAX_ARTICLE_ITEM_BYTES


def test_every_match_is_recorded_in_batches_with_capped_hits(env: IngestEnv) -> None:
    store = env.articles
    article_id = ref("m").article_id
    matches = [match(f"w{n:03d}", hits=50) for n in range(60)]  # more than one batch of 25
    store.put_matches(article_id, matches, ingested_at=utc_now())
    store.put_matches(article_id, matches, ingested_at=utc_now())  # a retry
    stored = store.matches_of_article(article_id)
    assert sorted(m.watchlist for m in stored) == [f"w{n:03d}" for n in range(60)]
    assert all(len(m.hits) == MAX_STORED_HITS and m.mentions == {"Russia": 50} for m in stored)


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


def test_a_receipt_finishes_an_object_and_expires_with_the_table_ttl(env: IngestEnv) -> None:
    store = env.articles
    assert store.outcome("abc") is None
    store.put_receipt("abc", "stored")
    assert store.outcome("abc") == "stored"
    item = env.item("ARTICLE#abc", "RECEIPT")
    assert item is not None and "expires_at" in item
