"""Webhooks out: signed POST of each approved reply, retries with backoff, the outbox."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr

from app import webhooks
from app.storage import reviews
from app.storage.models import WebhookDelivery, utcnow
from tests.api.receiver import receiver
from tests.storage.helpers import ALICE, ANN, CALM, LONG_AGO, add_review

SECRET = "whsec-test"
SENT = LONG_AGO.isoformat()


def test_sign_and_verify() -> None:
    body = b'{"review_id":1,"body":"Caf\xc3\xa9"}'
    header = webhooks.sign(SECRET, body, timestamp=1_800_000_000)
    assert header.startswith("t=1800000000,v1=")
    assert webhooks.verify(SECRET, body, header, now=1_800_000_100)
    assert not webhooks.verify(SECRET, body + b" ", header, now=1_800_000_100)
    assert not webhooks.verify("other", body, header, now=1_800_000_100)
    assert not webhooks.verify(SECRET, body, header, now=1_800_000_000 + 301)
    assert not webhooks.verify(SECRET, body, "v1=abc", now=1_800_000_000)


def test_documented_snippet_verifies() -> None:
    """The verification snippet of the README, as written."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    text = (root / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```python\n(# verify-webhook.*?)```", text, re.S)
    assert snippet, "the webhook verification snippet is missing from the docs"
    namespace: dict = {}
    exec(snippet.group(1), namespace)
    body = b'{"event":"review.approved"}'
    header = webhooks.sign(SECRET, body)
    assert namespace["verify"](SECRET.encode(), body, header) is True
    assert namespace["verify"](SECRET.encode(), body + b"x", header) is False


def test_approval_is_delivered_signed(make_client) -> None:
    with receiver() as hook:
        client = make_client(webhook_urls=[hook.url], webhook_secret=SecretStr(SECRET))
        created = client.post(
            "/v1/messages",
            json={"body": CALM, "sender": ANN, "sent_at": SENT, "external_id": "zd-77"},
        ).json()
        approved = client.post(f"/v1/reviews/{created['id']}/approve")
        assert approved.status_code == 200
        hook.wait_for(lambda hits: len(hits) == 1)
        hit = hook.hits[0]
    assert webhooks.verify(SECRET, hit.body, hit.headers["tactful-signature"])
    payload = json.loads(hit.body)
    assert payload["event"] == "review.approved" == hit.headers["tactful-event"]
    assert payload["delivery_id"] == hit.headers["tactful-delivery"]
    assert payload["review_id"] == created["id"] and payload["external_id"] == "zd-77"
    assert payload["body"] == created["reply"]["body"]
    assert payload["subject"] == created["reply"]["subject"]
    assert payload["approver"] == "local" and payload["to"] == "ann@example.com"
    assert payload["override"] is None
    deliveries = _wait_delivered(client, created["id"])
    assert deliveries[0]["tries"][0]["status_code"] == 200


def _wait_delivered(client, review_id: int, timeout: float = 20) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        deliveries = client.get(f"/v1/reviews/{review_id}/deliveries").json()
        if deliveries and all(d["status"] == "delivered" for d in deliveries):
            return deliveries
        if time.monotonic() > deadline:
            raise AssertionError(deliveries)
        time.sleep(0.05)


def test_failures_are_retried_and_never_lose_the_approval(make_client) -> None:
    with receiver(statuses=[500, 503]) as hook:
        client = make_client(
            webhook_urls=[hook.url, hook.url.replace("/hook", "/other")],
            webhook_secret=SecretStr(SECRET),
            webhook_backoff_seconds=0.2,
            webhook_poll_seconds=0.1,
        )
        review_id = client.post("/v1/messages", json={"body": CALM, "sent_at": SENT}).json()["id"]
        approved = client.post(f"/v1/reviews/{review_id}/approve")
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        deliveries = _wait_delivered(client, review_id)
    assert sorted(d["url"].rsplit("/", 1)[1] for d in deliveries) == ["hook", "other"]
    tries = sorted((len(d["tries"]), d["attempts"]) for d in deliveries)
    assert tries == [(1, 1), (3, 3)] or tries == [(2, 2), (2, 2)]
    for delivery in deliveries:
        codes = [t["status_code"] for t in delivery["tries"]]
        assert codes[-1] == 200 and all(c in (500, 503) for c in codes[:-1])
    assert len(hook.hits) == 4
    assert len({h.headers["tactful-delivery"] for h in hook.hits}) == 2
    assert client.get(f"/v1/reviews/{review_id}").json()["status"] == "approved"


def test_backoff_grows_and_gives_up(database, drafted, settings) -> None:
    tuned = settings.model_copy(
        update={
            "webhook_urls": ["http://hooks.test/a"],
            "webhook_secret": SecretStr(SECRET),
            "webhook_max_attempts": 4,
            "webhook_backoff_seconds": 10.0,
        }
    )
    review_id = add_review(database, drafted())
    with database.write() as session:
        reviews.approve(
            session,
            review_id,
            ALICE,
            on_approved=lambda s, r, now: webhooks.enqueue(s, r, tuned.webhook_urls, now),
        )
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 2:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(500)

    async def drive() -> list[float]:
        client = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
        worker = webhooks.WebhookWorker(database, tuned, client=client)
        delays = []
        now = utcnow()
        for _ in range(4):
            assert await worker.run_once(now=now) == 1
            assert await worker.run_once(now=now) == 0  # not due again yet
            with database.read() as session:
                row = session.query(WebhookDelivery).one()
            if row.status == "pending":
                delays.append((row.next_attempt_at - utcnow()).total_seconds())
                now = row.next_attempt_at + timedelta(milliseconds=1)
        await client.aclose()
        return delays

    delays = asyncio.run(drive())
    assert [round(d / 10) for d in delays] == [1, 2, 4]
    with database.read() as session:
        row = session.query(WebhookDelivery).one()
        tries = webhooks.attempts_for(session, row.id)
        review = reviews.get_review(session, review_id)
    assert row.status == "failed" and row.attempts == 4 and len(tries) == 4
    assert [t.status_code for t in tries] == [500, None, 500, 500]
    assert tries[1].error.startswith("ConnectError")
    assert review.status == "approved"
    for request in calls:
        assert webhooks.verify(SECRET, request.content, request.headers["tactful-signature"])


def test_a_leased_delivery_is_not_sent_twice(database, drafted, settings) -> None:
    tuned = settings.model_copy(
        update={"webhook_urls": ["http://hooks.test/a"], "webhook_secret": SecretStr(SECRET)}
    )
    review_id = add_review(database, drafted())
    with database.write() as session:
        reviews.approve(
            session,
            review_id,
            ALICE,
            on_approved=lambda s, r, now: webhooks.enqueue(s, r, tuned.webhook_urls, now),
        )
    seen: list[str] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["tactful-delivery"])
        await asyncio.sleep(0.3)
        return httpx.Response(204)

    async def drive() -> tuple[int, int]:
        client = httpx.AsyncClient(transport=httpx.MockTransport(slow))
        first = webhooks.WebhookWorker(database, tuned, client=client)
        second = webhooks.WebhookWorker(database, tuned, client=client)
        counts = await asyncio.gather(first.run_once(), second.run_once())
        await client.aclose()
        return counts

    assert sorted(asyncio.run(drive())) == [0, 1]
    assert len(seen) == 1


def test_webhook_urls_need_a_secret(settings) -> None:
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        webhooks.check_settings(settings.model_copy(update={"webhook_urls": ["http://x/y"]}))
