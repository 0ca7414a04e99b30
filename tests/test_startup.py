"""The function's init phase runs without the garbage collector and freezes what it built."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from newswatch.startup import collector_paused


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection that starts while the test runs."""
    started: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(note)
    yield started
    gc.callbacks.remove(note)
    gc.unfreeze()


def test_no_collection_runs_inside_and_what_it_built_is_frozen(
    collections: list[int],
) -> None:
    assert gc.isenabled()
    frozen_before = gc.get_freeze_count()
    with collector_paused():
        # Far past the youngest generation's threshold: with the collector on, it would run.
        built = [[n] for n in range(50 * gc.get_threshold()[0])]
        assert not gc.isenabled()
    assert collections == []
    assert gc.get_freeze_count() >= frozen_before + len(built)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off(collections: list[int]) -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
