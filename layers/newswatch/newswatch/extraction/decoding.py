"""Bytes to text: gzip with a size cap, binary sniffing, and the charset a page really uses.

The charset is taken from the first of these that decodes the page cleanly:

1. a byte-order mark (it cannot be there by accident);
2. UTF-8, when the bytes are valid UTF-8: text in any other charset is practically never valid
   UTF-8 once it has a non-ASCII byte, and pure ASCII reads the same in every charset a page
   can declare, so this is a check on the declarations below rather than a guess (pages
   re-saved as UTF-8 often keep their old ``iso-8859-1`` declaration);
3. the document's own declaration (``<?xml encoding>``, ``<meta charset>``, ``http-equiv``),
   found by bs4's ``EncodingDetector`` in the page's first 8 KiB;
4. the charset of the S3 object's ``Content-Type`` (set by whoever uploaded it, often a default);
5. detection with charset-normalizer.

Declared names follow the WHATWG encoding standard where it differs from Python's codecs
(``iso-8859-1`` means windows-1252, ``shift_jis`` means cp932...), because pages are written for
browsers. A declaration that does not decode cleanly is a lie the page tells, so the next
candidate is tried; only when nothing decodes cleanly does a candidate decode with replacement
characters, and only if they stay rare.
"""

from __future__ import annotations

import codecs
import re
import zlib

from newswatch.errors import Rejection, RejectionReason

# Decompressed HTML larger than this is refused: real article pages stay far below it, and
# parsing a larger one would cost Lambda memory and time for a page that is no article.
MAX_HTML_BYTES = 16 * 1024 * 1024

# Where a page's own charset declaration is looked for. HTML requires it in the first 1 KiB
# and browsers look no further; sloppy pages get 8 KiB. No more: bs4's declaration regex is
# quadratic on a run of unclosed "<meta" (64 KiB of them cost 3 s, 8 KiB 30 ms), and a page
# whose declaration is later still goes on to detection, as it would in a browser.
DECLARATION_WINDOW = 8 * 1024

# Enough of the page to tell binary data from text.
SNIFF_WINDOW = 8 * 1024

# Share of U+FFFD replacement characters above which a lossy decoding is no decoding.
MAX_REPLACEMENT_SHARE = 0.01
# Share of control bytes (NUL and the other C0 controls but whitespace) in the sniffed head
# above which data is binary: random bytes have 11%, UTF-16 without a BOM half NULs, while a
# few NULs or escapes in a fine page are read as browsers read them (NUL as U+FFFD).
MAX_CONTROL_SHARE = 0.01
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20)])
# Characters that show nothing: a page of only these and whitespace is empty.
_BLANK = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]*+")

_GZIP_MAGIC = b"\x1f\x8b"
# Byte-order marks, the UTF-32 ones first since UTF-32LE's starts with UTF-16LE's.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_READ_CHUNK = 256 * 1024

# File signatures of the binary formats that end up in an article bucket by mistake.
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
)

# WHATWG label -> the Python codec that decodes what browsers decode for that label.
_WHATWG_LABELS = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    # A byte stream that declares UTF-16 inside itself cannot be UTF-16 (the declaration
    # would not have been readable as ASCII); browsers read it as UTF-8.
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}


def _canonical_codec_names() -> dict[str, str]:
    """The same mapping keyed by Python's canonical codec names, so every alias maps too."""
    mapping: dict[str, str] = {}
    for label, codec in _WHATWG_LABELS.items():
        try:
            mapping[codecs.lookup(label).name] = codec
        except LookupError:  # a browser-only label: only the label itself maps
            continue
    return mapping


_BROWSER_CODECS = _canonical_codec_names()

_ASCII_MARKUP = b"<meta charset=utf-8>"
_CONTENT_TYPE_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
# A tag, a comment or a doctype: what any HTML page has and plain text or CSV does not.
_MARKUP = re.compile(r"<[!?a-zA-Z][^<>]{0,2000}>")


def decompress(data: bytes) -> bytes:
    """Gunzip ``data`` when it starts with the gzip magic bytes; other data passes through.

    The magic bytes decide, not the object's name or ``Content-Encoding``: both are set by
    whoever uploaded the object and are often wrong, while gzip data always starts with them.
    Decompression streams and stops at :data:`MAX_HTML_BYTES`, so a gzip bomb costs no more
    memory than the cap.
    """
    if not data.startswith(_GZIP_MAGIC):
        return data
    chunks: list[bytes] = []
    size = 0
    remaining = data
    # One decompressor per gzip member: concatenated members are valid gzip.
    while remaining.startswith(_GZIP_MAGIC):
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        pending = remaining
        try:
            while pending and not decompressor.eof:
                chunk = decompressor.decompress(pending, _READ_CHUNK)
                pending = decompressor.unconsumed_tail
                size += len(chunk)
                if size > MAX_HTML_BYTES:
                    raise too_large(size, compressed=len(data))
                chunks.append(chunk)
        except zlib.error as error:
            raise Rejection(RejectionReason.UNDECODABLE, f"corrupt gzip data: {error}") from None
        if not decompressor.eof:
            raise Rejection(
                RejectionReason.UNDECODABLE, "truncated gzip data: the stream ends mid-member"
            )
        remaining = decompressor.unused_data
    return b"".join(chunks)


