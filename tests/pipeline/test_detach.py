"""Detach: neutral requests, facts and threats; insults and venting left out."""

import pytest

from app.pipeline.detach import (
    can_be_noted,
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
    assert restate_fact("Yes, I changed my mind about the linen.") == (
        "You changed your mind about the linen."
    )
    assert restate_fact("Yesterday the van never came.").startswith("Yesterday")
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
        ("Our wedding photos?!", None),
        ("(no subject)", None),
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
        == "You asked for the following: you want the £900 back."
    )
    assert restate_fact("What a joke this is.") == ""
    assert restate_fact("Thanks for the new edits, but they don't look like me.") == (
        "They don't look like you."
    )


def test_what_the_client_will_do_next_is_not_part_of_the_ask():
    assert restate_request("Please send the invoice, and I'll pay it today.") == (
        "You asked us to send the invoice."
    )
    assert restate_request("I need the keys back and I will not wait another week.") == (
        "You asked for the following: you need the keys back."
    )
    assert restate_request("Please confirm the date and we will book the hall.") == (
        "You asked us to confirm the date."
    )
    assert restate_request("Please check whether we are booked in for Monday.") == (
        "You asked us to check whether you are booked in for Monday."
    )


def test_blame_for_what_should_have_happened_is_not_an_ask():
    assert restate_request("And yes, I know I picked it, but you should have stopped me.") == ""
    assert restate_request("You should've told me in March.") == ""
    assert restate_request("You should send the revised quote today.") == (
        "You asked for the following: we should send the revised quote today."
    )
    assert restate_request("You need to have it ready by Friday.") == (
        "You asked for the following: we need to have it ready by Friday."
    )


def test_a_greeting_on_the_first_line_of_a_fact_is_left_out():
    assert restate_fact("Hi Jo, we'd rather have the ceremony outside.") == (
        "You'd rather have the ceremony outside."
    )
    assert restate_fact("Dear Sir or Madam, our flight was cancelled.") == (
        "Your flight was cancelled."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "You're trying to take £660 from me for nothing.",
        "Every round you fix one thing and break another.",
        "No, no, no.",
        "Not Monday, tonight.",
        "I had to take the morning off work on Monday to let you in.",
        "I'll send it over.",
        "Looking forward to seeing it by the 30th.",
        "I'm sure the clause is in the proposal somewhere, but I don't remember agreeing to it.",
        "Send all the reminders you like.",
        "Do it properly or don't bother.",
    ],
)
def test_a_statement_that_asks_for_nothing_is_not_restated_as_a_request(sentence):
    assert restate_request(sentence) == ""


@pytest.mark.parametrize(
    ("sentence", "restated"),
    [
        ("I'd really like it sorted before 8am.", "you'd really like it sorted before 8am"),
        ("I need this fixed tonight.", "you need this fixed tonight"),
        (
            "The deposit must be returned within 10 days.",
            "the deposit must be returned within 10 days",
        ),
        ("They'd now like to stay on the old system.", "they'd now like to stay on the old system"),
        ("Full refund, today.", "full refund, today"),
        ("I'll need to cancel my desk from 1 June.", "you'll need to cancel your desk from 1 June"),
    ],
)
def test_what_the_client_wants_is_restated_however_it_is_said(sentence, restated):
    assert restate_request(sentence) == f"You asked for the following: {restated}."


def test_an_order_is_restated_but_a_reference_is_no_order():
    assert restate_request("Take the £620 off the invoice.") == (
        "You asked us to take the £620 off the invoice."
    )
    assert restate_request("Order BD-77213.") == ""
    assert (
        restate_request(
            "Correct the invoice by Friday or I'm taking this to your managing director."
        )
        == "You asked us to correct the invoice by Friday."
    )
    assert restate_request("Amend the quote to the agreed 12%.") == (
        "You asked us to amend the quote to the agreed 12%."
    )
    assert restate_request("Correct me if I'm wrong, but the deposit was 20%.") == ""
    assert restate_request("Are you kidding me?") == ""
    assert restate_request("£75 for a bath and a nail clip??") == ""
    assert restate_request("Someone ring me on 07723 418905 TODAY about unit C14.") == (
        "You asked us to ring you on 07723 418905 today about unit C14."
    )
    assert (
        restate_request(
            "You'll get it then, and in the meantime could you please crack on with the VAT return?"
        )
        == "You asked us to crack on with the VAT return."
    )
    assert restate_request('"Elevate your everyday"?') == ""
    assert restate_request("Do let me know when someone is free to come round.") == (
        "You asked us to let you know when someone is free to come round."
    )
    assert restate_request("Do you have the files?") == "You asked: do we have the files?"


