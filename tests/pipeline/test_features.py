"""Pooling: the occlusion features equal the message features with one sentence left out."""

import numpy as np
import pytest

from app.pipeline import features
from app.pipeline.encoder import Encoded
from app.pipeline.lexical import Lexicon

WORDS = ("invoice", "refund", "deadline", "scope", "contract", "weekend", "quality")
LEXICON = Lexicon.fit([f"the sentence says {w}" for w in WORDS], min_df=1)


def _message(
    sentences: int, rng: np.random.Generator
) -> tuple[str, list[tuple[int, int]], Encoded]:
    parts = [f"Sentence {i} says {WORDS[i].upper()}{'!' * i}" for i in range(sentences)]
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


@pytest.mark.parametrize("lexicon", [None, LEXICON])
@pytest.mark.parametrize("sentences", [1, 2, 3, 7])
def test_occlusion_matches_leaving_each_sentence_out(sentences: int, lexicon) -> None:
    text, spans, encoded = _message(sentences, np.random.default_rng(sentences))
    ranges = features.sentence_token_ranges(encoded, spans)
    vectors = features.sentence_vectors(encoded, ranges)
    occluded = features.occlusion_features(encoded, vectors, ranges, text, spans, lexicon)
    one_by_one = np.stack(
        [
            features.message_features(
                encoded,
                vectors,
                ranges,
                features.text_features([text[:a] + text[b:]], lexicon)[0],
                drop=i,
            )
            for i, (a, b) in enumerate(spans)
        ]
    )
    width = 2 * 12 + features.SURFACE_SIZE + (lexicon.size if lexicon else 0)
    assert occluded.shape == (sentences, width)
    np.testing.assert_allclose(occluded, one_by_one, atol=1e-5)
    if lexicon and sentences > 1:
        # leaving a sentence out takes its words out of the lexical part too
        assert not np.allclose(occluded[0, -lexicon.size :], occluded[1, -lexicon.size :])


@pytest.mark.parametrize("lexicon", [None, LEXICON])
@pytest.mark.parametrize("sentences", [1, 3])
def test_a_sentence_read_alone_looks_like_a_message_of_that_sentence(
    sentences: int, lexicon
) -> None:
    text, spans, encoded = _message(sentences, np.random.default_rng(sentences))
    ranges = features.sentence_token_ranges(encoded, spans)
    vectors = features.sentence_vectors(encoded, ranges)
    alone = features.alone_features(vectors, [text[a:b] for a, b in spans], lexicon)
    for i, (a, b) in enumerate(spans):
        first, stop = ranges[i]
        part = Encoded(states=encoded.states[first:stop], offsets=encoded.offsets[first:stop])
        whole = features.message_features(
            part,
            vectors[i : i + 1],
            np.array([[0, stop - first]]),
            features.text_features([text[a:b]], lexicon)[0],
        )
        np.testing.assert_allclose(alone[i], whole, atol=1e-5)
    width = 2 * 12 + features.SURFACE_SIZE + (lexicon.size if lexicon else 0)
    assert features.alone_features(vectors[:0], [], lexicon).shape == (0, width)


def test_the_message_vector_ends_with_its_words_when_the_model_has_a_lexicon():
    text, spans, encoded = _message(2, np.random.default_rng(2))
    plain = features.featurize(encoded, spans, text)
    worded = features.featurize(encoded, spans, text, LEXICON)
    assert worded.message.shape == (plain.message.shape[0] + LEXICON.size,)
    np.testing.assert_allclose(worded.message[: plain.message.shape[0]], plain.message)
    np.testing.assert_allclose(worded.message[-LEXICON.size :], LEXICON.transform([text])[0])


def test_token_ranges_are_the_tokens_overlapping_each_span():
    text, spans, encoded = _message(7, np.random.default_rng(7))
    spans += [(0, 0), (len(text), len(text)), (3, 4), (0, len(text))]
    starts, ends = encoded.offsets[:, 0], encoded.offsets[:, 1]
    for (a, b), (first, stop) in zip(
        spans, features.sentence_token_ranges(encoded, spans), strict=True
    ):
        overlapping = np.flatnonzero((starts < b) & (ends > a))
        assert list(range(first, stop)) == list(overlapping), (a, b)


@pytest.mark.parametrize("seed", range(5))
def test_surface_without_equals_the_surface_of_the_text_with_each_span_cut(seed):
    rng = np.random.default_rng(seed)
    alphabet = list("aB cD!?. \nEF gh!!??IJ k")
    for _ in range(400):
        text = "".join(rng.choice(alphabet, size=int(rng.integers(0, 40))))
        spans = [tuple(sorted(map(int, rng.integers(0, len(text) + 1, 2)))) for _ in range(3)]
        want = np.stack([features.surface_features(text[:a] + text[b:]) for a, b in spans])
        np.testing.assert_allclose(features.surface_without(text, spans), want)


def test_peaks_without_leave_each_sentence_out():
    scores = np.random.default_rng(6).normal(size=(5, 3))
    scores[3] = scores[1]  # a tie: leaving one out keeps the other's peak
    expected = np.stack([np.delete(scores, i, axis=0).max(axis=0) for i in range(5)])
    np.testing.assert_allclose(features.peaks_without(scores), expected)
