"""Detach: neutral requests, facts and threats; insults and venting left out."""

from app.pipeline.detach import detach, neutral, restate_request

from .factories import analysis, message

ANGRY = (
    "You useless idiots. Invoice 2024-117 STILL isn't paid!! "
    "Send me the final files by Friday!!! I'm calling my lawyer tomorrow."
)


def _detached(text: str = ANGRY, **roles: str):
    a = analysis(text, tone="abusive", roles=roles)
    return detach(message(text), a)


def test_insults_and_shouting_are_left_out():
    d = _detached(
        **{"useless": "emotion", "Invoice": "fact", "Send": "request", "lawyer": "threat"}
    )
    everything = " ".join(i.text for i in d.requests + d.facts + d.threats)
    assert "idiot" not in everything.lower() and "useless" not in everything.lower()
    assert "!" not in everything and "STILL" not in everything


def test_ids_dates_and_amounts_are_kept_with_their_spans():
    d = _detached(
        **{"useless": "emotion", "Invoice": "fact", "Send": "request", "lawyer": "threat"}
    )
    assert d.facts[0].text == "Invoice 2024-117 isn't paid."
    assert d.requests[0].text == "You asked us to send you the final files by Friday."
    assert d.threats[0].text.startswith("You said: you're calling your lawyer")
    for item in d.requests + d.facts + d.threats:
        assert ANGRY[item.start : item.end] == item.source
    assert d.needs_reply is True


def test_pure_venting_needs_no_reply():
    text = "This is a joke. You are all clowns. Unbelievable."
    d = detach(message(text), analysis(text, tone="abusive", roles={"": "emotion"}))
    assert d.requests == [] and d.facts == [] and d.threats == []
    assert d.needs_reply is False


def test_vocative_insults_go_with_their_you():
    assert restate_request("Refund me now, you clowns,") == "You asked us to refund you now."
    assert "leech" not in restate_request("Stop emailing me, you greedy little leech.")


def test_questions_and_polite_requests():
    assert restate_request("WHERE IS THE SITE???") == "You asked: where is the site?"
    assert restate_request("Hi Alex, could you move the call to 3pm?") == (
        "You asked us to move the call to 3pm."
    )
    assert neutral("Fix it NOW!!! 😡") == "Fix it now."
