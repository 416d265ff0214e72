"""Training data: copies without threats or without emotion; the wording corpus."""

import json
from dataclasses import replace

import pytest

from app.training.data import (
    WORDING,
    Example,
    hostility_target,
    load_wording,
    with_threats,
    without_emotion,
    without_threats,
)


def _email(text: str, sentences: list[tuple[str, str]], threats: list[str]) -> Example:
    roles = [(text.index(s), text.index(s) + len(s), role) for s, role in sentences]
    return Example(
        id="tr-x-0001",
        text=text,
        tone="angry",
        complaints=["delay"],
        threats=threats,
        roles=roles,
        hostility=hostility_target("angry", threats),
    )


ANGRY = _email(
    "The site is STILL down. Fix it today. Otherwise my lawyer takes over.\nDana",
    [
        ("The site is STILL down.", "fact"),
        ("Fix it today.", "request"),
        ("Otherwise my lawyer takes over.", "threat"),
        ("Dana", "other"),
    ],
    ["legal"],
)


def test_the_copy_loses_its_threat_sentences_and_keeps_the_rest():
    (copy,) = without_threats([ANGRY])
    assert copy.id == "tr-x-0001~nothreat"
    assert copy.text == "The site is STILL down. Fix it today. \nDana"
    assert copy.threats == [] and copy.tone == "angry"
    assert copy.complaints is None  # unknown: the cut sentence may have carried one
    assert copy.hostility == hostility_target("angry", []) < ANGRY.hostility
    assert [copy.text[a:b] for a, b, _ in copy.roles] == [
        "The site is STILL down.",
        "Fix it today.",
        "Dana",
    ]
    assert [role for _, _, role in copy.roles] == ["fact", "request", "other"]


def test_a_threat_in_the_middle_moves_the_spans_after_it():
    text = "Hi Sam, I will post a review. The photos are late. Send them."
    email = _email(
        text,
        [
            ("Hi Sam,", "other"),
            ("I will post a review.", "threat"),
            ("The photos are late.", "fact"),
            ("Send them.", "request"),
        ],
        ["public"],
    )
    (copy,) = without_threats([email])
    assert copy.text == "Hi Sam, The photos are late. Send them."
    assert [copy.text[a:b] for a, b, _ in copy.roles] == [
        "Hi Sam,",
        "The photos are late.",
        "Send them.",
    ]


QUIET = replace(
    _email(
        "Hi Sam, the patio is a week late. When will it be done?\nDana",
        [
            ("Hi Sam,", "other"),
            ("the patio is a week late.", "fact"),
            ("When will it be done?", "request"),
            ("Dana", "other"),
        ],
        [],
    ),
    id="tr-x-0002",
)


def test_a_threat_sentence_is_put_after_the_body_of_an_email_without_one():
    (copy,) = with_threats([ANGRY, QUIET], seed=13)
    assert copy.id == "tr-x-0002~threat"
    assert copy.text == (
        "Hi Sam, the patio is a week late. When will it be done? "
        "Otherwise my lawyer takes over.\nDana"
    )
    assert copy.threats == ["legal"] and copy.tone == "angry" and copy.complaints == ["delay"]
    assert copy.hostility == hostility_target("angry", ["legal"]) > QUIET.hostility
    assert [(copy.text[a:b], role) for a, b, role in copy.roles] == [
        ("Hi Sam,", "other"),
        ("the patio is a week late.", "fact"),
        ("When will it be done?", "request"),
        ("Otherwise my lawyer takes over.", "threat"),
        ("Dana", "other"),
    ]


def test_threat_sentences_come_from_the_same_tone_and_part_and_never_from_payment():
    calm = replace(QUIET, tone="calm", hostility=hostility_target("calm", []))
    assert with_threats([ANGRY, calm], seed=13) == []
    paying = replace(ANGRY, id="tr-x-0003", threats=["payment"])
    assert with_threats([paying, QUIET], seed=13) == []
    apart = with_threats([ANGRY, QUIET], seed=13, part=lambda i: i == "tr-x-0001")
    assert apart == []
    copies = with_threats([ANGRY, QUIET], seed=13)
    again = with_threats([ANGRY, QUIET, *copies], seed=13)
    assert [c.id for c in again] == ["tr-x-0002~threat"]


