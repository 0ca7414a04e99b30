"""Settings of the ingest path, read from the environment that the SAM template (or the local
stack) sets, so the same code runs unchanged in Lambda, on moto and in tests."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from newswatch.errors import NewswatchError

DEFAULT_INCOMING_PREFIX = "incoming/"
DEFAULT_MAX_OBJECT_BYTES = 10 * 1024 * 1024
DEFAULT_WATCHLIST_REFRESH_SECONDS = 300
DEFAULT_STORY_WINDOW_DAYS = 7
DEFAULT_FUNCTION_TIMEOUT_SECONDS = 60
# A delivery's lease outlives the function that took it by this much, so a crashed worker's
# claim is free again before SQS redelivers its record (visibility timeout 365 s).
LEASE_MARGIN_SECONDS = 30


class ConfigurationError(NewswatchError):
    """A required setting is missing or malformed: a deployment mistake, not bad input."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the ingest path finds its resources and how far it trusts its input."""

    table_name: str
    topic_arn: str
    article_bucket: str
    incoming_prefix: str = DEFAULT_INCOMING_PREFIX
    max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES
    watchlist_refresh_seconds: int = DEFAULT_WATCHLIST_REFRESH_SECONDS
    story_window_days: int = DEFAULT_STORY_WINDOW_DAYS
    # The function's Timeout, which the template passes: the one place a lease is tied to.
    function_timeout_seconds: int = DEFAULT_FUNCTION_TIMEOUT_SECONDS
    # A deployment with watchlists fails (and so retries, then dead-letters) a record while the
    # set is missing, rather than storing it as matching nothing; "false" for a bare archive.
    watchlists_expected: bool = True

    @property
    def lease_seconds(self) -> int:
        """How long a worker may hold a delivery: it cannot outlive its invocation."""
        return self.function_timeout_seconds + LEASE_MARGIN_SECONDS

    @property
    def story_window_seconds(self) -> int:
        return self.story_window_days * 24 * 3600

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``TABLE_NAME``, ``TOPIC_ARN``, ``ARTICLE_BUCKET`` and the optional limits.

        Fails with every missing name before any object is read (the handler builds its
        pipeline on a container's first event), not with a KeyError midway through one.
        """
        env = os.environ if environ is None else environ
        missing = [
            name for name in ("TABLE_NAME", "TOPIC_ARN", "ARTICLE_BUCKET") if not env.get(name)
        ]
        if missing:
            raise ConfigurationError(f"missing environment variable(s): {', '.join(missing)}")
        return cls(
            table_name=env["TABLE_NAME"],
            topic_arn=env["TOPIC_ARN"],
            article_bucket=env["ARTICLE_BUCKET"],
            incoming_prefix=env.get("INCOMING_PREFIX") or DEFAULT_INCOMING_PREFIX,
            max_object_bytes=int_setting(
                env, "MAX_OBJECT_BYTES", DEFAULT_MAX_OBJECT_BYTES, minimum=1
            ),
            # 0 re-reads the watchlists' version pointer on every article (tests, demos).
            watchlist_refresh_seconds=int_setting(
                env, "WATCHLIST_REFRESH_SECONDS", DEFAULT_WATCHLIST_REFRESH_SECONDS, minimum=0
            ),
            story_window_days=int_setting(
                env, "STORY_WINDOW_DAYS", DEFAULT_STORY_WINDOW_DAYS, minimum=1
            ),
            function_timeout_seconds=int_setting(
                env, "FUNCTION_TIMEOUT_SECONDS", DEFAULT_FUNCTION_TIMEOUT_SECONDS, minimum=1
            ),
            watchlists_expected=env.get("WATCHLISTS_EXPECTED", "true").lower() != "false",
        )


def int_setting(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    return value
