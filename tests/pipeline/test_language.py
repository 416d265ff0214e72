"""detect_language / is_supported: short English complaints, other languages, "und"."""

from __future__ import annotations

import pytest

from app.pipeline import language
from app.pipeline.language import SUPPORTED_LANGUAGES, detect_language, is_supported

SHORT_ENGLISH = [
    "where is my refund??",
    "fix it NOW",
    "This is unacceptable.",
    "I want my money back",
    "you never answer my emails",
    "still waiting for the invoice",
    "why is this taking so long?",
    "cancel my account today",
    "this is a joke",
    "I am done with you people",
    "stop ignoring me",
    "the site is broken again",
    "worst service ever",
    "where is the report you promised",
    "I paid two weeks ago",
    "nobody called me back",
    "answer me now",
    "do your job",
    "I'll see you in court",
    "my lawyer will contact you",
    "this is the third time I ask",
    "are you kidding me?",
    "give me a refund now",
    "when will it be fixed?",
    "you said Monday",
    "totally useless support",
    "I expect a reply today",
    "not what we agreed",
    "send the files already",
    "get it done by Friday",
    "WHERE IS MY MONEY",
    "it is broken",
    "fix the bug",
    "this again?! seriously",
    "call me asap",
    "refund pls now",
]

OTHER_LANGUAGES = [
    ("de", "Wo ist meine Rückerstattung? Ich warte seit drei Wochen."),
    ("de", "Das ist eine Frechheit, ich will mein Geld zurück."),
    ("de", "wo ist mein Geld"),
    ("fr", "Où est mon remboursement ? J'attends depuis trois semaines."),
    ("fr", "C'est inacceptable, je veux être remboursé immédiatement."),
    ("es", "¿Dónde está mi reembolso? Llevo tres semanas esperando."),
    ("es", "Esto es inaceptable, quiero mi dinero de vuelta."),
    ("ro", "Unde este rambursarea mea? Aștept de trei săptămâni."),
    ("ro", "Este inacceptabil, vreau banii înapoi."),
    ("ro", "unde sunt banii mei"),
    ("ru", "Где мой возврат денег? Я жду уже три недели."),
    ("ru", "Это недопустимо, верните мне деньги."),
    ("sv", "Var är min återbetalning? Jag har väntat i tre veckor."),
    ("sv", "Det här är oacceptabelt, jag vill ha mina pengar tillbaka."),
    ("nl", "Waar is mijn terugbetaling? Ik wacht al drie weken."),
    ("nl", "waar is mijn geld"),
    ("it", "Dove è il mio rimborso? Aspetto da tre settimane."),
    ("pt", "Onde está o meu reembolso? Estou esperando há três semanas."),
]


@pytest.mark.parametrize("text", SHORT_ENGLISH)
def test_short_english_complaints_are_english(text):
    assert detect_language(text) == "en"


def test_at_least_thirty_short_english_lines_are_checked():
    assert len(SHORT_ENGLISH) >= 30
    assert all(len(line) < 40 for line in SHORT_ENGLISH)


@pytest.mark.parametrize(("expected", "text"), OTHER_LANGUAGES)
def test_other_languages(expected, text):
    assert detect_language(text) == expected


def test_longer_english_email():
    text = (
        "Hi Sam,\n\nI have been waiting for three weeks for the refund you promised. "
        "Nobody answers my emails and the invoice is still wrong. Please fix this today.\n\n"
        "Thanks,\nDana"
    )
    assert detect_language(text) == "en"


def test_curly_apostrophes_and_very_long_text():
    assert detect_language("I’ll see you in court") == "en"
    long_german = "Ich warte seit drei Wochen auf meine Rückerstattung. " * 5000
    assert detect_language(long_german) == "de"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "ok", "hi!!", "ok thanks", "😡😡😡 !!!", "12345 67.89", "https://x.example a@b.co"],
)
def test_too_little_text_is_undetermined(text):
    assert detect_language(text) == "und"


def test_urls_numbers_and_addresses_do_not_count_as_words():
    assert detect_language("https://x.example/a/b 2024-01-05 $1,250.00 dana@x.example") == "und"
    assert detect_language("where is https://x.example/a my refund") == "en"


def test_non_string_is_undetermined():
    assert detect_language(None) == "und"  # type: ignore[arg-type]


def test_model_is_loaded_once():
    detect_language("where is my refund now")
    first = language._DETECTOR.get()
    detect_language("Wo ist meine Rückerstattung? Ich warte seit drei Wochen.")
    assert language._DETECTOR.get() is first


def test_supported_languages():
    assert frozenset({"en"}) == SUPPORTED_LANGUAGES
    assert is_supported("en")
    assert not is_supported("de")
    assert not is_supported("und")
    assert not is_supported("")


@pytest.mark.parametrize(
    ("tag", "code"),
    [("en", "en"), ("EN", "en"), ("en-GB", "en"), ("en_US", "en"), (" De-AT ", "de"), ("", None)],
)
def test_language_code_is_the_primary_subtag_in_lower_case(tag, code):
    from app.pipeline.language import language_code

    assert language_code(tag) == code
    assert language_code(None) is None


def test_a_given_language_tag_in_any_form_reads_as_that_language(classifier):
    for tag in ("EN", "en-GB", "en_us"):
        (analysis,) = classifier.analyze_many(["Where is my refund?"], [tag])
        assert (analysis.language, analysis.language_supported) == ("en", True), tag
