"""The shipped classifier: unmistakable cases, contract of the scores, evidence spans."""

import numpy as np
import pytest

from app.pipeline.classify import Classifier, sentence_roles
from app.pipeline.heads import HOSTILE_LANGUAGE, Head, TactfulHeads
from app.pipeline.types import COMPLAINTS, ROLES, THREAT_KINDS, TONE_HOSTILITY, TONES

TONE_CASES = [
    ("Hi Sam, thanks so much for the lovely photos. Have a great weekend!", "calm"),
    ("You useless idiots. Pathetic amateurs, all of you.", "abusive"),
    ("THIS IS UNACCEPTABLE!!! FIX IT NOW!!!", "angry"),
    (
        "I have asked three times now and still nothing. I do not understand why this is "
        "taking so long.",
        "frustrated",
    ),
    ("Wow, brilliant work. Only three weeks late. Really impressive.", "sarcastic"),
]
THREAT_CASES = [
    ("If the refund is not in my account by Friday I will take you to court.", "legal"),
    ("I will post a one-star review on Trustpilot and tell everyone on Facebook.", "public"),
    ("I want to speak to your manager. I am escalating this to your CEO.", "escalation"),
    ("I will dispute the charge with my bank and file a chargeback.", "payment"),
]
COMPLAINT_CASES = [
    ("You charged me twice for order 4821. Please refund the duplicate charge.", "billing"),
    ("The website was due last Friday and it is still not delivered.", "delay"),
    ("We will pay your invoice when our own client pays us, probably in 90 days.", "payment"),
]


@pytest.mark.parametrize(("text", "tone"), TONE_CASES)
def test_unmistakable_tones(classifier, text, tone):
    assert classifier.analyze(text).tone == tone


@pytest.mark.parametrize(("text", "kind"), THREAT_CASES)
def test_unmistakable_threats(classifier, text, kind):
    analysis = classifier.analyze(text)
    assert analysis.threat_present
    assert kind in analysis.threat_kinds


@pytest.mark.parametrize(("text", "complaint"), COMPLAINT_CASES)
def test_unmistakable_complaints(classifier, text, complaint):
    assert complaint in classifier.analyze(text).complaints


def test_friendly_note_carries_no_threat(classifier):
    analysis = classifier.analyze("Thank you for the quick fix yesterday, all working now.")
    assert not analysis.threat_present and analysis.hostility < 0.2


def test_hostility_orders_the_tones(classifier):
    scores = {tone: classifier.analyze(text).hostility for text, tone in TONE_CASES}
    assert scores["calm"] < scores["frustrated"] < scores["angry"]
    assert scores["calm"] < scores["abusive"]


def test_scores_follow_the_contract(classifier):
    a = classifier.analyze(TONE_CASES[2][0] + " My lawyer will call you.")
    assert set(a.tone_scores) == set(TONES)
    assert abs(sum(a.tone_scores.values()) - 1) < 1e-5
    assert 0.0 <= a.hostility <= 1.0
    assert set(a.threat_kind_scores) == set(THREAT_KINDS)
    assert set(a.complaint_scores) >= set(COMPLAINTS)
    assert all(s.role in ROLES for s in a.sentences)
    assert all(a.complaint_scores[c] >= a.complaint_thresholds[c] for c in a.complaints)


def test_evidence_spans_point_inside_the_message(classifier):
    text = (
        "Hi Sam,\nThanks for the quick call. You useless idiots charged me twice for "
        "order 4821!! Refund it today or I go to my lawyer.\nDana"
    )
    a = classifier.analyze(text)
    assert a.evidence
    labels = {e.label for e in a.evidence}
    assert a.tone in labels
    for e in a.evidence:
        assert text[e.start : e.end] == e.text
        assert e.weight > 0
    assert a.tone in {"angry", "abusive"}
    tone_evidence = [e.text for e in a.evidence if e.label == a.tone]
    friendly = {"Hi Sam,", "Thanks for the quick call.", "Dana"}
    assert tone_evidence and tone_evidence[0] not in friendly
    legal = [e.text for e in a.evidence if e.label == "legal"]
    assert legal and "lawyer" in legal[0]


def test_greetings_and_sign_offs_are_never_evidence(classifier):
    text = (
        "Hello Priya,\nThe invoice you sent bills 14 hours when we agreed 9. Your work is "
        "sloppy and you are clueless. Fix the invoice by Friday or I dispute the charge.\n"
        "Regards,\nMorgan"
    )
    a = classifier.analyze(text)
    roles = {(s.start, s.end): s.role for s in a.sentences}
    assert "other" in roles.values()
    assert a.evidence
    for e in a.evidence:
        assert roles[(e.start, e.end)] != "other", e


