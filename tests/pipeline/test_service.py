"""The pipeline facade: the guard on drafts, its fallback to a plain draft, the pause."""

from app.config import Settings
from app.pipeline.service import Tactful

from .factories import analysis

TEXT = (
    "Invoice 2024-117 was due on 3 March. Send me the final files by Friday. "
    "Can you also explain the extra charge?"
)
ROLES = {"Invoice": "fact", "Send": "request", "explain": "request"}


class FakeClassifier:
    """Reads the client's message as angry and any reply quoting a fact as frustrated."""

    def analyze_many(self, texts, languages=None):
        out = []
        for text in texts:
            if text == TEXT:
                out.append(
                    analysis(
                        TEXT,
                        tone="angry",
                        hostility=0.8,
                        complaints=("payment", "billing"),
                        roles=ROLES,
                    )
                )
            elif "I have noted that" in text:
                out.append(analysis(text, tone="frustrated", hostility=0.3))
            else:
                out.append(analysis(text, tone="calm", hostility=0.01))
        return out

    def read_replies(self, texts):
        self.replies_read = getattr(self, "replies_read", 0) + len(texts)
        return [(a.tone, a.hostility) for a in self.analyze_many(texts)]

    def read_reply(self, text):
        return self.read_replies([text])[0]


def _tactful(**settings) -> Tactful:
    return Tactful(FakeClassifier(), Settings(**settings))


def test_a_draft_failing_the_guard_falls_back_to_the_plain_draft():
    tactful = _tactful(guard_reads_drafts=True)
    message = tactful.parse(TEXT, sender="Dana <dana@example.com>")
    (result,) = tactful.draft_many(tactful.read_many([message]))
    assert result.draft.passed
    assert "I have noted that" not in result.draft.body
    assert "Hi Dana," in result.draft.body


def test_pause_minutes_come_from_settings():
    tactful = _tactful(pause_minutes={"angry": 30, "calm": 0})
    message = tactful.parse(TEXT)
    (reading,) = tactful.read_many([message])
    assert 30 <= reading.cooldown_minutes <= 40
    quick = _tactful(pause_minutes={"angry": 0})
    assert quick.read_many([message])[0].cooldown_minutes == 0


def test_alternatives_that_fail_the_guard_are_not_offered():
    class Picky(FakeClassifier):
        def analyze_many(self, texts, languages=None):
            out = super().analyze_many(texts, languages)
            return [
                a
                if t == TEXT
                else analysis(t, tone="angry", hostility=0.6)
                if "engagement" in t
                else analysis(t, tone="calm", hostility=0.01)
                for t, a in zip(texts, out, strict=True)
            ]

    tactful = Tactful(Picky(), Settings())
    (result,) = tactful.draft_many(tactful.read_many([tactful.parse(TEXT)]), read=True)
    assert result.alternatives
    assert all(all(c.passed for c in alt.checks) for alt in result.alternatives)
    assert "exit" not in {alt.strategy for alt in result.alternatives}


def test_drafts_get_the_calm_reading_only_when_asked():
    tactful = _tactful(guard_reads_drafts=False)
    (reading,) = tactful.read_many([tactful.parse(TEXT)])
    (quick,) = tactful.draft_many([reading])
    rules = {c.rule for c in quick.draft.checks}
    assert "calm_reading" not in rules and {"no_apology", "next_step"} <= rules
    assert getattr(tactful.classifier, "replies_read", 0) == 0
    (read,) = tactful.draft_many([reading], read=True)
    assert "calm_reading" in {c.rule for c in read.draft.checks}
    assert tactful.classifier.replies_read >= 1 + len(read.alternatives)
    edited = tactful.check(quick.draft.body, client_text=TEXT)
    assert "calm_reading" in {c.rule for c in edited}


class RestatedRequestRefused(FakeClassifier):
    """Reads any reply that restates a request as hostile, as the guard's rules would a
    client's "you'll do it on Saturday" restated."""

    def read_replies(self, texts):
        return [("angry", 0.9) if "You asked" in t else ("calm", 0.01) for t in texts]

    def run(self, items):
        return [
            self.read_replies([text])[0] if reply else self.analyze_many([text])[0]
            for text, _, reply in items
        ]


def test_when_a_restated_request_fails_the_guard_the_draft_goes_without_it():
    tactful = Tactful(RestatedRequestRefused(), Settings(guard_reads_drafts=True))
    message = tactful.parse(TEXT, sender="Dana <dana@example.com>")
    (result,) = tactful.draft_many(tactful.read_many([message]))
    assert result.draft.passed
    assert "You asked" not in result.draft.body and "Hi Dana," in result.draft.body
    first, sparest = tactful.plain_drafts(result.reading)
    assert "You asked" in first.body and "You asked" not in sparest.body


def test_the_async_front_falls_back_the_same_way():
    import asyncio

    from app.serving import Serving

    settings = Settings(guard_reads_drafts=True)
    tactful = Tactful(RestatedRequestRefused(), settings)
    serving = Serving(tactful, settings)

    async def go():
        await serving.start()
        try:
            reading = await serving.read(tactful.parse(TEXT))
            return await serving.draft_for(reading)
        finally:
            await serving.stop()

    result = asyncio.run(go())
    assert result.draft.passed and "You asked" not in result.draft.body
