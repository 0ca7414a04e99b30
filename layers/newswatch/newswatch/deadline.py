"""A per-object time limit, checked cooperatively between the steps of the work on one object.

Every input is bounded to linear cost before it reaches the parser
(:mod:`newswatch.extraction.markup_limits`); this is the last line of defence for whatever
slips through. It cannot stop C code mid-call, so it is checked between steps, and an object
over its deadline becomes a stored ``too-slow`` rejection: a page that is this slow once is as
slow on every retry, so retrying it would only fail its batch-mates again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from newswatch.errors import Rejection, RejectionReason

Clock = Callable[[], float]


class Deadline:
    """A point in time (by a monotonic clock) by which one object's work must be done."""

    def __init__(self, seconds: float, *, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self.seconds = seconds

    @classmethod
    def unlimited(cls) -> Deadline:
        """No limit: for the CLI and tests, where a person is watching."""
        return cls(float("inf"))

    def elapsed(self) -> float:
        return self._clock() - self._started

    def check(self, step: str) -> None:
        """Raise ``Rejection("too-slow")`` when the deadline has passed; ``step`` is what was
        last done (named in the rejection, so the slow step can be found)."""
        elapsed = self.elapsed()
        if elapsed > self.seconds:
            raise Rejection(
                RejectionReason.TOO_SLOW,
                f"processing took {elapsed:.1f} s by the end of {step}, more than the "
                f"{self.seconds:g} s per-object deadline",
            )
