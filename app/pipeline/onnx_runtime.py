"""The optimised encoder: all-MiniLM-L6-v2 exported to ONNX, int8 per-channel, on ONNX Runtime.

`export_onnx` builds it once (it needs PyTorch): the encoder is exported with plain
("eager") attention so that ONNX Runtime's BERT optimiser can fuse each layer's attention,
layer norms and GELU into single kernels, and the fused graph is then quantised (dynamic
int8, per channel). Serving with it imports neither torch nor transformers. The file is
cached under `models/cache/`, named by a digest of the base weights, the adapters and the
export recipe, so it is rebuilt whenever any of them changes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from app.pipeline.encoder import Encoded, WindowedTokenizer, base_model_dir, stitch
from app.pipeline.lora import ADAPTER_FILE, load_adapters

RECIPE = "onnx-opset17-eager-fused-bert-fp32-and-int8-per-channel-v3"
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
    """Export the encoder (fused fp32 and int8 graphs, both cached); return the fp32 one."""
    fp32, int8 = onnx_path(model_dir, quantized=False), onnx_path(model_dir, quantized=True)
    if fp32.exists() and int8.exists() and not force:
        return fp32
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel

    fp32.parent.mkdir(parents=True, exist_ok=True)
    bert = AutoModel.from_pretrained(
        str(base_model_dir()), local_files_only=True, attn_implementation="eager"
    )
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

    raw = fp32.with_name(fp32.name.replace("-fp32", "-raw"))
    ids = torch.ones((1, 16), dtype=torch.int64)
    with torch.inference_mode():
        torch.onnx.export(
            Encoder().eval(),
            (ids, torch.ones_like(ids)),
            str(raw),
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
    partial = fp32.with_suffix(".partial.onnx")
    optimize_model(
        str(raw),
        model_type="bert",
        num_heads=bert.config.num_attention_heads,
        hidden_size=bert.config.hidden_size,
    ).save_model_to_file(str(partial))
    partial.replace(fp32)
    quantize_dynamic(
        str(fp32),
        str(partial),
        per_channel=True,
        weight_type=QuantType.QInt8,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    partial.replace(int8)
    for path in fp32.parent.glob("encoder-*.onnx"):
        if path not in (fp32, int8):  # the raw export, and exports of earlier models
            path.unlink(missing_ok=True)
    return fp32


class OnnxEncoder:
    """The encoder on ONNX Runtime; same inputs and outputs as `TorchEncoder`."""

    name = "onnx"

    def __init__(self, path: Path, threads: int = THREADS, name: str = "onnx"):
        import onnxruntime as ort

        self.name = name
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads would otherwise spin for a while after each run, taking a
        # core from the parsing, drafting and checking that follow it.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.path = Path(path)
        self.tokens = WindowedTokenizer(base_model_dir())
        self.hidden = 384

    @classmethod
    def from_model_dir(cls, model_dir: Path | None = None, quantized: bool = False) -> OnnxEncoder:
        """Load the cached fused encoder (fp32 or int8), exporting it first if missing."""
        path = onnx_path(model_dir, quantized=quantized)
        if not path.exists():
            export_onnx(model_dir)
        return cls(path, name="onnx-int8" if quantized else "onnx")

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
