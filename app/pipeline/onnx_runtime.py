"""The optimised encoder: all-MiniLM-L6-v2 exported to ONNX, int8 per-channel, on ONNX Runtime.

`export_onnx` builds it once (it needs PyTorch); serving with it imports neither torch
nor transformers. The file is cached under `models/cache/`, named by a digest of the base
weights and the export recipe, so it is rebuilt whenever either changes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from app.pipeline.encoder import Encoded, WindowedTokenizer, base_model_dir, stitch
from app.pipeline.lora import ADAPTER_FILE, load_adapters

RECIPE = "onnx-opset17-int8-per-channel-v1"
THREADS = int(os.environ.get("TACTFUL_THREADS", "2"))


def cache_dir(model_dir: Path | None = None) -> Path:
    """Where exported encoders live: `cache/` beside the heads folder."""
    base = Path(model_dir).parent if model_dir else Path(__file__).resolve().parents[2] / "models"
    return base / "cache"


def _adapter(model_dir: Path | None) -> Path | None:
    path = Path(model_dir) / ADAPTER_FILE if model_dir else None
    return path if path is not None and path.exists() else None


def encoder_digest(model_dir: Path | None = None) -> str:
    """A digest of the base weights, the fine-tuned adapters and the export recipe."""
    sha = hashlib.sha256(RECIPE.encode())
    files = [base_model_dir() / "model.safetensors"]
    adapter = _adapter(model_dir)
    if adapter is not None:
        files.append(adapter)
    for path in files:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
    return sha.hexdigest()[:16]


def onnx_path(model_dir: Path | None = None, quantized: bool = True) -> Path:
    """The cached ONNX file for the current base model and adapters."""
    suffix = "int8" if quantized else "fp32"
    return cache_dir(model_dir) / f"encoder-{encoder_digest(model_dir)}-{suffix}.onnx"


def export_onnx(model_dir: Path | None = None, force: bool = False) -> Path:
    """Export the encoder to ONNX and quantise it (int8, per channel); return the int8 file."""
    target = onnx_path(model_dir, quantized=True)
    if target.exists() and not force:
        return target
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    target.parent.mkdir(parents=True, exist_ok=True)
    fp32 = onnx_path(model_dir, quantized=False)
    bert = AutoModel.from_pretrained(str(base_model_dir()), local_files_only=True)
    adapter = _adapter(model_dir)
    if adapter is not None:
        load_adapters(bert, adapter)
    bert.eval()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    model = Encoder().eval()
    ids = torch.ones((1, 16), dtype=torch.int64)
    with torch.inference_mode():
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids)),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "last_hidden_state": {0: "batch", 1: "tokens"},
            },
            opset_version=17,
            dynamo=False,
        )
    partial = target.with_suffix(".partial.onnx")
    quantize_dynamic(
        str(fp32),
        str(partial),
        per_channel=True,
        weight_type=QuantType.QInt8,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    partial.replace(target)
    return target


class OnnxEncoder:
    """The encoder on ONNX Runtime; same inputs and outputs as `TorchEncoder`."""

    name = "onnx"

    def __init__(self, path: Path, threads: int = THREADS):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.path = Path(path)
        self.tokens = WindowedTokenizer(base_model_dir())
        self.hidden = 384

    @classmethod
    def from_model_dir(cls, model_dir: Path | None = None) -> OnnxEncoder:
        """Load the cached int8 encoder, exporting it first if it is missing."""
        path = onnx_path(model_dir)
        if not path.exists():
            path = export_onnx(model_dir)
        return cls(path)

    def encode(self, texts: list[str], batch_size: int = 16) -> list[Encoded]:
        """Encode texts (windowed, batched by length)."""
        offsets, windows = self.tokens.tokenize(texts)
        outputs: dict[int, np.ndarray] = {}
        for batch in self.tokens.batches(windows, batch_size):
            ids, mask = self.tokens.pad(batch)
            (hidden,) = self.session.run(
                ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask}
            )
            for row, window in enumerate(batch):
                outputs[id(window)] = hidden[row]
        return stitch(offsets, windows, [outputs[id(w)] for w in windows], self.hidden)
