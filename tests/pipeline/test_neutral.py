"""Neutral words: calmed, apostrophes restored, persons swapped, first word lowered."""

import pytest

from app.pipeline.neutral import lower_first, neutral, swap_person


def test_the_clients_you_becomes_us_as_an_object_and_we_as_a_subject():
    assert swap_person("On Monday I told you we're going back") == (
        "On Monday you told us you're going back"
    )
    assert swap_person("I paid you 500 last week") == "You paid us 500 last week"
    assert swap_person("I told you we are done") == "You told us you are done"
    assert swap_person("I trust you.") == "You trust us."
    assert swap_person("Can you send me the files") == "Can we send you the files"
    assert swap_person("because we were giving you exclusivity") == (
        "because you were giving us exclusivity"
    )
    assert swap_person("You charged me twice.") == "We charged you twice."
    assert swap_person("The invoice you sent was wrong.") == "The invoice we sent was wrong."


def test_you_after_an_ing_word_is_an_object_only_before_what_ends_one():
    assert swap_person("I keep chasing you for this") == "You keep chasing us for this"
    assert swap_person("Nothing you said helped") == "Nothing we said helped"
    assert swap_person("I was thinking you could call") == "You were thinking we could call"
    assert swap_person("Stop emailing me, I'm paying you today.") == (
        "Stop emailing you, you're paying us today."
    )


def test_you_before_an_object_becomes_us_unless_a_question_needs_we():
    assert swap_person("I've left you a review") == "You've left us a review"
    assert swap_person("I'm sending you the bill") == "You're sending us the bill"
    assert swap_person("I found you through a friend") == "You found us through a friend"
    assert swap_person("Are you a real company") == "Are we a real company"
    assert swap_person("I thank you for the files") == "You thank us for the files"


def test_shouted_pronouns_and_ordinals_are_calmed_but_codes_kept():
    assert neutral("IT has packed in AGAIN since the 20TH") == "it has packed in since the 20th"
    assert neutral("Invoice INV-2026-118 is wrong") == "Invoice INV-2026-118 is wrong"
    assert neutral("The IT team is fine") == "The IT team is fine"


def test_a_capitalised_first_word_is_lowered_unless_it_reads_as_a_name():
    for common in [
        "Happy to pay now",
        "It's late",
        "Take it off the bill",
        "Artwork is ready",
        "Things are tight",
        "Everyone's gone",
        "Quick question",
        "A note to say",
    ]:
        assert lower_first(common) == common[0].lower() + common[1:], common
    for kept in [
        "Dan thinks so",
        "Mia has had twelve sessions",
        "Olivia's coursework",
        "Monday works",
        "Thursday or Friday?",
        "VAT is due",
        "I think",
    ]:
        assert lower_first(kept) == kept, kept


def test_no_excuses_is_venting_and_is_not_quoted_back():
    assert neutral('I want the tab bar back tomorrow, no excuses about "rework".') == (
        "I want the tab bar back tomorrow."
    )
    assert neutral("Send the files today, no ifs or buts, and the invoice.") == (
        "Send the files today, and the invoice."
    )


def test_thank_you_is_kept_as_thanks_and_swapped_as_a_verb():
    assert swap_person("Wanted to say thank you for the files") == (
        "Wanted to say thank you for the files"
    )
    assert swap_person("Thank you for the lesson") == "Thank you for the lesson"
    assert swap_person("I can't thank you enough") == "You can't thank us enough"
    assert swap_person("I thank you for the files") == "You thank us for the files"


def test_a_vocative_insult_goes_with_the_nouns_it_leads():
    assert neutral("Don't quote your terms at me, you jumped-up van driver.") == (
        "Don't quote your terms at me."
    )
    assert neutral("Refund me now, you clowns, or else.") == "Refund me now or else."


def test_what_an_insult_leaves_of_its_clause_goes_with_it():
    assert neutral("I want the £600 back, because clearly it's worthless.") == (
        "I want the £600 back."
    )
    assert neutral("I know where it is.") == "I know where it is."
    assert neutral("Print them as they are.") == "Print them as they are."


def test_business_acronyms_are_not_shouting():
    assert neutral("My MD is asking about the GCSE tutor and the RCD.") == (
        "My MD is asking about the GCSE tutor and the RCD."
    )
    assert neutral("I am NOT paying.") == "I am not paying."
    assert neutral("Quote for the LED dance floor.") == "Quote for the LED dance floor."


def test_you_after_a_verb_of_wanting_is_us():
    assert swap_person("I'd like you to have another go") == "You'd like us to have another go"
    assert swap_person("I expect you to pay for it") == "You expect us to pay for it"


def test_capitals_without_a_vowel_are_an_abbreviation_not_shouting():
    assert neutral("My car (VW Golf, reg KT19 XPL) went in.") == (
        "My car (VW Golf, reg KT19 XPL) went in."
    )
    assert neutral("I am NOT paying MY money") == "I am not paying my money"
    assert neutral("FFS just fix it, OMG.") == "fix it."


def test_an_expletive_question_keeps_its_question_word():
    assert neutral("where the f*** is the van you useless lot??") == "where is the van?"
    assert neutral("What the hell did you do to my site?") == "What did you do to my site?"
    assert neutral("What a pack of idiots you are.") == ""
    assert neutral("Where the van is, I do not know.") == "Where the van is, I do not know."


