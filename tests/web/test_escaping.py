"""Client text is shown as text everywhere: in the analysis, the queue and an item."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.helpers import Traffic, new_page, read_message

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture()
def page(browser: Any, live: LiveServer) -> Any:
    with new_page(browser, live) as tab:
        yield tab


def test_script_in_a_message_shows_as_text(page: Any, live: LiveServer) -> None:
    traffic = Traffic(page, live)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    script = "<script>window.__pwned = 1; alert('x')</script>"
    image = '<img src=x onerror="window.__pwned = 2">'
    hostile = f"You idiots {script} broke my site again!!! Fix it by Friday or I want a refund."
    review = read_message(page, hostile, sender=f"Mallory {image} <m@example.com>", subject=image)
    assert script in review["analysis"]["message"]["new_text"]
    assert script in page.locator(".original").inner_text()
    assert page.locator("#reply-subject").input_value() == review["reply"]["subject"]
    assert page.locator("#results script, #results img:not(.icon)").count() == 0

    # the queue and the item page show the same text as text
    page.goto(f"/queue/{review['id']}")
    page.locator("#item-body").wait_for(state="visible")
    assert page.locator("#item-subject").inner_text() == image
    assert script in page.locator(".original").inner_text()
    page.goto("/queue")
    row = page.locator(f"tr[data-id='{review['id']}']")
    assert image in row.inner_text()
    assert page.locator("main img, main script:not([src^='/static/'])").count() == 0

    assert page.evaluate("window.__pwned") is None
    assert not dialogs
    assert not traffic.third_party()
    assert not traffic.errors, traffic.errors
    assert not traffic.failed(), traffic.failed()
