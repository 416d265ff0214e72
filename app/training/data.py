"""Training data: the project's email corpus, custom labels, and real public messages."""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from app.pipeline.types import (
    COMPLAINTS,
    ROLES,
    THREAT_HOSTILITY,
    THREAT_KINDS,
    TONE_HOSTILITY,
    TONES,
)


@dataclass
class Example:
    """One labelled text. A field left as None is unknown and not trained on."""

    id: str
    text: str
    tone: str | None = None
    complaints: list[str] | None = None
    threats: list[str] | None = None
    roles: list[tuple[int, int, str]] = field(default_factory=list)
    hostility: float | None = None
    weight: float = 1.0
    source: str = "corpus"


@dataclass
class CustomLabel:
    """A complaint type a user added in prompts/custom/."""

    name: str
    description: str
    examples: list[str]


def hostility_target(tone: str | None, threats: list[str] | None) -> float | None:
    """Hostility implied by a tone label and threats, when no explicit value is given."""
    if tone is None:
        return None
    return min(1.0, TONE_HOSTILITY[tone] + (THREAT_HOSTILITY if threats else 0.0))


def parse_row(row: dict, source: str) -> Example:
    """Turn one corpus JSON row into an Example, checking its labels."""
    text = row["text"]
    tone = row.get("tone")
    if tone not in TONES:
        raise ValueError(f"{row.get('id')}: unknown tone {tone!r}")
    complaints = list(row.get("complaints") or [])
    threats = list(row.get("threats") or [])
    for kind in threats:
        if kind not in THREAT_KINDS:
            raise ValueError(f"{row.get('id')}: unknown threat kind {kind!r}")
    roles: list[tuple[int, int, str]] = []
    cursor = 0
    for sentence in row.get("sentences") or []:
        start = text.find(sentence["text"], cursor)
        if start < 0 or sentence.get("role") not in ROLES:
            continue
        end = start + len(sentence["text"])
        roles.append((start, end, sentence["role"]))
        cursor = end
    hostility = row.get("hostility")
    return Example(
        id=str(row["id"]),
        text=text,
        tone=tone,
        complaints=complaints,
        threats=threats,
        roles=roles,
        hostility=float(hostility) if hostility is not None else hostility_target(tone, threats),
        source=source,
    )


def load_corpus(paths: Iterable[Path]) -> list[Example]:
    """Read corpus JSONL files (schema in models/data/README.md)."""
    examples = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                examples.append(parse_row(json.loads(line), source=Path(path).stem))
            except (ValueError, KeyError) as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
    return examples


def corpus_files(folder: Path) -> list[Path]:
    """The JSONL files of a corpus folder, in a stable order."""
    return sorted(Path(folder).glob("*.jsonl"))