def test_the_ask_is_found_after_a_lead_in_and_rhetoric_is_left_out():
    assert (
        restate_request(
            "Per my last email (and the one before that), could you please confirm whether "
            "you'll be submitting my P11Ds before the deadline?"
        )
        == "You asked us to confirm whether we'll be submitting your P11Ds before the deadline."
    )
    assert restate_request("Could someone have a look this afternoon, please?") == (
        "You asked us to have a look this afternoon."
    )
    assert restate_request("Would you mind sending the files?") == (
        "You asked: would we mind sending the files?"
    )
    assert restate_request("Would you have space for A-level maths from September?") == (
        "You asked: would we have space for A-level maths from September?"
    )
    assert restate_request("Could someone who has actually read it reopen it?") == ""
    assert restate_request("Or shall I open ticket number five?") == ""
    assert restate_request("Or maybe blue in both?") == "You asked: or maybe blue in both?"
    assert restate_request("Let's call it all part of the original scope, shall we?") == ""
    assert restate_request("Let's set up a call on Monday with my partner.") == (
        "You suggested that we set up a call on Monday with your partner."
    )
    assert restate_request("Shall we go for version nine next week?") == (
        "You suggested that we go for version nine next week."
    )


def test_only_a_statement_in_plain_words_opens_the_reply():
    for fragment in (
        "With the font from v3 and the old leaf icon.",
        "Got the four blog posts on Monday.",
        "Let you list where you are.",
        "£320 for cleaning when you had the flat cleaned yourself.",
        "Three weeks of silence and no reply to four emails.",
        "You're sure the charge is in some small print you were never shown.",
        "The invoice is apparently correct.",
        "You've received the list and you're stunned.",
        "We've filed your VAT return for the wrong quarter.",
        "At the meeting on 8 January we gave a firm undertaking to submit it by 20 February.",
        "You know it's nearly 11pm on a Saturday.",
        "You realise the venue is not your responsibility.",
        "The curtains look wrong because we let you pick a fabric that looked like a screen.",
        "Picked the Cannondale up on Saturday and the chain came off.",
        "Tested it six times since Friday.",
        "Her teacher mentioned it at parents' evening, so thank us.",
        "Picked Biscuit up from a week's boarding and she's lost weight.",
        "Redo the grade the way he showed us.",
        "Fourth time our have been out and the silicone looks like a child did it.",
        "Why has £89 come out twice this month for unit B07.",
        "Whether your band can load in at 3pm rather than 5pm.",
    ):
        assert not can_be_noted(fragment), fragment
    for statement in (
        "The spring campaign was supposed to go live on 1 March.",
        "Based on the quote, the balance is £200.",
        "Quote says £500 for the job.",
        "When the van arrived, it was late.",
        "Pages take 6 or 7 seconds to load on your phone.",
        "Your wedding was on 16 May.",
    ):
        assert can_be_noted(statement), statement


def test_complaints_need_a_reply_even_when_no_sentence_can_be_restated():
    text = "Oh wonderful, ticket solved. Marvellous work as always."
    a = analysis(text, tone="sarcastic", complaints=("quality",), roles={"": "emotion"})
    assert detach(message(text), a).needs_reply is True


def test_the_ask_before_a_threatened_consequence_is_a_request_too():
    text = (
        "I want the full gallery by Friday, or I'm posting about this on every wedding "
        "group in Kent. FIX IT TODAY or we are moving to another provider."
    )
    d = _detached(text, **{"gallery": "threat", "FIX": "threat"})
    assert [r.text for r in d.requests] == [
        "You asked for the following: you want the full gallery by Friday.",
        "You asked us to fix it today.",
    ]
    assert len(d.threats) == 2
    threat_only = "I'm calling my lawyer tomorrow."
    assert _detached(threat_only, **{"lawyer": "threat"}).requests == []
    and_then = "I want every penny of the £900 back, and I'm telling the whole street."
    d = _detached(and_then, **{"penny": "threat"})
    assert [r.text for r in d.requests] == [
        "You asked for the following: you want every penny of the £900 back."
    ]
    assert len(d.threats) == 1


def test_a_request_that_heads_a_list_gives_way_to_its_items():
    text = "Please clarify the following:\n- whether the balance is credited.\nThanks, Jo"
    d = _detached(text, **{"clarify": "request", "balance": "fact"})
    assert [r.text for r in d.requests] == ["You asked whether the balance is credited."]


