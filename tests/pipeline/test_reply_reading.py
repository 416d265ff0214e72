"""Reading replies from remembered sentences: pooling, memory, and the guard's verdicts."""

from __future__ import annotations

import numpy as np
import pytest

from app.pipeline import features
from app.pipeline.classify import Classifier
from app.pipeline.encoder import Encoded
from app.pipeline.reply_reading import (
    PooledSentence,
    SentenceMemory,
    reply_features,
    reply_sentences,
)


def _encoded(tokens: int, seed: int) -> Encoded:
    states = np.random.default_rng(seed).normal(size=(tokens, 6)).astype(np.float32)
    offsets = np.array([[k, k + 1] for k in range(tokens)])
    return Encoded(states=states, offsets=offsets)


def test_one_sentence_pools_as_the_message_does() -> None:
    text = "The files will reach you by Friday."
    encoded = _encoded(9, 1)
    spans = [(0, len(text))]
    whole = features.featurize(encoded, spans, text).message
    pooled = reply_features(text, [PooledSentence.of(encoded)])
    np.testing.assert_allclose(pooled, whole, rtol=1e-5, atol=1e-6)


def test_pooling_weights_sentences_by_their_tokens() -> None:
    short, long = _encoded(2, 2), _encoded(8, 3)
    x = reply_features("A. B.", [PooledSentence.of(short), PooledSentence.of(long)])
    mean = np.concatenate([short.states, long.states]).mean(axis=0)
    peak = np.maximum(short.states.mean(axis=0), long.states.mean(axis=0))
    np.testing.assert_allclose(x[:6], mean, rtol=1e-5)
    np.testing.assert_allclose(x[6:12], peak, rtol=1e-5)
    assert x.shape == (12 + features.SURFACE_SIZE,)


def test_a_text_without_a_break_is_one_sentence() -> None:
    assert reply_sentences("ok") == ["ok"]
    assert reply_sentences("Hello Sam.\n\nThe invoice is attached.") == [
        "Hello Sam.",
        "The invoice is attached.",
    ]


def test_memory_forgets_the_least_recently_used() -> None:
    memory = SentenceMemory(size=2)
    pooled = PooledSentence.of(_encoded(3, 4))
    memory.remember({"a": pooled, "b": pooled})
    known, missing = memory.lookup(["a", "c", "c"])
    assert list(known) == ["a"] and missing == ["c"]
    memory.remember({"c": pooled})  # "b" is now the least recently used
    known, missing = memory.lookup(["a", "b", "c"])
    assert sorted(known) == ["a", "c"] and missing == ["b"]
    assert len(memory) == 2


class _Counting:
    """Wraps an encoder and records every text it is asked to encode."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self.name = encoder.name
        self.seen: list[str] = []

    def encode(self, texts: list[str], batch_size: int = 16) -> list[Encoded]:
        self.seen += texts
        return self.encoder.encode(texts, batch_size)


REPLY = (
    "Hello Dana,\n\nThank you for your message. The corrected invoice will reach you by "
    "Friday 6 March.\n\nBest regards,\nAlex"
)


def test_a_sentence_is_encoded_once(classifier) -> None:
    counting = _Counting(classifier.encoder)
    fresh = Classifier(counting, classifier.heads)
    first = fresh.read_reply(REPLY)
    assert sorted(counting.seen) == sorted(set(reply_sentences(REPLY)))
    counting.seen.clear()
    other = REPLY.replace("Friday 6 March", "Monday 9 March")
    assert fresh.read_reply(REPLY) == first
    fresh.read_reply(other)
    assert counting.seen == [s for s in reply_sentences(other) if s not in REPLY]


def test_messages_and_replies_share_one_encoder_run(classifier) -> None:
    counting = _Counting(classifier.encoder)
    calls = []
    original = counting.encode

    def encode(texts: list[str], batch_size: int = 16) -> list[Encoded]:
        calls.append(len(texts))
        return original(texts, batch_size)

    counting.encode = encode  # type: ignore[method-assign]
    fresh = Classifier(counting, classifier.heads)
    out = fresh.run([("you people are useless", None, False), (REPLY, "en", True)])
    assert len(calls) == 1
    assert out[0].tone == "abusive"  # type: ignore[union-attr]
    assert out[1][0] == "calm"  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "calm"),
    [
        (REPLY, True),
        (
            "Hello Sam,\n\nThe extra pages are outside the agreed scope. I can quote for them "
            "separately, or we can keep to the three pages in the proposal.\n\nBest regards,\nAlex",
            True,
        ),
        ("You are an idiot and I am sick of your pathetic excuses.", False),
        ("THIS IS UNACCEPTABLE!!! Fix it NOW or I'm done with you.", False),
    ],
)
def test_the_reply_heads_tell_calm_from_hostile(classifier, text: str, calm: bool) -> None:
    tone, hostility = classifier.read_reply(text)
    assert (tone == "calm" and hostility < 0.3) is calm, (tone, hostility)
