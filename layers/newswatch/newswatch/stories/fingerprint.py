"""A story fingerprint of an article's body, and the decision whether two bodies tell one story.

What a fingerprint holds, from the normalised word shingles (runs of ``SHINGLE_WORDS`` words;
they run across paragraphs) of the extracted body:

- a **bottom-k sample** of the body: the ``SAMPLE_SIZE`` smallest 32-bit shingle hashes. Unlike
  the k-permutation MinHash it estimates the *containment* of a short text in a long one
  directly, and exactly when the short text is wholly inside the long one: every sampled
  shingle of the shorter body that falls below the longer body's sample threshold must be in
  the longer body's sample. That is what a teaser or a trimmed copy needs, whose Jaccard
  similarity with the full story is small;
- the **head**: the first ``HEAD_SHINGLES`` distinct shingles in reading order (16-bit hashes),
  whose first ``lead_size`` entries are the **lead**, the opening paragraph. Two reports on one
  topic share names, places and verbatim background paragraphs, but not their opening; copies
  of one story keep it, even under an added local paragraph on top;
- the **openings**: the smallest hash of the shingles inside each of the first
  ``OPENING_PARAGRAPHS`` paragraphs, which give the position-free opening band keys.

``same_story`` asks both: the lead of one is (mostly) in the other's head, and the shorter body
is (mostly) contained in the longer. Band keys find the candidates it judges. Opening keys: a
copy keeps some opening paragraph verbatim (a teaser, a trimmed copy, a reordered one, one under
a local paragraph or an editor's note), and a paragraph's key is the same wherever it stands.
The first design keyed the lead by its position and missed a copy whose body opened with a
site's editor's note (labelled set: marathon-dailyglobe). Body bands (one-permutation hashing:
bins by hash residue, the minimum of each bin) find re-uploads and copies under a new opening.
Background paragraphs shared by two different reports make them candidates under an opening
key; ``same_story`` keeps them apart (their leads differ).

Why no MinHash library: numpy-based ones (datasketch) cost more at cold start than the whole
handler, and 128 permutations per shingle in pure Python would cost more than extraction.
Here each shingle is hashed once, with ``zlib.crc32`` (stdlib, stable across processes,
platforms and Python versions, unlike ``hash()``; blake2b cost 4x more, over the 10% budget),
and every per-word and per-shingle step is a C-level ``map``/``translate``/``split`` rather than
a Python loop (benchmarks/stories.py: signature 16.8% of extraction on the labelled pages
before, about 11% after). CRC is linear, not a keyed hash, but the estimators need only an order
unrelated to the text; benchmarks/stories.py measures the outcome.
"""

from __future__ import annotations

import functools
import hashlib
import operator
import re
import struct
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise, repeat

__all__ = [
    "MIN_CONTAINMENT",
    "MIN_HEAD_OVERLAP",
    "MIN_LEAD_OVERLAP",
    "MIN_WORDS",
    "Fingerprint",
    "fingerprint",
    "same_story",
]

# A shingle: 4 words, as in the extraction benchmark's metric. 3 makes unrelated texts share
# common phrases ("said on Tuesday that"); 5 loses a fifth more shingles per edited word.
SHINGLE_WORDS = 4
# Below this many words a body is a caption or a stub: two different briefs of one template
# would look alike, so no fingerprint is made and the article is a story of its own.
MIN_WORDS = 30
# Cost bound for untrusted text: only the first this many words count (about 40 pages).
MAX_WORDS = 20_000
# tuned: benchmarks/stories.py. The sample size sets the containment estimate's precision
# (about SAMPLE_SIZE * shorter / longer shingles decide it) and most of the 700-byte budget.
SAMPLE_SIZE = 112
# The head: enough of the opening to hold the original lead beneath an added local paragraph.
HEAD_SHINGLES = 100
# The lead: the first paragraph, up to this many shingles; paragraphs are taken until at least
# LEAD_MIN_SHINGLES are in, so that a dateline or a byline alone is not the lead.
LEAD_SHINGLES = 40
LEAD_MIN_SHINGLES = 12

# tuned: benchmarks/stories.py. The lead of one body must be at least this much in the other's
# head. Copies keep about 0.8 or more (a dateline or a light edit costs a few shingles); two
# reports that share a background paragraph share nothing of their leads.
MIN_LEAD_OVERLAP = 0.5
# tuned: benchmarks/stories.py. The shorter body must be at least this much in the longer: a
# teaser, a trimmed copy or one with a local paragraph keep 0.75 or more, while a follow-up that
# repeats the first report's lead and background reaches about 0.4.
MIN_CONTAINMENT = 0.6
# tuned: benchmarks/stories.py. The shorter head must be at least this much in the other: copies
# share 0.55 or more of their first hundred shingles even under a local paragraph on top or
# with early paragraphs swapped, while two items of one site whose bodies open and close with
# the same boilerplate paragraphs share their lead but little else of their heads (0.27).
MIN_HEAD_OVERLAP = 0.45
# Fewer sampled shingles than this below the threshold is too few to estimate containment from.
MIN_SAMPLES = 8

