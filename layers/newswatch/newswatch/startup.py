"""A function's init phase without the garbage collector.

A cold start allocates hundreds of thousands of objects (modules, classes, compiled patterns,
botocore's service models and clients) that live as long as the container, and allocation
counts alone set off the collector: its passes over them, which find almost nothing (about 400
garbage objects of 114,000 after the ingest function's init), were a fifth of the ingest
function's cold start CPU (`python -m benchmarks coldstart`). Freezing what init built also
keeps every later collection, during events, from walking it again (CPython's ``gc.freeze``,
meant for exactly this).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No collections while the block builds what lives for the container; what exists at its
    end is frozen (left out of later collections), and collecting resumes as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
