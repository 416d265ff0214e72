"""Strategy: resolve, boundary or exit, with history and a reviewer's choice."""

import pytest

from app.pipeline.detach import detach
from app.pipeline.strategy import choose_strategy
from app.pipeline.types import SenderHistory

from .factories import analysis, message

TEXT = "The site was due Friday. Please send it."
ROLES = {"due": "fact", "send": "request"}


def _choose(tone="frustrated", complaints=(), history=None, forced=None, hostility=0.4):
    a = analysis(TEXT, tone=tone, complaints=complaints, roles=ROLES, hostility=hostility)
    return choose_strategy(a, detach(message(TEXT), a), history, forced)


def test_grievance_is_resolved():
    s = _choose(complaints=("delay",))
    assert s.label == "resolve" and "delay" in s.reason


@pytest.mark.parametrize(
    "complaint",
    [
        "payment",
        "scope_creep",
        "never_satisfied",
        "know_it_all",
        "off_hours",
        "no_contract",
        "indecisive",
    ],
)
def test_problem_client_gets_a_boundary(complaint):
    assert _choose(complaints=(complaint,)).label == "boundary"


def test_a_calm_first_request_for_time_to_pay_is_resolved_with_the_terms():
    calm = _choose(tone="calm", complaints=("payment",), hostility=0.05)
    assert calm.label == "resolve" and "late payment" in calm.reason
    assert _choose(tone="frustrated", complaints=("payment",)).label == "boundary"
    for others in (("scope_creep",), ("delay",)):
        mixed = _choose(tone="calm", complaints=("payment", *others), hostility=0.05)
        assert mixed.label == "boundary", others
    a = analysis(TEXT, complaints=("payment",), threats=("payment",), roles=ROLES)
    assert choose_strategy(a, detach(message(TEXT), a)).label == "boundary"
    late_again = SenderHistory(message_count=4, hostile_count=0, boundary_replies=1)
    assert _choose(
        tone="calm", complaints=("payment",), history=late_again, hostility=0.05
    ).label == ("boundary")


def test_abuse_gets_a_boundary_and_abuse_after_a_boundary_gets_an_exit():
    assert _choose(tone="abusive", complaints=("quality",), hostility=0.9).label == "boundary"
    after = SenderHistory(message_count=3, hostile_count=1, boundary_replies=1)
    s = _choose(tone="abusive", complaints=("quality",), history=after, hostility=0.9)
    assert s.label == "exit" and "boundary" in s.reason


def test_repeated_hostility_leads_to_exit():
    history = SenderHistory(message_count=5, hostile_count=2, mean_hostility=0.7)
    assert _choose(tone="angry", complaints=("delay",), history=history, hostility=0.8).label == (
        "exit"
    )
    calm = _choose(tone="calm", complaints=("delay",), history=history, hostility=0.05)
    assert calm.label == "resolve"


def test_reviewer_can_force_a_strategy():
    s = _choose(complaints=("delay",), forced="boundary")
    assert s.label == "boundary" and s.forced and "reviewer" in s.reason
    with pytest.raises(ValueError, match="strategy must be one of"):
        _choose(forced="shout")


def test_nothing_to_answer_is_said():
    text = "Unbelievable. What a joke."
    a = analysis(text, tone="sarcastic", roles={"": "emotion"})
    s = choose_strategy(a, detach(message(text), a))
    assert "one-line acknowledgement" in s.reason
