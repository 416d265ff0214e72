"""Tactful's own replies as training data: what a calm, firm answer reads like.

The guard reads every draft with the same tone and hostility heads that read client
mail. Real public messages teach those heads hostility, but also pull firm boundary
replies ("the extra pages are outside the agreed scope") towards hostile. Replies
rendered from the corpus's own gold labels, with no model involved, are added as calm
examples so that the heads learn the register Tactful writes in.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from app.errors import InputError
from app.pipeline.detach import detach
from app.pipeline.parse import parse_message
from app.pipeline.profile import CompanyProfile
from app.pipeline.render import render_alternatives, render_draft
from app.pipeline.segment import split_sentences
from app.pipeline.strategy import choose_strategy
from app.pipeline.types import COMPLAINTS, TONES, Analysis, Sentence
from app.training.data import Example

REPLY_HOSTILITY = 0.0
# A fixed clock: the dates in the replies do not depend on when training runs.
RENDERED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def gold_analysis(text: str, example: Example) -> Analysis:
    """An Analysis of `text` (the example's new text) built from its gold labels."""
    sentences = []
    for sentence in split_sentences(text):
        role = next(
            (
                r
                for a, b, r in example.roles
                if sentence.text in example.text[a:b] or example.text[a:b] in sentence.text
            ),
            "other",
        )
        sentences.append(Sentence(sentence.text, sentence.start, sentence.end, role))
    complaints = set(example.complaints or [])
    threats = list(example.threats or [])
    tone = example.tone or "calm"
    return Analysis(
        text=text,
        language="en",
        language_supported=True,
        tone=tone,
        tone_scores={t: float(t == tone) for t in TONES},
        hostility=example.hostility or 0.0,
        threat_present=bool(threats),
        threat_score=float(bool(threats)),
        threat_kinds=threats,
        threat_kind_scores={k: 1.0 for k in threats},
        complaint_scores={c: float(c in complaints) for c in COMPLAINTS},
        complaint_thresholds=dict.fromkeys(COMPLAINTS, 0.5),
        sentences=sentences,
    )


def replies_for(example: Example, templates_dir: Path) -> list[str]:
    """The draft and its alternatives that Tactful writes for a correctly read example."""
    try:
        message = parse_message(example.text)
    except InputError:
        return []
    analysis = gold_analysis(message.new_text, example)
    detached = detach(message, analysis)
    strategy = choose_strategy(analysis, detached)
    args = (message, analysis, detached, strategy, CompanyProfile())
    options = {"send_not_before": RENDERED_AT, "templates_dir": templates_dir, "now": RENDERED_AT}
    draft = render_draft(*args, **options)
    return [draft.body, *(a.body for a in render_alternatives(*args, **options))]


def own_replies(
    examples: Iterable[Example], templates_dir: Path, count: int, seed: int, weight: float = 0.5
) -> list[Example]:
    """Up to `count` calm examples: one reply each for a random sample of `examples`."""
    rng = random.Random(seed)
    pool = [e for e in examples if e.tone is not None]
    rng.shuffle(pool)
    out = []
    for example in pool:
        if len(out) >= count:
            break
        texts = replies_for(example, templates_dir)
        if texts:
            out.append(
                Example(
                    id=f"{example.id}~reply",
                    text=rng.choice(texts),
                    tone="calm",
                    hostility=REPLY_HOSTILITY,
                    weight=weight,
                    source="own_replies",
                )
            )
    return out
