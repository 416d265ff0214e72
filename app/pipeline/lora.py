"""Low-rank adapters (LoRA) for the encoder's linear layers.

Fine-tuning trains only these small matrices (at rank 8, about 150 k numbers on the
attention layers, about 330 k with the feed-forward layers too: a few MB at most),
so the committed artifact stays small while the encoder itself adapts to client email.
At load time the adapters are merged into the base weights: inference costs nothing extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ADAPTER_FILE = "adapter.safetensors"
ATTENTION = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
)
FEED_FORWARD = ("intermediate.dense", "output.dense")
TARGETS = {"attention": ATTENTION, "all": ATTENTION + FEED_FORWARD}
"""Which linear layers of every encoder layer carry an adapter, by name."""


def _linear(model: Any, name: str) -> Any:
    module = model
    for part in name.split("."):
        module = getattr(module, part)
    return module


def target_names(model: Any, targets: str = "attention") -> list[str]:
    """Names of the linear layers that carry an adapter, e.g. encoder.layer.0.attention..."""
    if targets not in TARGETS:
        raise ValueError(f"adapter targets must be one of {sorted(TARGETS)}, not {targets!r}")
    layers = len(model.encoder.layer)
    return [f"encoder.layer.{i}.{t}" for i in range(layers) for t in TARGETS[targets]]


def _wrapped_names(model: Any) -> list[str]:
    return [name for name, module in model.named_modules() if hasattr(module, "lora_a")]


def add_adapters(
    model: Any, rank: int = 8, alpha: float = 16.0, seed: int = 13, targets: str = "attention"
) -> list[Any]:
    """Wrap the `targets` layers of `model` with trainable adapters; return their parameters."""
    import torch

    generator = torch.Generator().manual_seed(seed)

    class LoRALinear(torch.nn.Module):
        def __init__(self, base: torch.nn.Linear):
            super().__init__()
            self.base = base
            self.scale = alpha / rank
            std = 1.0 / base.in_features**0.5
            self.lora_a = torch.nn.Parameter(
                torch.randn(rank, base.in_features, generator=generator) * std
            )
            self.lora_b = torch.nn.Parameter(torch.zeros(base.out_features, rank))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.base(x) + (x @ self.lora_a.T @ self.lora_b.T) * self.scale

    for parameter in model.parameters():
        parameter.requires_grad_(False)
    params = []
    for name in target_names(model, targets):
        parent_name, child = name.rsplit(".", 1)
        parent = _linear(model, parent_name)
        wrapped = LoRALinear(getattr(parent, child))
        setattr(parent, child, wrapped)
        params += [wrapped.lora_a, wrapped.lora_b]
    return params


def adapter_state(model: Any) -> dict[str, Any]:
    """The adapters' tensors, keyed by layer name, ready for safetensors."""
    state = {}
    for name in _wrapped_names(model):
        module = _linear(model, name)
        state[f"{name}.lora_a"] = module.lora_a.detach().contiguous()
        state[f"{name}.lora_b"] = (module.lora_b.detach() * module.scale).contiguous()
    return state


def merge_adapters(model: Any) -> Any:
    """Fold wrapped adapters into plain linear layers (in place); returns `model`."""
    import torch

    for name in _wrapped_names(model):
        parent_name, child = name.rsplit(".", 1)
        parent = _linear(model, parent_name)
        wrapped = getattr(parent, child)
        with torch.no_grad():
            wrapped.base.weight += (wrapped.lora_b @ wrapped.lora_a) * wrapped.scale
        setattr(parent, child, wrapped.base)
    return model


def save_adapters(model: Any, folder: Path) -> Path:
    """Write the adapters of a wrapped `model` into `folder`."""
    from safetensors.torch import save_file

    path = Path(folder) / ADAPTER_FILE
    save_file(adapter_state(model), str(path))
    return path


def average_adapters(states: list[dict[str, Any]]) -> dict[str, Any]:
    """One adapter whose change to each layer is the mean of the members' changes.

    Each layer's `lora_b @ lora_a` is linear in the stacked matrices, so the members'
    ranks add up (three rank-8 members give rank 24) and nothing is approximated.
    """
    import torch

    if len(states) == 1:
        return states[0]
    names = sorted({key.rsplit(".", 1)[0] for key in states[0]})
    out = {}
    for name in names:
        a = [state[f"{name}.lora_a"] for state in states]
        b = [state[f"{name}.lora_b"] / len(states) for state in states]
        out[f"{name}.lora_a"] = torch.cat(a).contiguous()
        out[f"{name}.lora_b"] = torch.cat(b, dim=1).contiguous()
    return out


def merge_state(model: Any, state: dict[str, Any]) -> Any:
    """Add saved adapters' changes to a plain base `model` (in place); returns `model`."""
    import torch

    names = sorted({key.rsplit(".", 1)[0] for key in state})
    with torch.no_grad():
        for name in names:
            a, b = state[f"{name}.lora_a"], state[f"{name}.lora_b"]
            _linear(model, name).weight += b @ a
    return model


def load_adapters(model: Any, path: Path) -> Any:
    """Merge saved adapters into a plain base `model` (in place); returns `model`.

    The file names its layers, so adapters on any set of targets load alike.
    """
    from safetensors.torch import load_file

    return merge_state(model, load_file(str(path)))
