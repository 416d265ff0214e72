"""`tactful eval`: how well the shipped model reads the evaluation split and real messages."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np

from app.pipeline.classify import Classifier
from app.pipeline.strategy import HOSTILE
from app.pipeline.types import ROLES, THREAT_KINDS, TONES, Analysis
from app.training.data import Example, load_real

REAL_AUC_TASKS: dict[str, tuple[set[str], set[str]]] = {
    # dataset: (hostile labels, friendly labels); rows with neither are left out
    "tweeteval_offensive": ({"offensive"}, {"not-offensive"}),
    "goemotions": ({"anger"}, {"neutral"}),
    "tweeteval_emotion": ({"anger"}, {"joy", "optimism"}),
    "stanford_politeness": ({"impolite"}, {"polite"}),
    "ro_offense": ({"ABUSE", "INSULT", "PROFANITY"}, {"OTHER"}),
    "ro_fb_offense": ({"ABUSE", "INSULT", "PROFANITY"}, {"OTHER"}),
    "ru_vk_toxicity": ({"toxic"}, {"non_toxic"}),
}
ECE_BINS = 10
EVIDENCE_FITS: dict[str, set[str]] = {
    # which gold sentence roles a label's top evidence sentence fits
    "tone": {"emotion", "threat"},
    "threat": {"threat"},
    "complaint": {"request", "fact", "emotion", "threat"},
}


def prf(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 and support of boolean predictions."""
    tp = float((pred & gold).sum())
    precision = tp / max(pred.sum(), 1)
    recall = tp / max(gold.sum(), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": int(gold.sum()),
    }


def label_set_scores(
    predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]], labels: Sequence[str]
) -> dict:
    """Per-label, micro and macro (over labels with support) scores of predicted label sets."""
    pred = np.array([[c in p for c in labels] for p in predicted], dtype=bool)
    true = np.array([[c in g for c in labels] for g in gold], dtype=bool)
    per_label = {c: prf(pred[:, j], true[:, j]) for j, c in enumerate(labels)}
    f1s = [scores["f1"] for scores in per_label.values() if scores["support"]]
    return {
        "micro": prf(pred.ravel(), true.ravel()),
        "macro_f1": round(float(np.mean(f1s)) if f1s else 0.0, 4),
        "per_label": per_label,
    }


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray) -> float:
    """ECE over equal-width confidence bins."""
    edges = np.linspace(0, 1, ECE_BINS + 1)
    total = 0.0
    for lo, hi in pairwise(edges):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return round(float(total), 4)


