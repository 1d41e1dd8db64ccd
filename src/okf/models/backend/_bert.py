"""The BERT encoder forward pass (mean pooling) from safetensors weights, on plain torch.

Two choices keep the neural models fast on a small CPU:

* **int8 linear layers** (default). Every matrix product of the encoder runs through
  fbgemm's int8 kernels with per-channel weight scales: about 1.7× faster than float32
  here, with keyphrase F1 unchanged on the benchmark sets (see docs/benchmarks.md).
  Activations get a *fixed* scale per layer, calibrated once at load on the float model
  over built-in sentences: a scale computed per call (fbgemm's dynamic mode) would
  depend on whatever else is in the batch, and a text's keywords would change with its
  batch-mates. A fixed per-tensor scale is coarse where a few input channels carry
  outliers (after GELU, above all), so each layer's input channels are first divided
  by SmoothQuant factors (Xiao et al., 2023) folded into the weights: phrase vectors
  keep a mean cosine of 0.987 to the float ones (0.89 without). ``precision="fp32"``
  gives sentence-transformers' own numbers.
* **Packed short texts.** Phrases are 3–6 tokens: padded to a batch's longest, half of
  the work was padding, and every call re-reads all the weights. :meth:`Bert.embed_packed`
  puts many phrases in one sequence with positions restarting per phrase and a
  block-diagonal attention mask, so each phrase sees only itself (same vectors as one
  at a time) and no token is padding.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: Precisions of the linear layers.
PRECISIONS = ("int8", "fp32")
_QKV = ("query", "key", "value")
#: Lowest cosine between int8 and float32 vectors of the calibration sentences for int8
#: to be used (measured here: 0.99 and more).
MIN_AGREEMENT = 0.95
#: Share of the calibrated activation maximum kept before clipping.
CLIP = 1.0
#: SmoothQuant's migration strength: how much of each input channel's range moves
#: into the weights (mean phrase cosine to float32: 0.5 → 0.89, 0.7 → 0.984,
#: 0.8 → 0.987, 0.9 → 0.978; without smoothing 0.89).
ALPHA = 0.8
#: Calibration sentences (ours): technical and everyday English and Portuguese.
CALIBRATION = (
    "Support vector machines classify protein sequences with a string kernel.",
    "A fast algorithm for linear matrix inequalities is proposed and tested on benchmarks.",
    "The committee approved the new budget after a long debate on public health spending.",
    "Neural networks trained on small datasets often overfit unless they are regularised.",
    "O governo anunciou novas medidas para a economia, o emprego e a habitação.",
    "Os soldados portugueses regressaram a Lisboa depois de seis meses em missão de paz.",
    "Keyword extraction finds the phrases that best describe what a document is about.",
    "A equipa venceu o campeonato nacional de futebol pela terceira vez consecutiva.",
)


def int8_available() -> bool:
    """Whether torch has a dynamic int8 engine on this CPU (fbgemm/x86 or qnnpack)."""
    import torch

    engines = set(torch.backends.quantized.supported_engines)
    return bool(engines & {"fbgemm", "x86", "qnnpack"})


def _pack_int8(weight: Any, bias: Any) -> Any:
    """Per-output-channel int8 weights, prepacked for fbgemm's int8 products."""
    import torch

    with warnings.catch_warnings():
        # Quantized tensor constructors are marked deprecated in torch 2.13 (pinned).
        warnings.simplefilter("ignore")
        scale = weight.abs().amax(dim=1).clamp(min=1e-12) / 127.0
        zero = torch.zeros(weight.shape[0], dtype=torch.long)
        q = torch.quantize_per_channel(weight.contiguous(), scale, zero, 0, torch.qint8)
        return torch.ops.quantized.linear_prepack(q, bias)


