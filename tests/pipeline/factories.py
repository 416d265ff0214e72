"""Hand-built pipeline data for tests that must not depend on the model."""

from __future__ import annotations

from app.pipeline.segment import split_sentences
from app.pipeline.types import COMPLAINTS, THREAT_KINDS, TONES, Analysis, Message


def message(text: str, name: str | None = "Dana", subject: str | None = None) -> Message:
    return Message(raw=text, body=text, new_text=text, subject=subject, sender_name=name)


def analysis(
    text: str,
    tone: str = "calm",
    hostility: float = 0.05,
    complaints: tuple[str, ...] = (),
    threats: tuple[str, ...] = (),
    roles: dict[str, str] | None = None,
) -> Analysis:
    """An Analysis with the given labels; sentence roles by substring, default `other`."""
    sentences = split_sentences(text)
    for s in sentences:
        for key, role in (roles or {}).items():
            if key in s.text:
                s.role = role
                s.role_scores = {role: 0.9}
    return Analysis(
        text=text,
        language="en",
        language_supported=True,
        tone=tone,
        tone_scores={t: (0.9 if t == tone else 0.025) for t in TONES},
        hostility=hostility,
        threat_present=bool(threats),
        threat_score=0.9 if threats else 0.05,
        threat_kinds=list(threats),
        threat_kind_scores={k: (0.9 if k in threats else 0.05) for k in THREAT_KINDS},
        complaint_scores={c: (0.9 if c in complaints else 0.05) for c in COMPLAINTS},
        complaint_thresholds={c: 0.5 for c in COMPLAINTS},
        sentences=sentences,
    )
