"""POST /v1/messages: ingest into the queue; idempotent retries; no bodies in logs."""

from __future__ import annotations

import concurrent.futures
import logging

from app.pipeline.types import TONES
from tests.storage.helpers import ANGRY, ANN, CALM, LONG_AGO, MARK

SENT = LONG_AGO.isoformat()


def test_ingest_stores_a_pending_review(api) -> None:
    response = api.post(
        "/v1/messages",
        json={"body": CALM, "sender": ANN, "subject": "Order #4821", "sent_at": SENT},
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert response.headers["location"] == f"/v1/reviews/{data['id']}"
    assert data["status"] == "pending" and data["version"] == 1
    assert data["sender"] == {"name": "Ann Lee", "address": "ann@example.com"}
    assert data["subject"] == "Order #4821"
    assert data["tone"] in TONES and data["analysis"]["tone"]["label"] == data["tone"]
    assert data["detached"] == data["analysis"]["detached"]
    assert data["draft"]["body"] == data["reply"]["body"]
    assert data["reply"]["passed"] is data["passed"] is True
    assert data["alternatives"] and data["events"][0]["kind"] == "created"
    assert data["sender_history"]["message_count"] == 0
    assert data["approval_blockers"] == []
    shown = api.get(f"/v1/reviews/{data['id']}").json()
    assert shown["analysis"] == data["analysis"] and shown["draft"] == data["draft"]


def test_ingest_raw_mime(api) -> None:
    raw = (
        b"From: Mark Stone <mark@example.org>\r\n"
        b"To: help@example.com\r\n"
        b"Subject: =?utf-8?q?Website_d=C3=A9lai?=\r\n"
        b"Date: Mon, 05 Jan 2026 09:30:00 +0000\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    ) + ANGRY.encode("latin-1")
    response = api.post(
        "/v1/messages?external_id=mime-1",
        content=raw,
        headers={"content-type": "message/rfc822"},
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["external_id"] == "mime-1"
    assert data["sender"]["address"] == "mark@example.org"
    assert data["subject"] == "Website délai"
    assert data["sent_at"].startswith("2026-01-05T09:30:00")
    assert "LAST FRIDAY" in data["analysis"]["message"]["new_text"]
    # the raw bytes are kept, so a redraft with another strategy reads the same message
    redraft = api.patch(f"/v1/reviews/{data['id']}", json={"strategy": "exit"})
    assert redraft.status_code == 200, redraft.text
    assert (
        redraft.json()["analysis"]["message"]["new_text"] == data["analysis"]["message"]["new_text"]
    )


def test_bad_input(api) -> None:
    assert api.post("/v1/messages", json={"body": "  "}).status_code == 422
    assert api.post("/v1/messages", json={"subject": "no body"}).status_code == 422
    assert api.post("/v1/messages", json={"body": CALM, "bogus": 1}).status_code == 422
    assert api.post("/v1/messages", json={"body": CALM, "strategy": "yell"}).status_code == 422
    assert api.post("/v1/messages", json={"body": CALM, "external_id": ""}).status_code == 422
    not_json = api.post(
        "/v1/messages", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422
    big = api.post("/v1/messages", json={"body": "a" * (256 * 1024 + 1)})
    assert big.status_code == 413
    empty_raw = api.post("/v1/messages", content=b"", headers={"content-type": "message/rfc822"})
    assert empty_raw.status_code == 422
    assert api.get("/v1/reviews").json()["items"] == []


def test_same_external_id_returns_the_first_result(api) -> None:
    first = api.post("/v1/messages", json={"body": CALM, "sender": ANN, "external_id": "t-1"})
    assert first.status_code == 201
    retry = api.post("/v1/messages", json={"body": CALM, "sender": ANN, "external_id": "t-1"})
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    # even when the retry's body differs: the helpdesk's id names the message
    changed = api.post("/v1/messages", json={"body": ANGRY, "external_id": "t-1"})
    assert changed.status_code == 201 and changed.json()["id"] == first.json()["id"]
    assert len(api.get("/v1/reviews").json()["items"]) == 1


def test_same_idempotency_key_returns_the_first_result(api) -> None:
    payload = {"body": CALM, "sender": ANN}
    headers = {"Idempotency-Key": "req-42"}
    first = api.post("/v1/messages", json=payload, headers=headers)
    retry = api.post("/v1/messages", json=payload, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    # the first response, even after the review changed
    api.post(f"/v1/reviews/{first.json()['id']}/reject", json={"reason": "spam"})
    late = api.post("/v1/messages", json=payload, headers=headers)
    assert late.json()["status"] == "pending" and late.json() == first.json()
    # a key reused for another request is an error, not a silent replay
    other = api.post("/v1/messages", json={"body": ANGRY}, headers=headers)
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    # without a key, the same message is a new review
    assert api.post("/v1/messages", json=payload).json()["id"] != first.json()["id"]


def test_concurrent_retries_store_one_review(api) -> None:
    payload = {"body": ANGRY, "sender": MARK, "external_id": "race-1"}
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda _: api.post("/v1/messages", json=payload), range(6)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert len({r.text for r in responses}) == 1
    assert len(api.get("/v1/reviews").json()["items"]) == 1


def test_sender_history_feeds_the_next_message(api) -> None:
    first = api.post("/v1/messages", json={"body": ANGRY, "sender": MARK}).json()
    second = api.post("/v1/messages", json={"body": ANGRY, "sender": MARK}).json()
    assert first["sender_history"]["message_count"] == 0
    history = second["sender_history"]
    assert history["message_count"] == 1
    assert history["mean_hostility"] == first["hostility"]


def test_message_bodies_never_reach_the_logs(make_client, caplog) -> None:
    marker = "Quillfeather-Zanzibar-5521"
    body = f"Hello, my order never arrived and I want a refund today. {marker}"
    caplog.set_level(logging.DEBUG)
    client = make_client(webhook_urls=["http://127.0.0.1:9/hook"], webhook_secret=_secret())
    created = client.post(
        "/v1/messages", json={"body": body, "sender": f"{marker} <q@z.io>", "sent_at": SENT}
    ).json()
    client.patch(f"/v1/reviews/{created['id']}", json={"body": f"Thank you. {marker}"})
    client.post(f"/v1/reviews/{created['id']}/approve", json={"override": True, "reason": "test"})
    client.post("/v1/messages", json={"body": f"{marker}" * 50000})  # too large
    client.post("/v1/messages", json={"body": body, "bogus": marker})  # invalid
    client.app.state.webhook_worker.notify()
    import time

    time.sleep(0.5)
    text = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    assert caplog.records, "expected some log records"
    assert marker not in text


def _secret():
    from pydantic import SecretStr

    return SecretStr("s3cret")
