"""Pause: cool-down by tone and hostility, counted from when the message was sent."""

from datetime import UTC, datetime, timedelta

import pytest

from app.pipeline.pause import PausePolicy, cooldown_minutes, send_not_before

from .factories import analysis

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_calm_mail_waits_zero_minutes():
    assert cooldown_minutes(analysis("Hi.", tone="calm", hostility=0.9)) == 0


@pytest.mark.parametrize("tone", ["angry", "abusive"])
@pytest.mark.parametrize("hostility", [0.0, 0.5, 1.0])
def test_hostile_mail_waits_20_to_40_minutes(tone, hostility):
    minutes = cooldown_minutes(analysis("x y", tone=tone, hostility=hostility, threats=("legal",)))
    assert 20 <= minutes <= 40


@pytest.mark.parametrize(
    ("tone", "hostility", "threats"),
    [
        ("frustrated", 0.8, ()),
        ("sarcastic", 0.5, ()),
        ("frustrated", 0.1, ("legal",)),
        ("calm", 0.05, ("payment",)),
    ],
)
def test_hostile_or_threatening_mail_waits_20_to_40_minutes_whatever_its_tone(
    tone, hostility, threats
):
    minutes = cooldown_minutes(analysis("x y", tone=tone, hostility=hostility, threats=threats))
    assert 20 <= minutes <= 40


def test_a_tone_set_to_zero_minutes_waits_only_when_threatened():
    off = PausePolicy(minutes={"angry": 0})
    assert cooldown_minutes(analysis("x", tone="angry", hostility=0.8), off) == 0
    threatened = analysis("x", tone="angry", hostility=0.8, threats=("public",))
    assert 20 <= cooldown_minutes(threatened, off) <= 40


def test_mildly_frustrated_mail_without_a_threat_waits_less_than_hostile_mail():
    minutes = cooldown_minutes(analysis("x", tone="frustrated", hostility=0.3))
    assert 0 < minutes < 20


def test_more_hostility_waits_longer_and_policy_is_configurable():
    low = cooldown_minutes(analysis("x", tone="frustrated", hostility=0.1))
    high = cooldown_minutes(analysis("x", tone="frustrated", hostility=0.9))
    assert 0 < low < high
    quick = PausePolicy(minutes={"frustrated": 1}, hostility_extra=0)
    assert cooldown_minutes(analysis("x", tone="frustrated"), quick) == 1


def test_send_not_before_counts_from_sent_at_or_now():
    assert send_not_before(25, None, NOW) == NOW + timedelta(minutes=25)
    sent = NOW - timedelta(minutes=10)
    assert send_not_before(25, sent, NOW) == sent + timedelta(minutes=25)
    future = NOW + timedelta(hours=3)
    assert send_not_before(25, future, NOW) == NOW + timedelta(minutes=25)
    naive = datetime(2026, 3, 2, 11, 0)
    assert send_not_before(0, naive, NOW).tzinfo is not None
