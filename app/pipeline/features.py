"""Pooling token vectors into message and sentence vectors (one encoder pass for both).

A message is described by the mean of all its token vectors and the element-wise
maximum of its sentence vectors, so a single hostile sentence in a long friendly
email still shows. A sentence vector is the mean of the tokens inside its span.
The encoder is uncased, so a few surface signals it cannot see (capitals, "!!",
"??") are appended to the message vector, and, for a model with a lexicon, the
message's word n-grams (see `lexical`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.pipeline.encoder import Encoded
from app.pipeline.lexical import Lexicon

SURFACE_SIZE = 7
_LETTER_WORDS = re.compile(r"[A-Za-z]{2,}")


def surface_features(text: str) -> np.ndarray:
    """Shouting and punctuation signals the uncased encoder cannot see, each in [0, 1]."""
    words = _LETTER_WORDS.findall(text)
    caps = sum(1 for w in words if w.isupper())
    return np.array(
        [
            caps / max(len(words), 1),
            min(caps, 5) / 5,
            min(text.count("!"), 6) / 6,
            float("!!" in text or "?!" in text or "!?" in text),
            min(text.count("?"), 6) / 6,
            float("??" in text),
            min(len(words), 300) / 300,
        ],
        dtype=np.float32,
    )


def text_width(lexicon: Lexicon | None = None) -> int:
    """How many features `text_features` gives a text."""
    return SURFACE_SIZE + (lexicon.size if lexicon else 0)


def text_features(texts: Sequence[str], lexicon: Lexicon | None = None) -> np.ndarray:
    """What each text shows on its face, shape (texts, width): surface signals, then the
    lexicon's word n-grams when the model has one."""
    if not len(texts):
        return np.zeros((0, text_width(lexicon)), np.float32)
    surface = np.stack([surface_features(t) for t in texts])
    if lexicon is None:
        return surface
    return np.concatenate([surface, lexicon.transform(texts)], axis=1)


def sentence_token_masks(encoded: Encoded, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Boolean matrix (sentences, tokens): which tokens fall inside each span."""
    starts, ends = encoded.offsets[:, 0], encoded.offsets[:, 1]
    masks = np.zeros((len(spans), len(starts)), dtype=bool)
    for row, (start, end) in enumerate(spans):
        masks[row] = (starts < end) & (ends > start)
    return masks


def sentence_vectors(encoded: Encoded, masks: np.ndarray) -> np.ndarray:
    """Mean token vector of each sentence; a sentence with no token gets the message mean."""
    states = encoded.states
    fallback = states.mean(axis=0) if len(states) else np.zeros(states.shape[1], np.float32)
    counts = masks.sum(axis=1, keepdims=True)
    sums = masks.astype(np.float32) @ states if len(states) else np.zeros((len(masks), 0))
    vectors = np.where(counts > 0, sums / np.maximum(counts, 1), fallback)
    return vectors.astype(np.float32)


def message_features(
    encoded: Encoded,
    sentences: np.ndarray,
    masks: np.ndarray,
    surface: np.ndarray,
    drop: int | None = None,
) -> np.ndarray:
    """[mean of tokens, max of sentence vectors, `surface`]; `drop` leaves one sentence out.

    `surface` is the text's own features (see `text_features`).
    """
    states = encoded.states
    hidden = states.shape[1]
    keep_tokens = np.ones(len(states), dtype=bool)
    keep_sentences = np.ones(len(sentences), dtype=bool)
    if drop is not None:
        keep_tokens &= ~masks[drop]
        keep_sentences[drop] = False
    mean = states[keep_tokens].mean(axis=0) if keep_tokens.any() else np.zeros(hidden)
    peak = sentences[keep_sentences].max(axis=0) if keep_sentences.any() else mean
    return np.concatenate([mean, peak, surface]).astype(np.float32)


def peaks_without(rows: np.ndarray) -> np.ndarray:
    """Row i: the column-wise max of `rows` once row i is left out (at least two rows)."""
    order = np.argsort(-rows, axis=0, kind="stable")
    first = np.take_along_axis(rows, order[:1], axis=0)
    second = np.take_along_axis(rows, order[1:2], axis=0)
    return np.where(order[0][None, :] == np.arange(len(rows))[:, None], second, first)


def occlusion_features(
    encoded: Encoded,
    sentences: np.ndarray,
    masks: np.ndarray,
    text: str,
    spans: Sequence[tuple[int, int]],
    lexicon: Lexicon | None = None,
) -> np.ndarray:
    """Message features with each sentence left out in turn, shape (sentences, features).

    Row i equals `message_features(..., drop=i)`, computed for all rows at once.
    """
    states = encoded.states
    hidden = states.shape[1]
    count = len(sentences)
    if not count:
        return np.zeros((0, 2 * hidden + text_width(lexicon)), np.float32)
    weights = masks.astype(np.float32)
    kept = len(states) - weights.sum(axis=1, keepdims=True)
    means = np.where(kept > 0, (states.sum(axis=0) - weights @ states) / np.maximum(kept, 1), 0.0)
    peaks = means if count == 1 else peaks_without(sentences)
    surface = text_features([text[:a] + text[b:] for a, b in spans])
    if lexicon is not None:
        surface = np.concatenate([surface, lexicon.without(text, spans)], axis=1)
    return np.concatenate([means, peaks, surface], axis=1).astype(np.float32)


def alone_features(
    sentences: np.ndarray, texts: Sequence[str], lexicon: Lexicon | None = None
) -> np.ndarray:
    """Message features of each sentence read as if it were the whole message."""
    if not len(texts):
        return np.zeros((0, 2 * sentences.shape[1] + text_width(lexicon)), np.float32)
    surface = text_features(texts, lexicon)
    return np.concatenate([sentences, sentences, surface], axis=1).astype(np.float32)


def role_features(vectors: np.ndarray, message: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """[sentence vector, message mean, sentence surface] for each sentence."""
    hidden = vectors.shape[1] if vectors.ndim == 2 else message.shape[0] // 2
    if not len(texts):
        return np.zeros((0, 2 * hidden + SURFACE_SIZE), np.float32)
    context = np.broadcast_to(message[:hidden], (len(texts), hidden))
    surface = np.stack([surface_features(t) for t in texts])
    return np.concatenate([vectors, context, surface], axis=1).astype(np.float32)


@dataclass
class Featurized:
    """Everything the heads read for one message."""

    message: np.ndarray
    """Message features, shape (2 * hidden + SURFACE_SIZE + lexicon size,)."""
    sentences: np.ndarray
    """Sentence-role features, see `role_features`."""
    sentence_vectors: np.ndarray
    masks: np.ndarray
    encoded: Encoded


def featurize(
    encoded: Encoded,
    spans: Sequence[tuple[int, int]],
    text: str,
    lexicon: Lexicon | None = None,
) -> Featurized:
    """Pool one encoded message into message and sentence features."""
    masks = sentence_token_masks(encoded, spans)
    vectors = sentence_vectors(encoded, masks)
    message = message_features(encoded, vectors, masks, text_features([text], lexicon)[0])
    roles = role_features(vectors, message, [text[a:b] for a, b in spans])
    return Featurized(
        message=message, sentences=roles, sentence_vectors=vectors, masks=masks, encoded=encoded
    )