# tuned: benchmarks/stories.py. Band keys: one per opening paragraph (OPENING_PARAGRAPHS of
# them) and BODY_BANDS keys of BODY_ROWS bin minima of the body sample. One stored item per key,
# so these set the write units per matched article; rows make a key rare between unrelated
# texts. Four opening paragraphs hold the original lead and the next one or two beneath an
# added paragraph or an editor's note on top, or with the early paragraphs reordered.
OPENING_PARAGRAPHS = 4
# An opening paragraph needs this many shingles of its own (a ten-word sentence) to give a key:
# a dateline, a byline or "Advertisement" is shared by unrelated articles of one site.
OPENING_MIN_SHINGLES = 7
# tuned: benchmarks/stories.py. On the labelled set the opening keys alone find every copy (4
# body bands found no copy that they missed); two body bands stay as the fallback for a copy
# whose first paragraphs are all rewritten, and cost two write units per new story, not four.
BODY_BANDS = 2
BODY_ROWS = 3

_FORMAT_VERSION = 2
_HEADER = struct.Struct(">BBBB")  # version, lead size, head size, openings size
_HEADER_V1 = struct.Struct(">BBB")  # version 1 had no openings
_UNSAMPLED = 1 << 32  # above every 32-bit hash: the threshold of a sample that is the whole set
# Scripts written without spaces count one character as a word (as extraction's word count).
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNSPACED_CHARACTER = re.compile(rf"[{_UNSPACED}]")
_SPACED_WORD = re.compile(r"\w+")  # the same words as _unspaced_word() where none is
# Non-ASCII marks of English copy (quotes, dashes, ellipsis, no-break space): all separators.
_TYPOGRAPHIC_MARKS = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0"
# Bytes to spaces except ASCII word characters (those of ``\\w`` on ASCII) and the line feed
# that separates paragraphs, for bytes.translate.
_ASCII_SEPARATORS = bytes(
    code if chr(code).isascii() and (chr(code).isalnum() or chr(code) in "_\n") else 0x20
    for code in range(256)
)


