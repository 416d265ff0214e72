"""The company profile: the shipped example loads; bad files say what is wrong."""

from pathlib import Path

import pytest

from app.pipeline.profile import CompanyProfile, load_profile

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "company.example.yaml"


def test_shipped_example_loads():
    profile = load_profile(EXAMPLE)
    assert profile.company and profile.signer_name
    assert profile.refund_policy in {"none", "partial", "full_within_days"}
    assert "Monday to Friday" in profile.hours_text


def test_defaults_without_a_file():
    assert load_profile(None) == CompanyProfile()


def test_bad_field_is_named(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("refund_policy: sometimes\n")
    with pytest.raises(ValueError, match="refund_policy"):
        load_profile(bad)
    (tmp_path / "q.yaml").write_text("- a list\n")
    with pytest.raises(ValueError, match="mapping"):
        load_profile(tmp_path / "q.yaml")
    with pytest.raises(ValueError, match="cannot read"):
        load_profile(tmp_path / "missing.yaml")


def test_money_uses_the_currency():
    assert CompanyProfile(currency="GBP").money(85) == "£85"
    assert CompanyProfile(currency="CHF").money(1200.5) == "1,200.50 CHF"