@pytest.mark.parametrize(
    ("sentence", "clean"),
    [
        ("The f**king link is broken AGAIN.", "The link is broken."),
        ("Why is the a**hole manager not answering?", "Why is the manager not answering?"),
        ("sh*tty service, where is my order", "service, where is my order"),
        ("Please send the *final* files.", "Please send the final files."),
        ("The price* on Plan A* was wrong.", "The price* on Plan A* was wrong."),
    ],
)
def test_starred_out_profanity_goes_whatever_the_word(sentence, clean):
    assert neutral(sentence) == clean


def test_you_called_or_blamed_is_us_and_yourselves_is_ourselves():
    assert swap_person("my husband rang you at 9:30") == "your husband rang us at 9:30"
    assert swap_person("I've rung you four times") == "You've rung us four times"
    assert swap_person("you can explain yourselves to my bank") == (
        "we can explain ourselves to your bank"
    )


def test_scorn_for_you_and_once_again_are_left_out():
    assert neutral("the only thing proactive about you lot is invoices") == (
        "the only thing proactive about you is invoices"
    )
    assert neutral("I am writing once again about order 77.") == "I am writing about order 77."


def test_a_writer_saying_who_they_are_opens_nothing_but_a_negation_stays():
    assert neutral("hi its Jade in flat 4 again the boiler is off") == "the boiler is off"
    assert neutral("This is Kelly from accounts, the invoice is wrong.") == "the invoice is wrong."
    assert neutral("It's not my cache.") == "It's not my cache."
    assert neutral("It is Tuesday, and nothing has come.") == "It is Tuesday, and nothing has come."


def test_a_name_called_out_without_a_comma_is_left_out_but_not_a_sentence_adverb():
    assert neutral("Sarah it's 11.50pm and the return is due.") == (
        "it's 11.50pm and the return is due."
    )
    assert neutral("Dave you said tuesday morning.") == "you said tuesday morning."
    assert neutral("Shall we go for version nine?") == "Shall we go for version nine?"
    assert neutral("Sometimes I wonder.") == "Sometimes I wonder."
    assert neutral("Monday it is then.") == "Monday it is then."
    assert neutral("Hope you're well.") == "Hope you're well."
    assert neutral("See you on the 14th.") == "See you on the 14th."
    assert neutral("Overall it's looking good.") == "Overall it's looking good."


def test_connectives_and_an_insult_with_its_verb_open_nothing():
    assert neutral("However, I was charged twice.") == "I was charged twice."
    assert neutral("Having said that, my sister prefers the Grange.") == (
        "my sister prefers the Grange."
    )
    assert neutral("Frankly you're a cowboy and I'll be telling everyone.") == (
        "I'll be telling everyone."
    )
    assert neutral("I dropped it in the bath (don't ask 🙈) yesterday.") == (
        "I dropped it in the bath (don't ask) yesterday."
    )


def test_a_name_beside_the_writer_keeps_its_capital():
    assert lower_first("Dan and you talked about it last night.") == (
        "Dan and you talked about it last night."
    )
    assert lower_first("This and you together.") == "this and you together."


def test_words_typed_short_on_a_phone_are_read_as_meant():
    assert neutral("can u come back tuesday pls, ur guy left bc of the rain") == (
        "can you come back tuesday please, your guy left because of the rain"
    )
    assert neutral("Unit U3 is fine") == "Unit U3 is fine"
    assert neutral("Pls confirm the date") == "Please confirm the date"
    assert neutral("We are in Vancouver, BC") == "We are in Vancouver, BC"


def test_greetings_run_into_the_text_and_introductions_open_nothing():
    assert neutral("hi dave its karen from 14 elm road, the boiler is leaking.") == (
        "the boiler is leaking."
    )
    assert neutral("hi there im trying to cancel my membership") == (
        "I'm trying to cancel my membership"
    )
    assert (
        neutral("yes we'd like to go ahead with option B") == "we'd like to go ahead with option B"
    )
    assert neutral("We have a question, we cannot find the photos.") == "we cannot find the photos."
    assert neutral("hi, its done now, can you check") == "it's done now, can you check"


def test_an_interjected_thank_you_goes_and_a_hyphenated_code_keeps_its_capitals():
    assert neutral("we have seen the gallery, thank you, many photos are lovely") == (
        "we have seen the gallery, many photos are lovely"
    )
    assert neutral("is the reference still ROWE-FRAN for acct 7719-ACME-EU?") == (
        "is the reference ROWE-FRAN for acct 7719-ACME-EU?"
    )


def test_a_wrapped_sentence_bold_marks_and_i_e_are_read_as_written():
    assert neutral("Your engineer came out on Thursday to fix\nthe leak.") == (
        "Your engineer came out on Thursday to fix the leak."
    )
    assert neutral("This is the *third ticket* on *LG-44817*, and 2 * 3 = 6.") == (
        "This is the third ticket on LG-44817, and 2 * 3 = 6."
    )
    assert swap_person("my fee is £2,150, i.e. £2,580 with VAT") == (
        "your fee is £2,150, i.e. £2,580 with VAT"
    )
    assert swap_person("I've tried calling you twice, can you?") == (
        "You've tried calling us twice, can we?"
    )
    assert neutral("Slight problem: the exec team prefer cut 2.") == "the exec team prefer cut 2."
