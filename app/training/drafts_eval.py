"""`tactful eval --drafts`: draft every evaluation email and measure the replies."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from app.errors import InputError
from app.pipeline.service import Tactful
from app.training.data import Example

BATCH = 32


def evaluate_drafts(
    tactful: Tactful, examples: Sequence[Example], tick: Callable[[int], None] | None = None
) -> dict:
    """Guard pass rate, share of detached requests restated, word counts, failures by rule."""
    passed, requests, restated, words = 0, 0, 0, []
    alternatives, alternatives_passed = 0, 0
    failures: dict[str, int] = {}
    drafted = 0
    for start in range(0, len(examples), BATCH):
        part = examples[start : start + BATCH]
        messages = []
        for example in part:
            try:
                messages.append(tactful.parse(example.text))
            except InputError:
                continue
        for result in tactful.draft_many(tactful.read_many(messages), read=True):
            drafted += 1
            body = result.draft.body
            passed += result.draft.passed
            for check in result.draft.checks:
                if not check.passed:
                    failures[check.rule] = failures.get(check.rule, 0) + 1
            for alternative in result.alternatives:
                alternatives += 1
                alternatives_passed += all(c.passed for c in alternative.checks)
            if result.draft.template != "one_line":
                for item in result.detached.requests:
                    requests += 1
                    restated += item.text in body
            words.append(len(body.split()))
        if tick:
            tick(len(part))
    counts = np.array(words or [0])
    return {
        "drafts": drafted,
        "guard_pass_rate": round(passed / max(drafted, 1), 4),
        "requests_restated": round(restated / max(requests, 1), 4),
        "alternatives_pass_rate": round(alternatives_passed / max(alternatives, 1), 4),
        "alternatives_per_draft": round(alternatives / max(drafted, 1), 2),
        "requests": requests,
        "words": {
            "median": int(np.median(counts)),
            "min": int(counts.min()),
            "max": int(counts.max()),
        },
        "failures_by_rule": failures,
    }
