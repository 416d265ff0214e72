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


_LETTER_RUNS = re.compile(r"[A-Za-z]+")
_PAIRS = ("!!", "?!", "!?", "??")


def surface_without(text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """`surface_features(text[:a] + text[b:])` for each span (a, b), shape (spans, 7).

    Counted once for the whole text, then corrected around each span, so that a long
    message costs its length once rather than once per sentence.
    """
    runs = [(m.start(), m.end(), m.group()) for m in _LETTER_RUNS.finditer(text)]
    starts = np.array([r[0] for r in runs], dtype=np.int64)
    ends = np.array([r[1] for r in runs], dtype=np.int64)
    words = np.cumsum([0] + [len(r[2]) >= 2 for r in runs])
    caps = np.cumsum([0] + [len(r[2]) >= 2 and r[2].isupper() for r in runs])
    # where each pair first ends and last starts, to tell whether a side still holds one
    first_end = {p: text.find(p) + 2 if p in text else len(text) + 3 for p in _PAIRS}
    last_start = {p: text.rfind(p) for p in _PAIRS}
    exclamations, questions = text.count("!"), text.count("?")
    rows = np.zeros((len(spans), SURFACE_SIZE), np.float32)
    for row, (a, b) in enumerate(spans):
        # runs touching or inside the span are re-read from what is left around it
        lo = int(np.searchsorted(ends, a, side="left"))
        hi = int(np.searchsorted(starts, b, side="right"))
        left = min(a, int(starts[lo])) if lo < hi else a
        right = max(b, int(ends[hi - 1])) if lo < hi else b
        local = _LETTER_WORDS.findall(text[left:a] + text[b:right])
        n_words = int(words[lo] + words[-1] - words[hi]) + len(local)
        n_caps = int(caps[lo] + caps[-1] - caps[hi]) + sum(1 for w in local if w.isupper())
        joined = text[max(0, a - 1) : a] + text[b : b + 1]
        held = {p for p in _PAIRS if first_end[p] <= a or last_start[p] >= b or p in joined}
        cut = text[a:b]
        rows[row] = [
            n_caps / max(n_words, 1),
            min(n_caps, 5) / 5,
            min(exclamations - cut.count("!"), 6) / 6,
            float(bool(held & {"!!", "?!", "!?"})),
            min(questions - cut.count("?"), 6) / 6,
            float("??" in held),
            min(n_words, 300) / 300,
        ]
    return rows


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


def sentence_token_ranges(encoded: Encoded, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Token index ranges [first, stop) of the tokens inside each span, shape (spans, 2).

    Token offsets run in text order, so the tokens overlapping a span are contiguous.
    """
    starts, ends = encoded.offsets[:, 0], encoded.offsets[:, 1]
    bounds = np.array(spans, dtype=np.int64).reshape(-1, 2)
    first = np.searchsorted(ends, bounds[:, 0], side="right")
    stop = np.maximum(np.searchsorted(starts, bounds[:, 1], side="left"), first)
    return np.stack([first, stop], axis=1).astype(np.int64)


def _range_sums(states: np.ndarray, ranges: np.ndarray) -> np.ndarray:
    """The sum of the token vectors in each range, shape (ranges, hidden)."""
    sums = np.zeros((len(ranges), states.shape[1]), np.float32)
    for row, (first, stop) in enumerate(ranges):
        if stop > first:
            sums[row] = states[first:stop].sum(axis=0)
    return sums


def sentence_vectors(encoded: Encoded, ranges: np.ndarray) -> np.ndarray:
    """Mean token vector of each sentence; a sentence with no token gets the message mean."""
    states = encoded.states
    fallback = states.mean(axis=0) if len(states) else np.zeros(states.shape[1], np.float32)
    counts = (ranges[:, 1] - ranges[:, 0])[:, None] if len(ranges) else np.zeros((0, 1))
    sums = _range_sums(states, ranges)
    vectors = np.where(counts > 0, sums / np.maximum(counts, 1), fallback)
    return vectors.astype(np.float32)


def message_features(
    encoded: Encoded,
    sentences: np.ndarray,
    ranges: np.ndarray,
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
        keep_tokens[ranges[drop, 0] : ranges[drop, 1]] = False
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
    ranges: np.ndarray,
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
    kept = len(states) - (ranges[:, 1] - ranges[:, 0])[:, None]
    left = states.sum(axis=0) - _range_sums(states, ranges)
    means = np.where(kept > 0, left / np.maximum(kept, 1), 0.0)
    peaks = means if count == 1 else peaks_without(sentences)
    surface = surface_without(text, spans)
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
    ranges: np.ndarray
    """Each sentence's token range [first, stop), see `sentence_token_ranges`."""
    encoded: Encoded


def featurize(
    encoded: Encoded,
    spans: Sequence[tuple[int, int]],
    text: str,
    lexicon: Lexicon | None = None,
) -> Featurized:
    """Pool one encoded message into message and sentence features."""
    ranges = sentence_token_ranges(encoded, spans)
    vectors = sentence_vectors(encoded, ranges)
    message = message_features(encoded, vectors, ranges, text_features([text], lexicon)[0])
    roles = role_features(vectors, message, [text[a:b] for a, b in spans])
    return Featurized(
        message=message, sentences=roles, sentence_vectors=vectors, ranges=ranges, encoded=encoded
    )
