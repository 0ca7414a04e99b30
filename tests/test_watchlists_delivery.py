"""`notify:`, `digest:` and `max_per_hour:` in a watchlists file: checked, normalised, defaulted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from newswatch.cli import main
from newswatch.watchlists import check_watchlists, load_watchlists
from newswatch.watchlists.document import delivery_settings, read_source, validate

ROOT = Path(__file__).resolve().parent.parent


def settings_of(entry: dict[str, Any]) -> dict[str, Any]:
    definitions, findings = validate({"watchlists": [{"name": "w", "all": ["x"], **entry}]})
    assert [str(finding) for finding in findings if finding.severity == "error"] == []
    return dict(definitions[0].settings)


def errors_of(entry: dict[str, Any]) -> list[str]:
    document = {"watchlists": [{"name": "w", "all": ["x"], **entry}]}
    return [str(finding) for finding in check_watchlists(document) if finding.severity == "error"]


def test_settings_hold_what_the_entry_says_and_defaults_fill_the_rest() -> None:
    assert settings_of({}) == {}
    defaults = {
        "max_per_hour": 20,
        "digest": "daily 07:00 UTC",
        "notify": {"email": [], "sms": [], "digest": []},
    }
    assert delivery_settings(settings_of({})) == defaults
    assert settings_of({"max_per_hour": 3}) == {"max_per_hour": 3}
    assert delivery_settings(settings_of({"notify": {"sms": ["+447700900123"]}})) == {
        **defaults,
        "notify": {"email": [], "sms": ["+447700900123"], "digest": []},
    }


def test_values_are_normalised_into_settings_and_the_canonical_entry() -> None:
    entry = {
        "notify": {
            "email": ["Analyst@Example.com", "b@example.com"],
            "sms": ["+447700900123"],
            "digest": "editor@example.com",
        },
        "digest": "weekly fri 17:00 Europe/Paris",
        "max_per_hour": 5,
    }
    assert settings_of(entry) == {
        "max_per_hour": 5,
        "digest": "weekly Friday 17:00 Europe/Paris",
        "notify": {
            "email": ["analyst@example.com", "b@example.com"],
            "sms": ["+447700900123"],
            "digest": ["editor@example.com"],
        },
    }
    document = load_watchlists({"watchlists": [{"name": "w", "all": ["x"], **entry}]})
    (stored,) = document.to_document()["watchlists"]
    assert stored["digest"] == "weekly Friday 17:00 Europe/Paris"
    assert stored["notify"]["email"] == ["analyst@example.com", "b@example.com"]
    # The stored entry loads back to the same set (the function rebuilds from items).
    assert load_watchlists(document.to_document()).version == document.version


def test_yaml_off_unquoted_means_no_digest(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("watchlists:\n  - name: w\n    all: [x]\n    digest: off\n", encoding="utf-8")
    (definition,), _ = validate(read_source(path))
    assert definition.settings == {"digest": "off"}


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ({"max_per_hour": 0}, "max_per_hour: expected a whole number of instant alerts per hour"),
        ({"max_per_hour": "20"}, "found '20'"),
        ({"max_per_hour": True}, "found the boolean true"),
        ({"digest": "daily 7 UTC"}, "digest: expected a 24-hour time HH:MM"),
        ({"digest": "daily 07:00 Europe/Londn"}, "unknown time zone 'Europe/Londn'"),
        ({"digest": 7}, "digest: expected off, hourly, daily HH:MM ZONE"),
        ({"notify": ["a@example.com"]}, "notify: expected a mapping with email, sms"),
        ({"notify": {"pager": ["x"]}}, "notify: unknown keys ['pager']"),
        ({"notify": {"email": ["nobody"]}}, "notify.email[0]: 'nobody' is not an email address"),
        ({"notify": {"digest": ["x@y"]}}, "notify.digest[0]: 'x@y' is not an email address"),
        ({"notify": {"sms": [447700900123]}}, "found the number 447700900123 (quote phone"),
        ({"notify": {"sms": ["+44 7700 900123"]}}, "not an E.164 phone number"),
        ({"notify": {"email": {"a": 1}}}, "notify.email: expected a list"),
    ],
)
def test_mistakes_are_errors_that_say_where_and_what(entry: dict[str, Any], says: str) -> None:
    errors = errors_of(entry)
    assert len(errors) == 1, errors
    assert "watchlist 'w'" in errors[0] and says in errors[0]


def test_every_mistake_is_reported_at_once() -> None:
    errors = errors_of(
        {"max_per_hour": -1, "digest": "never", "notify": {"email": ["a"], "sms": ["1"]}}
    )
    assert len(errors) == 4


def test_a_duplicate_address_is_a_warning_and_listed_once() -> None:
    document = {
        "watchlists": [
            {"name": "w", "all": ["x"], "notify": {"email": ["a@example.com", "A@example.com"]}}
        ]
    }
    (definition,), findings = validate(document)
    assert [finding.severity for finding in findings] == ["warning"]
    assert "a@example.com is listed twice" in str(findings[0])
    assert definition.settings["notify"]["email"] == ["a@example.com"]


def test_an_address_in_more_watchlists_than_one_filter_policy_holds_is_an_error() -> None:
    document = {
        "watchlists": [
            {"name": f"w{n}", "all": ["x"], "notify": {"email": ["a@example.com"]}}
            for n in range(151)
        ]
    }
    errors = [str(f) for f in check_watchlists(document) if f.severity == "error"]
    assert len(errors) == 1
    assert "a@example.com is notified by 151 watchlist deliveries" in errors[0]


def test_check_command_shows_the_new_keys_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "watchlists:\n  - name: w\n    all: [x]\n    max_per_hour: lots\n", encoding="utf-8"
    )
    assert main(["watchlists", "check", str(path)]) == 1
    assert "watchlist 'w', max_per_hour: expected a whole number" in capsys.readouterr().out


def test_the_demo_file_names_one_instant_and_one_digest_subscriber() -> None:
    definitions, _ = validate(read_source(ROOT / "watchlists.yaml"))
    notify = {d.name: delivery_settings(d.settings)["notify"] for d in definitions}
    assert notify["nk-russia"] == {
        "email": ["analyst@example.com"],
        "sms": [],
        "digest": ["editor@example.com"],
    }
