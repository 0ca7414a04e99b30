"""How the local stack keeps the digest function's schedule and environment (no server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from newswatch.local.runner import LocalSchedule, scheduled_functions, shared_environment
from newswatch.local.template import LocalTemplate, TemplateError, load_template

ROOT = Path(__file__).resolve().parents[1]


def test_the_templates_digest_schedule_runs_at_minute_5_of_every_hour() -> None:
    template = LocalTemplate(load_template(ROOT / "template.yaml"), endpoint_url="http://x")
    (function,) = scheduled_functions(template, ROOT)
    assert function.handler_file == ROOT / "functions/digest/app.py"
    at = datetime(2026, 12, 2, 6, 59, tzinfo=UTC)
    assert function.schedule.next_after(at) == datetime(2026, 12, 2, 7, 5, tzinfo=UTC)
    assert function.schedule.next_after(at.replace(minute=5)) == at.replace(hour=7, minute=5)
    last = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert function.schedule.next_after(last) == datetime(2026, 12, 3, 0, 5, tzinfo=UTC)


def test_rates_are_kept_and_other_expressions_refused() -> None:
    every_20 = LocalSchedule.parse("rate(20 minutes)")
    at = datetime(2026, 12, 2, 7, 41, tzinfo=UTC)
    assert every_20.next_after(at) == at.replace(minute=0) + timedelta(hours=1)
    assert LocalSchedule.parse("rate(1 hour)").period == timedelta(hours=1)
    with pytest.raises(TemplateError, match=r"cron\(0 7 \* \* \? \*\)"):
        LocalSchedule.parse("cron(0 7 * * ? *)")


def test_two_functions_that_disagree_on_a_variable_cannot_share_the_local_process() -> None:
    template = LocalTemplate(load_template(ROOT / "template.yaml"), endpoint_url="http://x")
    (digest,) = scheduled_functions(template, ROOT)
    clashing = digest.__class__(
        **{
            **{name: getattr(digest, name) for name in digest.__dataclass_fields__},
            "logical_id": "Other",
            "environment": {**digest.environment, "TABLE_NAME": "another-table"},
        }
    )
    with pytest.raises(TemplateError, match="TABLE_NAME"):
        shared_environment([digest, clashing])
    assert shared_environment([digest, digest]) == digest.environment