def reliability(confidence: np.ndarray, correct: np.ndarray) -> list[dict[str, float]]:
    """Per-bin mean confidence and accuracy, for the reliability diagram."""
    edges = np.linspace(0, 1, ECE_BINS + 1)
    rows = []
    for lo, hi in pairwise(edges):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            rows.append(
                {
                    "bin": round(float(hi), 2),
                    "confidence": round(float(confidence[inside].mean()), 4),
                    "accuracy": round(float(correct[inside].mean()), 4),
                    "count": int(inside.sum()),
                }
            )
    return rows


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve (rank formulation, ties averaged)."""
    from scipy.stats import rankdata

    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def evaluate_split(
    analyses: Sequence[Analysis], examples: Sequence[Example], complaint_labels: list[str]
) -> dict:
    """Every message-level and sentence-level metric on a labelled split."""
    tone_gold = np.array([TONES.index(e.tone) for e in examples])
    tone_prob = np.array([[a.tone_scores[t] for t in TONES] for a in analyses])
    tone_pred = tone_prob.argmax(axis=1)
    confusion = np.zeros((len(TONES), len(TONES)), dtype=int)
    for g, p in zip(tone_gold, tone_pred, strict=True):
        confusion[g, p] += 1
    tone_conf = tone_prob.max(axis=1)
    tone_correct = (tone_pred == tone_gold).astype(float)

    complaints = label_set_scores(
        [a.complaints for a in analyses], [e.complaints or [] for e in examples], complaint_labels
    )
    gold_c = np.array([[c in (e.complaints or []) for c in complaint_labels] for e in examples])
    prob_c = np.array([[a.complaint_scores[c] for c in complaint_labels] for a in analyses])

    threat_gold = np.array([bool(e.threats) for e in examples])
    threat_pred = np.array([a.threat_present for a in analyses])
    kinds = {}
    for kind in THREAT_KINDS:
        kinds[kind] = prf(
            np.array([kind in a.threat_kinds for a in analyses]),
            np.array([kind in (e.threats or []) for e in examples]),
        )

    hostility = np.array([a.hostility for a in analyses])
    mean_h = {
        t: round(float(hostility[tone_gold == i].mean()), 4)
        for i, t in enumerate(TONES)
        if (tone_gold == i).any()
    }
    hostile_share = {
        t: round(float((hostility[tone_gold == i] >= HOSTILE).mean()), 4)
        for i, t in enumerate(TONES)
        if (tone_gold == i).any()
    }
    order = ["calm", "frustrated", "angry", "abusive"]
    increasing = all(mean_h.get(a, 0) < mean_h.get(b, 0) for a, b in pairwise(order))
    heated = np.isin(tone_gold, [TONES.index("angry"), TONES.index("abusive")])

    role_gold, role_pred = [], []
    for a, e in zip(analyses, examples, strict=True):
        for start, end, role in e.roles:
            best, overlap = None, 0
            for s in a.sentences:
                o = min(end, s.end) - max(start, s.start)
                if o > overlap:
                    best, overlap = s, o
            if best is not None:
                role_gold.append(role)
                role_pred.append(best.role)
    role_gold_a, role_pred_a = np.array(role_gold), np.array(role_pred)
    roles = {r: prf(role_pred_a == r, role_gold_a == r) for r in ROLES}

    return {
        "emails": len(examples),
        "tone": {
            "accuracy": round(float(tone_correct.mean()), 4),
            "per_label": {t: prf(tone_pred == i, tone_gold == i) for i, t in enumerate(TONES)},
            "confusion": {"labels": list(TONES), "matrix": confusion.tolist()},
            "ece": expected_calibration_error(tone_conf, tone_correct),
            "reliability": reliability(tone_conf, tone_correct),
        },
        "complaints": {
            **complaints,
            "ece": expected_calibration_error(prob_c.ravel(), gold_c.ravel().astype(float)),
        },
        "threat": {"present": prf(threat_pred, threat_gold), "kinds": kinds},
        "hostility": {
            "mean_by_tone": mean_h,
            "increasing_calm_to_abusive": increasing,
            "share_hostile_by_tone": hostile_share,
            "auc_angry_abusive_vs_rest": (
                round(roc_auc(hostility, heated), 4) if 0 < heated.sum() < len(heated) else None
            ),
        },
        "roles": {
            "accuracy": round(float((role_gold_a == role_pred_a).mean()) if role_gold else 0.0, 4),
            "sentences": len(role_gold),
            "per_label": roles,
        },
        "evidence": evaluate_evidence(analyses, examples),
    }


def read_second_reader(path: Path, complaint_labels: Sequence[str]) -> dict[str, Example]:
    """A second reader's labels (`id`, `tone`, `complaints`, `threats` per JSONL line), by id."""
    known = set(complaint_labels)
    out = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row, dict):
            raise ValueError(f"{path}:{n}: expected a JSON object")
        unknown = {row.get("tone")} - set(TONES)
        unknown |= set(row.get("complaints", [])) - known
        unknown |= set(row.get("threats", [])) - set(THREAT_KINDS)
        if unknown:
            raise ValueError(f"{path}:{n}: unknown labels {sorted(map(str, unknown))}")
        out[str(row["id"])] = Example(
            id=str(row["id"]),
            text="",
            tone=row["tone"],
            complaints=list(row.get("complaints", [])),
            threats=list(row.get("threats", [])),
        )
    return out


def second_reader_agreement(
    analyses: Sequence[Analysis],
    examples: Sequence[Example],
    reader: dict[str, Example],
    complaint_labels: Sequence[str],
) -> dict:
    """How a second reader's labels and the model's match the gold, on the emails both read.

    The reader's agreement with the gold is a ceiling of sorts: where two careful people
    disagree, no model can match both.
    """
    shared = [(a, e) for a, e in zip(analyses, examples, strict=True) if e.id in reader]
    if not shared:
        raise ValueError("the second reader labelled none of these emails (no id in common)")

    def scores(tones: list[str], complaints: list[list[str]], threats: list[bool]) -> dict:
        gold = [e.complaints or [] for _, e in shared]
        sets = label_set_scores(complaints, gold, complaint_labels)
        return {
            "tone_accuracy": round(
                float(np.mean([t == e.tone for t, (_, e) in zip(tones, shared, strict=True)])), 4
            ),
            "complaints": sets["micro"],
            "complaints_macro_f1": sets["macro_f1"],
            "threat": prf(np.array(threats), np.array([bool(e.threats) for _, e in shared])),
        }

    second = [reader[e.id] for _, e in shared]
    return {
        "emails": len(shared),
        "reader": scores(
            [r.tone or "" for r in second],
            [r.complaints or [] for r in second],
            [bool(r.threats) for r in second],
        ),
        "model": scores(
            [a.tone for a, _ in shared],
            [list(a.complaints) for a, _ in shared],
            [a.threat_present for a, _ in shared],
        ),
    }


