"""The BERT encoder forward pass (mean pooling) on numpy alone, float32.

Why numpy and not torch: ``import torch`` alone cost a cold ``okf extract`` ~1.5 s of
CPU and ~200 MB, more than the whole of YAKE's process; the encoder is six layers of
matrix products, layer norms and a softmax, which numpy's BLAS (OpenBLAS, one thread
per piece of work) runs at about torch's float32 speed. The weights stay memory-mapped
from the safetensors file (never copied): a process pays resident memory only for the
pages it reads, and processes on one machine share them. The vectors are
sentence-transformers' own (float32; checked in the tests). The int8 torch encoder
this replaces was ~1.6× faster per token but ranked no better (Inspec F1@10 38.91
against 38.98 here; docs/benchmarks.md).

**Packed short texts.** Phrases are 3–6 tokens: padded to a batch's longest, half of
the work was padding, and every call re-reads all the weights. :meth:`Bert.embed_packed`
puts many phrases in one sequence with positions restarting per phrase and a
block-diagonal attention mask, so each phrase sees only itself (same vectors as one at
a time) and no token is padding.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_QKV = ("query", "key", "value")
#: Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32's own rounding here).
_ERF = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_ERF_P = 0.3275911
#: Where erf is 1 in float32 (and beyond which exp(-z²) would be subnormal: slow).
_ERF_FLAT = np.float32(4.5)
#: Masked softmax inputs are clipped to the row's maximum minus this: their exp (< 1e-34)
#: changes no float32 sum, and -inf inputs make np.exp several times slower.
_SOFTMAX_FLOOR = np.float32(-80.0)
_GELU_ROWS = 32


@dataclass(frozen=True, slots=True)
class Linear:
    """``x @ weight.T + bias``; ``weight`` is the checkpoint's [out, in] (mapped, read in
    place: BLAS takes the transpose as a flag, no copy)."""

    weight: np.ndarray
    bias: np.ndarray

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = x @ self.weight.T
        out += self.bias
        return out


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU of a [tokens, width] array, ``_GELU_ROWS`` rows at a time.

    Twenty element-wise passes: on rows that fit the CPU's cache they ran 2.2× faster
    here than over a whole window's [256, 1536] activations.
    """
    out = np.empty_like(x)
    for start in range(0, len(x), _GELU_ROWS):
        out[start : start + _GELU_ROWS] = _gelu(x[start : start + _GELU_ROWS])
    return out


def _gelu(x: np.ndarray) -> np.ndarray:
    """``x/2 · (1 + erf(x/√2))`` = ``max(x, 0) - |x|/2 · erfc(|x|/√2)``."""
    z = np.abs(x)
    half = z * np.float32(0.5)
    z *= np.float32(1 / math.sqrt(2))
    np.minimum(z, _ERF_FLAT, out=z)  # erfc is 0 in float32 there; exp(-z²) stays fast
    t = z * np.float32(_ERF_P)
    t += 1
    np.reciprocal(t, out=t)
    poly = t * np.float32(_ERF[4])
    for a in _ERF[3::-1]:
        poly += np.float32(a)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # erfc(|x|/√2)
    poly *= half
    out = np.maximum(x, np.float32(0))
    out -= poly
    return out


