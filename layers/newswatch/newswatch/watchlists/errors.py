"""Why there is no watchlist set to match against, said so that the caller can act on it.

None of these is a :class:`~newswatch.errors.Rejection`: the article is fine, the watchlists are
not, so a record that meets one is handed back for a retry (and, if it lasts, dead-lettered
with the reason, to be redriven after the next push).
"""

from __future__ import annotations

from newswatch.errors import NewswatchError


class WatchlistsUnavailable(NewswatchError):
    """Watchlists are expected, but no set can be loaded (none was pushed, or its items are
    incomplete): matching now would store the article as matching nothing, silently."""

    reason = "watchlists-unavailable"


class WatchlistIndexCorrupt(WatchlistsUnavailable):
    """A compiled index that no version of the compiler can have written: its framing, its
    tables or one of its rules is damaged. ``version`` is the set's, when it could be read."""

    reason = "watchlist-index-corrupt"

    def __init__(self, version: str | None, detail: str) -> None:
        named = f"watchlist index {version}" if version else "watchlist index"
        super().__init__(f"{named} is corrupt: {detail}")
        self.version = version
        self.detail = detail


class WatchlistIndexStale(NewswatchError):
    """A sound index compiled by another index format or word-form table: its atoms would
    not be this code's, so it must be compiled again from the watchlists."""

    def __init__(self, version: str | None, detail: str) -> None:
        named = f"watchlist index {version}" if version else "watchlist index"
        super().__init__(f"{named} was compiled with other word forms or format: {detail}")
        self.version = version
        self.detail = detail