def test_no_copy_without_a_threat_sentence_or_without_anything_else():
    calm = _email("Could we meet on Friday?", [("Could we meet on Friday?", "request")], [])
    unmarked = _email("I will sue.", [("I will sue.", "fact")], ["legal"])
    only_threat = _email(
        "Hi, I will sue. Dana",
        [("Hi,", "other"), ("I will sue.", "threat"), ("Dana", "other")],
        ["legal"],
    )
    assert without_threats([calm, unmarked, only_threat]) == []


def test_copies_are_not_copied_again():
    (copy,) = without_threats([ANGRY])
    copy.threats = ["legal"]
    assert without_threats([copy]) == []


HEATED = _email(
    "You clowns. The logo is blurry on every page. Send the vector file. I will sue.",
    [
        ("You clowns.", "emotion"),
        ("The logo is blurry on every page.", "fact"),
        ("Send the vector file.", "request"),
        ("I will sue.", "threat"),
    ],
    ["legal"],
)


def test_the_emotion_free_copy_keeps_its_complaints_and_nothing_else():
    (copy,) = without_emotion([HEATED])
    assert copy.id == "tr-x-0001~noemotion"
    assert copy.text == "The logo is blurry on every page. Send the vector file. I will sue."
    assert copy.complaints == ["delay"]
    assert copy.tone is None and copy.hostility is None and copy.threats is None  # unknown
    assert [(copy.text[a:b], role) for a, b, role in copy.roles] == [
        ("The logo is blurry on every page.", "fact"),
        ("Send the vector file.", "request"),
        ("I will sue.", "threat"),
    ]


def test_no_emotion_free_copy_without_heat_complaints_emotion_or_facts():
    calm = replace(HEATED, tone="calm")
    unlabelled = replace(HEATED, complaints=None)
    no_emotion = _email("The logo is blurry.", [("The logo is blurry.", "fact")], [])
    only_heat = _email(
        "You clowns. I will sue.",
        [("You clowns.", "emotion"), ("I will sue.", "threat")],
        ["legal"],
    )
    (copy,) = without_emotion([HEATED])
    assert without_emotion([calm, unlabelled, no_emotion, only_heat, copy]) == []


def _write(folder, rows) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "w.jsonl").write_text("\n".join(json.dumps(r) for r in rows), "utf-8")


def test_wording_rows_carry_hostility_and_nothing_else(tmp_path):
    _write(
        tmp_path,
        [
            {"id": "wd-1", "text": "you clown", "hostile": True, "kind": "insult"},
            {"id": "wd-2", "text": " see you at six ", "hostile": False, "kind": "neutral"},
        ],
    )
    rude, kind = load_wording(tmp_path)
    assert (rude.hostility, kind.hostility) == (1.0, 0.0)
    assert kind.text == "see you at six"
    assert rude.source == WORDING
    assert rude.tone is None and rude.complaints is None and rude.threats is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"id": "a", "text": "hi", "hostile": True, "kind": "neutral"}, "does not fit"),
        ({"id": "a", "text": "hi", "hostile": "yes", "kind": "insult"}, "does not fit"),
        ({"id": "a", "text": "  ", "hostile": False, "kind": "neutral"}, "empty text"),
        ({"id": "a", "hostile": False, "kind": "neutral"}, "'text'"),
    ],
)
def test_a_bad_wording_row_is_refused_with_its_file_and_line(tmp_path, row, message):
    _write(tmp_path, [{"id": "ok", "text": "fine", "hostile": False, "kind": "friendly"}, row])
    with pytest.raises(ValueError, match=message) as caught:
        load_wording(tmp_path)
    assert "w.jsonl:2" in str(caught.value)
