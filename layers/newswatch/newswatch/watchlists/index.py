"""The compiled index as bytes: what ``watchlists push`` writes and a cold function loads.

A header line naming the format and the SHA-256 of everything after it, then four zlib
sections, each after its 8-byte length: the lookup tables (JSON), the names (one per line), the
rules (one compact JSON rule per line, see :mod:`rules`) and the canonical document. Loading
runs no code from the data (no pickle) and sorts what it refuses in two kinds:

- *stale*: an index of another ``FORMAT`` or compiled with other word forms (another
  :data:`~newswatch.watchlists.forms.WORD_FORMS_VERSION` or place table checksum) is sound
  but has other atoms: :class:`WatchlistIndexStale`, and the caller compiles again;
- *corrupt*: bad framing, a digest that does not match, tables of the wrong shape:
  :class:`WatchlistIndexCorrupt`, naming the set's version when it can be read.

The digest is what makes a damaged rule visible at load: decoding and checking all 100,000
rules would cost a cold start seconds (measured: 0.7 s to parse them, 3 to 5 s to check them,
against 0.3 s for the whole load), while hashing the compressed sections costs milliseconds.
A rule is still checked when it is decoded, on first use (see :mod:`watchlist_set`).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from newswatch.watchlists.errors import WatchlistIndexCorrupt, WatchlistIndexStale
from newswatch.watchlists.forms import WORD_FORMS_VERSION, places_checksum

# Bump with any change to the sections, the tables or the rules' encoding.
FORMAT = "newswatch-watchlists/3"
_FAMILY = b"newswatch-watchlists/"
_MAGIC = FORMAT.encode() + b" "
_DIGEST_HEX = 64
_SECTIONS = 4
_LENGTH_BYTES = 8
MAX_INDEX_BYTES = 1 << 30
# Each table's JSON type: a damaged index must fail here, not inside a match.
_TABLE_TYPES: dict[str, type] = {
    "version": str,
    "count": int,
    "atoms": int,
    "words": dict,
    "wildcards": dict,
    "exact": dict,
    "triggers": dict,
    "always": list,
    "settings": dict,
}


def word_forms_key() -> dict[str, Any]:
    """What the atoms depend on besides the watchlists: the declared word-form version and the
    place table's checksum (not the source text: a docstring edit changes neither)."""
    return {"version": WORD_FORMS_VERSION, "places": places_checksum()}


@dataclass(frozen=True, slots=True)
class IndexData:
    """An index's parts: ``tables`` (JSON values), one name and one encoded rule per
    watchlist, and the canonical document, kept compressed until someone asks for it."""

    tables: dict[str, Any]
    names: list[str]
    rules: list[bytes]
    packed_document: bytes


def dump(index: IndexData) -> bytes:
    """The framed bytes of ``index``."""
    sections = [
        zlib.compress(compact_json(index.tables).encode()),
        zlib.compress("\n".join(index.names).encode()),
        zlib.compress(b"\n".join(index.rules)),
        index.packed_document,
    ]
    body = b"".join(
        part
        for section in sections
        for part in (len(section).to_bytes(_LENGTH_BYTES, "big"), section)
    )
    return _MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def load(data: bytes) -> IndexData:
    """The inverse of :func:`dump`, checked; raises WatchlistIndexStale or
    WatchlistIndexCorrupt as described above."""
    version: str | None = None
    try:
        body = _checked_body(data)
        sections = _sections(body)
        tables = json.loads(_inflate(sections[0]))
        if not isinstance(tables, dict):
            raise ValueError("its tables are not a JSON object")
        if isinstance(tables.get("version"), str):
            version = tables["version"]
        if tables.get("format") != FORMAT:
            raise ValueError(f"its tables are not in the {FORMAT} format")
        if tables.get("word_forms") != word_forms_key():
            raise WatchlistIndexStale(
                version, f"{tables.get('word_forms')}, this code has {word_forms_key()}"
            )
        for name, kind in _TABLE_TYPES.items():
            if type(tables.get(name)) is not kind:
                raise ValueError(f"its {name!r} table is not a JSON {kind.__name__}")
        # An empty set has empty sections, which split into one empty line each.
        count = tables["count"]
        names = _inflate(sections[1]).decode().split("\n") if count else []
        rules = _inflate(sections[2]).split(b"\n") if count else []
        if not len(names) == len(rules) == count:
            raise ValueError(f"{count} watchlists, {len(names)} names and {len(rules)} rules")
        return IndexData(tables, names, rules, sections[3])
    except WatchlistIndexStale:
        raise
    except (zlib.error, ValueError, KeyError, TypeError, RecursionError) as error:
        # UnicodeDecodeError and JSONDecodeError are ValueErrors.
        raise WatchlistIndexCorrupt(version, str(error)) from error


def _checked_body(data: bytes) -> bytes:
    """What follows the header line, once its digest matches."""
    if not data.startswith(_MAGIC):
        if data.startswith(_FAMILY):
            found = data.split(b"\n", 1)[0].split(b" ", 1)[0].decode(errors="replace")
            raise WatchlistIndexStale(None, f"it is in the {found} format, not {FORMAT}")
        raise ValueError(f"it does not start with {_MAGIC!r}")
    end = len(_MAGIC) + _DIGEST_HEX
    if data[end : end + 1] != b"\n":
        raise ValueError("its header line is damaged")
    body = data[end + 1 :]
    if hashlib.sha256(body).hexdigest().encode() != data[len(_MAGIC) : end]:
        raise ValueError("its content does not match the digest it was written with")
    return body


def _sections(body: bytes) -> list[bytes]:
    sections = []
    position = 0
    for _ in range(_SECTIONS):
        size = int.from_bytes(body[position : position + _LENGTH_BYTES], "big")
        position += _LENGTH_BYTES
        if size == 0 or position + size > len(body):
            raise ValueError("it is truncated")
        sections.append(body[position : position + size])
        position += size
    if position != len(body):
        raise ValueError("it has bytes after its last section")
    return sections


def compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _inflate(section: bytes) -> bytes:
    inflater = zlib.decompressobj()
    inflated = inflater.decompress(section, MAX_INDEX_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError(f"a section is larger than {MAX_INDEX_BYTES} bytes")
    return inflated
