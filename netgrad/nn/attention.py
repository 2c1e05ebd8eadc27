"""``nn.MultiheadAttention`` with PyTorch's API, parameter names, shapes and initialisation.

Parameters: ``in_proj_weight`` (3E, E) and ``in_proj_bias`` (3E) packing W_q, W_k, W_v (or
``q_proj_weight``/``k_proj_weight``/``v_proj_weight`` when kdim or vdim differ from embed_dim),
``out_proj`` a Linear(E, E); ``bias_k``/``bias_v`` (1, 1, E) with ``add_bias_kv``. Initialised
as PyTorch: Xavier-uniform projection weights, zero biases, Xavier-normal bias_k/bias_v.

>>> import netgrad as ng
>>> mha = ng.nn.MultiheadAttention(8, 2, batch_first=True)
>>> out, w = mha(ng.randn(3, 5, 8), ng.randn(3, 7, 8), ng.randn(3, 7, 8))
>>> out.shape, w.shape
((3, 5, 8), (3, 5, 7))
>>> mha
MultiheadAttention(
  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
)
"""

from __future__ import annotations

from typing import Any

from ..functional.core import as_tensor_arg
from ..functional.attention import multi_head_attention_forward
from . import init
from .linear import Linear, _empty
from .module import Module

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` under PyTorch's name for ``MultiheadAttention.out_proj`` (same repr)."""


class MultiheadAttention(Module):
    """Multi-head attention: concat_h softmax(Q_h K_h^T / sqrt(d) + B) V_h, then W_o; see
    ``netgrad.functional.attention``. Sequence-first (L, N, E) input unless ``batch_first``."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than 0, "
                             f"got embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = int(embed_dim)
        self.kdim = int(kdim) if kdim is not None else self.embed_dim
        self.vdim = int(vdim) if vdim is not None else self.embed_dim
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.num_heads, self.dropout, self.batch_first = int(num_heads), dropout, batch_first
        self.head_dim = self.embed_dim // self.num_heads
        if self.head_dim * self.num_heads != self.embed_dim:
            raise ValueError("MultiheadAttention: embed_dim must be divisible by num_heads")
        E = self.embed_dim
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = _empty(E, E, dtype=dtype)
            self.k_proj_weight = _empty(E, self.kdim, dtype=dtype)
            self.v_proj_weight = _empty(E, self.vdim, dtype=dtype)
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = _empty(3 * E, E, dtype=dtype)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = _empty(3 * E, dtype=dtype)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(E, E, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = _empty(1, 1, E, dtype=dtype)
            self.bias_v = _empty(1, 1, E, dtype=dtype)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Any, key: Any, value: Any, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True, is_causal: bool = False) -> tuple:
        """(output, weights): output (L, N, E) ((N, L, E) with batch_first, (L, E) unbatched);
        weights (N, L, S) averaged over heads, (N, H, L, S) otherwise, None if not
        ``need_weights``. ``key_padding_mask`` (N, S) and a bool ``attn_mask`` (L, S) or
        (N*H, L, S) mark positions to ignore with True; float masks are added to the scores."""
        name = type(self).__name__
        same_qk, same_kv = query is key, key is value
        query = as_tensor_arg(query, name)
        key = query if same_qk else as_tensor_arg(key, name)
        value = key if same_kv else as_tensor_arg(value, name)
        batched = query.ndim == 3
        if self.batch_first and batched:
            tq = query.transpose(0, 1)
            tk = tq if key is query else key.transpose(0, 1)
            tv = tk if value is key else value.transpose(0, 1)
            query, key, value = tq, tk, tv
        kw: dict = {}
        if not self._qkv_same_embed_dim:
            kw = dict(use_separate_proj_weight=True, q_proj_weight=self.q_proj_weight,
                      k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight)
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            average_attn_weights=average_attn_weights, is_causal=is_causal, **kw)
        if self.batch_first and batched:
            out = out.transpose(0, 1)
        return out, weights
