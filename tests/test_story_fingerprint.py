"""The story fingerprint as the story store relies on it: compact, stable, and a fair decision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from newswatch.extraction import extract_article
from newswatch.stories import Fingerprint, fingerprint, same_story
from newswatch.stories.fingerprint import MIN_WORDS

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
REFERENCE = SAMPLES / "thehindu-2024-10-30-ukraine-south-korea.html"


def reference_text() -> str:
    return extract_article(REFERENCE.read_bytes()).text


def long_text(words: int, seed: str = "w") -> str:
    """A body of distinct made-up words in paragraphs of 40, the largest case for each field."""
    tokens = [f"{seed}{index}" for index in range(words)]
    return "\n\n".join(" ".join(tokens[start : start + 40]) for start in range(0, words, 40))


def test_round_trip_through_bytes_keeps_every_field_and_the_decision() -> None:
    original = fingerprint(reference_text())
    assert original is not None
    restored = Fingerprint.from_bytes(original.to_bytes())
    assert restored == original
    assert restored.band_keys() == original.band_keys()
    assert same_story(restored, original)


@pytest.mark.parametrize("words", [MIN_WORDS, 300, 5_000, 50_000])
def test_bytes_stay_within_the_band_item_budget(words: int) -> None:
    signature = fingerprint(long_text(words))
    assert signature is not None
    assert len(signature.to_bytes()) <= 700


def test_band_keys_are_few_short_ascii_and_distinct() -> None:
    signature = fingerprint(reference_text())
    assert signature is not None
    keys = signature.band_keys()
    assert 1 <= len(keys) <= 10
    assert len(set(keys)) == len(keys)
    assert all(key.isascii() and key.isalnum() and len(key) <= 20 for key in keys)


def test_fingersignatureis_the_same_in_another_process_with_another_hash_seed() -> None:
    """Fingerprints are stored and compared across Lambda instances: no per-process salt."""
    script = (
        "import json, sys\n"
        "from newswatch.stories import fingerprint\n"
        "f = fingerprint(sys.stdin.read())\n"
        "print(json.dumps([f.to_bytes().hex(), list(f.band_keys())]))\n"
    )
    text = reference_text()
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=text,
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        runs.append(json.loads(done.stdout))
    here = fingerprint(text)
    assert here is not None
    assert runs[0] == runs[1] == [here.to_bytes().hex(), list(here.band_keys())]


def test_a_body_too_short_to_judge_has_no_fingerprint() -> None:
    assert fingerprint("") is None
    assert fingerprint("Police closed the road on Monday after a crash.") is None
    assert fingerprint(long_text(MIN_WORDS - 1)) is None
    assert fingerprint(long_text(MIN_WORDS)) is not None


def test_the_text_is_normalised_before_hashing() -> None:
    text = reference_text()
    plain = fingerprint(text)
    shouted = fingerprint(text.upper().replace("’", "'"))
    assert plain is not None and shouted is not None
    assert plain == shouted


def test_unrelated_bodies_are_not_one_story_and_the_decision_is_symmetric() -> None:
    a = fingerprint(reference_text())
    b = fingerprint(long_text(400))
    assert a is not None and b is not None
    assert not same_story(a, b) and not same_story(b, a)
    assert same_story(a, a)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x01", b"\x02\x00\x00", b"\x01\x05\x02\x00\x01\x00\x02", b"\x01\x00\x00\x00\x00\x00"],
)
def test_bytes_it_did_not_write_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="fingerprint"):
        Fingerprint.from_bytes(data)


def test_a_descending_sample_is_refused() -> None:
    signature = fingerprint(reference_text())
    assert signature is not None
    data = bytearray(signature.to_bytes())
    data[-8:] = data[-4:] + data[-8:-4]
    with pytest.raises(ValueError, match="ascending"):
        Fingerprint.from_bytes(bytes(data))


def test_a_version_1_fingerprint_still_reads_and_compares() -> None:
    """Band entries written before opening keys live out their window: they must still decide."""
    current = fingerprint(reference_text())
    assert current is not None
    head, sample = current.head, current.sample
    version_1 = (
        bytes([1, current.lead_size, len(head)])
        + b"".join(value.to_bytes(2, "big") for value in head)
        + b"".join(value.to_bytes(4, "big") for value in sample)
    )
    restored = Fingerprint.from_bytes(version_1)
    assert restored.openings == ()
    assert same_story(restored, current)


def test_typographic_marks_and_other_scripts_split_words_alike() -> None:
    """One wire text through two CMSs: straight or curly quotes, dashes, guillemets."""
    words = " ".join(f"w{index}" for index in range(60))
    straight = f'"Talks failed," she said - {words}... and "no" was the answer.'
    curly = f"“Talks failed,” she said — {words}… and “no” was the answer."
    guillemets = f"«Talks failed,» she said — {words}… and «no» was the answer."
    prints = [fingerprint(text) for text in (straight, curly, guillemets)]
    assert prints[0] is not None
    assert prints[0] == prints[1] == prints[2]


def test_an_opening_paragraph_gives_one_key_wherever_it_stands() -> None:
    """A copy under an added paragraph still meets the original under an opening key."""
    original = long_text(200)
    note = "Editor's note: this newsroom is funded by readers like you and free to read for all."
    copy = f"{note}\n\n{original}"
    a, b = fingerprint(original), fingerprint(copy)
    assert a is not None and b is not None
    shared = set(a.band_keys()) & set(b.band_keys())
    assert any(key.startswith("p") for key in shared)
