"""Bytes become the text the page's author wrote, or a rejection that says why they cannot."""

from __future__ import annotations

import codecs
import gzip
import zlib
from pathlib import Path

import pytest
from newswatch import Rejection
from newswatch.extraction import extract_article, page_text
from newswatch.extraction.decoding import MAX_HTML_BYTES, decode, decompress, normalize_encoding

PAGES = Path(__file__).parent / "fixtures" / "pages"
SAMPLES = Path(__file__).parent.parent / "samples"
REFERENCE = SAMPLES / "thehindu-2024-10-30-ukraine-south-korea.html"


def html_page(body: str, *, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_windows_1252_declared_in_meta_keeps_curly_quotes_accents_and_euro() -> None:
    article = extract_article((PAGES / "windows-1252.html").read_bytes())
    assert article.title == "Café owners welcome a “quiet” summer"
    assert "this summer’s quieter streets — after the road works" in article.text
    assert "still costs €2.40" in article.text
    assert "\ufffd" not in article.text


def test_iso_8859_1_label_reads_as_windows_1252_like_browsers_do() -> None:
    page = (PAGES / "windows-1252.html").read_bytes().replace(b"windows-1252", b"ISO-8859-1")
    assert "costs €2.40" in page_text(page)  # 0x80 is € in windows-1252, a control in latin-1


def test_shift_jis_declared_by_http_equiv() -> None:
    article = extract_article((PAGES / "shift-jis.html").read_bytes())
    assert article.title == "市立図書館、夜間の開館時間を延長へ"
    assert article.text.startswith("市立中央図書館は来月から、平日の開館時間を午後九時まで延長")
    assert article.publisher == "みなと新聞"
    assert article.language == "ja"


def test_euc_kr_declared_by_meta_charset() -> None:
    article = extract_article((PAGES / "euc-kr.html").read_bytes())
    assert article.title == "시내버스 노선 개편, 다음 달부터 시행"
    assert "배차 간격을 평균 팔 분으로 줄이는 것을 목표로 한다" in article.text
    assert article.authors == ("김민준",)


def test_utf8_bom_is_honoured_and_dropped() -> None:
    data = (PAGES / "utf8-bom.html").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    article = extract_article(data)
    assert article.title == "Stadtbibliothek verlängert die Öffnungszeiten"
    assert "Außerdem wird der Lesesaal im Erdgeschoss" in article.text
    assert "\ufeff" not in article.text


def test_utf16_with_bom_decodes() -> None:
    page = html_page("<p>Grüße aus Köln, wo der Dom im Nebel stand und niemand ihn sah.</p>")
    assert "Grüße aus Köln" in page_text(b"\xff\xfe" + page.encode("utf-16-le"))


def test_content_type_charset_is_used_when_the_page_declares_none() -> None:
    data = (PAGES / "cyrillic-windows-1251.html").read_bytes()
    assert b"charset" not in data
    text = page_text(data, content_type="text/html; charset=windows-1251")
    assert "У Львові відкрили новий міст для пішоходів" in text


def test_the_page_declaration_wins_over_a_wrong_content_type() -> None:
    data = (PAGES / "euc-kr.html").read_bytes()
    text = page_text(data, content_type="text/html; charset=iso-8859-1")
    assert "시내버스 노선 개편" in text


def test_undeclared_cyrillic_is_detected() -> None:
    article = extract_article((PAGES / "cyrillic-windows-1251.html").read_bytes())
    assert article.title == "У Львові відкрили новий міст для пішоходів"
    assert "Будівництво тривало півтора року" in article.text
    assert article.authors == ("Олена Коваль",)  # "Автор:" dropped
    assert article.language == "uk"


def test_valid_utf8_wins_over_a_stale_latin1_declaration() -> None:
    page = html_page(
        "<p>Crème brûlée and “fancy quotes” survive a wrong declaration.</p>",
        head='<meta charset="iso-8859-1">',
    )
    assert "Crème brûlée and “fancy quotes”" in decode(page.encode("utf-8"))


def test_a_false_declaration_falls_through_to_one_that_decodes() -> None:
    # Declares UTF-8 but is windows-1251: UTF-8 fails, so the Content-Type charset is next.
    page = html_page("<p>Привіт, світе! Це сторінка без правди в заголовку.</p>")
    data = page.replace("<head>", '<head><meta charset="utf-8">').encode("cp1251")
    assert "Привіт, світе!" in decode(data, content_type="text/html; charset=windows-1251")


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("Shift_JIS", "cp932"),
        ("x-sjis", "cp932"),
        ("EUC-KR", "cp949"),
        ("gb2312", "gb18030"),
        ("utf-16", "utf-8"),
        ("UTF8", "utf-8"),
        ("windows-1251", "cp1251"),
        (" 'koi8-r' ", "koi8-r"),
        ("no-such-charset", None),
        ("", None),
        # Python codecs that are no charset: byte transforms, and one that always raises.
        ("base64", None),
        ("rot13", None),
        ("undefined", None),
    ],
)
def test_charset_labels_map_as_browsers_read_them(label: str, codec: str | None) -> None:
    assert normalize_encoding(label) == codec