@pytest.mark.parametrize(
    "text",
    [case[0] for case in TONE_CASES[1:] + THREAT_CASES + COMPLAINT_CASES],
)
def test_every_decided_label_has_evidence(classifier, text):
    a = classifier.analyze(text)
    decided = {a.tone, *a.threat_kinds, *a.complaints}
    assert decided <= {e.label for e in a.evidence}


def test_other_languages_are_flagged(classifier):
    a = classifier.analyze("Bonjour, je voudrais savoir quand ma commande sera livrée, merci.")
    assert a.language == "fr" and a.language_supported is False
    assert classifier.analyze(TONE_CASES[0][0]).language_supported is True


def _constant(name: str, kind: str, labels: list[str], logits: list[float]) -> Head:
    """A head that gives every row the same logits."""
    params = {"mean": np.zeros(2), "scale": np.ones(2), "w": np.zeros((2, len(labels)))}
    return Head(name, kind, "message", labels, {**params, "b": np.array(logits)})


@pytest.mark.parametrize("wording", [None, 0.6])
def test_hostility_is_either_reading_gated_by_the_tone(wording):
    calm = 0.2
    tone_logits = [np.log(calm)] + [np.log((1 - calm) / (len(TONES) - 1))] * (len(TONES) - 1)
    heads = {
        "tone": _constant("tone", "softmax", list(TONES), tone_logits),
        "hostility": _constant("hostility", "sigmoid", ["hostility"], [np.log(0.5 / 0.5)]),
    }
    if wording is not None:
        logit = float(np.log(wording / (1 - wording)))
        heads[HOSTILE_LANGUAGE] = _constant(HOSTILE_LANGUAGE, "sigmoid", ["hostile"], [logit])
    classifier = Classifier(None, TactfulHeads(heads), reply_memory=False)
    _, _, hostility = classifier._tone(np.zeros((1, 2)))
    implied = sum(TONE_HOSTILITY[t] * (calm if t == "calm" else 0.2) for t in TONES)
    email = (0.5 + implied) / 2
    either = 1 - (1 - email) * (1 - (wording or 0.0))
    assert hostility == pytest.approx(either * (1 - calm))


@pytest.mark.parametrize("tone", ["frustrated", "sarcastic", "angry"])
def test_hostility_stays_near_what_a_sure_tone_implies(tone):
    """An email head sure of abuse moves a message of a milder sure tone only halfway."""
    tone_logits = [20.0 if t == tone else 0.0 for t in TONES]
    heads = {
        "tone": _constant("tone", "softmax", list(TONES), tone_logits),
        "hostility": _constant("hostility", "sigmoid", ["hostility"], [8.0]),
    }
    classifier = Classifier(None, TactfulHeads(heads), reply_memory=False)
    _, label, hostility = classifier._tone(np.zeros((1, 2)))
    assert label == tone
    assert hostility == pytest.approx((1.0 + TONE_HOSTILITY[tone]) / 2, abs=1e-3)


def test_reply_hostility_is_the_reply_head_alone():
    heads = {
        "reply_tone": _constant("reply_tone", "softmax", list(TONES), [0.0, 20.0, 0, 0, 0]),
        "reply_hostility": _constant("reply_hostility", "sigmoid", ["hostility"], [0.0]),
    }
    classifier = Classifier(None, TactfulHeads(heads), reply_memory=False)
    _, _, hostility = classifier._tone(np.zeros((1, 2)), "reply_")
    assert hostility == pytest.approx(0.5, abs=1e-3)


def test_shipped_hostility_reads_the_wording_from_the_token_mean(classifier):
    head = classifier.heads[HOSTILE_LANGUAGE]
    assert head.params["mean"].shape[0] == classifier.encoder.hidden
    rude = classifier.heads.predict_proba(
        HOSTILE_LANGUAGE, classifier.featurize(["shut up you stupid moron"])[0][1].message
    )
    kind = classifier.heads.predict_proba(
        HOSTILE_LANGUAGE, classifier.featurize(["thanks, that is really kind of you"])[0][1].message
    )
    assert rude[0, 0] > 0.5 > kind[0, 0]


def test_no_sentence_is_a_threat_unless_the_message_carries_one():
    labels = list(ROLES)
    scores = np.array([[0.1, 0.2, 0.6, 0.05, 0.05], [0.7, 0.1, 0.1, 0.05, 0.05]])
    assert labels[2] == "threat"
    assert sentence_roles(labels, scores, threat_present=True) == ["threat", "request"]
    assert sentence_roles(labels, scores, threat_present=False) == ["fact", "request"]


def test_a_friendly_heads_up_has_no_threat_sentence(classifier):
    text = (
        "Morning Raj,\n\nThank you for turning round the corrected payslip so quickly on "
        "Friday. One small thing for next month: we've got two staff going on maternity "
        "leave in June, so I'll send their details over by the 20th.\n\nBest,\nGwen"
    )
    a = classifier.analyze(text)
    assert not a.threat_present
    assert "threat" not in [s.role for s in a.sentences]
