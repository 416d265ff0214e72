"""Classify: one encoder pass per message, then every head on the pooled vectors.

The classifier returns scores and the labels its thresholds decide; what is done with
them (strategy, wording, pause) lives in the later steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.pipeline.encoder import Encoded, Encoder, TorchEncoder
from app.pipeline.features import (
    Featurized,
    alone_features,
    featurize,
    occlusion_features,
    peaks_without,
)
from app.pipeline.heads import HOSTILE_LANGUAGE, Head, TactfulHeads
from app.pipeline.language import detect_language, is_supported, language_code
from app.pipeline.lora import ADAPTER_FILE
from app.pipeline.reply_reading import (
    PooledSentence,
    SentenceMemory,
    reply_features,
    reply_sentences,
)
from app.pipeline.segment import split_sentences
from app.pipeline.types import TONE_HOSTILITY, Analysis, Evidence, Sentence

EVIDENCE_PER_LABEL = 3
EVIDENCE_MIN_WEIGHT = 0.1
"""The least weight (in log-odds, see `Classifier._evidence`) of evidence beyond a label's
strongest sentence."""


def load_encoder(runtime: str = "torch", model_dir: Path | None = None) -> Encoder:
    """The encoder for `runtime`: `torch` (fp32), `onnx` (fused fp32) or `onnx-int8`."""
    if runtime == "torch":
        adapter = Path(model_dir) / ADAPTER_FILE if model_dir else None
        return TorchEncoder(adapter=adapter)
    if runtime in ("onnx", "onnx-int8"):
        from app.pipeline.onnx_runtime import OnnxEncoder

        return OnnxEncoder.from_model_dir(model_dir, quantized=runtime == "onnx-int8")
    raise ValueError(f"unknown runtime {runtime!r}: use 'torch', 'onnx' or 'onnx-int8'")


def tone_hostility(labels: Sequence[str], probabilities: np.ndarray) -> float:
    """The hostility the tone probabilities stand for (`TONE_HOSTILITY`, weighted)."""
    return float(sum(TONE_HOSTILITY[t] * p for t, p in zip(labels, probabilities, strict=True)))


def sentence_roles(labels: Sequence[str], scores: np.ndarray, threat_present: bool) -> list[str]:
    """Each sentence's likeliest role, but no threat unless the message's threat is decided.

    A sentence the role head calls a threat then takes its next likeliest role: the
    message's threat head reads threats better than the sentence head does (on the
    evaluation split, threat sentences 0.89 precise this way against 0.83).
    """
    scores = np.array(scores, dtype=float, copy=True)
    if not threat_present:
        scores[:, labels.index("threat")] = -1.0
    return [labels[int(i)] for i in scores.argmax(axis=1)]


class Classifier:
    """The local transformer classifier: encoder plus trained heads."""

    def __init__(self, encoder: Encoder, heads: TactfulHeads, reply_memory: bool = True):
        self.encoder = encoder
        self.heads = heads
        reads_sentences = reply_memory and "reply_tone" in heads.heads
        self.reply_memory = SentenceMemory() if reads_sentences else None
        """Replies are read from remembered sentences by the reply heads (None: whole,
        by the message heads; for models trained without reply heads)."""

    @classmethod
    def from_pretrained(cls, model_dir: str | Path, runtime: str = "torch") -> Classifier:
        """Load the heads from `model_dir` and the encoder for `runtime`."""
        heads = TactfulHeads.from_pretrained(model_dir)
        return cls(load_encoder(runtime, Path(model_dir)), heads)

    @property
    def complaint_labels(self) -> list[str]:
        """Complaint types this model was trained on (the taxonomy's, plus custom ones)."""
        return list(self.heads["complaints"].labels)

    def featurize(self, texts: Sequence[str]) -> list[tuple[list[Sentence], Featurized]]:
        """Split each text into sentences and pool its single encoder pass."""
        return self._featurize(texts, self.encoder.encode(list(texts)))

    def _featurize(
        self, texts: Sequence[str], encoded: Sequence[Encoded]
    ) -> list[tuple[list[Sentence], Featurized]]:
        out = []
        for text, enc in zip(texts, encoded, strict=True):
            sentences = split_sentences(text)
            spans = [(s.start, s.end) for s in sentences]
            out.append((sentences, featurize(enc, spans, text, self.heads.lexicon)))
        return out

    def analyze_many(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        """Analyse several texts; batching happens inside the encoder."""
        languages = list(languages) if languages is not None else [None] * len(texts)
        items = [(text, lang, False) for text, lang in zip(texts, languages, strict=True)]
        return [r for r in self.run(items) if isinstance(r, Analysis)]

    def analyze(self, text: str, language: str | None = None) -> Analysis:
        """Analyse one text."""
        return self.analyze_many([text], [language])[0]

    def read_replies(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """Tone label and hostility of replies: one encoder run, the tone heads only."""
        return [r for r in self.run([(text, "en", True) for text in texts]) if isinstance(r, tuple)]

    def read_reply(self, text: str) -> tuple[str, float]:
        """Tone label and hostility of a reply (what the guard's calm reading asks)."""
        return self.read_replies([text])[0]

    def run(
        self, items: Sequence[tuple[str, str | None, bool]]
    ) -> list[Analysis | tuple[str, float]]:
        """Messages and replies in one encoder run: `(text, language, is_reply)` each.

        A message gets the whole analysis; a reply only its tone and hostility.
        """
        memory = self.reply_memory
        messages = [text for text, _, reply in items if not reply or memory is None]
        replies = [
            reply_sentences(text) for text, _, reply in items if reply and memory is not None
        ]
        known, missing = (
            memory.lookup(s for r in replies for s in r) if memory is not None else ({}, [])
        )
        encoded = self.encoder.encode(messages + missing)
        fresh = {
            sentence: PooledSentence.of(enc)
            for sentence, enc in zip(missing, encoded[len(messages) :], strict=True)
        }
        if memory is not None:
            memory.remember(fresh)
        known.update(fresh)
        featurized = iter(self._featurize(messages, encoded[: len(messages)]))
        sentences_of = iter(replies)
        out: list[Analysis | tuple[str, float]] = []
        for text, language, reply in items:
            if reply and memory is not None:
                pooled = [known[s] for s in next(sentences_of)]
                x = reply_features(text, pooled)[None, :]
                _, tone, hostility = self._tone(x, "reply_")
                out.append((tone, hostility))
                continue
            sentences, feats = next(featurized)
            if reply:
                _, tone, hostility = self._tone(feats.message[None, :])
                out.append((tone, hostility))
            else:
                language = language_code(language) or detect_language(text)
                out.append(self._analysis(text, sentences, feats, language))
        return out

    def _tone(self, x: np.ndarray, heads: str = "") -> tuple[np.ndarray, str, float]:
        """Tone probabilities, tone label and hostility for one row of features.

        `heads` is "" for the message heads, "reply_" for the reply-reading heads.
        """
        tone_head = self.heads[f"{heads}tone"]
        tone_p = tone_head.predict_proba(x)[0]
        tone = tone_head.labels[int(tone_p.argmax())]
        hostility = float(self.heads.predict_proba(f"{heads}hostility", x)[0, 0])
        if not heads:
            # Averaged with what the tone implies: alone, the email head reads mail
            # written in a rush (lowercase, no apostrophes) as abuse whatever its tone.
            hostility = 0.5 * (hostility + tone_hostility(tone_head.labels, tone_p))
            if HOSTILE_LANGUAGE in self.heads.heads:
                # hostile when either reading says so: the email's, or the words' as
                # people label real public messages
                language = float(self.heads.predict_proba(HOSTILE_LANGUAGE, x)[0, 0])
                hostility = 1.0 - (1.0 - hostility) * (1.0 - language)
        # Gated by the tone head, so that the two never contradict: a message the tone
        # head reads as calm cannot score as hostile.
        calm = float(tone_p[tone_head.labels.index("calm")])
        return tone_p, tone, hostility * (1.0 - calm)

    def _analysis(
        self, text: str, sentences: list[Sentence], feats: Featurized, language: str
    ) -> Analysis:
        heads = self.heads
        x = feats.message[None, :]
        tone_head = heads["tone"]
        tone_p, tone, hostility = self._tone(x)
        threat_score = float(heads.predict_proba("threat", x)[0, 0])
        kind_head = heads["threat_kinds"]
        kind_p = heads.predict_proba("threat_kinds", x)[0]
        threat_limit = heads.thresholds.get("threat", {}).get("threat", 0.5)
        threat_present = threat_score >= threat_limit
        kind_limits = heads.thresholds.get("threat_kinds", {})
        kinds = [
            label
            for label, p in zip(kind_head.labels, kind_p, strict=True)
            if threat_present and p >= kind_limits.get(label, 0.5)
        ]
        if threat_present and not kinds:
            kinds = [kind_head.labels[int(kind_p.argmax())]]
        complaint_head = heads["complaints"]
        complaint_p = complaint_head.predict_proba(x, self._peaks(complaint_head, feats))[0]
        complaint_scores = {
            label: float(p) for label, p in zip(complaint_head.labels, complaint_p, strict=True)
        }
        complaint_limits = {
            label: float(heads.thresholds.get("complaints", {}).get(label, 0.5))
            for label in complaint_head.labels
        }
        if len(sentences):
            role_head = heads["roles"]
            role_p = role_head.predict_proba(feats.sentences)
            roles = sentence_roles(role_head.labels, role_p, threat_present)
            for sentence, row, role in zip(sentences, role_p, roles, strict=True):
                sentence.role = role
                sentence.role_scores = {
                    label: round(float(p), 4)
                    for label, p in zip(role_head.labels, row, strict=True)
                }
        analysis = Analysis(
            text=text,
            language=language,
            language_supported=is_supported(language),
            tone=tone,
            tone_scores={
                label: float(p) for label, p in zip(tone_head.labels, tone_p, strict=True)
            },
            hostility=hostility,
            threat_present=threat_present,
            threat_score=threat_score,
            threat_kinds=kinds,
            threat_kind_scores={
                label: float(p) for label, p in zip(kind_head.labels, kind_p, strict=True)
            },
            complaint_scores=complaint_scores,
            complaint_thresholds=complaint_limits,
            sentences=sentences,
        )
        analysis.evidence = self._evidence(analysis, feats)
        return analysis

    @staticmethod
    def _peaks(head: Head, feats: Featurized) -> np.ndarray | None:
        """The strongest sentence's scores; a message without sentences is its own one."""
        if not head.reads_sentences:
            return None
        vectors = feats.sentence_vectors
        if not len(vectors):
            vectors = feats.message[None, : head.params["sentence_mean"].shape[0]]
        return head.peaks([vectors])

    def _evidence(self, analysis: Analysis, feats: Featurized) -> list[Evidence]:
        """The sentences (not greetings or sign-offs) that carry each decided label.

        A sentence's weight is the fall in the label's log-odds when it is left out, plus
        how much more strongly it carries the label read alone than the message does.
        """
        sentences = analysis.sentences
        if not sentences:
            return []
        targets: list[tuple[str, str, int, float]] = []
        tone_head = self.heads["tone"]
        targets.append(
            (
                "tone",
                analysis.tone,
                tone_head.labels.index(analysis.tone),
                analysis.tone_scores[analysis.tone],
            )
        )
        if analysis.threat_present:
            kinds = self.heads["threat_kinds"].labels
            for kind in analysis.threat_kinds:
                targets.append(
                    ("threat_kinds", kind, kinds.index(kind), analysis.threat_kind_scores[kind])
                )
        labels = self.heads["complaints"].labels
        for label in analysis.complaints:
            targets.append(
                ("complaints", label, labels.index(label), analysis.complaint_scores[label])
            )
        if len(sentences) == 1:
            only = sentences[0]
            return [
                Evidence(label, only.text, only.start, only.end, round(score, 4))
                for _, label, _, score in targets
            ]
        spans = [(s.start, s.end) for s in sentences]
        lexicon = self.heads.lexicon
        occluded = occlusion_features(
            feats.encoded, feats.sentence_vectors, feats.ranges, analysis.text, spans, lexicon
        )
        alone = alone_features(feats.sentence_vectors, [s.text for s in sentences], lexicon)
        # Greetings and sign-offs ("Hi Sam,", "Dana") carry no label by definition; a
        # drop in log-odds when one is left out says more about the pooling than the text.
        eligible = np.array([s.role != "other" for s in sentences])
        if not eligible.any():
            eligible[:] = True
        evidence: list[Evidence] = []
        cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for head_name, label, column, _ in targets:
            if head_name not in cache:
                head = self.heads[head_name]
                if head.reads_sentences:
                    scores = head.sentence_scores(feats.sentence_vectors)
                    peak, left_out = scores.max(axis=0, keepdims=True), peaks_without(scores)
                else:
                    scores = peak = left_out = None
                cache[head_name] = (
                    head.log_odds(feats.message, peak)[0],
                    head.log_odds(occluded, left_out),
                    head.log_odds(alone, scores),
                )
            message, without, by_itself = cache[head_name]
            # Log-odds, not probability: a label the model is sure of (0.999) barely moves
            # in probability when one of several sentences that carry it is left out. The
            # encoder spreads a strong sentence into its neighbours' token states, so
            # leaving it out can move little; its reading alone still shows it.
            drops = message[column] - without[:, column]
            gains = np.maximum(by_itself[:, column] - message[column], 0.0)
            weights = np.where(eligible, drops + gains, -np.inf)
            for rank, i in enumerate(np.argsort(-weights)[:EVIDENCE_PER_LABEL]):
                # the strongest sentence always counts: every decided label has evidence
                if rank and weights[i] < EVIDENCE_MIN_WEIGHT:
                    break
                s = sentences[int(i)]
                weight = round(float(weights[i]), 4)
                evidence.append(Evidence(label, s.text, s.start, s.end, weight))
        return evidence
