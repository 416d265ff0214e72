"""Detach: neutral requests, facts and threats; insults and venting left out."""

import pytest

from app.pipeline.detach import (
    detach,
    neutral,
    restate_fact,
    restate_request,
    restate_threat,
    restate_topic,
)

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


def test_a_threatened_consequence_is_not_restated_as_part_of_the_request():
    assert restate_request("I want a full refund today or I'm calling my lawyer.") == (
        "You asked for the following: you want a full refund today."
    )
    assert restate_request("Refund it today or I go to my lawyer.") == (
        "You asked us to refund it today."
    )
    assert "blue" in restate_request("Choose red or I think blue is fine")


def test_apostrophes_dropped_in_a_rant_are_restored_before_the_swap():
    assert restate_threat("i paid half and im not paying the rest till its fixed") == (
        "You said: you paid half and you're not paying the rest till it's fixed."
    )
    assert restate_fact("I dont understand why its taking this long") == (
        "You don't understand why it's taking this long."
    )
    assert restate_fact("Its colour is wrong and its the third time.") == (
        "Its colour is wrong and it's the third time."
    )


def test_spoken_openers_are_left_out_but_not_the_words_they_resemble():
    assert restate_fact("right so its been 3 weeks since the quote") == (
        "It's been 3 weeks since the quote."
    )
    assert restate_fact("Look, I cant keep chasing you for this") == (
        "You can't keep chasing us for this."
    )
    assert restate_fact("Right now the site is down.") == "Right now the site is down."
    assert restate_fact("Look at the homepage, it is broken.").startswith("Look at the homepage")
    assert restate_fact("So much for the guarantee.") == "So much for the guarantee."
    assert restate_fact("Well done on missing the deadline.").startswith("Well done")


@pytest.mark.parametrize(
    ("subject", "topic"),
    [
        ("Re: URGENT!!! my order", "your order"),
        ("FW: RE: Your invoice", "our invoice"),
        ("FW: RE: Your useless website", None),
        ("Question re: the Q3 report", "the Q3 report"),
        ("Re: Re: logo revisions 😡", '"logo revisions"'),
        ("Invoice 2231", '"Invoice 2231"'),
        ("WHERE IS MY REFUND??", None),
        ("Where is my refund", None),
        ("This is unacceptable", None),
        ("Fwd: Complaint", None),
        ("Thanks!!", None),
        ("absolute joke", None),
        ('Our "perfect day"', None),
        ("Overdue invoice INV-2026-118", '"Overdue invoice INV-2026-118"'),
        ("Re:", None),
        ("", None),
        (None, None),
    ],
)
def test_a_subject_is_named_calmly_or_not_at_all(subject, topic):
    assert restate_topic(subject) == topic


def test_a_stripped_and_does_not_turn_a_statement_into_an_order():
    assert restate_request("And Dan thinks you should try one in navy.") == (
        "You asked for the following: Dan thinks we should try one in navy."
    )
    assert restate_request("Now send the files.") == "You asked us to send the files."
    assert restate_request("The invoice please.") == ""
    assert restate_request("Thanks for the quote for the 250 menus.") == ""
    assert restate_request("Thanks, could you send the files?") == "You asked us to send the files."
    assert restate_request("Oh and maybe a members' area?") == "You asked: maybe a members' area?"


def test_would_you_be_able_to_is_an_ask_and_a_concession_is_not_restated():
    assert restate_request("Would you be able to come round and give me a quote?") == (
        "You asked us to come round and give you a quote."
    )
    assert (
        restate_request(
            "I appreciate the delay wasn't your fault, but I'd like a written schedule."
        )
        == "You asked for the following: you'd like a written schedule."
    )


def test_list_markers_and_a_bare_heading_are_not_requests():
    assert restate_request("I want:") == ""
    assert restate_request("1. Timeline.") == ""
    assert restate_request("2. The SLA credit and a refund of this month's fee.") == (
        "You asked for the following: the SLA credit and a refund of this month's fee."
    )


def test_preambles_vocatives_and_conjunctions_open_no_fact():
    assert restate_fact("Mate your lad was round on thursday.") == "Our lad was round on thursday."
    assert restate_fact("And the band left at 10:15.") == "The band left at 10:15."
    assert restate_fact("Wanted to let you know personally that I've moved it in-house.") == (
        "You've moved it in-house."
    )
    assert restate_fact("Wanted to say a huge thank you for the files.") == ""
    assert restate_fact("Thanks for the lesson yesterday, I learned a lot.") == ""
    assert restate_fact("A heads-up that I'm off from 4 to 15 August.") == (
        "You're off from 4 to 15 August."
    )


def test_an_exclamation_built_on_an_insult_goes_as_a_whole():
    assert (
        restate_request(
            "I want the £900 back, and I'm telling the street what a pack of idiots you are."
        )
        == "You asked for the following: you want the £900 back, and you're telling the street."
    )
    assert restate_fact("What a joke this is.") == ""
    assert restate_fact("Thanks for the new edits, but they don't look like me.") == (
        "They don't look like you."
    )


def test_a_greeting_on_the_first_line_of_a_fact_is_left_out():
    assert restate_fact("Hi Jo, we'd rather have the ceremony outside.") == (
        "You'd rather have the ceremony outside."
    )
    assert restate_fact("Dear Sir or Madam, our flight was cancelled.") == (
        "Your flight was cancelled."
    )
