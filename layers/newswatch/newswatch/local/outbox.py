"""What subscribers of the local alert topic would receive, written under ``outbox/``.

moto delivers nothing to email or SMS subscribers, but it keeps every message published to a
topic and lists them at ``GET /moto-api/data.json``. With ``MessageStructure=json`` a message
holds one text per protocol, so the email and the SMS are exactly what SNS would send.
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_UNSAFE_FILENAME = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True, slots=True)
class DeliveredAlert:
    """One published alert as its email and SMS subscribers would get it."""

    message_id: str
    watchlist: str
    subject: str
    email: str
    sms: str
    email_path: Path
    sms_path: Path


class Outbox:
    """Collects the alert topic's new messages from the moto server and writes them out."""

    def __init__(self, endpoint_url: str, topic_arn: str, directory: Path) -> None:
        self._data_url = f"{endpoint_url.rstrip('/')}/moto-api/data.json"
        self._topic_arn = topic_arn
        self._directory = directory
        self._seen: set[str] = set()

    def collect(self) -> list[DeliveredAlert]:
        """The alerts published since the last call, each written as an email and an SMS."""
        delivered = []
        for message_id, message, subject, attributes in self._published():
            if message_id in self._seen:
                continue
            self._seen.add(message_id)
            delivered.append(self._write(message_id, message, subject or "", attributes or {}))
        return delivered

    def _published(self) -> list[tuple[str, str, str | None, dict[str, Any] | None]]:
        # Local-only URL of the server this process started (http://127.0.0.1:PORT).
        with urllib.request.urlopen(self._data_url, timeout=10) as response:  # noqa: S310
            data = json.load(response)
        for topic in data.get("sns", {}).get("Topic", []):
            if topic.get("arn") == self._topic_arn:
                return [tuple(sent[:4]) for sent in topic.get("sent_notifications", [])]
        return []

    def _write(
        self, message_id: str, message: str, subject: str, attributes: dict[str, Any]
    ) -> DeliveredAlert:
        try:
            texts = json.loads(message)
        except json.JSONDecodeError:
            texts = {"default": message}
        if not isinstance(texts, dict):
            texts = {"default": message}
        # moto keeps message attributes as {"Type": ..., "Value": ...}.
        watchlist = str((attributes.get("watchlist") or {}).get("Value") or "unknown")
        email = str(texts.get("email", texts.get("default", "")))
        sms = str(texts.get("sms", texts.get("default", "")))
        self._directory.mkdir(parents=True, exist_ok=True)
        stem = (
            f"{len(self._seen):04d}-{_UNSAFE_FILENAME.sub('-', watchlist.lower())}-{message_id[:8]}"
        )
        email_path = self._directory / f"{stem}.email.txt"
        sms_path = self._directory / f"{stem}.sms.txt"
        email_path.write_text(f"Subject: {subject}\n\n{email}\n", encoding="utf-8")
        sms_path.write_text(f"{sms}\n", encoding="utf-8")
        return DeliveredAlert(
            message_id=message_id,
            watchlist=watchlist,
            subject=subject,
            email=email,
            sms=sms,
            email_path=email_path,
            sms_path=sms_path,
        )
