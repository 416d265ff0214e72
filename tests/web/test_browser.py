"""The pages in headless Chromium against the real app and model (auth off: loopback mode)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.helpers import (
    ANGRY_BODY,
    Traffic,
    database_rows,
    email_with_short_pause,
    files_containing,
    new_page,
    read_message,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture()
def page(browser: Any, live: LiveServer) -> Any:
    with new_page(browser, live) as tab:
        yield tab


def is_response(path: str, method: str = "POST") -> Any:
    return lambda r: r.request.method == method and re.search(path, r.url) is not None


def test_whole_page_and_the_vent_pad_never_leaves_the_browser(
    page: Any, live: LiveServer, tactful: Any
) -> None:
    traffic = Traffic(page, live)
    secret = f"vent-{uuid.uuid4().hex[:16]}"
    venting = "you absolute clowns"  # in no message, draft or template either
    raw, _ = email_with_short_pause(
        tactful, ANGRY_BODY, subject="Order #48213", remaining_seconds=25
    )
    review = read_message(page, raw)
    analysis = review["analysis"]

    # 1. the analysis
    assert page.locator("[data-slot=tone-label]").text_content() == analysis["tone"]["label"]
    assert page.locator(".bars .bar").count() == 5
    meter = page.get_by_role("meter", name="Hostility")
    assert int(meter.get_attribute("aria-valuenow")) == round(analysis["hostility"] * 100)
    assert page.locator("#threat-banner").is_visible() == analysis["threat"]["present"]
    chips = page.locator("[data-slot=complaints] .chip")
    assert chips.count() == len(analysis["complaints"]) >= 1
    assert page.locator(".original .sent").count() == len(analysis["sentences"])
    emotion = page.locator(".original .sent.role-emotion").first
    emotion.hover()
    assert emotion.locator(".tip").is_visible()
    assert "Emotion" in emotion.locator(".tip").inner_text()
    page.mouse.move(0, 0)
    page.locator(".original .sent").nth(1).focus()  # keyboard: evidence on focus too
    assert page.locator(".original .sent").nth(1).locator(".tip").is_visible()

    # 2. the detached view
    detached = page.locator("[data-slot=detached]")
    for item in analysis["detached"]["requests"] + analysis["detached"]["facts"]:
        assert item["text"] in detached.inner_text()

    editor = page.locator("#reply-body")
    versions = page.locator("[data-slot=versions] button")
    assert versions.count() == 1 + len(review["alternatives"])

    # 5. the pause: a countdown, Approve and Copy wait for it
    countdown = page.get_by_role("timer")
    assert re.fullmatch(r"\d\d:\d\d left", countdown.inner_text())
    assert page.get_by_role("button", name="Approve").is_disabled()
    assert page.get_by_role("button", name="Copy reply").is_disabled()

    # 6. the vent pad: private, outside every form, without a name
    pad = page.get_by_role("textbox", name="Write what you would like to say to them")
    assert "Private: never sent or saved" in page.locator(".vent").inner_text()
    assert pad.get_attribute("name") is None and pad.get_attribute("autocomplete") == "off"
    assert pad.evaluate("el => el.form === null && el.closest('form') === null")
    pad.fill(f"Dana, {venting}. I would love to tell you what I really think. ({secret})")

    # 3. the strategy chooser: preselected with its reason; another one redrafts (keyboard)
    recommended = analysis["strategy"]["label"]
    assert page.locator(f"input[name=strategy][value={recommended}]").is_checked()
    reason = page.locator("[data-slot=strategy-reason]")
    assert analysis["strategy"]["reason"] in reason.inner_text()
    page.locator(f"input[name=strategy][value={recommended}]").focus()
    with page.expect_response(is_response(r"/v1/reviews/\d+$", "PATCH")) as redraft:
        page.keyboard.press("ArrowRight" if recommended != "exit" else "ArrowLeft")
    chosen = redraft.value.request.post_data_json["strategy"]
    assert chosen != recommended
    redrafted = redraft.value.json()
    assert redrafted["strategy"] == chosen
    new_body = redrafted["reply"]["body"]
    page.wait_for_function("b => document.querySelector('#reply-body').value === b", arg=new_body)
    assert "Your choice" in reason.inner_text()
    assert page.locator(f"input[name=strategy][value={chosen}]").is_checked()

    # 4. the editor: a check fails while typing and passes again
    editor.click()
    editor.press("Control+End")
    with page.expect_response(is_response("/v1/check$")):
        editor.press_sequentially(" We are so sorry!!!")
    page.locator(".check-list li.fail[data-rule=no_apology]").wait_for()
    assert page.locator(".check-list li.fail[data-rule=no_exclamation]").count() == 1
    assert page.locator("mark.flag[data-rule=no_apology]").inner_text().lower() == "sorry"
    assert "fail" in page.locator("#checks-summary").inner_text()
    assert "sorry" in page.locator(".check-list li.fail[data-rule=no_apology]").inner_text()
    shoot(page, "compose")
    with page.expect_response(is_response("/v1/check$")):
        editor.fill(new_body)
    page.locator(".check-list li[data-rule=no_apology].pass").wait_for()
    assert page.locator(".check-list li[data-rule=no_exclamation].pass").count() == 1
    assert page.locator("mark.flag").count() == 0

    # the redraft's alternatives (those that pass the guard) are one click away too
    assert versions.count() == 1 + len(redrafted["alternatives"])
    if redrafted["alternatives"]:
        versions.nth(1).click()
        assert editor.input_value() == redrafted["alternatives"][0]["body"]
        versions.nth(0).click()
        assert editor.input_value() == new_body

    # the pause ends: Copy and Approve become active
    page.get_by_role("timer").filter(has_text="Over").wait_for(timeout=60_000)
    page.get_by_role("status").filter(has_text="The pause is over").wait_for(state="attached")
    copy = page.get_by_role("button", name="Copy reply")
    approve = page.get_by_role("button", name="Approve")
    page.wait_for_function("() => !document.querySelector('[data-action=approve]').disabled")
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == editor.input_value()
    with page.expect_response(is_response(r"/v1/reviews/\d+/approve$")) as approved:
        approve.click()
    assert approved.value.status == 200, approved.value.text()
    assert approved.value.json()["status"] == "approved"
    page.get_by_text("Approved. Item #").wait_for()
    assert editor.evaluate("el => el.readOnly")

    # the vent pad is cleared when the page is left
    assert secret in pad.input_value()
    page.goto("/queue?status=approved")
    row = page.locator(f"tr[data-id='{review['id']}']")
    row.wait_for()
    assert "approved" in row.inner_text() and "Order #48213" in row.inner_text()
    page.go_back()
    page.locator("#vent-pad").wait_for(state="attached")
    assert page.locator("#vent-pad").input_value() == ""

    # 7. the item with its audit trail
    page.goto(f"/queue/{review['id']}")
    trail = page.locator("[data-slot=trail]")
    trail.locator("li[data-kind=approved]").wait_for()
    kinds = trail.locator("li").evaluate_all("items => items.map(i => i.dataset.kind)")
    assert kinds == ["created", "strategy_changed", "approved"]
    assert page.locator("#reply-body").evaluate("el => el.readOnly")

    # the proof: the vent pad's text is in no request, no database row, no log line
    assert traffic.requests, "the page made requests"
    assert any("/v1/messages" in line for line in live.logs), "the server logs are captured"
    rows = database_rows(live.settings.database_url)
    assert any(table == "reviews" for table, _ in rows), "the approved review is stored"
    for needle in (secret, venting):
        for request in traffic.requests:
            assert needle not in request["url"]
            assert needle not in repr(request["request"].all_headers())
            assert needle.encode() not in request["body"]
        for received in live.received:
            assert needle not in received.path + received.query + repr(received.headers)
            assert needle.encode() not in received.body
        for line in live.logs:
            assert needle not in line
        for table, row_values in rows:
            assert needle not in repr(row_values), table
        assert not files_containing(live.data_dir, needle)
    assert any(r.path == "/v1/check" for r in live.received)
    assert not traffic.third_party()
    assert not traffic.errors, traffic.errors
    assert not traffic.failed(), traffic.failed()


def test_queue_filters_edit_and_reject_with_the_audit_trail(page: Any, live: LiveServer) -> None:
    traffic = Traffic(page, live)
    with live.api() as api:
        calm = api.post(
            "/v1/messages",
            json={
                "body": "Hello, could you send the invoice for March when you have a moment? "
                "Thanks, Priya",
                "sender": "Priya Shah <priya@example.com>",
                "subject": "March invoice",
            },
        )
        assert calm.status_code == 201, calm.text
        angry = api.post(
            "/v1/messages",
            json={
                "body": "This is the THIRD time I ask. The logo is still wrong and nobody answers. "
                "Fix it by Monday or I cancel the contract!!!",
                "sender": "Sam Ortiz <sam@example.com>",
                "subject": "Logo, again",
            },
        )
        assert angry.status_code == 201, angry.text
    calm_id, angry_id = calm.json()["id"], angry.json()["id"]

    page.goto("/queue")
    page.locator(f"tr[data-id='{angry_id}']").wait_for()
    row = page.locator(f"tr[data-id='{angry_id}']")
    assert "Sam Ortiz" in row.inner_text() and "Logo, again" in row.inner_text()
    assert angry.json()["tone"] in row.inner_text().lower()
    for label in angry.json()["complaints"]:
        assert label.replace("_", " ") in row.inner_text()
    assert re.search(r"just now|min ago", row.inner_text())

    # filters: by sender address, then by tone
    page.get_by_label("Sender address").fill("priya@example.com")
    with page.expect_response(is_response(r"/v1/reviews\?", "GET")):
        page.get_by_role("button", name="Filter").click()
    page.locator(f"tr[data-id='{angry_id}']").wait_for(state="detached")
    assert page.locator(f"tr[data-id='{calm_id}']").is_visible()
    assert "sender=priya%40example.com" in page.url
    page.get_by_label("Sender address").fill("")
    with page.expect_response(is_response(r"/v1/reviews\?", "GET")):
        page.get_by_label("Tone").select_option(angry.json()["tone"])
    page.locator(f"tr[data-id='{angry_id}']").wait_for()
    if calm.json()["tone"] != angry.json()["tone"]:
        assert page.locator(f"tr[data-id='{calm_id}']").count() == 0

    # open the item: edit and save, then reject with a reason
    page.locator(f"tr[data-id='{angry_id}'] a").click()
    page.locator("#item-body").wait_for(state="visible")
    assert page.locator("#item-subject").inner_text() == "Logo, again"
    editor = page.locator("#reply-body")
    body = editor.input_value()
    edited = body.replace("Best regards,", "I will call you on Monday at 10:00.\n\nBest regards,")
    assert edited != body
    with page.expect_response(is_response("/v1/check$")):
        editor.fill(edited)
    with page.expect_response(is_response(r"/v1/reviews/\d+$", "PATCH")) as saved:
        page.get_by_role("button", name="Save edits").click()
    assert saved.value.json()["reply"]["body"] == edited
    page.locator("[data-slot=trail] li[data-kind=edited]").wait_for()

    page.locator("details.reject summary").click()
    reject = page.get_by_role("button", name="Reject", exact=True)
    assert reject.is_disabled()
    page.get_by_label("Reason for rejecting").fill("The client asked to talk by phone instead.")
    with page.expect_response(is_response(r"/v1/reviews/\d+/reject$")) as rejected:
        reject.click()
    assert rejected.value.json()["status"] == "rejected"
    trail = page.locator("[data-slot=trail]")
    trail.locator("li[data-kind=rejected]").wait_for()
    assert "talk by phone" in trail.inner_text()
    assert page.locator("[data-slot=item-status]").inner_text() == "rejected"
    trail.locator("li[data-kind=edited] summary").click()
    assert "I will call you on Monday" in trail.inner_text()
    shoot(page, "item")

    page.goto("/queue?status=rejected")
    page.locator(f"tr[data-id='{angry_id}']").wait_for()
    page.goto("/queue?status=")
    page.locator(f"tr[data-id='{calm_id}']").wait_for()
    assert page.locator("tbody tr").count() >= 3  # pending, approved and rejected items
    shoot(page, "queue")
    assert not traffic.third_party()
    assert not traffic.errors, traffic.errors
    assert not traffic.failed(), traffic.failed()


def test_every_control_has_a_label_and_keyboard_focus(page: Any, live: LiveServer) -> None:
    for path in ("/", "/queue", "/signin"):
        page.goto(path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea, button')]
                .filter(el => el.type !== 'hidden')
                .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                    && !el.getAttribute('aria-labelledby') && !el.textContent.trim())
                .map(el => el.outerHTML)"""
        )
        assert not unlabelled, (path, unlabelled)
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "A"


