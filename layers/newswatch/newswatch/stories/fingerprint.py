"""A story fingerprint of an article's body, and the decision whether two bodies tell one story.

What a fingerprint holds, from the normalised word shingles (runs of ``SHINGLE_WORDS`` words,
taken within paragraphs so that reordered paragraphs keep their shingles) of the extracted body:

- a **bottom-k sample** of the body: the ``SAMPLE_SIZE`` smallest 32-bit shingle hashes. Unlike
  the k-permutation MinHash it estimates the *containment* of a short text in a long one
  directly, and exactly when the short text is wholly inside the long one: every sampled
  shingle of the shorter body that falls below the longer body's sample threshold must be in
  the longer body's sample. That is what a teaser or a trimmed copy needs, whose Jaccard
  similarity with the full story is small;
- the **head**: the first ``HEAD_SHINGLES`` distinct shingles in reading order (16-bit hashes),
  whose first ``lead_size`` entries are the **lead**, the opening paragraph. Two reports on one
  topic share names, places and verbatim background paragraphs, but not their opening; copies
  of one story keep it, even under an added local paragraph on top.

``same_story`` asks both: the lead of one is (mostly) in the other's head, and the shorter body
is (mostly) contained in the longer. Band keys for the candidate lookup come from the same data
by one-permutation hashing (bins by hash residue, the minimum of each bin): lead bands find
teasers and trimmed copies, body bands find re-uploads and copies under a new opening.

Why no MinHash library: numpy-based ones (datasketch) cost more at cold start than the whole
handler, and 128 permutations per shingle in pure Python would cost more than extraction.
Here each shingle is hashed once, with ``zlib.crc32`` (stdlib, stable across processes,
platforms and Python versions, unlike ``hash()``; blake2b cost 4x more, over the 10% budget).
CRC is linear, not a keyed hash, but the estimators need only an order unrelated to the text;
benchmarks/stories.py measures the outcome. Shingles run across paragraphs.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

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

# tuned: benchmarks/stories.py. Band shapes: LEAD_BANDS keys of LEAD_ROWS bin minima of the lead,
# BODY_BANDS keys of BODY_ROWS bin minima of the body sample. One stored item per key, so these
# set the write units per matched article; rows make a key rare between unrelated texts.
LEAD_BANDS = 4
LEAD_ROWS = 2
BODY_BANDS = 4
BODY_ROWS = 3

_FORMAT_VERSION = 1
_HEADER = struct.Struct(">BBB")  # version, lead size, head size
_UNSAMPLED = 1 << 32  # above every 32-bit hash: the threshold of a sample that is the whole set
# Scripts written without spaces count one character as a word (as extraction's word count).
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The story signature of one body: its lead and head in reading order, and a sample."""

    lead_size: int
    head: tuple[int, ...]  # 16-bit hashes of the first distinct shingles; the lead first
    sample: tuple[int, ...]  # the smallest 32-bit shingle hashes of the body, ascending

    @property
    def lead(self) -> tuple[int, ...]:
        return self.head[: self.lead_size]

    @property
    def threshold(self) -> int:
        """Every shingle hash of the body below this is in the sample."""
        return self.sample[-1] if len(self.sample) >= SAMPLE_SIZE else _UNSAMPLED

    def band_keys(self) -> tuple[str, ...]:
        """The keys under which copies of this story are looked up: ``l<n>…`` and ``b<n>…``.

        A band whose bins are not all filled (a very short lead) gives no key: an empty bin
        would match every other short text's.
        """
        keys = [
            f"l{band}{''.join(f'{value:04x}' for value in minima)}"
            for band, minima in _bands(self.lead, LEAD_BANDS, LEAD_ROWS)
        ]
        for band, minima in _bands(self.sample, BODY_BANDS, BODY_ROWS):
            digest = hashlib.blake2b(struct.pack(f">{len(minima)}I", *minima), digest_size=6)
            keys.append(f"b{band}{digest.hexdigest()}")
        return tuple(keys)

    def to_bytes(self) -> bytes:
        """A compact form (at most 3 + 2 * HEAD_SHINGLES + 4 * SAMPLE_SIZE = 651 bytes)."""
        return (
            _HEADER.pack(_FORMAT_VERSION, self.lead_size, len(self.head))
            + struct.pack(f">{len(self.head)}H", *self.head)
            + struct.pack(f">{len(self.sample)}I", *self.sample)
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """The inverse of :meth:`to_bytes`; raises ValueError on anything it did not write."""
        if len(data) < _HEADER.size:
            raise ValueError("fingerprint: too short")
        version, lead_size, head_size = _HEADER.unpack_from(data)
        sample_bytes = len(data) - _HEADER.size - 2 * head_size
        if version != _FORMAT_VERSION:
            raise ValueError(f"fingerprint: unknown format version {version}")
        if lead_size > head_size or sample_bytes <= 0 or sample_bytes % 4:
            raise ValueError("fingerprint: inconsistent sizes")
        if head_size > HEAD_SHINGLES or sample_bytes // 4 > SAMPLE_SIZE:
            raise ValueError("fingerprint: larger than this version writes")
        head = struct.unpack_from(f">{head_size}H", data, _HEADER.size)
        sample = struct.unpack_from(f">{sample_bytes // 4}I", data, _HEADER.size + 2 * head_size)
        if any(later <= earlier for earlier, later in pairwise(sample)):
            raise ValueError("fingerprint: sample not ascending")
        return cls(lead_size, head, sample)


def fingerprint(text: str) -> Fingerprint | None:
    """The fingerprint of an extracted body (paragraphs split by blank lines), or None if short.

    Linear in the text, and bounded: only the first ``MAX_WORDS`` words are read.
    """
    normalised = _normalise(text)
    words = _WORD.findall(normalised)[:MAX_WORDS]
    if len(words) < MIN_WORDS:
        return None
    hashes = shingle_hashes(words)
    lead = _distinct(value >> 16 for value in hashes[: _lead_shingles(normalised)])
    lead = lead[:LEAD_SHINGLES]
    head = _head(hashes)  # in reading order, so it starts with the lead
    sample = sorted(set(hashes))[:SAMPLE_SIZE]
    return Fingerprint(len(lead), tuple(head), tuple(sample))


def shingle_hashes(words: Sequence[str]) -> list[int]:
    """The 32-bit hash of every run of SHINGLE_WORDS words, in reading order."""
    encoded = [word.encode() for word in words]
    runs = zip(*(encoded[offset:] for offset in range(SHINGLE_WORDS)), strict=False)
    return [zlib.crc32(b" ".join(run)) for run in runs]


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


def _lead_shingles(normalised: str) -> int:
    """How many shingles the lead has: those within the opening paragraphs.

    Paragraphs are taken until at least LEAD_MIN_SHINGLES are in, so that a dateline or a
    byline alone is not the lead.
    """
    words = 0
    for paragraph in normalised.split("\n\n"):
        words += len(_WORD.findall(paragraph))
        if words - SHINGLE_WORDS + 1 >= LEAD_MIN_SHINGLES:
            break
    return max(0, words - SHINGLE_WORDS + 1)


def _head(hashes: Sequence[int]) -> list[int]:
    """The 16-bit forms of the first HEAD_SHINGLES distinct shingles; fewer when that is all."""
    head: dict[int, None] = {}
    for value in hashes:
        head[value >> 16] = None
        if len(head) == HEAD_SHINGLES:
            break
    return list(head)


def _distinct(values: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(values))


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
