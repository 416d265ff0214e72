"""The calm reading of replies, pooled from sentences encoded once and remembered.

A reply Tactful drafts is mostly template sentences ("The agreement includes 2 rounds
of revisions...") that recur in every draft of the same kind, plus a few sentences that
restate the client's requests and recur across the draft and its alternatives. Each
sentence is encoded on its own, once; a reply's features are pooled from its sentences
exactly as a message's are from its spans (token-weighted mean, element-wise maximum of
sentence vectors, surface signals of the whole text). What changes is only that each
sentence is read without its neighbours as context.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from app.pipeline.encoder import Encoded
from app.pipeline.features import surface_features
from app.pipeline.segment import split_sentences

CACHE_SENTENCES = 8192


@dataclass(frozen=True)
class PooledSentence:
    """One sentence's token states, pooled: their sum, how many, and their mean."""

    total: np.ndarray
    tokens: int
    mean: np.ndarray

    @classmethod
    def of(cls, encoded: Encoded) -> PooledSentence:
        """Pool the token states of a sentence encoded on its own."""
        states = encoded.states
        if not len(states):
            zero = np.zeros(states.shape[1], np.float32)
            return cls(zero, 0, zero)
        total = states.sum(axis=0, dtype=np.float32)
        return cls(total, len(states), (total / len(states)).astype(np.float32))


def reply_sentences(text: str) -> list[str]:
    """The sentences a reply is read by (the whole text when it has no sentence break)."""
    sentences = [s.text for s in split_sentences(text)]
    return sentences or [text]


class SentenceMemory:
    """A bounded, thread-safe least-recently-used store of pooled sentences."""

    def __init__(self, size: int = CACHE_SENTENCES):
        self.size = size
        self._items: OrderedDict[str, PooledSentence] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def lookup(self, sentences: Iterable[str]) -> tuple[dict[str, PooledSentence], list[str]]:
        """The remembered sentences (now most recently used) and the distinct missing ones."""
        known: dict[str, PooledSentence] = {}
        missing: list[str] = []
        with self._lock:
            for sentence in dict.fromkeys(sentences):
                if sentence in self._items:
                    self._items.move_to_end(sentence)
                    known[sentence] = self._items[sentence]
                else:
                    missing.append(sentence)
        return known, missing

    def clear(self) -> None:
        """Forget every sentence."""
        with self._lock:
            self._items.clear()

    def remember(self, pooled: dict[str, PooledSentence]) -> None:
        """Store newly encoded sentences, forgetting the least recently used ones."""
        with self._lock:
            for sentence, value in pooled.items():
                self._items[sentence] = value
                self._items.move_to_end(sentence)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def reply_features(text: str, pooled: Sequence[PooledSentence]) -> np.ndarray:
    """Message features of a reply from its pooled sentences (see `message_features`)."""
    tokens = sum(p.tokens for p in pooled)
    total = np.sum([p.total for p in pooled], axis=0)
    mean = total / max(tokens, 1)
    peak = np.max([p.mean for p in pooled if p.tokens] or [mean], axis=0)
    return np.concatenate([mean, peak, surface_features(text)]).astype(np.float32)
