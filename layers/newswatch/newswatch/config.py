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
# Unless OBJECT_DEADLINE_SECONDS says otherwise, one object's extraction may take this share of
# the function's timeout (15 s of 60): a real page takes well under a second, and the rest of
# the invocation is left for the object's batch-mates.
DEFAULT_DEADLINE_SHARE_OF_TIMEOUT = 0.25
# What one object needs after extraction (matching, DynamoDB writes, SNS publishes), and more:
# the handler starts a record only while deadline + this remains of its invocation.
AFTER_EXTRACTION_SECONDS = 10


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
    # How long one object's extraction may take before it is rejected as too-slow; None: a
    # share of the function's timeout (DEFAULT_DEADLINE_SHARE_OF_TIMEOUT).
    object_deadline_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.object_deadline_seconds is not None and not (
            0 < self.object_deadline_seconds < self.function_timeout_seconds
        ):
            raise ConfigurationError(
                f"OBJECT_DEADLINE_SECONDS must be above 0 and below the function timeout "
                f"({self.function_timeout_seconds} s), got {self.object_deadline_seconds:g}"
            )

    @property
    def deadline_seconds(self) -> float:
        """The per-object extraction deadline, tied to the function timeout by default."""
        if self.object_deadline_seconds is not None:
            return self.object_deadline_seconds
        return self.function_timeout_seconds * DEFAULT_DEADLINE_SHARE_OF_TIMEOUT

    @property
    def record_start_seconds(self) -> float:
        """The invocation time that must remain for the handler to start one more record: one
        object at its deadline and what follows extraction, so no record is cut off midway."""
        return self.deadline_seconds + AFTER_EXTRACTION_SECONDS

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
        require_settings(env, STACK_RESOURCES)
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
            object_deadline_seconds=_float_setting(env, "OBJECT_DEADLINE_SECONDS"),
        )


# What every function of the stack is given: its table, its topic, its bucket.
STACK_RESOURCES = ("TABLE_NAME", "TOPIC_ARN", "ARTICLE_BUCKET")


def require_settings(env: Mapping[str, str], names: tuple[str, ...]) -> None:
    """Fail with every missing name at once, before any work (not with a KeyError midway)."""
    missing = [name for name in names if not env.get(name)]
    if missing:
        raise ConfigurationError(f"missing environment variable(s): {', '.join(missing)}")


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


def _float_setting(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, got {raw!r}") from None