@functools.cache
def _unspaced_word() -> re.Pattern[str]:
    """Words where an unspaced script is: compiled on first use, since its classes cost ~5 ms
    of every cold start and most texts never need it."""
    return re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The story signature of one body: its lead and head in reading order, its opening
    paragraphs' keys, and a sample."""

    lead_size: int
    head: tuple[int, ...]  # 16-bit hashes of the first distinct shingles; the lead first
    sample: tuple[int, ...]  # the smallest 32-bit shingle hashes of the body, ascending
    # The smallest 32-bit shingle hash inside each of the first OPENING_PARAGRAPHS paragraphs
    # (distinct, in reading order); empty in a version-1 fingerprint, which had none.
    openings: tuple[int, ...] = ()

    @property
    def lead(self) -> tuple[int, ...]:
        return self.head[: self.lead_size]

    @property
    def threshold(self) -> int:
        """Every shingle hash of the body below this is in the sample."""
        return self.sample[-1] if len(self.sample) >= SAMPLE_SIZE else _UNSAMPLED

    def band_keys(self) -> tuple[str, ...]:
        """The keys under which copies of this story are looked up: ``p…`` and ``b<n>…``.

        ``p`` keys carry no position: an opening paragraph is found under one key wherever it
        stands among the first paragraphs, so a copy with a local paragraph or an editor's note
        on top, or with its early paragraphs swapped, still meets the original under it.
        ``b`` keys are body bands; a band whose bins are not all filled (a short body) gives
        no key, since an empty bin would match every other short text's.
        """
        keys = [f"p{value:08x}" for value in self.openings]
        for band, minima in _bands(self.sample, BODY_BANDS, BODY_ROWS):
            digest = hashlib.blake2b(struct.pack(f">{len(minima)}I", *minima), digest_size=6)
            keys.append(f"b{band}{digest.hexdigest()}")
        return tuple(keys)

    def to_bytes(self) -> bytes:
        """A compact form (at most 4 + 2 * HEAD_SHINGLES + 4 * (OPENING_PARAGRAPHS +
        SAMPLE_SIZE) = 668 bytes)."""
        return (
            _HEADER.pack(_FORMAT_VERSION, self.lead_size, len(self.head), len(self.openings))
            + struct.pack(f">{len(self.head)}H", *self.head)
            + struct.pack(f">{len(self.openings)}I", *self.openings)
            + struct.pack(f">{len(self.sample)}I", *self.sample)
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """The inverse of :meth:`to_bytes`, and of version 1's (band entries written before
        opening keys, which compare alike); raises ValueError on anything else."""
        if len(data) < _HEADER_V1.size:
            raise ValueError("fingerprint: too short")
        version = data[0]
        if version == 1:
            _, lead_size, head_size = _HEADER_V1.unpack_from(data)
            openings_size, offset = 0, _HEADER_V1.size
        elif version == _FORMAT_VERSION and len(data) >= _HEADER.size:
            _, lead_size, head_size, openings_size = _HEADER.unpack_from(data)
            offset = _HEADER.size
        else:
            raise ValueError(f"fingerprint: unknown format version {version}")
        sample_bytes = len(data) - offset - 2 * head_size - 4 * openings_size
        if lead_size > head_size or sample_bytes <= 0 or sample_bytes % 4:
            raise ValueError("fingerprint: inconsistent sizes")
        if (
            head_size > HEAD_SHINGLES
            or openings_size > OPENING_PARAGRAPHS
            or sample_bytes // 4 > SAMPLE_SIZE
        ):
            raise ValueError("fingerprint: larger than this version writes")
        head = struct.unpack_from(f">{head_size}H", data, offset)
        offset += 2 * head_size
        openings = struct.unpack_from(f">{openings_size}I", data, offset)
        sample = struct.unpack_from(f">{sample_bytes // 4}I", data, offset + 4 * openings_size)
        if any(later <= earlier for earlier, later in pairwise(sample)):
            raise ValueError("fingerprint: sample not ascending")
        return cls(lead_size, head, sample, openings)


def fingerprint(text: str) -> Fingerprint | None:
    """The fingerprint of an extracted body (paragraphs split by blank lines), or None if short.

    Linear in the text, and bounded: only the first ``MAX_WORDS`` words are read.
    """
    paragraphs = _paragraph_words(text)
    words = list(chain.from_iterable(paragraphs))
    if len(words) < MIN_WORDS:
        return None
    hashes = shingle_hashes(words)
    head = _head(hashes)
    # The head is in reading order, so the lead is its first distinct entries.
    lead_values = set(map(operator.rshift, hashes[: _lead_shingles(paragraphs)], repeat(16)))
    lead_size = min(len(lead_values), LEAD_SHINGLES, len(head))
    sample = sorted(set(hashes))[:SAMPLE_SIZE]
    return Fingerprint(lead_size, tuple(head), tuple(sample), _openings(paragraphs, hashes))


def shingle_hashes(words: Sequence[bytes]) -> list[int]:
    """The 32-bit hash of every run of SHINGLE_WORDS (encoded) words, in reading order.

    CRC-32 of the words joined by single spaces; ``map`` over ``zip`` keeps every step in C,
    half the cost of a per-shingle Python loop.
    """
    runs = zip(*(words[offset:] for offset in range(SHINGLE_WORDS)), strict=False)
    return list(map(zlib.crc32, map(b" ".join, runs)))


def same_story(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two bodies are copies of one story: they share their lead, and one holds the other.

    Symmetric: each measure is taken both ways and the larger counts.
    """
    if lead_overlap(a, b) < MIN_LEAD_OVERLAP or head_overlap(a, b) < MIN_HEAD_OVERLAP:
        return False
    return max(containment(a, b), containment(b, a)) >= MIN_CONTAINMENT


def lead_overlap(a: Fingerprint, b: Fingerprint) -> float:
    """The larger share of one body's lead found in the other's head (symmetric)."""
    return max(_covered(a.lead, b.head), _covered(b.lead, a.head))


def head_overlap(a: Fingerprint, b: Fingerprint) -> float:
    """The share of the shorter head that the other head holds too (symmetric)."""
    shorter, longer = sorted((set(a.head), set(b.head)), key=len)
    return len(shorter & longer) / len(shorter) if shorter else 0.0


def containment(inner: Fingerprint, outer: Fingerprint) -> float:
    """The estimated share of ``inner``'s shingles that are also in ``outer``.

    Below both samples' thresholds each sample holds all of its body's shingles, so the share
    of ``inner``'s sampled shingles there that ``outer``'s sample also holds estimates it. When
    too few fall there (a short text beside a very long one) and ``inner`` is short enough to be
    all in its head, the heads are compared instead; otherwise nothing can be said (0).
    """
    threshold = min(inner.threshold, outer.threshold)
    below = [value for value in inner.sample if value <= threshold]
    if len(below) >= MIN_SAMPLES:
        outer_sample = set(outer.sample)
        return sum(value in outer_sample for value in below) / len(below)
    if len(inner.head) < HEAD_SHINGLES:
        return _covered(inner.head, outer.head)
    return 0.0


def _covered(part: Sequence[int], whole: Sequence[int]) -> float:
    """The share of ``part``'s values found in ``whole``."""
    if not part:
        return 0.0
    found = set(whole)
    return sum(value in found for value in part) / len(part)


def _normalise(text: str) -> str:
    """Case-folded, and NFKC-normalised (full-width letters, ligatures) unless it is ASCII."""
    return (text if text.isascii() else unicodedata.normalize("NFKC", text)).casefold()


def _paragraph_words(text: str) -> list[list[bytes]]:
    """The normalised words of each paragraph, UTF-8 encoded, at most MAX_WORDS in all.

    Two paths that give the same words: a body that is ASCII but for typographic marks (most
    English copy) is split by byte translation, four times cheaper than the regular expression
    the others need (NFKC, scripts without spaces). The marks are separators on both paths.
    """
    plain = text
    for mark in _TYPOGRAPHIC_MARKS:
        if mark in plain:
            plain = plain.replace(mark, " ")
    if plain.isascii():
        separated = plain.encode().lower().translate(_ASCII_SEPARATORS)
        split = (paragraph.split() for paragraph in separated.split(b"\n\n"))
    else:
        normalised = _normalise(text)
        pattern = _unspaced_word() if _UNSPACED_CHARACTER.search(normalised) else _SPACED_WORD
        split = (
            " ".join(pattern.findall(paragraph)).encode().split()
            for paragraph in normalised.split("\n\n")
        )
    paragraphs: list[list[bytes]] = []
    budget = MAX_WORDS
    for words in split:
        if words:
            paragraphs.append(words[:budget])
            budget -= len(paragraphs[-1])
            if not budget:
                break
    return paragraphs


def _lead_shingles(paragraphs: Sequence[Sequence[bytes]]) -> int:
    """How many shingles the lead has: those within the opening paragraphs.

    Paragraphs are taken until at least LEAD_MIN_SHINGLES are in, so that a dateline or a
    byline alone is not the lead.
    """
    words = 0
    for paragraph in paragraphs:
        words += len(paragraph)
        if words - SHINGLE_WORDS + 1 >= LEAD_MIN_SHINGLES:
            break
    return max(0, words - SHINGLE_WORDS + 1)


def _openings(paragraphs: Sequence[Sequence[bytes]], hashes: Sequence[int]) -> tuple[int, ...]:
    """The smallest hash of the shingles inside each of the first OPENING_PARAGRAPHS
    paragraphs long enough to count (a byline or a one-line caption is skipped).

    Only shingles wholly inside the paragraph count, so the value does not depend on what
    stands before or after it: a paragraph moved, or under a new paragraph, keeps it.
    """
    openings: dict[int, None] = {}
    start = 0
    for paragraph in paragraphs:
        inside = hashes[start : start + len(paragraph) - SHINGLE_WORDS + 1]
        start += len(paragraph)
        if len(inside) >= OPENING_MIN_SHINGLES:
            openings[min(inside)] = None
            if len(openings) == OPENING_PARAGRAPHS:
                break
    return tuple(openings)


def _head(hashes: Sequence[int]) -> list[int]:
    """The 16-bit forms of the first HEAD_SHINGLES distinct shingles; fewer when that is all.

    The first HEAD_SHINGLES shingles at once (in C), then one at a time for any repeats.
    """
    head = dict.fromkeys(map(operator.rshift, hashes[:HEAD_SHINGLES], repeat(16)))
    for value in hashes[HEAD_SHINGLES:]:
        if len(head) >= HEAD_SHINGLES:
            break
        head[value >> 16] = None
    return list(head)


def _bands(values: Sequence[int], bands: int, rows: int) -> Iterator[tuple[int, tuple[int, ...]]]:
    """One-permutation hashing: bin by residue, keep each bin's minimum, ``rows`` bins a band.

    The minimum of a bin is a min-wise hash of the set restricted to that bin, so two sets'
    minima agree with a probability about their Jaccard similarity, independently per bin.
    Applied to a bottom-k sample it gives the whole body's bin minima (the smallest value of a
    bin is in the sample whenever any value of that bin is).
    """
    bins = bands * rows
    minima: list[int | None] = [None] * bins
    for value in values:
        current = minima[value % bins]
        if current is None or value < current:
            minima[value % bins] = value
    for band in range(bands):
        chosen = minima[band * rows : (band + 1) * rows]
        if all(value is not None for value in chosen):
            yield band, tuple(value for value in chosen if value is not None)
