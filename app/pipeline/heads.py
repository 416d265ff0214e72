"""Trained heads on top of the encoder: the small, committed part of the model.

Saved as plain arrays (`heads.npz`, no pickle) with the label map, calibration
temperatures, thresholds and training config beside them as JSON, in the manner
of SetFit's and sentence-transformers' `save_pretrained` folders.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.pipeline.lexical import LEXICON_FILE, Lexicon

WEIGHTS_FILE = "heads.npz"
LABEL_MAP_FILE = "label_map.json"
THRESHOLDS_FILE = "thresholds.json"
CONFIG_FILE = "config.json"
HOSTILE_LANGUAGE = "hostile_language"
"""The head that reads hostile wording as people labelled it in real public messages."""


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """Element-wise logistic function."""
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40)))


@dataclass
class Head:
    """One head: standardise, optional hidden layer, linear output, temperature."""

    name: str
    kind: str
    """`softmax` (one label) or `sigmoid` (independent labels, or a single score)."""
    source: str
    """`message` or `sentence`: which vectors it reads."""
    labels: list[str]
    params: dict[str, np.ndarray]
    temperature: float = 1.0

    @property
    def reads_sentences(self) -> bool:
        """Whether the head adds its strongest sentence's scores to the message's."""
        return "sentence_w" in self.params

    def sentence_scores(self, vectors: np.ndarray) -> np.ndarray:
        """Each sentence vector's own scores, shape (sentences, labels)."""
        h = (np.atleast_2d(vectors) - self.params["sentence_mean"]) / self.params["sentence_scale"]
        return h @ self.params["sentence_w"] + self.params["sentence_b"]

    def peaks(self, sentence_vectors: Sequence[np.ndarray]) -> np.ndarray | None:
        """The strongest sentence's scores for each message (None for message-only heads)."""
        if not self.reads_sentences:
            return None
        rows = [self.sentence_scores(v).max(axis=0) for v in sentence_vectors]
        return np.stack(rows) if rows else np.zeros((0, len(self.labels)))

    def logits(self, x: np.ndarray, peaks: np.ndarray | None = None) -> np.ndarray:
        """Raw scores, shape (rows, labels); `peaks` adds each row's strongest sentence.

        A head fitted on the leading columns of the features (the token mean, say) reads
        only those from wider rows.
        """
        width = self.params["mean"].shape[0]
        h = (np.atleast_2d(x)[:, :width] - self.params["mean"]) / self.params["scale"]
        if "w1" in self.params:
            h = np.maximum(h @ self.params["w1"] + self.params["b1"], 0.0)
        z = h @ self.params["w"] + self.params["b"]
        return z if peaks is None else z + peaks

    def predict_proba(self, x: np.ndarray, peaks: np.ndarray | None = None) -> np.ndarray:
        """Calibrated probabilities, shape (rows, labels)."""
        z = self.logits(x, peaks) / self.temperature
        return softmax(z) if self.kind == "softmax" else sigmoid(z)

    def log_odds(self, x: np.ndarray, peaks: np.ndarray | None = None) -> np.ndarray:
        """Calibrated log(p / (1 - p)) per label, exact where probabilities round to 0 or 1."""
        z = self.logits(x, peaks) / self.temperature
        if self.kind != "softmax":
            return z
        if z.shape[1] == 1:
            return np.full_like(z, np.inf)
        # log of the summed probability of every other label, per label (a stable logsumexp)
        rest = np.where(np.eye(z.shape[1], dtype=bool), -np.inf, z[:, None, :])
        peak = rest.max(axis=2)
        return z - (peak + np.log(np.exp(rest - peak[:, :, None]).sum(axis=2)))


@dataclass
class TactfulHeads:
    """All heads of the classifier, with their thresholds, training config and lexicon."""

    heads: dict[str, Head]
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    lexicon: Lexicon | None = None
    """The word n-grams the message heads read beside the encoder (None: none)."""

    def __getitem__(self, name: str) -> Head:
        return self.heads[name]

    def predict_proba(
        self, name: str, x: np.ndarray, peaks: np.ndarray | None = None
    ) -> np.ndarray:
        """Probabilities of head `name` for feature rows `x` (and their sentence peaks)."""
        return self.heads[name].predict_proba(x, peaks)

    def predict(self, name: str, x: np.ndarray, peaks: np.ndarray | None = None) -> list:
        """Labels of head `name`: the argmax for softmax heads, labels over threshold else."""
        head = self.heads[name]
        proba = head.predict_proba(x, peaks)
        if head.kind == "softmax":
            return [head.labels[i] for i in proba.argmax(axis=1)]
        limits = self.thresholds.get(name, {})
        return [
            [
                label
                for label, p in zip(head.labels, row, strict=True)
                if p >= limits.get(label, 0.5)
            ]
            for row in proba
        ]

    def save_pretrained(self, path: str | Path) -> None:
        """Write the heads into folder `path`."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        arrays = {
            f"{name}.{key}": value.astype(np.float32)
            for name, head in self.heads.items()
            for key, value in head.params.items()
        }
        np.savez_compressed(path / WEIGHTS_FILE, **arrays)
        label_map = {
            name: {
                "kind": h.kind,
                "source": h.source,
                "labels": h.labels,
                "temperature": round(float(h.temperature), 6),
            }
            for name, h in self.heads.items()
        }
        _write_json(path / LABEL_MAP_FILE, label_map)
        _write_json(path / THRESHOLDS_FILE, self.thresholds)
        _write_json(path / CONFIG_FILE, self.config)
        if self.lexicon is not None:
            self.lexicon.save(path)
        else:
            (path / LEXICON_FILE).unlink(missing_ok=True)

    @classmethod
    def from_pretrained(cls, path: str | Path) -> TactfulHeads:
        """Load heads saved by `save_pretrained`."""
        path = Path(path)
        if not (path / WEIGHTS_FILE).exists():
            raise FileNotFoundError(f"no trained heads in {path}: run `tactful train`")
        label_map = json.loads((path / LABEL_MAP_FILE).read_text())
        params: dict[str, dict[str, np.ndarray]] = {name: {} for name in label_map}
        with np.load(path / WEIGHTS_FILE, allow_pickle=False) as arrays:
            for key in arrays.files:
                name, param = key.split(".", 1)
                params[name][param] = arrays[key]
        heads = {
            name: Head(
                name=name,
                kind=spec["kind"],
                source=spec["source"],
                labels=list(spec["labels"]),
                params=params[name],
                temperature=float(spec.get("temperature", 1.0)),
            )
            for name, spec in label_map.items()
        }
        thresholds = json.loads((path / THRESHOLDS_FILE).read_text())
        config = json.loads((path / CONFIG_FILE).read_text())
        return cls(heads=heads, thresholds=thresholds, config=config, lexicon=Lexicon.load(path))


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
