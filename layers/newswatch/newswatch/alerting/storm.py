"""Storm control: at most ``max_per_hour`` instant alerts per watchlist in a rolling hour.

Above the limit a story is held for the watchlist's next digest, and the first story held in a
storm makes one notice. The counting rule is here; keeping the count correct under concurrent
workers is the :class:`RateLimiter` adapter's job (DynamoDB: a conditional write on a versioned
item). Admission is idempotent per story, so a retried article does not spend a second slot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

DEFAULT_MAX_PER_HOUR = 20
WINDOW_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Admission:
    admitted: bool
    # True for exactly one held story per storm: the one whose worker sends the notice.
    notify: bool = False


@dataclass(frozen=True, slots=True)
class RateWindow:
    """The stories admitted in the last hour (story id -> epoch seconds) and until when the
    current storm's notice covers (0: no storm)."""

    admitted: Mapping[str, float]
    notice_until: float = 0.0

    def decide(self, story_id: str, limit: int, now: float) -> tuple[Admission, RateWindow]:
        """This story's admission and the window to write back (unchanged if nothing to add)."""
        recent = {sid: at for sid, at in self.admitted.items() if at > now - WINDOW_SECONDS}
        if story_id in recent:
            return Admission(admitted=True), self
        if len(recent) < limit:
            return Admission(admitted=True), RateWindow({**recent, story_id: now}, 0.0)
        if self.notice_until > now:
            return Admission(admitted=False), self
        return Admission(admitted=False, notify=True), RateWindow(recent, now + WINDOW_SECONDS)


class RateLimiter(Protocol):
    def admit(self, watchlist: str, story_id: str, limit: int) -> Admission:
        """Decide, atomically with every other worker, whether this story may alert now."""
