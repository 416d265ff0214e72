"""The calm guard: each rule catches a crafted bad reply and passes a good one."""

import pytest

from app.pipeline.check import check_reply
from app.pipeline.profile import CompanyProfile

GOOD = (
    "Hi Dana,\n\nThank you for your message about order 48213. The duplicate charge of £49 "
    "will be credited back to your card by Thursday 26 November, and you will receive a "
    "corrected statement the same day. I have also checked the rest of your account and "
    "found no other errors. If anything else looks wrong, reply to this email and I will "
    "look at it within one working day.\n\nBest regards,\nAlex Morgan\nNorthwind Studio"
)


def _failed(text, **kwargs):
    checks = check_reply(text, **kwargs)
    return {c.rule: c for c in checks if not c.passed}


def test_a_good_reply_passes_every_rule():
    checks = check_reply(GOOD, client_text="you useless idiots", reader=lambda t: ("calm", 0.02))
    assert [c.rule for c in checks if not c.passed] == []
    assert {c.rule for c in checks} == {
        "no_apology",
        "no_blame",
        "no_exclamation",
        "no_shouting",
        "no_insult_echo",
        "profile_promises",
        "next_step",
        "length",
        "calm_reading",
    }


@pytest.mark.parametrize(
    ("rule", "bad", "word"),
    [
        ("no_apology", "We are so sorry about the delay.", "sorry"),
        ("no_apology", "Unfortunately we were really busy last week.", "Unfortunately"),
        ("no_blame", "As I said in my last email, the files are ready.", "As I said"),
        ("no_blame", "Per my last email, you should have checked the draft.", "Per my last email"),
        ("no_blame", "Please calm down and read the terms.", "calm down"),
        ("no_exclamation", "The files are ready!", "!"),
        ("no_shouting", "The files are READY for you.", "READY"),
        ("no_insult_echo", "We are not clowns.", "clowns"),
    ],
)
def test_each_rule_catches_its_bad_reply_with_the_span(rule, bad, word):
    text = GOOD.replace("Thank you for your message about order 48213.", bad)
    failed = _failed(text, client_text="you clowns")
    assert rule in failed, failed
    check = failed[rule]
    assert text[check.start : check.end] == word
    assert check.detail


def test_acronyms_and_ids_are_not_shouting():
    text = GOOD.replace("order 48213", "order INV-2024 and the PDF, VAT and SEO report")
    assert "no_shouting" not in _failed(text)
    for code in ("INV-MM-1187", "INV 2026/0882"):
        assert "no_shouting" not in _failed(GOOD.replace("order 48213", code)), code
    assert "no_shouting" in _failed(GOOD.replace("order 48213", "order 48213 NOW"))
    assert "no_shouting" not in _failed(GOOD.replace("order 48213", "the VW with plate XPL"))


def test_client_insults_are_not_echoed():
    text = GOOD.replace("found no other errors", "found no muppets")
    assert "no_insult_echo" in _failed(text, client_text="you lot are muppets")


def test_promises_beyond_the_profile():
    no_refunds = CompanyProfile(refund_policy="none")
    refund = GOOD.replace("will be credited back", "we will refund you")
    assert "profile_promises" in _failed(refund, profile=no_refunds)
    assert "profile_promises" not in _failed(refund, profile=CompanyProfile())
    weekend = GOOD.replace("within one working day", "this weekend")
    assert "profile_promises" in _failed(weekend)
    assert "profile_promises" not in _failed(
        weekend, profile=CompanyProfile(working_days=["Sat", "Sun"])
    )
    unlimited = GOOD.replace("no other errors", "that unlimited revisions are included")
    assert "profile_promises" in _failed(unlimited)


def test_next_step_and_length():
    vague = "Hi Dana, thanks for your message. We will look into it. Best, Alex"
    failed = _failed(vague)
    assert "next_step" in failed and "length" in failed
    long = GOOD + " More words." * 100
    assert "length" in _failed(long)


def test_calm_reading_uses_the_classifier():
    assert "calm_reading" in _failed(GOOD, reader=lambda t: ("angry", 0.7))
    assert "calm_reading" in _failed(GOOD, reader=lambda t: ("calm", 0.3))
    assert "calm_reading" not in _failed(GOOD, reader=lambda t: ("calm", 0.1))
