"""Render: every complaint type x strategy renders, passes the guard and stays inert."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.pipeline.check import ONE_LINE_MIN_WORDS, check_reply
from app.pipeline.detach import detach
from app.pipeline.profile import CompanyProfile
from app.pipeline.render import references, render_alternatives, render_draft
from app.pipeline.types import COMPLAINTS, STRATEGIES, Strategy

from .factories import analysis, message

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TEXT = (
    "Invoice 2024-117 was due on 3 March. Send me the final files by Friday. "
    "Can you also explain the extra £80 charge? I'm going to my bank."
)
ROLES = {"Invoice": "fact", "Send": "request", "explain": "request", "bank": "threat"}
CALM = lambda text: ("calm", 0.02)  # noqa: E731
PROFILES = [
    CompanyProfile(),
    CompanyProfile(
        refund_policy="none", late_fee=None, terms_url=None, signer_title=None, change_rate=None
    ),
    CompanyProfile(refund_policy="partial", refund_partial_note=None, working_days=["Mon"]),
]


def _render(
    complaints,
    strategy,
    name="Dana",
    text=TEXT,
    roles=ROLES,
    profile=None,
    tone="angry",
    subject=None,
):
    profile = profile or CompanyProfile()
    hostility = 0.7 if tone == "angry" else 0.05
    a = analysis(text, tone=tone, complaints=tuple(complaints), roles=roles, hostility=hostility)
    d = detach(message(text, name=name, subject=subject), a)
    draft = render_draft(
        message(text, name=name, subject=subject),
        a,
        d,
        Strategy(strategy, "test"),
        profile,
        send_not_before=NOW,
        templates_dir=TEMPLATES,
        now=NOW,
    )
    return draft, a, d


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("complaint", [*COMPLAINTS, None])
@pytest.mark.parametrize("profile", range(len(PROFILES)))
def test_every_template_renders_and_passes_the_guard(complaint, strategy, profile):
    complaints = [complaint] if complaint else []
    for name, roles in (("Dana", ROLES), (None, {"": "emotion", "Invoice": "fact"})):
        draft, _, _ = _render(
            complaints, strategy, name=name, roles=roles, profile=PROFILES[profile]
        )
        shortest = ONE_LINE_MIN_WORDS if draft.template == "one_line" else 60
        checks = check_reply(
            draft.body, profile=PROFILES[profile], client_text=TEXT, reader=CALM, min_words=shortest
        )
        failed = [c for c in checks if not c.passed]
        assert failed == [], (draft.body, failed)
        assert draft.body.startswith("Hi Dana," if name else "Hello,")
        assert draft.strategy == strategy
        assert "{{" not in draft.body and "{%" not in draft.body


def test_requests_are_restated_and_the_client_is_named():
    draft, _, d = _render(["payment"], "boundary")
    for request in d.requests:
        assert request.text in draft.body
    assert "about invoice 2024-117." in draft.body


def test_several_complaints_make_one_reply():
    draft, _, _ = _render(["billing", "delay", "scope_creep", "refund"], "resolve")
    assert draft.body.count("Hi Dana,") == 1 and draft.body.count("Best regards") == 1
    lines = [line for line in draft.body.splitlines() if line.strip()]
    assert len(lines) == len(set(lines))
    assert 60 <= len(draft.body.split()) <= 220


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("complaint", [*COMPLAINTS, None])
def test_the_working_hours_are_stated_at_most_once(complaint, strategy):
    profile = CompanyProfile()
    draft, _, _ = _render([complaint] if complaint else [], strategy, profile=profile)
    assert draft.body.count(profile.hours_text) <= 1, draft.body


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_several_requests_get_one_follow_up_and_no_sentence_twice(strategy):
    text = "Send the files by Friday. Can you also explain the charge? Please call me tomorrow."
    roles = {"Send": "request", "explain": "request", "call": "request"}
    draft, _, d = _render(["billing"], strategy, text=text, roles=roles)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", draft.body) if s.strip()]
    assert len(sentences) == len(set(sentences)), draft.body
    assert len(d.requests) == 3 and all(r.text in draft.body for r in d.requests)


def test_client_text_is_inert():
    text = "Send me {{ 7*7 }} and {% raw %}x{% endraw %} <script>alert(1)</script> now."
    draft, _, _ = _render(["delay"], "resolve", text=text, roles={"Send": "request"})
    assert "{{ 7*7 }}" in draft.body and "49" not in draft.body
    assert "<script>alert(1)</script>" in draft.body


def test_no_refund_promised_when_the_policy_is_none():
    profile = CompanyProfile(refund_policy="none")
    for strategy in STRATEGIES:
        draft, _, _ = _render(["refund"], strategy, profile=profile)
        assert "refund you" not in draft.body.lower()
        assert [c.rule for c in check_reply(draft.body, profile=profile) if not c.passed] == []


def test_nothing_to_answer_gets_a_one_line_acknowledgement():
    text = "What a joke. Unbelievable."
    draft, _, _ = _render([], "resolve", text=text, roles={"": "emotion"})
    assert draft.template == "one_line"
    assert len(draft.body.split()) < 60


def test_alternatives_use_other_strategies_and_pass():
    a = analysis(TEXT, tone="angry", complaints=("billing", "delay"), roles=ROLES, hostility=0.7)
    d = detach(message(TEXT), a)
    alternatives = render_alternatives(
        message(TEXT),
        a,
        d,
        Strategy("resolve", "x"),
        CompanyProfile(),
        send_not_before=NOW,
        templates_dir=TEMPLATES,
        now=NOW,
    )
    assert 2 <= len(alternatives) <= 3
    assert {"boundary", "exit"} <= {alt.strategy for alt in alternatives}
    for alt in alternatives:
        assert [c.rule for c in check_reply(alt.body, client_text=TEXT) if not c.passed] == []


def test_dates_fall_on_working_days():
    text = "The site was due last week. Send the files."
    draft, _, _ = _render(
        ["delay"],
        "resolve",
        text=text,
        roles={"Send": "request"},
        profile=CompanyProfile(working_days=["Mon"]),
    )
    for day in ("Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        assert day not in draft.body


@pytest.mark.parametrize(
    ("subject", "opening"),
    [
        ("RE: URGENT!!! WHERE ARE MY FILES??", "Thank you for your message. "),
        ("Re: URGENT: my order", "Thank you for your message about your order. "),
        ("Re: my order, you clowns", "Thank you for your message. "),
        ("website", 'Thank you for your message about "website". '),
    ],
)
def test_the_subject_is_named_in_neutral_words(subject, opening):
    text = "Send me the final files by Friday."
    a = analysis(text, tone="angry", roles={"Send": "request"}, hostility=0.7)
    m = message(text, subject=subject)
    draft = render_draft(
        m, a, detach(m, a), Strategy("resolve", "test"), CompanyProfile(),
        send_not_before=NOW, templates_dir=TEMPLATES, now=NOW,
    )  # fmt: skip
    assert opening in draft.body
    checks = check_reply(draft.body, profile=CompanyProfile(), client_text=text, reader=CALM)
    assert [c for c in checks if not c.passed] == []


@pytest.mark.parametrize(("name", "greeting"), [("DEBBIE", "Hi Debbie,"), ("jason", "Hi Jason,")])
def test_a_name_in_capitals_or_lower_case_is_greeted_in_title_case(name, greeting):
    draft, _, _ = _render(["delay"], "resolve", name=name)
    assert draft.body.startswith(greeting)
    checks = check_reply(draft.body, profile=CompanyProfile(), client_text=TEXT, reader=CALM)
    assert [c for c in checks if not c.passed] == []


@pytest.mark.parametrize(
    ("name", "greeting"),
    [("Tom & Priya Adeyemi", "Hi Tom and Priya,"), ("sam and alex", "Hi Sam and Alex,")],
)
def test_a_couple_is_greeted_by_both_first_names(name, greeting):
    draft, _, _ = _render(["delay"], "resolve", name=name)
    assert draft.body.startswith(greeting)


@pytest.mark.parametrize(
    ("name", "greeting"),
    [("Dr. Eleanor Whitfield", "Hi Eleanor,"), ("Mr Patel", "Hi Mr Patel,"), ("Dr.", "Hello,")],
)
def test_a_title_is_not_greeted_as_a_first_name(name, greeting):
    draft, _, _ = _render(["delay"], "resolve", name=name)
    assert draft.body.startswith(greeting)


def test_a_shouted_reference_is_named_in_calm_case():
    assert references("WHERE IS ORDER NUMBER 40213, INV-2026-118 and PO 7781") == [
        "order number 40213",
        "INV-2026-118",
        "PO 7781",
    ]


def test_the_opening_notes_a_statement_not_a_fragment_or_sarcasm():
    text = (
        "With the font from v3 and the old leaf icon. Apparently round two is "
        "included in some small print. The logo was approved on 3 May. Send the files."
    )
    roles = {"With": "fact", "Apparently": "fact", "logo": "fact", "Send": "request"}
    draft, _, d = _render(["indecisive"], "resolve", text=text, roles=roles)
    assert len(d.facts) == 3
    assert "I have noted that the logo was approved on 3 May." in draft.body
    assert "font from v3" not in draft.body and "small print" not in draft.body


def test_a_request_without_a_complaint_is_answered_by_a_date_not_promised_done():
    text = "Please confirm the cancellation and tell me how to export my records."
    draft, _, _ = _render([], "resolve", text=text, roles={"Please": "request"})
    assert "in hand" not in draft.body and "below" not in draft.body
    assert "I will come back to you on this by Wednesday 4 March." in draft.body
    assert "each of these" not in draft.body and "confirm progress" not in draft.body
    draft, _, _ = _render(["delay"], "resolve", text=text, roles={"Please": "request"})
    assert "That is in hand, with the details below." in draft.body
    assert "Next step: I will confirm progress by" in draft.body


def test_a_reference_named_twice_is_listed_once_in_sentence_case():
    text = "Invoice INV-3318 is wrong. I won't be paying INV-3318 until order 5512 arrives."
    assert references(text) == ["invoice INV-3318", "order 5512"]


def test_a_reference_with_a_slash_is_named_whole():
    assert references("About INV 2026/0882 from February.") == ["INV 2026/0882"]


@pytest.mark.parametrize(
    ("complaints", "offers_a_choice"),
    [
        (["scope_creep"], True),
        (["refund"], True),
        (["delay"], False),
        (["payment"], False),
        (["delay", "never_satisfied"], True),
    ],
)
def test_a_boundary_reply_asks_for_a_choice_only_when_it_offers_one(complaints, offers_a_choice):
    draft, _, _ = _render(complaints, "boundary")
    assert ("reply with the option you prefer" in draft.body) is offers_a_choice
    assert ("I will write to you again by" in draft.body) is not offers_a_choice


def test_a_boundary_reply_names_the_date_of_the_next_update_once():
    draft, _, _ = _render(["unresponsive"], "boundary")
    assert "Your next update is due by" in draft.body
    assert "that update will answer each point" in draft.body
    assert draft.body.count("Wednesday 4 March") == 1


def test_a_delay_names_no_delivery_the_work_may_not_have():
    for strategy in ("resolve", "boundary"):
        draft, _, _ = _render(["delay"], strategy)
        assert "deliver" not in draft.body.lower()
        assert "finished by" in draft.body or "finishing this work" in draft.body


def test_the_example_profile_states_the_late_fee_once():
    from app.pipeline.profile import load_profile

    example = load_profile(TEMPLATES.parent / "config" / "company.example.yaml")
    assert example.late_fee
    draft, _, _ = _render(["payment"], "boundary", profile=example)
    assert draft.body.count("overdue balances") == 1
    assert example.late_fee in draft.body


@pytest.mark.parametrize("strategy", ["resolve", "boundary"])
def test_a_reply_with_nothing_restated_points_to_nothing_above(strategy):
    text = "Three schemes, all of them bland. I'm telling every parent at the school."
    draft, _, d = _render([], strategy, text=text, roles={"Three": "emotion", "telling": "threat"})
    assert not d.requests and draft.template != "one_line"
    assert "above" not in draft.body
    asked = "Could you send the invoice again? I'm telling every parent at the school."
    draft, _, d = _render([], strategy, text=asked, roles={"Could": "request", "telling": "threat"})
    points_back = {"resolve": "I will come back to you on this by", "boundary": "Everything above"}
    assert d.requests and points_back[strategy] in draft.body


@pytest.mark.parametrize(("tone", "noted"), [("sarcastic", False), ("calm", True)])
def test_praise_is_noted_unless_the_message_is_sarcastic(tone, noted):
    text = "The team were very impressed that the login page now loads. Send the plan."
    roles = {"team": "fact", "Send": "request"}
    draft, _, _ = _render([], "resolve", text=text, roles=roles, tone=tone)
    assert ("I have noted that the team were very impressed" in draft.body) is noted
    assert ("I have read it carefully." in draft.body) is not noted


@pytest.mark.parametrize(
    ("opening", "name", "greeting"),
    [
        ("Dear Mr Rahman,\n\n", "Dr Helen Marsh", "Dear Dr Marsh,"),
        ("Dear Ms Whitlock,\n\n", "Andrew Kerr", "Dear Andrew,"),
        ("Hi Sam,\n\n", "Dr Helen Marsh", "Hi Helen,"),
        ("", "Andrew Kerr", "Hi Andrew,"),
    ],
)
def test_a_letter_that_opens_dear_is_answered_dear(opening, name, greeting):
    text = opening + "Please send the invoice for order 5512."
    draft, _, _ = _render([], "resolve", name=name, text=text, roles={"Please": "request"})
    assert draft.body.startswith(greeting + "\n")


def test_a_list_item_is_not_noted_and_a_reference_may_come_from_the_subject():
    text = "Changes below:\n1. The author's name should be 10% bigger.\nPlease send v7."
    roles = {"author": "fact", "Please": "request"}
    subject = "Query on invoice INV-30412"
    draft, _, _ = _render([], "resolve", text=text, roles=roles, tone="calm", subject=subject)
    assert "about invoice INV-30412. I have read it carefully." in draft.body
