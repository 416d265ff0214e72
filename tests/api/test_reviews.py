"""The review queue over HTTP: list, show, edit, approve, reject, audit trail, senders."""

from __future__ import annotations

import concurrent.futures
import threading

from tests.storage.helpers import ABUSIVE, ANGRY, ANN, CALM, LONG_AGO, MARK

SENT = LONG_AGO.isoformat()
RUDE_REPLY = "Sorry!!! We are SO sorry, this is ridiculous."


def _ingest(client, body: str = CALM, sender: str = ANN, **extra) -> dict:
    response = client.post("/v1/messages", json={"body": body, "sender": sender, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_list_filters_and_cursor(api) -> None:
    calm = [_ingest(api, sent_at=SENT)["id"] for _ in range(3)]
    angry = [_ingest(api, ANGRY, MARK)["id"] for _ in range(2)]
    api.post(f"/v1/reviews/{calm[0]}/reject", json={"reason": "duplicate"})

    page = api.get("/v1/reviews", params={"limit": 2}).json()
    ids = [item["id"] for item in page["items"]]
    while page["next_cursor"]:
        page = api.get("/v1/reviews", params={"limit": 2, "cursor": page["next_cursor"]}).json()
        ids += [item["id"] for item in page["items"]]
    assert ids == sorted(calm + angry, reverse=True)

    def ids_for(**params) -> set[int]:
        response = api.get("/v1/reviews", params=params)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert ids_for(status="rejected") == {calm[0]}
    assert ids_for(status="pending") == set(calm[1:] + angry)
    assert ids_for(sender="MARK@example.org") == set(angry)
    angry_tone = api.get(f"/v1/reviews/{angry[0]}").json()["tone"]
    assert set(angry) <= ids_for(tone=angry_tone)
    label = api.get(f"/v1/reviews/{calm[1]}").json()["complaints"][0]
    assert set(calm) <= ids_for(complaint=label)
    assert ids_for(complaint="no_such_label") == set()
    assert ids_for(sender="mark@example.org", status="rejected") == set()

    item = api.get("/v1/reviews").json()["items"][0]
    assert "analysis" not in item and {"tone", "complaints", "passed", "sender"} <= set(item)
    for bad in ({"status": "done"}, {"tone": "cheerful"}, {"cursor": "garbage!"}, {"limit": 0}):
        assert api.get("/v1/reviews", params=bad).status_code == 422, bad


def test_show_and_not_found(api) -> None:
    created = _ingest(api, sent_at=SENT)
    shown = api.get(f"/v1/reviews/{created['id']}").json()
    assert {"analysis", "detached", "draft", "alternatives", "reply", "events"} <= set(shown)
    assert shown["decision"] is None
    for path in ("", "/events", "/deliveries"):
        assert api.get(f"/v1/reviews/999999{path}").status_code == 404
    assert api.post("/v1/reviews/999999/approve").status_code == 404
    assert api.post("/v1/reviews/999999/reject", json={"reason": "x"}).status_code == 404
    assert api.patch("/v1/reviews/999999", json={"body": "x"}).status_code == 404


def test_ids_no_review_can_have_are_refused_not_crashed(api) -> None:
    import base64

    from app.storage.models import MAX_ID

    for review_id in (0, MAX_ID + 1, 10**30):
        calls = [api.get(f"/v1/reviews/{review_id}{p}") for p in ("", "/events", "/deliveries")]
        calls += [
            api.post(f"/v1/reviews/{review_id}/approve"),
            api.post(f"/v1/reviews/{review_id}/reject", json={"reason": "x"}),
            api.patch(f"/v1/reviews/{review_id}", json={"body": "x"}),
        ]
        for response in calls:
            assert response.status_code == 422, (review_id, response.url, response.text)
            assert response.json()["detail"][0]["loc"][:2] == ["path", "review_id"]
    # the largest id the database holds is looked up like any other
    assert api.get(f"/v1/reviews/{MAX_ID}").status_code == 404
    assert api.get(f"/v1/reviews/{MAX_ID}/events").status_code == 404
    beyond = base64.urlsafe_b64encode(f"r:{MAX_ID + 1}".encode()).decode().rstrip("=")
    page = api.get("/v1/reviews", params={"cursor": beyond})
    assert page.status_code == 422 and "cursor" in page.json()["detail"]


def test_a_sender_in_any_script_survives_an_edit(api) -> None:
    created = _ingest(api, sender="Åsa Berg <åsa@exämple.se>", sent_at=SENT)
    edited = api.patch(f"/v1/reviews/{created['id']}", json={"strategy": "boundary"})
    assert edited.status_code == 200, edited.text
    data = edited.json()
    assert data["sender"] == {"name": "Åsa Berg", "address": "åsa@exämple.se"}
    assert data["reply"]["body"].split("\n", 1)[0].endswith("Åsa,")


def test_request_bodies_the_schema_refuses_are_refused(api) -> None:
    created = _ingest(api, sent_at=SENT)
    review = f"/v1/reviews/{created['id']}"
    assert api.patch(review, json={"version": 1}).status_code == 422
    assert api.post(f"{review}/approve", json={"override": True}).status_code == 422
    assert api.post(f"{review}/approve", json={"reason": ""}).status_code == 422
    assert api.get("/v1/reviews", params={"complaint": ""}).status_code == 422
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["ReviewEditIn"]["anyOf"] == [
        {"required": ["body"]},
        {"required": ["subject"]},
        {"required": ["strategy"]},
    ]
    assert schemas["ApproveIn"]["then"]["required"] == ["reason"]
    from app.auth import SCOPES

    assert schemas["KeyIn"]["properties"]["scopes"]["items"]["enum"] == list(SCOPES)


def test_edit_runs_the_guard_and_approval_needs_an_override(api) -> None:
    created = _ingest(api, sent_at=SENT)
    review_id = created["id"]
    edited = api.patch(f"/v1/reviews/{review_id}", json={"body": RUDE_REPLY})
    assert edited.status_code == 200, edited.text
    data = edited.json()
    assert data["reply"]["body"] == RUDE_REPLY and data["reply"]["passed"] is False
    failed = {c["rule"] for c in data["reply"]["checks"] if not c["passed"]}
    assert {"no_apology", "no_exclamation"} <= failed
    assert data["version"] == 2 and data["reply"]["edited_by"] == "local"
    assert [b["code"] for b in data["approval_blockers"]] == ["guard_failed"]

    refused = api.post(f"/v1/reviews/{review_id}/approve")
    assert refused.status_code == 409
    body = refused.json()
    assert "calm guard" in body["detail"]
    assert body["reasons"][0]["code"] == "guard_failed" and body["reasons"][0]["overridable"]
    assert api.post(f"/v1/reviews/{review_id}/approve", json={"override": True}).status_code == 422

    approved = api.post(
        f"/v1/reviews/{review_id}/approve",
        json={"override": True, "reason": "the client asked for this wording"},
    )
    assert approved.status_code == 200, approved.text
    data = approved.json()
    assert data["status"] == "approved"
    assert data["decision"]["override_reason"] == "the client asked for this wording"
    events = api.get(f"/v1/reviews/{review_id}/events").json()
    assert [e["kind"] for e in events] == ["created", "edited", "override", "approved"]
    assert events[1]["before"] == created["reply"]["body"] and events[1]["after"] == RUDE_REPLY
    assert events[2]["detail"]["overridden"] == ["guard_failed"]
    assert all(e["actor"] == "local" and e["at"] for e in events)

    again = api.post(f"/v1/reviews/{review_id}/approve")
    assert again.status_code == 409 and again.json()["reasons"][0]["code"] == "not_pending"
    assert api.patch(f"/v1/reviews/{review_id}", json={"body": "late"}).status_code == 409


def test_cooldown_blocks_approval_until_overridden(api) -> None:
    created = _ingest(api, ANGRY, MARK)  # no sent_at: the cool-down starts now
    assert [b["code"] for b in created["approval_blockers"]] == ["too_early"]
    refused = api.post(f"/v1/reviews/{created['id']}/approve")
    assert refused.status_code == 409
    assert refused.json()["reasons"][0]["code"] == "too_early"
    approved = api.post(
        f"/v1/reviews/{created['id']}/approve",
        json={"override": True, "reason": "already talked on the phone"},
    )
    assert approved.status_code == 200
    kinds = [e["kind"] for e in approved.json()["events"]]
    assert kinds == ["created", "override", "approved"]


def test_a_good_edit_passes_again(api) -> None:
    created = _ingest(api, sent_at=SENT)
    review_id = created["id"]
    api.patch(f"/v1/reviews/{review_id}", json={"body": RUDE_REPLY})
    fixed = api.patch(
        f"/v1/reviews/{review_id}",
        json={"body": created["reply"]["body"], "subject": "Re: your invoice"},
    )
    assert fixed.status_code == 200
    assert fixed.json()["reply"]["passed"] is True
    assert fixed.json()["reply"]["subject"] == "Re: your invoice"
    assert api.post(f"/v1/reviews/{review_id}/approve").status_code == 200


def test_edit_validation_and_stale_version(api) -> None:
    review_id = _ingest(api, sent_at=SENT)["id"]
    assert api.patch(f"/v1/reviews/{review_id}", json={}).status_code == 422
    assert api.patch(f"/v1/reviews/{review_id}", json={"strategy": "yell"}).status_code == 422
    assert api.patch(f"/v1/reviews/{review_id}", json={"body": ""}).status_code == 422
    ok = api.patch(f"/v1/reviews/{review_id}", json={"body": "One.", "version": 1})
    assert ok.status_code == 200
    stale = api.patch(f"/v1/reviews/{review_id}", json={"body": "Two.", "version": 1})
    assert stale.status_code == 409 and stale.json()["reasons"][0]["code"] == "stale_version"


def test_strategy_change_redrafts(api) -> None:
    created = _ingest(api, ANGRY, MARK)
    assert created["strategy"] != "exit"
    changed = api.patch(f"/v1/reviews/{created['id']}", json={"strategy": "exit"})
    assert changed.status_code == 200, changed.text
    data = changed.json()
    assert data["strategy"] == "exit" and data["draft"]["strategy"] == "exit"
    assert data["recommended_strategy"] == created["recommended_strategy"]
    assert data["analysis"]["strategy"]["forced"] is True
    assert data["reply"]["body"] == data["draft"]["body"] != created["reply"]["body"]
    assert data["send_not_before"] == created["send_not_before"]
    event = data["events"][-1]
    assert event["kind"] == "strategy_changed"
    assert event["detail"]["from"] == created["strategy"] and event["detail"]["to"] == "exit"
    assert event["before"] == created["reply"]["body"] and event["after"] == data["reply"]["body"]
    # strategy and text at once: two events, one version step each
    both = api.patch(
        f"/v1/reviews/{created['id']}", json={"strategy": "boundary", "body": "Noted."}
    ).json()
    assert [e["kind"] for e in both["events"]][-2:] == ["strategy_changed", "edited"]
    assert both["strategy"] == "boundary" and both["reply"]["body"] == "Noted."


def test_reject_needs_a_reason(api) -> None:
    review_id = _ingest(api)["id"]
    assert api.post(f"/v1/reviews/{review_id}/reject", json={}).status_code == 422
    assert api.post(f"/v1/reviews/{review_id}/reject", json={"reason": ""}).status_code == 422
    rejected = api.post(f"/v1/reviews/{review_id}/reject", json={"reason": "spam"})
    assert rejected.status_code == 200
    assert rejected.json()["decision"] == {
        "status": "rejected",
        "by": "local",
        "at": rejected.json()["decision"]["at"],
        "reason": "spam",
        "override_reason": None,
    }
    assert api.post(f"/v1/reviews/{review_id}/approve").status_code == 409
    events = api.get(f"/v1/reviews/{review_id}/events").json()
    assert [e["kind"] for e in events] == ["created", "rejected"]
    assert events[1]["detail"] == {"reason": "spam"}


def test_concurrent_double_approve_yields_one_approval(api) -> None:
    review_id = _ingest(api, sent_at=SENT)["id"]
    start = threading.Barrier(8)

    def approve(_: int):
        start.wait(10)
        return api.post(f"/v1/reviews/{review_id}/approve")

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(approve, range(8)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 7, codes
    events = api.get(f"/v1/reviews/{review_id}/events").json()
    assert [e["kind"] for e in events].count("approved") == 1


def test_second_pair_of_eyes_when_auth_is_off(make_client) -> None:
    client = make_client(review_second_approver=True)
    review_id = _ingest(client, sent_at=SENT)["id"]
    alice, bob = {"X-Tactful-Actor": "alice"}, {"X-Tactful-Actor": "bob"}
    client.patch(f"/v1/reviews/{review_id}", json={"body": "Thank you, noted."}, headers=alice)
    shown = client.get(f"/v1/reviews/{review_id}", headers=alice).json()
    assert "second_approver_required" in [b["code"] for b in shown["approval_blockers"]]
    refused = client.post(
        f"/v1/reviews/{review_id}/approve",
        json={"override": True, "reason": "I am sure"},
        headers=alice,
    )
    assert refused.status_code == 409
    assert refused.json()["reasons"][0]["code"] == "second_approver_required"
    approved = client.post(
        f"/v1/reviews/{review_id}/approve",
        json={"override": True, "reason": "short reply is fine"},
        headers=bob,
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["decision"]["by"] == "bob"


def test_unedited_draft_needs_no_second_person(make_client) -> None:
    client = make_client(review_second_approver=True)
    review_id = _ingest(client, sent_at=SENT)["id"]
    assert client.post(f"/v1/reviews/{review_id}/approve").status_code == 200


def test_sender_summary(api) -> None:
    for _ in range(2):
        _ingest(api, ABUSIVE, MARK)
    _ingest(api, CALM, ANN)
    summary = api.get("/v1/senders/Mark@Example.org")
    assert summary.status_code == 200, summary.text
    data = summary.json()
    assert data["address"] == "mark@example.org"
    assert data["message_count"] == 2 and data["abusive_count"] == 2
    assert data["hostile_count"] == 2 and data["tones"] == {"abusive": 2}
    assert data["statuses"] == {"pending": 2} and len(data["recent"]) == 2
    assert 0 < data["mean_hostility"] <= 1
    assert api.get("/v1/senders/nobody@example.com").status_code == 404
    third = _ingest(api, ABUSIVE, MARK)
    assert third["strategy"] == "exit", third["analysis"]["strategy"]["reason"]
