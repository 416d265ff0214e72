"""Word n-gram features: which words a message uses, beside what the encoder reads.

Complaint types are often named in so many words ("invoice", "refund", "out of scope",
"at 11pm"), and a mean-pooled sentence encoder blurs them. A lexicon of the training
corpus's commonest words and word pairs, weighted by inverse document frequency
(sublinear term frequency, rows scaled to unit length: the TF-IDF recipe), gives the
heads those words back. It is fitted on the training emails and saved beside the heads
as plain JSON; reading a text needs no extra library and no encoder pass.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LEXICON_FILE = "lexicon.json"
_WORD = re.compile(r"(?u)\b\w\w+\b")


def _ngrams(words: Sequence[str], ngrams: int) -> list[str]:
    out = list(words)
    for n in range(2, ngrams + 1):
        out += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return out


def terms(text: str, ngrams: int = 2) -> list[str]:
    """The lower-cased words of `text` (two letters or more) and their runs of up to `ngrams`."""
    return _ngrams([w.lower() for w in _WORD.findall(text)], ngrams)


@dataclass
class Lexicon:
    """Terms and their inverse document frequencies; `transform` gives TF-IDF rows."""

    terms: list[str]
    idf: np.ndarray
    ngrams: int = 2

    def __post_init__(self) -> None:
        self.index = {term: i for i, term in enumerate(self.terms)}
        self.idf = np.asarray(self.idf, dtype=np.float32)

    @property
    def size(self) -> int:
        """How many features a text gets."""
        return len(self.terms)

    @classmethod
    def fit(
        cls, texts: Iterable[str], max_terms: int = 5000, min_df: int = 3, ngrams: int = 2
    ) -> Lexicon:
        """The `max_terms` commonest terms found in at least `min_df` of `texts`."""
        frequency: Counter[str] = Counter()
        documents: Counter[str] = Counter()
        count = 0
        for text in texts:
            found = terms(text, ngrams)
            frequency.update(found)
            documents.update(set(found))
            count += 1
        common = sorted(
            (t for t in frequency if documents[t] >= min_df), key=lambda t: (-frequency[t], t)
        )
        kept = sorted(common[:max_terms])
        idf = [math.log((1 + count) / (1 + documents[t])) + 1 for t in kept]
        return cls(terms=kept, idf=np.array(idf, dtype=np.float32), ngrams=ngrams)

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """TF-IDF rows, shape (texts, size): (1 + log count) × idf, scaled to unit length."""
        counts = np.zeros((len(texts), self.size), dtype=np.float32)
        for row, text in enumerate(texts):
            counts[row] = self._count(terms(text, self.ngrams))
        return self._weigh(counts)

    def without(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """TF-IDF rows of `text` with each span left out in turn, shape (spans, size).

        Row i equals `transform([text[:a] + text[b:]])` for span i = (a, b) when the span
        does not cut a word in two (sentence spans do not), at the cost of the span's
        words rather than the whole text's.
        """
        found = list(_WORD.finditer(text))
        words = [m.group().lower() for m in found]
        starts = np.array([m.start() for m in found], dtype=np.int64)
        whole = self._count(_ngrams(words, self.ngrams))
        counts = np.repeat(whole[None, :], len(spans), axis=0)
        reach = self.ngrams - 1
        for row, (a, b) in enumerate(spans):
            first, end = np.searchsorted(starts, a), np.searchsorted(starts, b)
            if first == end:
                continue
            # only the n-grams near the span change: those overlapping it go, those
            # joining its two sides come
            low, high = max(0, first - reach), min(len(words), end + reach)
            counts[row] -= self._count(_ngrams(words[low:high], self.ngrams))
            counts[row] += self._count(_ngrams(words[low:first] + words[end:high], self.ngrams))
        return self._weigh(counts)

    def _count(self, found: Iterable[str]) -> np.ndarray:
        ids = [i for i in map(self.index.get, found) if i is not None]
        return np.bincount(np.asarray(ids, dtype=np.int64), minlength=self.size).astype(np.float32)

    def _weigh(self, counts: np.ndarray) -> np.ndarray:
        present = counts > 0
        weights = np.zeros_like(counts)
        weights[present] = 1.0 + np.log(counts[present])
        weights *= self.idf
        norms = np.linalg.norm(weights, axis=1, keepdims=True)
        return np.divide(weights, norms, out=weights, where=norms > 0)

    def save(self, folder: Path) -> Path:
        """Write the lexicon into `folder` as JSON."""
        path = Path(folder) / LEXICON_FILE
        data = {
            "ngrams": self.ngrams,
            "terms": self.terms,
            "idf": [round(float(v), 6) for v in self.idf],
        }
        path.write_text(json.dumps(data, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> Lexicon | None:
        """The lexicon saved in `folder`, or None when the model has none."""
        path = Path(folder) / LEXICON_FILE
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if len(data["terms"]) != len(data["idf"]):
            raise ValueError(f"{path}: {len(data['terms'])} terms but {len(data['idf'])} weights")
        return cls(terms=list(data["terms"]), idf=np.array(data["idf"]), ngrams=data["ngrams"])