def test_an_override_needs_a_reason(page: Any, live: LiveServer) -> None:
    traffic = Traffic(page, live)
    with live.api() as api:
        stored = api.post(
            "/v1/messages",
            json={"body": ANGRY_BODY, "sender": "Dana Lee <dana@example.com>", "subject": "Now"},
        )
    assert stored.status_code == 201, stored.text
    review = stored.json()
    assert any(b["code"] == "too_early" for b in review["approval_blockers"])

    page.goto(f"/queue/{review['id']}")
    page.locator("#item-body").wait_for(state="visible")
    approve = page.get_by_role("button", name="Approve")
    assert re.fullmatch(r"\d\d:\d\d left", page.get_by_role("timer").inner_text())
    assert approve.is_disabled()
    page.get_by_text("Approve anyway (the pause is not over)").click()
    reason = page.get_by_label("Reason for the override")
    reason.fill("   ")
    assert approve.is_disabled()
    reason.fill("The client is on the phone with us and asked for it in writing now.")
    assert approve.is_enabled()
    with page.expect_response(is_response(r"/v1/reviews/\d+/approve$")) as approved:
        approve.click()
    sent = approved.value.request.post_data_json
    assert sent["override"] is True and "on the phone" in sent["reason"]
    assert approved.value.json()["status"] == "approved"
    trail = page.locator("[data-slot=trail]")
    trail.locator("li[data-kind=approved]").wait_for()
    assert "on the phone" in trail.locator("li[data-kind=override]").inner_text()
    assert not traffic.errors, traffic.errors
    assert not traffic.failed(), traffic.failed()


def test_alternatives_are_one_click_away(page: Any, live: LiveServer) -> None:
    body = (
        "Hi Sam,\n\nThe invoice for order #4821 charged me twice. Could you refund the "
        "second charge by Friday?\n\nThanks,\nAnn"
    )
    review = read_message(page, body, subject="Invoice")
    assert len(review["alternatives"]) >= 1
    editor = page.locator("#reply-body")
    versions = page.locator("[data-slot=versions] button")
    assert versions.count() == 1 + len(review["alternatives"])
    for i, alternative in enumerate(review["alternatives"], start=1):
        versions.nth(i).click()
        assert editor.input_value() == alternative["body"]
        assert alternative["strategy"] in versions.nth(i).inner_text().lower()
    versions.nth(0).click()
    assert editor.input_value() == review["reply"]["body"]
