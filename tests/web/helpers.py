"""Helpers of the browser tests: messages, the short pause, the no-leak search."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from tests.web.conftest import LiveServer

SHOTS = os.environ.get("TACTFUL_SCREENSHOTS")
"""Set to a folder (docs/screenshots) to save the screenshots of the main screens."""

ANGRY_BODY = (
    "Hi,\n\n"
    "You useless idiots. My order #48213 was due last Friday and it STILL hasn't arrived!!! "
    "Where is it? I want a full refund today or I'm calling my lawyer and posting reviews "
    "everywhere. Fix it NOW.\n\n"
    "Dana"
)
SENDER = "Dana Lee <dana@example.com>"


def raw_email(body: str, *, subject: str, sent_at: datetime, sender: str = SENDER) -> str:
    """A whole RFC 822 email, as a person would paste it from their mail client."""
    return (
        f"From: {sender}\n"
        "To: Alex Morgan <hello@northwind.example>\n"
        f"Subject: {subject}\n"
        f"Date: {format_datetime(sent_at.astimezone(UTC))}\n"
        "Message-ID: <test-48213@example.com>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        f"{body}\n"
    )


def email_with_short_pause(
    tactful: Any, body: str, *, subject: str, remaining_seconds: float
) -> tuple[str, datetime]:
    """A raw email whose Date header leaves only `remaining_seconds` of the pause.

    The pause runs from when the message was sent (`send_not_before = Date + cool-down`),
    so dating the email `cool-down - remaining_seconds` ago shortens the wait without any
    test-only setting. The cool-down is read with the same model the server uses.
    """
    probe = raw_email(body, subject=subject, sent_at=datetime.now(UTC))
    minutes = tactful.read(tactful.parse(probe)).cooldown_minutes
    assert minutes > 0, "the test message must be hostile enough to get a pause"
    sent_at = datetime.now(UTC) - timedelta(minutes=minutes) + timedelta(seconds=remaining_seconds)
    sent_at = sent_at.replace(microsecond=0) + timedelta(seconds=1)
    return raw_email(body, subject=subject, sent_at=sent_at), sent_at + timedelta(minutes=minutes)


def database_rows(database_url: str) -> list[tuple[str, tuple[Any, ...]]]:
    """Every row of every table of a SQLite database, as (table, row)."""
    path = database_url.removeprefix("sqlite:///")
    if not Path(path).exists():
        return []
    with sqlite3.connect(path) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        rows: list[tuple[str, tuple[Any, ...]]] = []
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            rows += [(table, row) for row in connection.execute(f"SELECT * FROM {quoted}")]
    return rows


def files_containing(folder: Path, needle: str) -> list[Path]:
    """Files under `folder` whose bytes contain `needle` (UTF-8 or UTF-16)."""
    encodings = [needle.encode("utf-8"), needle.encode("utf-16-le")]
    return [
        path
        for path in folder.rglob("*")
        if path.is_file() and any(e in path.read_bytes() for e in encodings)
    ]


def shoot(page: Any, name: str) -> None:
    """Save a full-page screenshot when TACTFUL_SCREENSHOTS names a folder."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


class Traffic:
    """Every request the page makes (URL, headers, body), and the page's errors."""

    def __init__(self, page: Any, server: LiveServer):
        self.requests: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.server = server
        page.on("request", self._record)
        page.on("response", self._status)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        # a failed load is the browser reporting an HTTP error status (checked by each test)
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _status(self, response: Any) -> None:
        for entry in reversed(self.requests):
            if entry["request"] is response.request:
                entry["status"] = response.status
                return

    def _record(self, request: Any) -> None:
        self.requests.append(
            {
                "url": request.url,
                "method": request.method,
                "headers": request.headers,
                "body": request.post_data_buffer or b"",
                "request": request,
            }
        )

    def failed(self) -> list[str]:
        """Requests of the page that got an HTTP error status."""
        return [f"{r['status']} {r['url']}" for r in self.requests if r.get("status", 0) >= 400]

    def third_party(self) -> list[str]:
        """URLs not served by the app itself."""
        return [
            r["url"]
            for r in self.requests
            if not r["url"].startswith(self.server.url + "/") and not r["url"].startswith("data:")
        ]


@contextmanager
def new_page(browser: Any, server: LiveServer) -> Iterator[Any]:
    """A page in a fresh browser context (own cookies and storage) for `server`."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=server.url, locale="en-GB"
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def read_message(page: Any, body: str, *, sender: str = "", subject: str = "") -> dict:
    """Paste a message, press Read it; the stored review (POST /v1/messages) it shows."""
    page.goto("/")
    page.get_by_role("textbox", name=re.compile("^Message")).fill(body)
    if sender:
        page.get_by_role("textbox", name=re.compile("^Sender")).fill(sender)
    if subject:
        page.locator("#paste-form").get_by_role("textbox", name=re.compile("^Subject")).fill(
            subject
        )
    with page.expect_response(lambda r: r.url.endswith("/v1/messages")) as answer:
        page.get_by_role("button", name="Read it").click()
    assert answer.value.status == 201, answer.value.text()
    page.locator("#results").wait_for(state="visible")
    return answer.value.json()
