"""The pipeline for the web service: every encoder run goes through one micro-batcher."""

from __future__ import annotations

import asyncio
from datetime import datetime

from starlette.concurrency import run_in_threadpool

from app.batching import MicroBatcher
from app.config import Settings
from app.pipeline.service import DraftResult, Reading, Tactful
from app.pipeline.types import Alternative, Analysis, Check, Draft, Message, SenderHistory


class Serving:
    """Async front of `Tactful`: parse in a thread, classify in shared batches."""

    def __init__(self, tactful: Tactful, settings: Settings):
        self.tactful = tactful
        self.batcher: MicroBatcher[tuple[str, str | None, bool], Analysis | tuple[str, float]]
        self.batcher = MicroBatcher(
            self.tactful.classifier.run,
            max_batch=settings.batch_max_size,
            max_wait_ms=settings.batch_max_wait_ms,
            max_queue=settings.batch_max_queue,
        )

    async def _analysis(self, text: str, language: str | None) -> Analysis:
        result = await self.batcher.submit((text, language, False))
        assert isinstance(result, Analysis)
        return result

    async def _reading(self, reply: str) -> tuple[str, float]:
        result = await self.batcher.submit((reply, "en", True))
        assert isinstance(result, tuple)
        return result

    async def start(self) -> None:
        await self.batcher.start()

    async def stop(self) -> None:
        await self.batcher.stop()

    async def parse(
        self,
        data: str | bytes,
        *,
        subject: str | None = None,
        sender: str | None = None,
        sent_at: datetime | None = None,
    ) -> Message:
        """Parse off the event loop (HTML and MIME decoding can take a few milliseconds)."""
        return await run_in_threadpool(
            lambda: self.tactful.parse(data, subject=subject, sender=sender, sent_at=sent_at)
        )

    async def read(
        self,
        message: Message,
        *,
        language: str | None = None,
        history: SenderHistory | None = None,
        strategy: str | None = None,
    ) -> Reading:
        """Classify (batched with concurrent requests), detach and recommend."""
        analysis = await self._analysis(message.new_text, language)
        return self.tactful.reading_of(message, analysis, history, strategy)

    async def draft_for(self, reading: Reading, *, now: datetime | None = None) -> DraftResult:
        """Render a reply and run the guard; the guard's readings are batched too.

        When the full draft fails the guard, the first plain draft that passes replaces it.
        """
        draft, alternatives = self.tactful.render(reading, now=now)
        result = await self._finish(reading, draft, alternatives)
        for plain in self.tactful.plain_drafts(reading, now=now) if not result.draft.passed else []:
            retry = await self._finish(reading, plain, [])
            if retry.draft.passed:
                result.draft = retry.draft
                break
        return result

    async def _finish(
        self, reading: Reading, draft: Draft, alternatives: list[Alternative]
    ) -> DraftResult:
        if not self.tactful.settings.guard_reads_drafts:
            return self.tactful.finish(reading, draft, alternatives, read=False)
        texts = list(dict.fromkeys([draft.body, *(a.body for a in alternatives)]))
        replies = await asyncio.gather(*(self._reading(t) for t in texts))
        readings = dict(zip(texts, replies, strict=True))
        return self.tactful.finish(reading, draft, alternatives, readings, read=True)

    async def draft(
        self,
        message: Message,
        *,
        language: str | None = None,
        history: SenderHistory | None = None,
        strategy: str | None = None,
        now: datetime | None = None,
    ) -> DraftResult:
        """The whole pipeline for one message."""
        reading = await self.read(message, language=language, history=history, strategy=strategy)
        return await self.draft_for(reading, now=now)

    async def check(self, text: str, *, client_text: str | None = None) -> list[Check]:
        """The calm guard on any text, with the classifier's reading batched."""
        reading = await self._reading(text)
        return self.tactful.check(text, client_text=client_text, reading=reading)