@pytest.mark.parametrize("label", ["base64", "zlib", "undefined"])
def test_a_page_declaring_a_codec_that_is_no_charset_is_still_read(label: str) -> None:
    page = (
        f'<html><head><meta charset="{label}"></head><body><p>'
        + "Le conseil municipal a voté, après un long débat, le budget de l'année. " * 5
        + "</p></body></html>"
    ).encode("cp1252")
    # Read by detection, as an undeclared page is; which 8-bit charset it guesses is its own.
    for content_type in (None, f"text/html; charset={label}"):
        assert "Le conseil municipal a vot" in extract_article(page, content_type=content_type).text


def test_gzip_is_recognised_by_its_magic_bytes() -> None:
    raw = REFERENCE.read_bytes()
    article = extract_article(gzip.compress(raw))
    assert article.title == "Ukraine and South Korea agree to deepen security cooperation"
    assert decompress(gzip.compress(raw)) == raw


def test_concatenated_gzip_members_are_one_page() -> None:
    raw = REFERENCE.read_bytes()
    half = len(raw) // 2
    assert decompress(gzip.compress(raw[:half]) + gzip.compress(raw[half:])) == raw


def test_content_encoding_gzip_on_uncompressed_bytes_is_harmless() -> None:
    article = extract_article(REFERENCE.read_bytes(), content_encoding="gzip")
    assert article.authors == ("AFP",)


def test_a_gzip_bomb_stops_at_the_cap_without_inflating_it_all() -> None:
    bomb = gzip.compress(b"<p>" + b" " * (MAX_HTML_BYTES * 4), compresslevel=9)
    assert len(bomb) < MAX_HTML_BYTES // 100
    with pytest.raises(Rejection) as caught:
        extract_article(bomb)
    assert caught.value.reason == "too-large"
    assert "MiB cap" in caught.value.detail


def test_corrupt_gzip_is_undecodable() -> None:
    data = bytearray(gzip.compress(REFERENCE.read_bytes()))
    data[20:40] = b"\x00" * 20
    with pytest.raises(Rejection) as caught:
        extract_article(bytes(data))
    assert caught.value.reason == "undecodable"
    assert "gzip" in caught.value.detail


def test_truncated_gzip_is_undecodable() -> None:
    data = gzip.compress(REFERENCE.read_bytes())
    with pytest.raises(Rejection) as caught:
        extract_article(data[: len(data) // 2])
    assert caught.value.reason == "undecodable"
    assert "truncated" in caught.value.detail


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01", "JPEG"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "ZIP"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP"),
        (b"<html>\x00\x01\x02\x03\x00binary</html>", "NUL"),
    ],
)
def test_binary_data_is_not_html(data: bytes, what: str) -> None:
    with pytest.raises(Rejection) as caught:
        extract_article(data)
    assert caught.value.reason == "not-html"
    assert what in caught.value.detail


def test_binary_with_an_unsupported_content_encoding_says_so() -> None:
    compressed = zlib.compress(REFERENCE.read_bytes())  # raw zlib, as "deflate" would be
    with pytest.raises(Rejection) as caught:
        extract_article(compressed + b"\x00", content_encoding="br")
    assert caught.value.reason == "not-html"
    assert "Content-Encoding 'br'" in caught.value.detail


def test_bytes_that_contradict_their_bom_are_undecodable() -> None:
    with pytest.raises(Rejection) as caught:
        extract_article(codecs.BOM_UTF32_LE + b"\x00\xd8\x00\x00")  # a lone surrogate
    assert caught.value.reason == "undecodable"
    assert "utf-32-le BOM" in caught.value.detail


@pytest.mark.parametrize("data", [b"", b"   \n\t  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n"])
def test_empty_input_is_rejected_as_empty(data: bytes) -> None:
    with pytest.raises(Rejection) as caught:
        extract_article(data)
    assert caught.value.reason == "empty"


@pytest.mark.parametrize(
    "data",
    [
        b"Just a plain text note without any markup at all, saved with an .html name.",
        b"id,title,published\n1,Storm warning,2024-11-14\n",
        b'{"title": "not a page", "body": "json"}',
    ],
)
def test_text_without_any_tag_is_not_html(data: bytes) -> None:
    with pytest.raises(Rejection) as caught:
        extract_article(data)
    assert caught.value.reason == "not-html"
    assert "no HTML markup" in caught.value.detail


def test_str_input_skips_decoding_but_not_the_checks() -> None:
    article = extract_article(REFERENCE.read_text(encoding="utf-8"))
    assert article.published == "2024-10-30T12:28:00+05:30"
    with pytest.raises(Rejection) as caught:
        extract_article("plain words, no page")
    assert caught.value.reason == "not-html"