def test_the_items_of_a_list_asked_for_are_requests_whatever_their_role():
    text = (
        "Could someone please:\n- tell me what's holding it up,\n"
        "- give me a real collection date,\n- whether you'll cover the hire car.\n"
        "I just need my car for work."
    )
    d = _detached(
        text,
        **{
            "someone": "request",
            "tell": "emotion",
            "give": "threat",
            "hire": "fact",
            "work": "emotion",
        },
    )
    assert [r.text for r in d.requests] == [
        "You asked us to tell you what's holding it up.",
        "You asked us to give you a real collection date.",
        "You asked whether we'll cover the hire car.",
    ]


@pytest.mark.parametrize(
    ("sentence", "restated"),
    [
        ("It would be great if you could pencil her in for June.", "pencil her in for June"),
        ("I'd appreciate it if you could refund me by Friday.", "refund you by Friday"),
        ("I was hoping you could refund part of the £65?", "refund part of the £65"),
        ("While you're at it, I'd love it if you could review my deck.", "review your deck"),
        ("I should be most grateful if you would clarify the points.", "clarify the points"),
        ("Can you actually look at it pls", "actually look at it"),
    ],
)
def test_an_indirect_ask_is_restated_as_what_it_asks(sentence, restated):
    assert restate_request(sentence) == f"You asked us to {restated}."


def test_a_condition_is_no_question_and_a_bare_lead_in_no_request():
    assert restate_request("Should these not be forthcoming, I shall lodge a complaint.") == ""
    assert restate_request("Could someone please:") == ""
    assert restate_request("One more thing: is there any way to get it before the 22nd?") == (
        "You asked: is there any way to get it before the 22nd?"
    )
    assert restate_request("Any chance of a credit for the month?") == (
        "You asked for a credit for the month."
    )
    assert (
        restate_request(
            "Any chance someone could reset the access point, or is that a premium add-on now?"
        )
        == "You asked us to reset the access point."
    )


def test_a_threat_needs_a_reply_even_when_no_sentence_is_read_as_one():
    text = "Well. We'll see what my solicitor makes of this."
    a = analysis(text, tone="angry", threats=("legal",), roles={"": "emotion"})
    d = detach(message(text), a)
    assert d.threats == [] and d.needs_reply is True


@pytest.mark.parametrize(
    "sentence",
    [
        "I don't want to make a big thing of it, as your team has been reliable for years.",
        "I don't remember anyone asking whether we'd like to pay extra, but I'm sure it was "
        "an oversight.",
    ],
)
def test_a_wish_inside_a_denial_asks_for_nothing(sentence):
    assert restate_request(sentence) == ""


def test_a_wish_after_a_denial_is_still_asked():
    assert restate_request("I don't want excuses, I want the files by Friday.") == (
        "You asked for the following: you don't want excuses, you want the files by Friday."
    )


def test_the_ask_before_a_refusal_is_restated_with_the_threat():
    text = "Refund the £530 and collect it from our office, I'm not paying to ship it back."
    d = detach(
        message(text), analysis(text, tone="angry", threats=("payment",), roles={"": "threat"})
    )
    assert [r.text for r in d.requests] == [
        "You asked us to refund the £530 and collect it from your office."
    ]
    assert d.threats[0].text.startswith("You said: refund the £530")


@pytest.mark.parametrize(
    ("said", "needs_reply"),
    [
        ("I'll be away from the 2nd to the 13th. No need to reply.", False),
        ("Invoices go to Accounts Payable from June. No reply is required.", False),
        ("The invoice is wrong and I'm calling my solicitor. No need to reply.", True),
    ],
)
def test_a_sender_who_expects_no_answer_gets_none_unless_they_threaten(said, needs_reply):
    threats = ("legal",) if "solicitor" in said else ()
    roles = {"away": "fact", "Invoices": "request", "solicitor": "threat"}
    d = detach(message(said), analysis(said, threats=threats, roles=roles))
    assert d.needs_reply is needs_reply


def test_a_lead_in_to_a_list_is_no_fact_and_a_question_is_asked():
    text = (
        "To be clear about where we are:\n1. The site was down for 60 hours.\n"
        "What is the extra £100? The deposit for the band - did that go through?? "
        "I thought you did this in January?"
    )
    roles = {"clear": "fact", "site": "fact", "extra": "fact", "deposit": "fact", "thought": "fact"}
    d = detach(message(text), analysis(text, roles=roles))
    assert [f.text for f in d.facts] == [
        "The site was down for 60 hours.",
        "You thought we did this in January.",
    ]
    assert [r.text for r in d.requests] == [
        "You asked: what is the extra £100?",
        "You asked: the deposit for the band - did that go through?",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Then I told the lad on the desk, who just shrugged at me like a complete muppet.",
        "Your mechanic Gary couldn't find his arse with both hands.",
        "Every time some idiot reads me a script about turning the router off and on.",
    ],
)
def test_a_fact_built_on_an_insult_is_not_restated(sentence):
    assert restate_fact(sentence) == ""


