"""Every kind of bad input issue 9 lists, each a named case with the outcome it must have.

Cases are generated when asked for (the largest is 30 MB), so nothing big is committed. Each
states what becomes of it (stored, or rejected with a reason) and the size its time bound is
linear in. ``tests/test_bad_input.py`` runs each one through the whole pipeline on moto and its
extraction in a memory- and time-limited subprocess.
"""

from __future__ import annotations

import base64
import codecs
import gzip
import io
import json
import random
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

STORED = "stored"

TITLE = "Flood barrier approved for the river town"
PARAGRAPH = (
    "The council said the new flood barrier would protect four hundred homes along the river, "
    "and that work would start in the spring once the last permits are signed."
)
BODY_TEXT = "".join(f"<p>{PARAGRAPH} ({n})</p>\n" for n in range(4))
HEAD = f"<title>{TITLE}</title>"
ARTICLE_HTML = f"<article><h1>{TITLE}</h1>\n{BODY_TEXT}</article>"


def page(*, head: str = HEAD, body: str = ARTICLE_HTML, before: str = "", after: str = "") -> str:
    """An ordinary article page, with hostile parts placed where the case needs them."""
    return f"<!DOCTYPE html><html><head>{head}</head><body>{before}{body}{after}</body></html>"


ARTICLE = page().encode()


@dataclass(frozen=True, slots=True)
class Case:
    """One bad input: its bytes (built on demand), where it is stored, and what must come of it.

    ``outcome`` is ``"stored"`` or the rejection reason. ``check`` (for stored cases) looks at
    the extracted title and text. ``pipeline_outcome`` is the outcome when the object passes
    through S3 first (where ``MaxObjectBytes`` refuses objects above 10 MiB before extraction
    sees them), if it differs.
    """

    name: str
    build: Callable[[], bytes]
    outcome: str
    key: str | None = None
    content_type: str = "text/html"
    check: Callable[[str | None, str], bool] | None = None
    pipeline_outcome: str | None = None

    @property
    def object_key(self) -> str:
        return self.key or f"incoming/bad-input/{self.name}.html"

    @property
    def expected_in_pipeline(self) -> str:
        return self.pipeline_outcome or self.outcome


