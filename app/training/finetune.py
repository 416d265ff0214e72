"""Stage 1 of training: adapt the encoder to client email with LoRA and multi-task heads.

Every task trains the same adapters in one pass per email: tone, hostility, threat and
its kinds, complaint types (message level, from the mean token vector) and sentence roles
(from the mean of each annotated sentence's tokens). The temporary heads are dropped
afterwards; stage 2 fits the shipped heads on the adapted encoder's vectors.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.pipeline.encoder import MAX_LENGTH, TorchEncoder
from app.pipeline.lora import (
    adapter_state,
    add_adapters,
    average_adapters,
    merge_adapters,
    merge_state,
)
from app.pipeline.types import ROLES, THREAT_KINDS, TONES
from app.training.data import Example


@dataclass
class FinetuneConfig:
    """Hyper-parameters of the adapter fine-tuning."""

    epochs: int = 3
    rank: int = 8
    targets: str = "attention"
    """Which linear layers carry adapters: "attention", or "all" (feed-forward too)."""
    lr: float = 5e-4
    head_lr: float = 3e-3
    accumulate: int = 8
    seed: int = 13
    complaint_weight: float = 6.0
    """Weight of the complaint loss (the mean over complaint types) beside tone, roles and
    the rest: with 1, twelve types together weigh as much as the tone alone."""
    threat_weight: float = 3.0
    """Weight of the threat-presence loss, so that the adapters keep reading threats."""
    members: int = 1
    """Adapters trained from seeds `seed`, `seed + 1`, ..., their changes averaged."""


def finetune(
    encoder: TorchEncoder,
    examples: list[Example],
    complaint_labels: list[str],
    config: FinetuneConfig,
    progress: Callable[[int], None] | None = None,
) -> tuple[TorchEncoder, dict]:
    """Train adapters on `examples`: a new encoder with them merged in, and their tensors.

    With `config.members` above 1, each member is trained from its own seed and the
    encoder takes the mean of their changes (one encoder pass, like one member).
    """
    import copy

    if config.members == 1:  # merged as before, so one set gives the very same files
        model = _tune(encoder, examples, complaint_labels, config, config.seed, progress)
        state = adapter_state(model)
        merge_adapters(model)
        return TorchEncoder(model_dir=encoder.model_dir, model=model), state
    states = [
        adapter_state(_tune(encoder, examples, complaint_labels, config, config.seed + i, progress))
        for i in range(config.members)
    ]
    state = average_adapters(states)
    model = merge_state(copy.deepcopy(encoder.model), state)
    model.eval()
    return TorchEncoder(model_dir=encoder.model_dir, model=model), state


def _tune(
    encoder: TorchEncoder,
    examples: list[Example],
    complaint_labels: list[str],
    config: FinetuneConfig,
    seed: int,
    progress: Callable[[int], None] | None,
) -> Any:
    """One member: a copy of the encoder's model wrapped with trained adapters."""
    import copy

    import torch

    torch.manual_seed(seed)
    model = copy.deepcopy(encoder.model)
    adapter_params = add_adapters(model, rank=config.rank, seed=seed, targets=config.targets)
    hidden = encoder.hidden
    heads = torch.nn.ModuleDict(
        {
            "tone": torch.nn.Linear(hidden, len(TONES)),
            "hostility": torch.nn.Linear(hidden, 1),
            "threat": torch.nn.Linear(hidden, 1),
            "kinds": torch.nn.Linear(hidden, len(THREAT_KINDS)),
            "complaints": torch.nn.Linear(hidden, len(complaint_labels)),
            "roles": torch.nn.Linear(hidden, len(ROLES)),
        }
    )
    optimiser = torch.optim.AdamW(
        [
            {"params": adapter_params, "lr": config.lr},
            {"params": heads.parameters(), "lr": config.head_lr},
        ],
        weight_decay=0.01,
    )
    tokenizer = encoder.tokens.tokenizer
    order = list(range(len(examples)))
    rng = random.Random(seed)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    ce = torch.nn.functional.cross_entropy
    model.train()
    for _ in range(config.epochs):
        rng.shuffle(order)
        optimiser.zero_grad()
        for step, index in enumerate(order, 1):
            example = examples[index]
            enc = tokenizer.encode(example.text, add_special_tokens=True)
            ids = enc.ids[: MAX_LENGTH - 1] + ([enc.ids[-1]] if len(enc.ids) >= MAX_LENGTH else [])
            offsets = np.asarray(enc.offsets[: len(ids)])
            states = model(input_ids=torch.tensor([ids])).last_hidden_state[0, 1:-1]
            offsets = offsets[1:-1]
            vector = states.mean(dim=0)
            loss = _message_loss(example, vector, heads, complaint_labels, config, bce, ce)
            if example.roles and len(offsets):
                spans = torch.from_numpy(
                    np.array(
                        [(offsets[:, 0] < b) & (offsets[:, 1] > a) for a, b, _ in example.roles],
                        dtype=np.float32,
                    )
                )
                keep = spans.sum(dim=1) > 0
                if keep.any():
                    sentence = (spans[keep] @ states) / spans[keep].sum(dim=1, keepdim=True)
                    gold = torch.tensor(
                        [
                            ROLES.index(r)
                            for (_, _, r), k in zip(example.roles, keep, strict=True)
                            if k
                        ]
                    )
                    loss = loss + ce(heads["roles"](sentence), gold)
            (loss * example.weight / config.accumulate).backward()
            if step % config.accumulate == 0 or step == len(order):
                optimiser.step()
                optimiser.zero_grad()
            if progress:
                progress(1)
    model.eval()
    return model


def _message_loss(example, vector, heads, complaint_labels, config, bce, ce):
    import torch

    loss = torch.zeros(())
    if example.tone is not None:
        loss = loss + ce(heads["tone"](vector)[None], torch.tensor([TONES.index(example.tone)]))
    if example.hostility is not None:
        loss = loss + bce(heads["hostility"](vector), torch.tensor([example.hostility]))
    if example.threats is not None:
        present = torch.tensor([float(bool(example.threats))])
        loss = loss + config.threat_weight * bce(heads["threat"](vector), present)
        kinds = torch.tensor([float(k in example.threats) for k in THREAT_KINDS])
        loss = loss + bce(heads["kinds"](vector), kinds)
    if example.complaints is not None:
        known = torch.tensor(
            [
                1.0
                if not example.source.startswith("custom:") or c == example.complaints[0]
                else 0.0
                for c in complaint_labels
            ]
        )
        gold = torch.tensor([float(c in example.complaints) for c in complaint_labels])
        per_label = bce(heads["complaints"](vector), gold, reduction="none")
        loss = loss + config.complaint_weight * (per_label * known).sum() / known.sum()
    return loss