def evaluate_evidence(analyses: Sequence[Analysis], examples: Sequence[Example]) -> dict:
    """How often each decided label has evidence, and its top sentence a fitting gold role.

    Only messages of two or more sentences with gold roles count; the tone of calm mail is
    left out (nothing in it is meant to carry "calm").
    """
    decided, covered = 0, 0
    fits: dict[str, list[bool]] = {group: [] for group in EVIDENCE_FITS}
    for a, e in zip(analyses, examples, strict=True):
        if len(a.sentences) < 2 or not e.roles:
            continue
        labels = [("tone", a.tone)] if a.tone != "calm" else []
        labels += [("threat", kind) for kind in a.threat_kinds]
        labels += [("complaint", label) for label in a.complaints]
        for group, label in labels:
            decided += 1
            top = next((ev for ev in a.evidence if ev.label == label), None)
            if top is None:
                continue
            covered += 1
            overlap, role = max(
                (min(end, top.end) - max(start, top.start), role) for start, end, role in e.roles
            )
            fits[group].append(overlap > 0 and role in EVIDENCE_FITS[group])
    return {
        "labels_decided": decided,
        "with_evidence": round(covered / decided, 4) if decided else 0.0,
        "top_sentence_fits_gold_role": {
            group: round(float(np.mean(hits)), 4) if hits else 0.0 for group, hits in fits.items()
        },
    }


def real_aucs(
    classifier: Classifier,
    real_dir: Path,
    limit: int = 600,
    tick: Callable[[int], None] | None = None,
) -> dict[str, dict]:
    """Hostility ROC AUC on the half of each real data set kept out of training."""
    out = {}
    for dataset, (hostile, friendly) in REAL_AUC_TASKS.items():
        path = Path(real_dir) / dataset / "dev.jsonl"
        if not path.exists():
            continue
        texts, positive = [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            labels = set(row["labels"])
            is_hostile, is_friendly = bool(labels & hostile), bool(labels & friendly)
            if is_hostile == is_friendly or not row["text"].strip():
                continue
            if not _held_out(row["text"], dataset):
                continue
            texts.append(row["text"])
            positive.append(is_hostile)
            if len(texts) >= limit:
                break
        analyses = classifier.analyze_many(texts, ["en"] * len(texts))
        if tick:
            tick(len(texts))
        scores = np.array([a.hostility for a in analyses])
        out[dataset] = {"auc": round(roc_auc(scores, np.array(positive)), 4), "n": len(texts)}
    return out


def _held_out(text: str, dataset: str) -> bool:
    """Rows of data sets used in training count only from their check half."""
    from app.training.data import REAL_MAPPINGS, in_check_half

    return dataset not in REAL_MAPPINGS or in_check_half(text.strip())


def load_check_real(real_dir: Path) -> list[Example]:
    """The check half of the real data that training mapped (for reference)."""
    return load_real(real_dir, "check", weight=1.0)


def evaluate_reply_reading(classifier: Classifier, examples: Sequence[Example]) -> dict:
    """How the guard's reading of replies does on client mail of known tone.

    A text "reads calm" when the reply reading gives tone calm and hostility under the
    guard's limit. Calm mail should read calm; every other tone should not.
    """
    from app.pipeline.check import MAX_HOSTILITY

    labelled = [e for e in examples if e.tone]
    readings = classifier.read_replies([e.text for e in labelled])
    calm_gold = np.array([e.tone == "calm" for e in labelled])
    calm_read = np.array([t == "calm" and h < MAX_HOSTILITY for t, h in readings])
    tone_right = np.array([t == e.tone for (t, _), e in zip(readings, labelled, strict=True)])
    return {
        "texts": len(labelled),
        "tone_accuracy": round(float(tone_right.mean()), 4) if len(labelled) else 0.0,
        "calm_read_calm": round(float(calm_read[calm_gold].mean()), 4) if calm_gold.any() else 0.0,
        "hostile_read_not_calm": (
            round(float((~calm_read[~calm_gold]).mean()), 4) if (~calm_gold).any() else 0.0
        ),
        "sentences_remembered": classifier.reply_memory is not None,
    }