def _utf8(text: Callable[[], str]) -> Callable[[], bytes]:
    """A case's bytes, from its text built only when the case runs (some are 30 MB)."""
    return lambda: text().encode()


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _gzip_bomb() -> bytes:
    """100 MB of spaces in about 100 KB: decompression must stop at the size cap."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * (1 << 20)
    parts = [compressor.compress(b"<html><body>")]
    parts += [compressor.compress(chunk) for _ in range(100)]
    parts.append(compressor.flush())
    return b"".join(parts)


def _bad_crc() -> bytes:
    data = bytearray(_gzip(ARTICLE))
    data[-8:-4] = struct.pack("<I", (zlib.crc32(ARTICLE) + 1) & 0xFFFFFFFF)
    return bytes(data)


def _zip_with_html() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.html", ARTICLE)
    return buffer.getvalue()


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def _random_base64(chars: int) -> str:
    raw = random.Random(chars).randbytes(chars * 3 // 4 + 3)
    return base64.b64encode(raw).decode()[:chars]


def _at_attribute_cap(size: int) -> str:
    """Elements with as many attributes as the cap allows, filling ``size`` characters: the
    most a page can make libxml2 pay per character (the cost of one grows with its square)."""
    from newswatch.extraction.markup_limits import MAX_ATTRIBUTES_PER_ELEMENT

    tag = "<b " + " ".join(f"a{n}" for n in range(MAX_ATTRIBUTES_PER_ELEMENT)) + ">x</b>"
    return tag * (size // len(tag))


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    doctype = f'<?xml version="1.0"?><!DOCTYPE html [{"".join(entities)}]>'
    html = page(body=f"<p>&lol9;</p>{ARTICLE_HTML}")
    return (doctype + html.removeprefix("<!DOCTYPE html>")).encode()


def _external_entity() -> bytes:
    doctype = '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return (
        doctype + page(body=f"<p>&xxe;</p>{ARTICLE_HTML}").removeprefix("<!DOCTYPE html>")
    ).encode()


def _json_ld(value: str) -> str:
    return f'{HEAD}<script type="application/ld+json">{value}</script>'


def _hostile_dates() -> bytes:
    dates = ["99999-99-99", "2024-02-30T25:61:61Z", "-1", "1e308", "0000-00-00", "NaN", "9" * 5000]
    metas = "".join(f'<meta property="article:published_time" content="{d}">' for d in dates)
    ld = json.dumps({"@type": "NewsArticle", "datePublished": dates, "dateModified": {"x": 1}})
    return page(
        head=HEAD + metas + f'<script type="application/ld+json">{ld}</script>',
        before=f'<time datetime="{dates[1]}">{dates[0]}</time>'
        f'<span class="date">{dates[-1]}</span>',
    ).encode()


def _title_is(expected: str) -> Callable[[str | None, str], bool]:
    return lambda title, _text: title == expected


def _title_clean(title: str | None, _text: str) -> bool:
    """No line break, escape or bidi control survives into a title."""
    return title is not None and not any(
        unicodedata.category(char) in {"Cc", "Cf"} for char in title
    )


def _text_has(fragment: str) -> Callable[[str | None, str], bool]:
    return lambda _title, text: fragment in text


def _text_lacks(*fragments: str) -> Callable[[str | None, str], bool]:
    return lambda _title, text: PARAGRAPH in text and not any(f in text for f in fragments)


def _encodable(_title: str | None, text: str) -> bool:
    """Text that can be stored: no lone surrogates, no NUL."""
    text.encode("utf-8")
    return "\x00" not in text and PARAGRAPH[:40] in text


def _cp1252_page(declared: str) -> bytes:
    body = f"<article><h1>Café</h1>{BODY_TEXT.replace('council', 'café council')}</article>"
    return page(head=f'<meta charset="{declared}">{HEAD}', body=body).encode("cp1252")


def _utf8_page(declared: str, word: str = "café") -> bytes:
    body = f"<article><h1>Café</h1>{BODY_TEXT.replace('council', f'{word} council')}</article>"
    return page(head=f'<meta charset="{declared}">{HEAD}', body=body).encode()


KEYS = {
    "key-space": "incoming/bad input/a story with spaces.html",
    "key-plus": "incoming/bad-input/c++ and a+b.html",
    "key-percent": "incoming/bad-input/100% sure %41%2F.html",
    "key-hash": "incoming/bad-input/story#comments.html",
    "key-question": "incoming/bad-input/story?id=7&x=y.html",
    "key-emoji": "incoming/bad-input/📰 breaking 🔥.html",
    "key-nfc": unicodedata.normalize("NFC", "incoming/bad-input/café-élan.html"),
    "key-nfd": unicodedata.normalize("NFD", "incoming/bad-input/café-élan.html"),
    "key-1024-bytes": "incoming/" + "k" * (1024 - len("incoming/") - len(".html")) + ".html",
    "key-dot-dot-slash": "incoming/..%2F..%2F..%2Fetc%2Fpasswd.html",
    "key-dot-file": "incoming/.hidden.html",
    "key-no-extension": "incoming/bad-input/story",
    "key-upper-case": "incoming/bad-input/STORY.HTML",
}


def _cases() -> list[Case]:
    cases = [
        # Nothing, or nothing visible.
        Case("empty", lambda: b"", "empty"),
        Case("whitespace-ascii", lambda: b" \t\r\n  \n", "empty"),
        Case("whitespace-unicode", _utf8(lambda: "\u3000 \u200b\u00a0\u2028\u200b\u3000"), "empty"),
        Case("bom-only", lambda: codecs.BOM_UTF8, "empty"),
        Case("bom-and-whitespace", lambda: codecs.BOM_UTF8 + "  \u3000\n".encode(), "empty"),
        Case("one-less-than", lambda: b"<", "not-html"),
        Case("only-a-comment", lambda: b"<!-- nothing here -->", "empty"),
        # Not HTML at all.
        Case("png", _png, "not-html"),
        Case(
            "jpeg", lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8, "not-html"
        ),
        Case("pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n", "not-html"),
        Case("zip-with-html-inside", _zip_with_html, "not-html"),
        Case(
            "json", _utf8(lambda: json.dumps({"title": TITLE, "body": PARAGRAPH * 4})), "not-html"
        ),
        Case("plain-text", _utf8(lambda: f"{TITLE}\n\n{PARAGRAPH}\n\n{PARAGRAPH}\n"), "not-html"),
        Case(
            "rss-feed",
            _utf8(
                lambda: (
                    '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
                    + f"<item><title>{TITLE}</title><link>https://x.example/a</link>"
                    + f"<description>{PARAGRAPH}</description></item>" * 3
                    + "</channel></rss>"
                )
            ),
            "not-html",
        ),
        Case(
            "xml-billion-laughs",
            _billion_laughs,
            STORED,
            check=lambda _t, text: "lollol" not in text and PARAGRAPH in text,
        ),
        Case("xml-external-entity", _external_entity, STORED, check=_text_lacks("root:")),
        # Compression.
        Case("gzip-bomb", _gzip_bomb, "too-large", key="incoming/bad-input/gzip-bomb.html.gz"),
        Case(
            "gzip-truncated",
            lambda: _gzip(ARTICLE)[:-20],
            "undecodable",
            key="incoming/bad-input/gzip-truncated.html.gz",
        ),
        Case("gzip-bad-crc", _bad_crc, "undecodable", key="incoming/bad-input/bad-crc.html.gz"),
        Case(
            "gzip-multi-member",
            lambda: _gzip(ARTICLE[:200]) + _gzip(ARTICLE[200:]),
            STORED,
            key="incoming/bad-input/multi-member.html.gz",
            check=_text_has(PARAGRAPH),
        ),
        Case("gzip-twice", lambda: _gzip(_gzip(ARTICLE)), "not-html"),
        Case("gzip-under-html-name", lambda: _gzip(ARTICLE), STORED, check=_text_has(PARAGRAPH)),
        Case(
            "plain-under-gz-name",
            lambda: ARTICLE,
            STORED,
            key="incoming/bad-input/plain.html.gz",
            check=_text_has(PARAGRAPH),
        ),
        # Size and shape.
        Case(
            "nested-100000-deep",
            _utf8(lambda: page(body="<div>" * 100_000 + ARTICLE_HTML + "</div>" * 100_000)),
            "too-deep",
        ),
        Case(
            "siblings-200000", _utf8(lambda: page(before="<span>x</span>" * 200_000)), "too-large"
        ),
        Case(
            "attributes-1000000",
            _utf8(
                lambda: page(
                    before="<div " + " ".join(f"a{n}" for n in range(1_000_000)) + "></div>"
                )
            ),
            "too-many-attributes",
        ),
        Case(
            "attributes-80000",
            _utf8(
                lambda: page(before="<div " + " ".join(f"a{n}" for n in range(80_000)) + "></div>")
            ),
            "too-many-attributes",
        ),
        Case(
            "elements-at-the-attribute-cap-10-mb",
            _utf8(lambda: page(before=_at_attribute_cap(10_000_000))),
            "too-many-attributes",  # 2.5 million in all: a 277 MB tree
        ),
        Case(
            "elements-at-the-attribute-cap-up-to-the-page-cap",
            _utf8(lambda: page(before=_at_attribute_cap(390_000))),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case(
            "data-uri-10-mb",
            _utf8(
                lambda: page(
                    before=f'<img src="data:image/png;base64,{_random_base64(10_000_000)}">'
                )
            ),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case(
            "data-uris-10-mb-of-100-kb",
            _utf8(
                lambda: page(
                    before=f'<img src="data:image/png;base64,{_random_base64(100_000)}">' * 100
                )
            ),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case("tag-name-5-mb", _utf8(lambda: page(before=f"<{'x' * 5_000_000}>")), "tag-too-long"),
        Case(
            "class-1000000-words",
            _utf8(lambda: page(before=f'<div class="{"aB " * 1_000_000}">x</div>')),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case("line-5-mb-no-tags", _utf8(lambda: "word " * 1_000_000), "not-html"),
        Case(
            "line-5-mb-in-a-page",
            _utf8(lambda: page(after="<div>" + "word " * 1_000_000 + "</div>")),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case(
            "page-30-mb",
            _utf8(lambda: page(body=ARTICLE_HTML * 30_000)),
            "too-large",
        ),
        # Charsets.
        Case(
            "invalid-utf-8",
            lambda: ARTICLE.replace(b"four hundred", b"four \xff\xfe\xc3 hundred"),
            STORED,
            check=_text_has("protect four"),
        ),
        Case(
            "utf-16-le-with-bom",
            lambda: codecs.BOM_UTF16_LE + page().encode("utf-16-le"),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case(
            "utf-16-be-with-bom",
            lambda: codecs.BOM_UTF16_BE + page().encode("utf-16-be"),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case("utf-16-without-bom", lambda: page().encode("utf-16-le"), "not-html"),
        Case(
            "says-1252-is-utf-8",
            lambda: _utf8_page("windows-1252"),
            STORED,
            check=_text_has("café council"),
        ),
        Case(
            "says-utf-8-is-1252",
            lambda: _cp1252_page("utf-8"),
            STORED,
            check=_text_has("café council"),
        ),
        Case("unknown-label", lambda: _utf8_page("x-klingon"), STORED, check=_text_has("café")),
        Case(
            "byte-transform-label",
            lambda: _cp1252_page("base64"),
            STORED,
            check=_text_has("café council"),
        ),
        Case(
            "utf-7-label",
            lambda: _utf8_page("utf-7", word="+AOk-"),
            STORED,
            check=_text_has("+AOk- council"),  # read as the ASCII it is, never as UTF-7
        ),
        Case(
            "nul-bytes-in-page",
            lambda: ARTICLE.replace(b"(2)</p>", b"(2)\x00\x00</p>"),
            STORED,
            check=_encodable,
        ),
        Case(
            "entities-1000000",
            _utf8(lambda: page(after="<p>" + "&amp;&lt;&#233;&eacute;" * 250_000 + "</p>")),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case(
            "lone-surrogate-references",
            _utf8(lambda: page(body=ARTICLE_HTML.replace("(1)", "(1) &#xD800; &#55296; &#xDFFF;"))),
            STORED,
            check=_encodable,
        ),
        # Broken markup.
        Case(
            "unclosed-tags",
            _utf8(
                lambda: (
                    "<html><body><article><h1>"
                    + TITLE
                    + "".join(f"<p><b><i>{PARAGRAPH}" for _ in range(4))
                )
            ),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case(
            "comment-never-closes-after-the-article",
            _utf8(lambda: page(after="<!-- " + "<p>hidden</p>" * 10_000)),
            STORED,
            check=_text_lacks("hidden"),
        ),
        Case(
            "comment-never-closes-before-the-article",
            _utf8(lambda: "<html><body><!-- " + ARTICLE_HTML),
            "no-article-text",
        ),
        Case(
            "cdata-in-html",
            _utf8(lambda: page(before="<![CDATA[ <p>not markup</p> ]]>")),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case(
            "iframe-srcdoc",
            _utf8(
                lambda: page(after='<iframe srcdoc="<p>North Korea and Russia sign a treaty</p>">')
            ),
            STORED,
            check=_text_lacks("treaty"),
        ),
        Case(
            "title-never-closes",
            _utf8(lambda: f"<html><head><title>{TITLE}</head><body>{ARTICLE_HTML}</body></html>"),
            "no-article-text",
        ),
        # Titles.
        Case(
            "title-with-cr-lf",
            _utf8(lambda: page(head="<title>Flood\r\nbarrier\rapproved\n</title>", body=BODY_TEXT)),
            STORED,
            check=_title_clean,
        ),
        Case(
            "title-with-ansi-escapes",
            _utf8(
                lambda: page(head="<title>\x1b[31mFlood\x1b[0m barrier\x07</title>", body=BODY_TEXT)
            ),
            STORED,
            check=_title_clean,
        ),
        Case(
            "title-with-bidi-overrides",
            _utf8(
                lambda: page(
                    head="<title>Flood \u202ebarrier\u2066 approved\u2069</title>", body=BODY_TEXT
                )
            ),
            STORED,
            check=_title_clean,
        ),
        Case(
            "title-with-html-and-script",
            _utf8(
                lambda: page(
                    head="<title><b>Flood</b><script>alert(1)</script></title>", body=BODY_TEXT
                )
            ),
            STORED,
            check=lambda title, _text: title is not None and "<" not in title,
        ),
        Case(
            "title-100-kb",
            _utf8(lambda: page(head=f"<title>{'Flood barrier ' * 7_300}</title>", body=BODY_TEXT)),
            STORED,
        ),
        Case(
            "title-270-kb",
            _utf8(lambda: page(head=f"<title>{'Flood barrier ' * 19_700}</title>", body=BODY_TEXT)),
            STORED,
        ),
        # Structured data.
        Case(
            "json-ld-malformed",
            _utf8(lambda: page(head=_json_ld('{"@type": "NewsArticle", "headline": "Broken",, ]'))),
            STORED,
            check=_title_is(TITLE),
        ),
        Case(
            "json-ld-10000-deep",
            _utf8(lambda: page(head=_json_ld('{"a":' * 10_000 + "1" + "}" * 10_000))),
            STORED,
            check=_title_is(TITLE),
        ),
        Case(
            "json-ld-20-mb",
            _utf8(
                lambda: page(
                    head=_json_ld(json.dumps({"@type": "NewsArticle", "x": "y" * 20_000_000}))
                )
            ),
            "too-large",
        ),
        Case(
            "json-ld-9-mb",
            _utf8(
                lambda: page(
                    head=_json_ld(json.dumps({"@type": "NewsArticle", "x": ["y"] * 1_800_000}))
                )
            ),
            STORED,
            check=_text_has(PARAGRAPH),
        ),
        Case(
            "meta-tags-10000",
            _utf8(
                lambda: page(head=HEAD + '<meta name="keywords" content="flood, river">' * 10_000)
            ),
            STORED,
            check=_title_is(TITLE),
        ),
        Case("hostile-dates", _hostile_dates, STORED, check=_text_has(PARAGRAPH)),
    ]
    cases += [
        Case(name, lambda: ARTICLE, STORED, key=key, check=_text_has(PARAGRAPH))
        for name, key in KEYS.items()
    ]
    return cases


CASES: tuple[Case, ...] = tuple(_cases())
BY_NAME = {case.name: case for case in CASES}
assert len(BY_NAME) == len(CASES), "case names are unique"
