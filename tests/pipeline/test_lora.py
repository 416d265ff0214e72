"""LoRA adapters: on the attention layers or on every linear layer, saved and merged alike."""

import pytest

from app.pipeline.lora import (
    adapter_state,
    add_adapters,
    average_adapters,
    load_adapters,
    merge_adapters,
    merge_state,
    save_adapters,
    target_names,
)


@pytest.fixture()
def base():
    from transformers import AutoModel

    from app.pipeline.encoder import base_model_dir

    return AutoModel.from_pretrained(str(base_model_dir()), local_files_only=True).eval()


def test_all_targets_add_the_feed_forward_layers(base):
    attention = target_names(base, "attention")
    every = target_names(base, "all")
    assert len(attention) == 6 * 4 and len(every) == 6 * 6
    assert set(attention) < set(every)
    assert "encoder.layer.5.intermediate.dense" in every
    assert "encoder.layer.5.output.dense" in every
    with pytest.raises(ValueError, match="adapter targets"):
        target_names(base, "mlp")


@pytest.mark.parametrize("targets", ["attention", "all"])
def test_saved_adapters_merge_into_a_fresh_model_as_they_were_trained(base, tmp_path, targets):
    import copy

    import torch

    fresh = copy.deepcopy(base)
    before = base.encoder.layer[0].intermediate.dense.weight.detach().clone()
    params = add_adapters(base, rank=4, seed=3, targets=targets)
    assert len(params) == 2 * len(target_names(base, targets))
    with torch.no_grad():
        for p in params:
            p.add_(torch.randn_like(p) * 0.01)  # as if trained: lora_b starts at zero
    layers = {key.rsplit(".", 1)[0] for key in adapter_state(base)}
    assert layers == set(target_names(base, targets))
    save_adapters(base, tmp_path)
    merge_adapters(base)
    load_adapters(fresh, tmp_path / "adapter.safetensors")
    ids = torch.tensor([[101, 7592, 2088, 102]])
    with torch.inference_mode():
        merged = base(input_ids=ids).last_hidden_state
        loaded = fresh(input_ids=ids).last_hidden_state
    assert torch.allclose(merged, loaded, atol=1e-5)
    feed_forward = fresh.encoder.layer[0].intermediate.dense.weight
    assert torch.equal(feed_forward, before) == (targets == "attention")


def test_averaged_adapters_change_each_layer_by_the_members_mean():
    import torch

    torch.manual_seed(0)
    members = [
        {"layer.lora_a": torch.randn(2, 5), "layer.lora_b": torch.randn(4, 2)} for _ in range(3)
    ]
    soup = average_adapters(members)
    assert soup["layer.lora_a"].shape == (6, 5) and soup["layer.lora_b"].shape == (4, 6)
    mean_change = sum(m["layer.lora_b"] @ m["layer.lora_a"] for m in members) / 3
    assert torch.allclose(soup["layer.lora_b"] @ soup["layer.lora_a"], mean_change, atol=1e-6)
    layer = torch.nn.Module()
    layer.layer = torch.nn.Linear(5, 4)
    before = layer.layer.weight.detach().clone()
    merge_state(layer, soup)
    assert torch.allclose(layer.layer.weight - before, mean_change, atol=1e-6)
    assert average_adapters(members[:1]) is members[0]