def load_custom_labels(prompts_dir: Path) -> list[CustomLabel]:
    """Custom complaint types from prompts/custom/*.yaml (name, description, examples)."""
    labels = []
    for path in sorted((Path(prompts_dir) / "custom").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        name = str(data.get("name", "")).strip()
        examples = [str(e).strip() for e in data.get("examples") or [] if str(e).strip()]
        if not name.isidentifier() or name in COMPLAINTS or name in TONES:
            raise ValueError(f"{path}: `name` must be a new snake_case label, got {name!r}")
        if len(examples) < 10:
            raise ValueError(f"{path}: a custom label needs at least 10 examples")
        labels.append(CustomLabel(name, str(data.get("description", "")).strip(), examples))
    return labels


def custom_examples(labels: list[CustomLabel]) -> list[Example]:
    """Examples of custom labels: positive for their own label, unknown for the rest."""
    return [
        Example(
            id=f"custom-{label.name}-{i}",
            text=text,
            complaints=[label.name],
            source=f"custom:{label.name}",
        )
        for label in labels
        for i, text in enumerate(label.examples)
    ]


# Real public messages: label -> (tone or None, hostility target). See ../shared/data/real.
REAL_MAPPINGS: dict[str, dict[str, tuple[str | None, float]]] = {
    "tweeteval_offensive": {"offensive": ("abusive", 0.85), "not-offensive": (None, 0.12)},
    "goemotions": {
        "anger": ("angry", 0.75),
        "annoyance": ("frustrated", 0.4),
        "disappointment": ("frustrated", 0.3),
        "neutral": ("calm", 0.03),
        "approval": ("calm", 0.02),
        "gratitude": ("calm", 0.0),
    },
    "tweeteval_emotion": {
        "anger": (None, 0.7),
        "joy": (None, 0.03),
        "optimism": (None, 0.03),
        "sadness": (None, 0.2),
    },
    "stanford_politeness": {"impolite": (None, 0.45), "polite": (None, 0.03)},
}


def in_check_half(text: str) -> bool:
    """Stable half of the real data kept aside for reporting hostility AUC."""
    return hashlib.sha256(text.encode("utf-8")).digest()[0] % 2 == 0


def load_real(
    real_dir: Path, half: str, weight: float = 0.3, per_dataset: int = 0
) -> list[Example]:
    """Real messages mapped to tone/hostility; `half` is `train` or `check`."""
    examples = []
    for dataset, mapping in REAL_MAPPINGS.items():
        path = Path(real_dir) / dataset / "dev.jsonl"
        if not path.exists():
            continue
        taken = 0
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            row = json.loads(line)
            text = row["text"].strip()
            if not text or in_check_half(text) != (half == "check"):
                continue
            hits = [mapping[label] for label in row["labels"] if label in mapping]
            if len(hits) != 1:
                continue
            tone, hostility = hits[0]
            examples.append(
                Example(
                    id=f"{dataset}-{n}",
                    text=text,
                    tone=tone,
                    hostility=hostility,
                    weight=weight,
                    source=dataset,
                )
            )
            taken += 1
            if per_dataset and taken >= per_dataset:
                break
    return examples


WORDING_KINDS = {
    True: ("insult", "profanity", "contempt", "anger", "threat"),
    False: ("neutral", "friendly", "emotional", "heated-civil", "complaint-civil", "rude-looking"),
}
WORDING = "wording"
"""Source of the wording corpus's rows: short messages labelled hostile or not."""


def load_wording(folder: Path) -> list[Example]:
    """The wording corpus (`models/data/wording/*.jsonl`): hostility 1 or 0, nothing else.

    Each row is `{id, text, hostile, kind, medium}`; `kind` must agree with `hostile`.
    """
    examples = []
    for path in corpus_files(folder):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                hostile, kind, text = row["hostile"], row["kind"], str(row["text"]).strip()
                if not isinstance(hostile, bool) or kind not in WORDING_KINDS[hostile]:
                    raise ValueError(f"kind {kind!r} does not fit hostile={hostile!r}")
                if not text:
                    raise ValueError("empty text")
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
            examples.append(
                Example(id=str(row["id"]), text=text, hostility=float(hostile), source=WORDING)
            )
    return examples


GREETINGS = ("Hi {name},", "Hello {name},", "Dear {name},", "{name},", "Hi,", "Hey {name}")
SIGNOFFS = (
    "Regards,\n{sender}",
    "Thanks,\n{sender}",
    "Best,\n{sender}",
    "{sender}",
    "Sent from my iPhone",
    "Cheers,\n{sender}",
)
NAMES = ("Sam", "Alex", "Priya", "Tom", "Maria", "Jon", "Aisha", "Lee")
SENDERS = ("Dana", "Mark Evans", "Liz", "Pat Morgan", "Kofi", "Rachel", "Ben", "Mei")
_HAS_GREETING = re.compile(r"^\s*(hi|hello|hey|dear|good (morning|afternoon)|morning)\b", re.I)


def with_greeting(examples: list[Example], seed: int) -> list[Example]:
    """Copies of greeting-less emails with a greeting and a sign-off added, same labels.

    Client mail of every tone opens with "Hi Sam," and ends with a name; without these
    copies the model could learn that a greeting means calm.
    """
    rng = random.Random(seed)
    out = []
    for example in examples:
        if example.source.startswith("custom:") or _HAS_GREETING.match(example.text):
            continue
        greeting = rng.choice(GREETINGS).format(name=rng.choice(NAMES))
        signoff = rng.choice(SIGNOFFS).format(sender=rng.choice(SENDERS))
        head = greeting + ("\n\n" if rng.random() < 0.5 else "\n")
        text = f"{head}{example.text.rstrip()}\n\n{signoff}"
        shift = len(head)
        roles = [(0, len(greeting), "other")]
        roles += [(a + shift, b + shift, r) for a, b, r in example.roles]
        start = text.rindex(signoff)
        roles += [(start, len(text), "other")] if example.roles else []
        out.append(replace(example, id=f"{example.id}~greeting", text=text, roles=roles))
    return out


def without_threats(examples: list[Example]) -> list[Example]:
    """Copies of threatening emails with their threat sentences cut out: no threat.

    Most angry and abusive training emails also threaten, so a model can learn the tone
    as the threat; the same email without its threat sentences says otherwise. The copy
    keeps its tone, drops its complaint labels (a withheld payment may have carried one)
    and is made only when a request, fact or emotion sentence is left.
    """
    out = []
    for example in examples:
        if not example.threats or "~" in example.id:
            continue
        kept = [role for _, _, role in example.roles if role != "threat"]
        if not {"request", "fact", "emotion"} & set(kept):
            continue
        copy = cut_sentences(example, "threat", "nothreat")
        if copy is not None:
            copy.threats, copy.complaints = [], None
            copy.hostility = hostility_target(example.tone, [])
            out.append(copy)
    return out


def with_threats(
    examples: list[Example], seed: int, part: Callable[[str], bool] = lambda _: False
) -> list[Example]:
    """Copies of complaint emails without a threat, given one writer's threat sentence.

    The counterpart of `without_threats`: the same email with and without a quiet final
    threat ("Enjoy your 1-star review."). The sentence comes from another email of the same
    tone with exactly one threat sentence and one kind (not `payment`, which carries a
    complaint of its own), sharing a complaint type when one can, and from the same part
    (`part(id)`: training or validation). It goes after the last sentence that is not a
    greeting or sign-off. The copy keeps tone and complaints and takes the donor's kind.
    """
    rng = random.Random(seed)
    donors: dict[tuple[str, bool], list[tuple[Example, str, str]]] = {}
    for example in examples:
        if "~" in example.id or not example.threats:
            continue
        spans = [(a, b) for a, b, r in example.roles if r == "threat"]
        if len(spans) != 1 or len(example.threats) != 1 or example.threats[0] == "payment":
            continue
        a, b = spans[0]
        key = (str(example.tone), part(example.id))
        donors.setdefault(key, []).append((example, example.text[a:b], example.threats[0]))
    out = []
    for example in examples:
        if "~" in example.id or example.threats is None or example.threats:
            continue
        body = [(a, b) for a, b, r in example.roles if r != "other"]
        pool = donors.get((str(example.tone), part(example.id)), [])
        if not example.complaints or not body or not pool:
            continue
        sharing = [d for d in pool if set(d[0].complaints or ()) & set(example.complaints)]
        _, sentence, kind = rng.choice(sharing or pool)
        at = body[-1][1]
        text = f"{example.text[:at]} {sentence}{example.text[at:]}"
        width = len(sentence) + 1
        roles = [(a, b, r) if a < at else (a + width, b + width, r) for a, b, r in example.roles]
        roles.append((at + 1, at + width, "threat"))
        out.append(
            replace(
                example,
                id=f"{example.id}~threat",
                text=text,
                threats=[kind],
                roles=sorted(roles),
                hostility=hostility_target(example.tone, [kind]),
            )
        )
    return out


HEATED_TONES = frozenset({"frustrated", "angry", "abusive", "sarcastic"})


def without_emotion(examples: list[Example]) -> list[Example]:
    """Copies of heated emails with their emotion sentences cut out: the same complaints.

    A complaint is carried by what happened and what is asked, not by the insults around
    it; without these copies a model can read a type from the heat alone, or miss one
    that a furious email carries in a plain fact. The copy keeps its complaint types; its
    tone, hostility and threats become unknown (threats kept taught the model to see
    threats in firm, calm mail), and it is made only when a request or fact sentence is
    left. Tried and not shipped: see the model card.
    """
    out = []
    for example in examples:
        if example.tone not in HEATED_TONES or example.complaints is None or "~" in example.id:
            continue
        if not any(role in ("request", "fact") for _, _, role in example.roles):
            continue
        copy = cut_sentences(example, "emotion", "noemotion")
        if copy is not None:
            copy.tone, copy.hostility, copy.threats = None, None, None
            out.append(copy)
    return out


def cut_sentences(example: Example, role: str, suffix: str) -> Example | None:
    """A copy of `example` with its sentences of `role` cut out (None when it has none)."""
    cut = sorted((a, b) for a, b, r in example.roles if r == role)
    if not cut:
        return None
    kept = [(a, b, r) for a, b, r in example.roles if r != role]
    pieces, removed, last = [], [], 0
    for a, b in cut:
        end = len(example.text) - len(example.text[b:].lstrip(" \t"))  # and its spaces
        pieces.append(example.text[last:a])
        removed.append((a, end))
        last = end
    pieces.append(example.text[last:])
    return replace(
        example,
        id=f"{example.id}~{suffix}",
        text="".join(pieces).rstrip(),
        roles=[(_shift(a, removed), _shift(b, removed), r) for a, b, r in kept],
    )


def _shift(offset: int, removed: list[tuple[int, int]]) -> int:
    """Where `offset` lands once the `removed` spans before it are cut out."""
    return offset - sum(end - start for start, end in removed if end <= offset)