def decode(data: bytes, *, content_type: str | None = None) -> str:
    """The text of an HTML page given as bytes; see the module docstring for the order.

    Raises :class:`Rejection` ``empty`` for no content, ``not-html`` for binary data, and
    ``undecodable`` when no charset yields readable text.
    """
    if len(data) > MAX_HTML_BYTES:
        raise too_large(len(data))
    data, bom_encoding = _strip_byte_order_mark(data)
    if not data.strip():
        raise Rejection(
            RejectionReason.EMPTY,
            "the object has no content" + (" after its BOM" if bom_encoding else ""),
        )
    if bom_encoding is not None:
        try:
            return data.decode(bom_encoding)
        except UnicodeDecodeError as error:
            raise Rejection(
                RejectionReason.UNDECODABLE, f"bytes do not match the {bom_encoding} BOM: {error}"
            ) from None
    _reject_binary(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = _candidate_encodings(data, content_type)
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    detected = _detect(data)
    if detected is not None:
        return detected
    for encoding in [*candidates, "utf-8"]:
        text = data.decode(encoding, errors="replace")
        if text.count("\ufffd") <= MAX_REPLACEMENT_SHARE * len(text):
            return text
    tried = ", ".join([*candidates, "utf-8"])
    raise Rejection(
        RejectionReason.UNDECODABLE, f"no charset decodes this page (tried {tried} and detection)"
    )


def normalize_encoding(label: str) -> str | None:
    """The Python codec for a charset label as a browser reads it, or None if unknown."""
    label = label.strip().strip("\"'").lower()
    if not label:
        return None
    try:
        name = codecs.lookup(_WHATWG_LABELS.get(label, label)).name
    except LookupError:
        return None
    name = _BROWSER_CODECS.get(name, name)
    # A label read from ASCII markup names a charset that decodes ASCII markup. Python also
    # registers byte transforms (base64, zlib, rot13) and "undefined", which raise on decode
    # with errors other than UnicodeDecodeError: a page declaring one has no usable label.
    try:
        _ASCII_MARKUP.decode(name)
    except (LookupError, UnicodeError):
        return None
    return name


def declared_encoding(data: bytes) -> str | None:
    """The charset the page declares in its XML declaration or ``<meta>``, if Python knows it.

    bs4 is imported here, not at module level: only pages that are not UTF-8 get this far, and
    importing bs4 costs about 0.1 s of every cold start.
    """
    from bs4.dammit import EncodingDetector

    label = EncodingDetector.find_declared_encoding(
        data[:DECLARATION_WINDOW], is_html=True, search_entire_document=True
    )
    return normalize_encoding(label) if label else None


def _strip_byte_order_mark(data: bytes) -> tuple[bytes, str | None]:
    for mark, codec in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data[len(mark) :], codec
    return data, None


def _candidate_encodings(data: bytes, content_type: str | None) -> list[str]:
    candidates: list[str] = []
    declared = declared_encoding(data)
    if declared:
        candidates.append(declared)
    if content_type:
        match = _CONTENT_TYPE_CHARSET.search(content_type)
        from_header = normalize_encoding(match.group(1)) if match else None
        if from_header and from_header not in candidates:
            candidates.append(from_header)
    return [encoding for encoding in candidates if encoding != "utf-8"]


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # costs import time only for undeclared pages

    best = from_bytes(data).best()
    if best is None:
        return None
    return str(best)


def _reject_binary(data: bytes) -> None:
    head = data[:SNIFF_WINDOW]
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise Rejection(
                RejectionReason.NOT_HTML, f"binary data: this is {what}, not an HTML page"
            )
    if head[:12].startswith(b"RIFF") and head[8:12] == b"WEBP":
        raise Rejection(
            RejectionReason.NOT_HTML, "binary data: this is a WebP image, not an HTML page"
        )
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > MAX_CONTROL_SHARE * len(head):
        raise Rejection(
            RejectionReason.NOT_HTML,
            "binary data: NUL or other control bytes in the first 8 KiB, not HTML",
        )


def require_markup(text: str) -> None:
    """Reject text without any tag: plain text, CSV or JSON is no page (looked for in 128 KiB)."""
    if _BLANK.fullmatch(text):
        raise Rejection(RejectionReason.EMPTY, "the page is empty or only whitespace")
    head = text[:SNIFF_WINDOW]
    if head.count("\x00") > MAX_CONTROL_SHARE * len(head):
        raise Rejection(
            RejectionReason.NOT_HTML, "binary data: NUL characters in the text, not an HTML page"
        )
    if _MARKUP.search(text, 0, 16 * SNIFF_WINDOW) is None:
        raise Rejection(
            RejectionReason.NOT_HTML, "no HTML markup: not a single tag in the first 128 KiB"
        )


def too_large(size: int, *, compressed: int | None = None) -> Rejection:
    """The rejection for a page over :data:`MAX_HTML_BYTES` (``size`` in bytes or characters)."""
    limit = MAX_HTML_BYTES // (1024 * 1024)
    origin = f" (from {compressed:,} compressed bytes)" if compressed is not None else ""
    return Rejection(
        RejectionReason.TOO_LARGE,
        f"page exceeds the {limit} MiB cap (at least {size:,} bytes{origin})",
    )