def test_an_ask_built_on_starred_out_profanity_is_not_restated():
    assert restate_request("Fix your sh*t.") == ""
    assert restate_request("Fix the f***ing reset link.") == "You asked us to fix the reset link."


def test_a_fact_with_a_swear_word_before_a_noun_keeps_the_fact():
    assert restate_fact("I brought my Astra in for a bloody brake pad change.") == (
        "You brought your Astra in for a brake pad change."
    )


@pytest.mark.parametrize(
    ("sentence", "restated"),
    [
        (
            "- give me a firm delivery date within the next two weeks, or",
            "You asked us to give you a firm delivery date within the next two weeks.",
        ),
        (
            "If anything is missing, please tell me this week rather than next.",
            "You asked us to tell you this week rather than next if anything is missing.",
        ),
        (
            "Do NOT send me another automated email.",
            "You asked us not to send you another automated email.",
        ),
        ("Could you narrow that down at all?", "You asked us to narrow that down."),
        (
            "Could someone come out, please, rather than trying remotely again?",
            "You asked us to come out rather than trying remotely.",
        ),
        ('Don\'t give me any crap about "it was needed".', ""),
    ],
)
def test_list_conjunctions_conditions_and_prohibitions_are_restated_plainly(sentence, restated):
    assert restate_request(sentence) == restated


def test_whom_the_message_is_addressed_to_is_not_restated():
    text = "To whoever is in charge,\nYour crew arrived at 11:40. I'm calling my solicitor."
    d = detach(
        message(text),
        analysis(
            text,
            threats=("legal",),
            roles={"whoever": "threat", "crew": "fact", "solicitor": "threat"},
        ),
    )
    assert [t.text for t in d.threats] == ["You said: you're calling your solicitor."]


@pytest.mark.parametrize(
    ("sentence", "restated"),
    [
        (
            "One small thing when you have a moment: would it be possible to get IMG_0412 in "
            "black and white?",
            "You asked: would it be possible to get IMG_0412 in black and white?",
        ),
        ("Let me know!!", ""),
        ("I completely understand if you need to add a late fee.", ""),
        ("I think we both want to get this right, don't we?", ""),
        (
            "need them by tomorrow morning as we want to schedule them",
            "You asked for the following: you need them by tomorrow morning as you want to "
            "schedule them.",
        ),
    ],
)
def test_lead_ins_empty_asks_concessions_and_appeals(sentence, restated):
    assert restate_request(sentence) == restated


def test_a_list_after_a_question_and_lettered_items_after_a_threat_are_asked_for():
    text = (
        "Would you mind adding a few small bits? Nothing major:\n- a blog section\n"
        "- a booking calendar that syncs with Outlook\n"
        "I therefore request that you either:\n(a) refund the £750 deposit within 7 days; or\n"
        "(b) provide itemised invoices for each deduction.\nI will then issue a claim."
    )
    roles = {
        "mind": "request", "Nothing": "other", "blog": "fact", "booking": "fact",
        "therefore": "threat", "refund": "fact", "provide": "fact", "claim": "threat",
    }  # fmt: skip
    d = detach(message(text), analysis(text, threats=("legal",), roles=roles))
    assert d.facts == []
    assert [r.text for r in d.requests][1:] == [
        "You asked for the following: a blog section.",
        "You asked for the following: a booking calendar that syncs with Outlook.",
        "You asked us to refund the £750 deposit within 7 days.",
        "You asked us to provide itemised invoices for each deduction.",
    ]
    assert [t.text for t in d.threats] == ["You said: you will then issue a claim."]


@pytest.mark.parametrize(
    "sentence",
    [
        "Re: Booking reference VH-2024-0613, The Orangery, Saturday 15 June.",
        "The £45 from March as well, which was the exact same bullshit.",
    ],
)
def test_a_heading_and_what_an_insult_held_up_are_no_facts(sentence):
    d = detach(message(sentence), analysis(sentence, roles={"": "fact"}))
    assert d.facts == []


@pytest.mark.parametrize(
    "fact",
    [
        "Right up until your customers washed them.",
        "You are writing to complain about our continued failure to return your deposit.",
        "You were surprised to see a charge of £35.",
    ],
)
def test_fragments_concessions_of_fault_and_feelings_are_not_noted(fact):
    assert not can_be_noted(fact)