def read_safetensors(path: Path, names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Float32 tensors of a safetensors file, memory-mapped (read-only, not copied).

    A mapped tensor costs resident memory only for the pages read: of the 47 MB word
    embedding table a text touches the rows of its own tokens.
    """
    with path.open("rb") as handle:
        size = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(size))
    out = {}
    for name, meta in header.items():
        if name == "__metadata__" or (names is not None and name not in names):
            continue
        if meta["dtype"] != "F32":
            continue  # buffers such as ``embeddings.position_ids`` (I64)
        begin, end = meta["data_offsets"]
        count = (end - begin) // 4
        array = np.memmap(path, np.float32, "r", offset=8 + size + begin, shape=(count,))
        out[name] = array.reshape(meta["shape"])
    return out


class Bert:
    """A BERT encoder whose output is the unit mean of its last hidden states.

    ``tensors``: the checkpoint's float32 tensors by name (memory-mapped is fine).
    """

    def __init__(self, config: Mapping[str, Any], tensors: Mapping[str, np.ndarray]) -> None:
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = np.float32(config["layer_norm_eps"])
        self.t = tensors
        self.dense = {
            name[: -len(".weight")]: Linear(tensors[name], tensors[name[: -len("weight")] + "bias"])
            for name in tensors
            if name.startswith("encoder.") and name.endswith(".weight") and tensors[name].ndim == 2
        }

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        x = x - x.mean(axis=-1, keepdims=True)
        var = np.square(x).mean(axis=-1, keepdims=True)
        var += self.eps
        x /= np.sqrt(var)
        x *= self.t[name + ".weight"]
        x += self.t[name + ".bias"]
        return x

    def _attention(self, x: np.ndarray, p: str, blocked: np.ndarray | None) -> np.ndarray:
        """Self-attention of layer prefix ``p``; ``blocked`` is 0 / -inf per token pair."""
        length, hidden = x.shape
        width = hidden // self.heads

        def heads(part: str) -> np.ndarray:  # [heads, tokens, width]
            y = self.dense[f"{p}attention.self.{part}"](x).reshape(length, self.heads, width)
            return np.ascontiguousarray(y.transpose(1, 0, 2))

        q = heads("query")
        q *= np.float32(1 / math.sqrt(width))
        k, v = heads("key"), heads("value")
        a = np.empty((length, self.heads, width), dtype=np.float32)
        for h in range(self.heads):  # one head at a time: its scores stay in cache
            scores = q[h] @ k[h].T
            if blocked is not None:  # -inf where a packed phrase may not look
                scores += blocked
            scores -= scores.max(axis=-1, keepdims=True)
            if blocked is not None:
                np.maximum(scores, _SOFTMAX_FLOOR, out=scores)
            np.exp(scores, out=scores)
            total = scores.sum(axis=-1, keepdims=True)
            np.divide(scores @ v[h], total, out=a[:, h])  # softmax's division, after
        a = a.reshape(length, hidden)
        return self.dense[f"{p}attention.output.dense"](a)

    def _encode(
        self, ids: np.ndarray, positions: np.ndarray, mask: np.ndarray | None
    ) -> np.ndarray:
        """Last hidden states [tokens, hidden] of one sequence of ``ids``; ``mask``
        [tokens, tokens] (True: may attend) or None for full attention."""
        t = self.t
        x = t["embeddings.word_embeddings.weight"][ids]
        x += t["embeddings.position_embeddings.weight"][positions]
        x += t["embeddings.token_type_embeddings.weight"][0]
        x = self._norm(x, "embeddings.LayerNorm")
        blocked = None if mask is None else np.where(mask, np.float32(0), np.float32(-np.inf))
        for n in range(self.layers):
            p = f"encoder.layer.{n}."
            x = self._norm(x + self._attention(x, p, blocked), p + "attention.output.LayerNorm")
            h = gelu(self.dense[p + "intermediate.dense"](x))
            x = self._norm(x + self.dense[p + "output.dense"](h), p + "output.LayerNorm")
        return x

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """Unit mean-pooled embedding of one unpadded sequence of token ids, [1, hidden]."""
        x = self._encode(np.asarray(ids), np.arange(len(ids)), None)
        return _unit(x.mean(axis=0, keepdims=True))

    def embed_packed(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Unit mean-pooled embeddings of short token sequences run as one packed sequence."""
        lengths = np.array([len(s) for s in sequences])
        ids = np.fromiter((t for s in sequences for t in s), dtype=np.int64)
        owner = np.repeat(np.arange(len(sequences)), lengths)
        starts = np.cumsum(lengths) - lengths
        positions = np.arange(len(ids)) - starts[owner]
        mask = (owner[:, None] == owner[None, :]) if len(sequences) > 1 else None
        x = self._encode(ids, positions, mask)
        sums = np.zeros((len(sequences), x.shape[-1]), dtype=np.float32)
        np.add.at(sums, owner, x)
        return _unit(sums / lengths[:, None].astype(np.float32))


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
