"""The whole pipeline behind one object, shared by the API, the web pages and the CLI.

parse -> classify -> detach -> strategy -> pause -> render -> check
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

from app.config import Settings
from app.errors import PayloadTooLarge
from app.pipeline.check import ONE_LINE_MIN_WORDS, check_reply
from app.pipeline.classify import Classifier
from app.pipeline.detach import detach
from app.pipeline.parse import parse_message
from app.pipeline.pause import PausePolicy, cooldown_minutes, send_not_before
from app.pipeline.profile import CompanyProfile, load_profile
from app.pipeline.render import render_alternatives, render_draft
from app.pipeline.strategy import choose_strategy
from app.pipeline.types import (
    Alternative,
    Analysis,
    Check,
    Detached,
    Draft,
    Message,
    SenderHistory,
    Strategy,
)


@dataclass
class Reading:
    """A message as Tactful reads it: analysis, detached view, recommendation, pause."""

    message: Message
    analysis: Analysis
    detached: Detached
    strategy: Strategy
    cooldown_minutes: int


@dataclass
class DraftResult:
    """A reading plus the reply drafted for it and its alternatives."""

    reading: Reading
    draft: Draft
    alternatives: list[Alternative]

    @property
    def analysis(self) -> Analysis:
        return self.reading.analysis

    @property
    def detached(self) -> Detached:
        return self.reading.detached

    @property
    def strategy(self) -> Strategy:
        return self.reading.strategy


class Tactful:
    """Parse, read, draft and check messages with one loaded classifier."""

    def __init__(
        self,
        classifier: Classifier,
        settings: Settings,
        profile: CompanyProfile | None = None,
        pause: PausePolicy | None = None,
    ):
        self.classifier = classifier
        self.settings = settings
        self.profile = profile or load_profile(settings.profile_path)
        self.pause = pause or PausePolicy(minutes=dict(settings.pause_minutes))

    @classmethod
    def load(cls, settings: Settings) -> Tactful:
        """Load the model (once per process) and the company profile."""
        return cls(Classifier.from_pretrained(settings.model_dir, settings.runtime), settings)

    @cached_property
    def templates_dir(self) -> Path:
        return Path(self.settings.templates_dir)

    def parse(
        self,
        data: str | bytes,
        *,
        subject: str | None = None,
        sender: str | None = None,
        sent_at: datetime | None = None,
    ) -> Message:
        """Turn plain text or a raw email into a Message (InputError on bad input)."""
        size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
        if size > self.settings.max_body_bytes:
            raise PayloadTooLarge(
                f"the message is {size} bytes; the limit is {self.settings.max_body_bytes} bytes"
            )
        return parse_message(
            data,
            subject=subject,
            sender=sender,
            sent_at=sent_at,
            max_bytes=self.settings.max_body_bytes,
        )

    def reading_of(
        self,
        message: Message,
        analysis: Analysis,
        history: SenderHistory | None = None,
        strategy: str | None = None,
    ) -> Reading:
        """Detach, recommend and time the pause for an analysed message (no model work)."""
        detached = detach(message, analysis)
        chosen = choose_strategy(analysis, detached, history, forced=strategy)
        return Reading(message, analysis, detached, chosen, cooldown_minutes(analysis, self.pause))

    def read_many(
        self,
        messages: Sequence[Message],
        *,
        languages: Sequence[str | None] | None = None,
        histories: Sequence[SenderHistory | None] | None = None,
        strategies: Sequence[str | None] | None = None,
    ) -> list[Reading]:
        """Classify, detach and recommend for several messages (one batched encoder run)."""
        analyses = self.classifier.analyze_many([m.new_text for m in messages], languages)
        n = len(messages)
        return [
            self.reading_of(message, analysis, history, strategy)
            for message, analysis, history, strategy in zip(
                messages,
                analyses,
                histories or [None] * n,
                strategies or [None] * n,
                strict=True,
            )
        ]

    def read(
        self,
        message: Message,
        *,
        language: str | None = None,
        history: SenderHistory | None = None,
        strategy: str | None = None,
    ) -> Reading:
        """Classify, detach and recommend for one message."""
        return self.read_many(
            [message], languages=[language], histories=[history], strategies=[strategy]
        )[0]

    def analyze(self, message: Message) -> Analysis:
        """The classifier's reading of one message."""
        return self.read(message).analysis

    def render(
        self, reading: Reading, *, now: datetime | None = None
    ) -> tuple[Draft, list[Alternative]]:
        """The draft and its alternatives for a reading, not yet checked."""
        not_before = send_not_before(reading.cooldown_minutes, reading.message.sent_at, now)
        args = (reading.message, reading.analysis, reading.detached, reading.strategy, self.profile)
        options = {"send_not_before": not_before, "templates_dir": self.templates_dir, "now": now}
        return render_draft(*args, **options), render_alternatives(*args, **options)

    def plain_drafts(self, reading: Reading, *, now: datetime | None = None) -> list[Draft]:
        """The fallbacks when the full draft fails the guard, sparest last: one request
        restated, then none (a restated request can carry what the guard refuses, such as
        the client's "you'll do it on Saturday")."""
        not_before = send_not_before(reading.cooldown_minutes, reading.message.sent_at, now)
        args = (reading.message, reading.analysis, reading.detached, reading.strategy, self.profile)
        options = {"send_not_before": not_before, "templates_dir": self.templates_dir, "now": now}
        return [
            render_draft(*args, **options, plain=True, quote_request=quote)
            for quote in (True, False)
        ]

    def finish(
        self,
        reading: Reading,
        draft: Draft,
        alternatives: list[Alternative],
        readings: dict[str, tuple[str, float]] | None = None,
        *,
        read: bool | None = None,
    ) -> DraftResult:
        """Run the guard on the draft and its alternatives (failing alternatives are dropped).

        The classifier's calm reading is part of it when `read` (default: the setting
        `guard_reads_drafts`). `readings` maps reply texts to their (tone, hostility) when
        computed in a batch beforehand; texts missing from it are read now.
        """
        read = self.settings.guard_reads_drafts if read is None else read
        readings = readings or {}
        client_text = reading.message.new_text
        draft.checks = self.check(
            draft.body,
            client_text=client_text,
            reading=readings.get(draft.body),
            min_words=ONE_LINE_MIN_WORDS if draft.template == "one_line" else None,
            read=read,
        )
        for alternative in alternatives:
            alternative.checks = self.check(
                alternative.body,
                client_text=client_text,
                reading=readings.get(alternative.body),
                read=read,
            )
        # Only alternatives that pass the guard are offered.
        offered = [a for a in alternatives if all(c.passed for c in a.checks)]
        return DraftResult(reading, draft, offered)

    def draft_many(
        self,
        readings: Sequence[Reading],
        *,
        now: datetime | None = None,
        read: bool | None = None,
    ) -> list[DraftResult]:
        """Render and check replies; the guard's readings of all replies share one encoder run.

        `read` runs the classifier's calm reading on the drafts (default: the setting
        `guard_reads_drafts`).
        """
        read = self.settings.guard_reads_drafts if read is None else read
        rendered = [self.render(reading, now=now) for reading in readings]
        results = self._finish_all(readings, rendered, read)
        for level in range(2):
            failed = [i for i, r in enumerate(results) if not r.draft.passed]
            if not failed:
                break
            plain = [
                (self.plain_drafts(readings[i], now=now)[level], results[i].alternatives)
                for i in failed
            ]
            for i, retry in zip(
                failed, self._finish_all([readings[i] for i in failed], plain, read), strict=True
            ):
                if retry.draft.passed:
                    results[i] = retry
        return results

    def _finish_all(
        self,
        readings: Sequence[Reading],
        rendered: Sequence[tuple[Draft, list[Alternative]]],
        read: bool,
    ) -> list[DraftResult]:
        known: dict[str, tuple[str, float]] = {}
        if read:
            texts = sorted({t for d, alts in rendered for t in [d.body, *(a.body for a in alts)]})
            known = dict(zip(texts, self.classifier.read_replies(texts), strict=True))
        return [
            self.finish(reading, draft, alternatives, known, read=read)
            for reading, (draft, alternatives) in zip(readings, rendered, strict=True)
        ]

    def draft_for(self, reading: Reading, *, now: datetime | None = None) -> DraftResult:
        """Render and check a reply for one reading."""
        return self.draft_many([reading], now=now)[0]

    def draft(
        self,
        message: Message,
        *,
        language: str | None = None,
        history: SenderHistory | None = None,
        strategy: str | None = None,
        now: datetime | None = None,
    ) -> DraftResult:
        """The whole pipeline for one message."""
        reading = self.read(message, language=language, history=history, strategy=strategy)
        return self.draft_for(reading, now=now)

    def check(
        self,
        text: str,
        *,
        client_text: str | None = None,
        reading: tuple[str, float] | None = None,
        min_words: int | None = None,
        read: bool = True,
    ) -> list[Check]:
        """Run the calm guard on any reply text (drafts, human edits, POST /v1/check).

        `reading` is the classifier's (tone, hostility) of `text` when already known;
        `read=False` leaves the classifier's calm reading out (the rules alone).
        """
        reader = (lambda _: reading) if reading is not None else self.classifier.read_reply
        if not read:
            reader = None
        bounds = {"min_words": min_words} if min_words is not None else {}
        return check_reply(
            text, profile=self.profile, client_text=client_text, reader=reader, **bounds
        )
