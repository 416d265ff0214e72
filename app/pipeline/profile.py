"""The company profile: what replies may say and promise (a YAML file, path in settings)."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CURRENCY_SIGNS = {"GBP": "£", "USD": "$", "EUR": "€", "AUD": "A$", "CAD": "C$"}


class CompanyProfile(BaseModel):
    """Everything a reply needs to know about the business answering."""

    model_config = ConfigDict(extra="forbid")

    company: str = "Northwind Studio"
    signer_name: str = "Alex Morgan"
    signer_title: str | None = "Client Services Lead"
    support_email: str | None = None
    working_days: list[Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]] = Field(
        default_factory=lambda: ["Mon", "Tue", "Wed", "Thu", "Fri"], min_length=1
    )
    working_hours_start: time = time(9, 0)
    working_hours_end: time = time(17, 30)
    timezone: str = "Europe/London"
    response_time: str = "within one working day"
    currency: str = "GBP"
    payment_terms_days: int = Field(default=14, ge=0)
    late_fee: str | None = None
    change_rate: float | None = Field(default=85, ge=0)
    refund_policy: Literal["none", "partial", "full_within_days"] = "full_within_days"
    refund_days: int = Field(default=14, ge=0)
    refund_partial_note: str | None = "the unused part of the fee"
    revision_rounds: int = Field(default=2, ge=0)
    terms_url: str | None = None
    proposal_name: str = "the signed proposal"

    @property
    def works_weekends(self) -> bool:
        return "Sat" in self.working_days or "Sun" in self.working_days

    def money(self, amount: float) -> str:
        """An amount in the profile's currency, e.g. £85."""
        sign = CURRENCY_SIGNS.get(self.currency.upper())
        value = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
        return f"{sign}{value}" if sign else f"{value} {self.currency}"

    @property
    def hours_text(self) -> str:
        """'Monday to Friday, 09:00-17:30 (Europe/London)'."""
        days = [DAY_NAMES[DAYS.index(d)] for d in self.working_days]
        span = f"{days[0]} to {days[-1]}" if len(days) > 2 else " and ".join(days)
        start, end = self.working_hours_start, self.working_hours_end
        return f"{span}, {start:%H:%M}-{end:%H:%M} ({self.timezone})"


def load_profile(path: Path | str | None) -> CompanyProfile:
    """Read a profile YAML file; the defaults when `path` is None."""
    if path is None:
        return CompanyProfile()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ValueError(f"cannot read the company profile {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ValueError(f"the company profile {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"the company profile {path} must be a mapping of fields")
    try:
        return CompanyProfile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ValueError(f"the company profile {path} has bad fields: {problems}") from exc
