"""Pooling: the occlusion features equal the message features with one sentence left out."""

import numpy as np
import pytest

from app.pipeline import features
from app.pipeline.encoder import Encoded


def _message(
    sentences: int, rng: np.random.Generator
) -> tuple[str, list[tuple[int, int]], Encoded]:
    parts = [f"Sentence {i} says SOMETHING{'!' * i}" for i in range(sentences)]
    text = " ".join(parts)
    spans, position = [], 0
    for part in parts:
        start = text.index(part, position)
        spans.append((start, start + len(part)))
        position = start + len(part)
    tokens = 5 * sentences
    offsets = np.array(
        [[k * len(text) // tokens, (k + 1) * len(text) // tokens] for k in range(tokens)]
    )
    states = rng.normal(size=(tokens, 12)).astype(np.float32)
    return text, spans, Encoded(states=states, offsets=offsets)


@pytest.mark.parametrize("sentences", [1, 2, 3, 7])
def test_occlusion_matches_leaving_each_sentence_out(sentences: int) -> None:
    text, spans, encoded = _message(sentences, np.random.default_rng(sentences))
    masks = features.sentence_token_masks(encoded, spans)
    vectors = features.sentence_vectors(encoded, masks)
    occluded = features.occlusion_features(encoded, vectors, masks, text, spans)
    one_by_one = np.stack(
        [
            features.message_features(
                encoded, vectors, masks, features.surface_features(text[:a] + text[b:]), drop=i
            )
            for i, (a, b) in enumerate(spans)
        ]
    )
    assert occluded.shape == (sentences, 2 * 12 + features.SURFACE_SIZE)
    np.testing.assert_allclose(occluded, one_by_one, atol=1e-5)


@pytest.mark.parametrize("sentences", [1, 3])
def test_a_sentence_read_alone_looks_like_a_message_of_that_sentence(sentences: int) -> None:
    text, spans, encoded = _message(sentences, np.random.default_rng(sentences))
    masks = features.sentence_token_masks(encoded, spans)
    vectors = features.sentence_vectors(encoded, masks)
    alone = features.alone_features(vectors, [text[a:b] for a, b in spans])
    for i, (a, b) in enumerate(spans):
        part = Encoded(states=encoded.states[masks[i]], offsets=encoded.offsets[masks[i]])
        whole = features.message_features(
            part,
            vectors[i : i + 1],
            np.ones((1, masks[i].sum()), bool),
            features.surface_features(text[a:b]),
        )
        np.testing.assert_allclose(alone[i], whole, atol=1e-5)
    assert features.alone_features(vectors[:0], []).shape == (0, 2 * 12 + features.SURFACE_SIZE)


def test_peaks_without_leave_each_sentence_out():
    scores = np.random.default_rng(6).normal(size=(5, 3))
    scores[3] = scores[1]  # a tie: leaving one out keeps the other's peak
    expected = np.stack([np.delete(scores, i, axis=0).max(axis=0) for i in range(5)])
    np.testing.assert_allclose(features.peaks_without(scores), expected)