class Bert:
    """A BERT encoder whose output is the unit mean of its last hidden states."""

    def __init__(self, path: Path) -> None:
        import torch
        from safetensors.torch import load_file

        config = json.loads((path / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        w = load_file(str(path / "model.safetensors"))
        for n in range(self.layers):  # one product for query, key and value
            p = f"encoder.layer.{n}.attention.self."
            for part in ("weight", "bias"):
                w[f"{p}qkv.{part}"] = torch.cat([w.pop(f"{p}{x}.{part}") for x in _QKV])
        self.w = w
        self.precision = "fp32"
        self._int8: dict[str, Any] = {}
        self._bound: dict[str, float] = {}
        self._smooth: dict[str, Any] = {}
        #: While calibrating: the largest input seen per linear layer and channel.
        self._record: dict[str, Any] | None = None

    def quantize(self, calibration: Sequence[Sequence[int]]) -> None:
        """Switch the linear layers to int8, activation ranges taken on ``calibration``.

        Stays float32 where torch has no int8 engine for this CPU, or where the int8
        vectors of the calibration sentences stray from the float ones (a kernel that
        misbehaves on some CPU must not silently degrade the keywords).
        """
        if self.precision == "int8" or not int8_available():
            return
        seen: dict[str, Any] = {}
        self._record = seen
        try:
            reference = np.concatenate([self.embed_packed([seq]) for seq in calibration])
        finally:
            self._record = None
        try:
            for name, peak in seen.items():  # per input channel: outliers into the weights
                weight = self.w[name + ".weight"]
                spread = weight.abs().amax(0).clamp(min=1e-5)
                smooth = (peak.clamp(min=1e-5) ** ALPHA / spread ** (1 - ALPHA)).clamp(min=1e-5)
                self._smooth[name] = 1.0 / smooth
                self._bound[name] = CLIP * float((peak / smooth).max())
                self._int8[name] = _pack_int8(weight * smooth[None, :], self.w[name + ".bias"])
            agreement = float((self.embed_packed(calibration) * reference).sum(axis=1).min())
        except RuntimeError:  # no usable int8 kernel here after all
            agreement = 0.0
        if agreement < MIN_AGREEMENT:
            self._int8, self._bound, self._smooth = {}, {}, {}
            return
        for name in self._int8:  # the float copies are not needed any more
            del self.w[name + ".weight"], self.w[name + ".bias"]
        self.precision = "int8"

    def _dense(self, x: Any, name: str) -> Any:
        import torch
        from torch.nn import functional as f

        packed = self._int8.get(name)
        if packed is None:
            record = self._record
            if record is not None:
                peak = x.reshape(-1, x.shape[-1]).abs().amax(0)
                record[name] = peak if name not in record else record[name].maximum(peak)
            return f.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])
        bound, width = self._bound[name], x.shape[-1]
        rows = x.numel() // width
        # fbgemm takes its activation scale from the input's range: one extra row
        # holding ±bound makes that range (so the scale) the calibrated one, always.
        pinned = torch.zeros(rows + 1, width)
        torch.mul(x.reshape(rows, width), self._smooth[name], out=pinned[:rows])
        pinned[:rows].clamp_(-bound, bound)
        pinned[rows, 0], pinned[rows, 1] = bound, -bound
        out = torch.ops.quantized.linear_dynamic(pinned, packed, True)[:-1]
        return out.reshape(*x.shape[:-1], out.shape[-1])

    def _norm(self, x: Any, name: str) -> Any:
        from torch.nn import functional as f

        w = self.w
        return f.layer_norm(x, x.shape[-1:], w[name + ".weight"], w[name + ".bias"], self.eps)

    def _encode(self, ids: Any, positions: Any, mask: Any) -> Any:
        """Last hidden states of ``ids`` [batch, length]; ``mask`` for attention or None."""
        from torch.nn import functional as f

        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        batch, length, hidden = x.shape
        shape = (batch, length, 3, self.heads, hidden // self.heads)
        for n in range(self.layers):
            p = f"encoder.layer.{n}."
            qkv = self._dense(x, p + "attention.self.qkv").view(shape).permute(2, 0, 3, 1, 4)
            a = f.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=mask)
            a = a.transpose(1, 2).reshape(batch, length, hidden)
            a = self._dense(a, p + "attention.output.dense")
            x = self._norm(x + a, p + "attention.output.LayerNorm")
            h = self._dense(f.gelu(self._dense(x, p + "intermediate.dense")), p + "output.dense")
            x = self._norm(x + h, p + "output.LayerNorm")
        return x

    def embed(self, ids_np: np.ndarray, mask_np: np.ndarray) -> np.ndarray:
        """Unit mean-pooled embeddings of a padded batch of token ids."""
        import torch
        from torch.nn import functional as f

        with torch.inference_mode():
            ids, mask = torch.from_numpy(ids_np), torch.from_numpy(mask_np)
            # No mask when nothing is padded: SDPA then takes its fastest kernel.
            keep = None if bool(mask.all()) else mask.bool()[:, None, None, :]
            x = self._encode(ids, torch.arange(ids.shape[1]), keep)
            m = mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return f.normalize(pooled, dim=-1).numpy()

    def embed_packed(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Unit mean-pooled embeddings of short token sequences run as one packed sequence."""
        import torch
        from torch.nn import functional as f

        lengths = torch.tensor([len(s) for s in sequences])
        with torch.inference_mode():
            ids = torch.tensor([t for s in sequences for t in s]).unsqueeze(0)
            owner = torch.repeat_interleave(torch.arange(len(sequences)), lengths)
            starts = torch.cumsum(lengths, 0) - lengths
            positions = torch.arange(ids.shape[1]) - starts[owner]
            mask = (owner[:, None] == owner[None, :]) if len(sequences) > 1 else None
            x = self._encode(ids, positions, mask)[0]
            sums = torch.zeros(len(sequences), x.shape[-1]).index_add_(0, owner, x)
            return f.normalize(sums / lengths[:, None], dim=-1).numpy()
