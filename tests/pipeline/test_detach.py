"""Detach: neutral requests, facts and threats; insults and venting left out."""

from app.pipeline.detach import detach, neutral, restate_request, swap_person

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


def test_the_clients_you_becomes_us_as_an_object_and_we_as_a_subject():
    assert swap_person("On Monday I told you we're going back") == (
        "On Monday you told us you're going back"
    )
    assert swap_person("I paid you 500 last week") == "You paid us 500 last week"
    assert swap_person("I told you we are done") == "You told us you are done"
    assert swap_person("I trust you.") == "You trust us."
    assert swap_person("Can you send me the files") == "Can we send you the files"


def test_a_threatened_consequence_is_not_restated_as_part_of_the_request():
    assert restate_request("I want a full refund today or I'm calling my lawyer.") == (
        "You asked for the following: you want a full refund today."
    )
    assert restate_request("Refund it today or I go to my lawyer.") == (
        "You asked us to refund it today."
    )
    assert "blue" in restate_request("Choose red or I think blue is fine")