@pytest.mark.parametrize(
    ("sentence", "restated"),
    [
        (
            "I wondered if you might be able to help with a few little extras?",
            "You asked us to help with a few little extras.",
        ),
        ("I was wondering if the price includes VAT?", "You asked whether the price includes VAT."),
        (
            "I just wondered whether my order has shipped.",
            "You asked whether your order has shipped.",
        ),
    ],
)
def test_wondering_is_asking(sentence, restated):
    assert restate_request(sentence) == restated


@pytest.mark.parametrize(
    ("sentence", "restated"),
    [
        (
            "What I need is simple: please either send a pair in size 9 or refund the £139.",
            "You asked us to either send a pair in size 9 or refund the £139.",
        ),
        (
            "One more question from me: if it rains, do we just rebook or is there a fee?",
            "You asked: do you rebook or is there a fee if it rains?",
        ),
        (
            "While I've got you, can I ask why your website still shows them in stock?",
            "You asked why our website shows them in stock.",
        ),
        (
            "Could you start on the 4th March instead of the 26th Feb though?",
            "You asked us to start on the 4th March instead of the 26th Feb.",
        ),
    ],
)
def test_the_ask_after_a_colon_a_question_about_asking_and_a_closing_though(sentence, restated):
    assert restate_request(sentence) == restated


def test_a_polite_notice_is_a_fact_and_a_polite_order_read_as_fact_is_asked():
    text = (
        "Kindly note that the same amount has already been paid by us on 28th February. "
        "Pls confirm the last payment date."
    )
    d = detach(message(text), analysis(text, roles={"Kindly": "request", "Pls": "fact"}))
    assert [f.text for f in d.facts] == ["The same amount has been paid by you on 28th February."]
    assert [r.text for r in d.requests] == ["You asked us to confirm the last payment date."]


@pytest.mark.parametrize(
    "sentence",
    [
        "Take your time, obviously.",
        "Keep up the good work.",
        "You don't think asking for them to be right counts as round four, do you?",
    ],
)
def test_sarcasm_in_the_shape_of_an_order_or_a_question_asks_nothing(sentence):
    assert restate_request(sentence) == ""


def test_a_listed_statement_of_what_happened_is_a_fact_not_an_ask():
    text = (
        "I've got two quick questions:\n1. We bought a new oven in February for £8,400.\n"
        "Should that go through as a capital purchase?"
    )
    roles = {"questions": "request", "oven": "fact", "capital": "request"}
    d = detach(message(text), analysis(text, roles=roles))
    assert [f.text for f in d.facts] == ["You bought a new oven in February for £8,400."]
    assert [r.text for r in d.requests] == [
        "You asked: should that go through as a capital purchase?"
    ]


@pytest.mark.parametrize(
    ("sentence", "restated"),
    [
        (
            "Wake up your idiot developer and get him fixing it NOW.",
            "You asked us to wake up our developer and get him fixing it now.",
        ),
        (
            "I need a realistic completion date, and a plan for the next two weeks: who's coming "
            "and when.",
            "You asked for the following: you need a realistic completion date, and a plan for the "
            "next two weeks: who's coming and when.",
        ),
        (
            "We'll still need the two desks by the window.",
            "You asked for the following: you'll need the two desks by the window.",
        ),
        (
            "Can I pay the balance in two parts?",
            "You asked whether you can pay the balance in two parts.",
        ),
        (
            "Could I please get an itemised breakdown of invoice 5230?",
            "You asked for an itemised breakdown of invoice 5230.",
        ),
        (
            "Don't ring me back with questions, just do it.",
            "You asked us not to ring you back with questions.",
        ),
        (
            "- If the agent deducts, you pay the £180, as your guarantee says.",
            "You asked that, if the agent deducts, we pay the £180, as our guarantee says.",
        ),
    ],
)
def test_an_insult_before_a_noun_a_colon_in_a_wish_and_what_the_client_may_do(sentence, restated):
    assert restate_request(sentence) == restated


@pytest.mark.parametrize(
    ("item", "asked"),
    [
        ("- my signed copy of the contract", True),
        ("1. My husband has been doing deliveries for us since January.", False),
        ("2. We bought a new oven in February.", False),
    ],
)
def test_a_list_item_naming_a_thing_is_asked_for_and_one_telling_a_story_is_not(item, asked):
    assert bool(restate_request(item)) is asked


def test_no_rush_before_an_ask_is_no_sarcasm():
    assert restate_request("No rush, but could you send the file by Friday?") == (
        "You asked us to send the file by Friday."
    )
