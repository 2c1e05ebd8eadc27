"""Attention with PyTorch's functional API: ``scaled_dot_product_attention`` and
``multi_head_attention_forward`` (what ``nn.MultiheadAttention`` runs).

Composed of netgrad's differentiable ops (batched matmul, softmax, where, dropout), so gradients
and double backward come from theirs:

    attention(Q, K, V) = softmax(Q K^T * scale + B) V,    scale = 1 / sqrt(E) by default,

B the additive mask: 0 where a query may attend to a key and -inf where not (a boolean
``attn_mask`` of SDPA says True = attend; one of ``MultiheadAttention`` says True = masked, as
PyTorch's), or the float mask itself. A query whose every key is masked gets zeros from
``scaled_dot_product_attention`` (PyTorch's safe softmax) and NaN from
``multi_head_attention_forward`` with ``need_weights=True`` (PyTorch's plain softmax).

>>> import netgrad as ng
>>> q = k = v = ng.eye(2).reshape(1, 2, 2)
>>> scaled_dot_product_attention(q, k, v, is_causal=True)[0, 0].tolist()
[1.0, 0.0]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import DTypeError, ShapeError
from .core import as_tensor_arg
from .activation import softmax
from .dropout import dropout
from .elementwise import where
from .linalg import linear
from .shape import cat

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_NEG_INF = float("-inf")


def _mask_tensor(mask: Any, op: str) -> Tensor:
    return mask if isinstance(mask, Tensor) else Tensor._make(np.asarray(mask))


def _is_bool(mask: Tensor) -> bool:
    return mask._data.dtype == np.bool_


def _causal_allowed(L: int, S: int) -> np.ndarray:
    """True where query i may attend to key j: j <= i (PyTorch's top-left aligned causal mask)."""
    return np.tril(np.ones((L, S), dtype=bool))


def scaled_dot_product_attention(query: Any, key: Any, value: Any, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, *,
                                 scale: float | None = None, enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T scale + B) V over the last two dims (Q: (..., L, E), K: (..., S, E),
    V: (..., S, Ev)); B from ``attn_mask`` (bool: True = attend; float: added) and ``is_causal``.

    Dropout with probability ``dropout_p`` is applied to the attention weights (always, as
    PyTorch's: pass 0 in evaluation). ``enable_gqa`` repeats the key/value heads (dim -3) to the
    query's number of heads.

    >>> import netgrad as ng
    >>> q, k, v = ng.ones(1, 2, 4), ng.ones(1, 3, 4), ng.arange(6.0).reshape(1, 3, 2)
    >>> scaled_dot_product_attention(q, k, v).tolist()
    [[[2.0, 3.0], [2.0, 3.0]]]
    """
    op = "scaled_dot_product_attention"
    q, k, v = (as_tensor_arg(t, op) for t in (query, key, value))
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ShapeError(f"{op}: expected query, key and value of at least 2 dims, got shapes "
                         f"{q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ShapeError(f"{op}: query (..., L, E), key (..., S, E) and value (..., S, Ev) do not "
                         f"match: {q.shape}, {k.shape}, {v.shape}")
    if enable_gqa and q.ndim >= 3 and k.ndim >= 3 and q.shape[-3] != k.shape[-3]:
        hq, hk = q.shape[-3], k.shape[-3]
        if hq % hk or v.shape[-3] != hk:
            raise ShapeError(f"{op}: with enable_gqa the query heads ({hq}) must be a multiple of "
                             f"the key/value heads ({hk}, {v.shape[-3]})")
        k = k.repeat_interleave(hq // hk, dim=-3)
        v = v.repeat_interleave(hq // hk, dim=-3)
    L, S = q.shape[-2], k.shape[-2]
    s = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    scores = (q @ k.transpose(-2, -1)) * s
    allowed = None  # boolean array (broadcastable to scores) of attended positions, or None
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{op}: pass either attn_mask or is_causal=True, not both")
        allowed = _causal_allowed(L, S)
    elif attn_mask is not None:
        m = _mask_tensor(attn_mask, op)
        if _is_bool(m):
            allowed = m._data
        elif m._data.dtype.kind != "f":
            raise DTypeError(f"{op}: expected attn_mask of dtype bool or float, got {m.dtype}")
        else:
            scores = scores + m
            allowed = ~np.isneginf(m._data)
    if allowed is None:
        attn = softmax(scores, -1)
    else:
        if attn_mask is None or _is_bool(_mask_tensor(attn_mask, op)):
            scores = where(Tensor._make(allowed), scores, _NEG_INF)
        dead = ~np.broadcast_to(allowed, scores.shape).any(axis=-1, keepdims=True)
        if dead.any():  # PyTorch's safe softmax: a row with no allowed key gives zeros, not NaN
            dead_t = Tensor._make(dead)
            attn = where(dead_t, 0.0, softmax(where(dead_t, 0.0, scores), -1))
        else:
            attn = softmax(scores, -1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return attn @ v


def _additive(mask: Any, name: str, dtype: Any, op: str) -> Tensor | None:
    """A bool mask (True = masked) as 0 / -inf of ``dtype``; a float mask as given."""
    if mask is None:
        return None
    m = _mask_tensor(mask, op)
    if _is_bool(m):
        return Tensor._make(np.where(m._data, _NEG_INF, 0.0).astype(dtype))
    if m._data.dtype.kind != "f":
        raise DTypeError(f"{op}: only bool and floating types of {name} are supported, got {m.dtype}")
    return m


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True, key_padding_mask: Any = None,
        need_weights: bool = True, attn_mask: Any = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Any = None, static_v: Any = None,
        average_attn_weights: bool = True, is_causal: bool = False) -> tuple:
    """Multi-head attention on sequence-first input (L, N, E) or unbatched (L, E):
    concat_h(attention(x_q W_q^h, x_k W_k^h, x_v W_v^h)) W_o^T + b_o. Returns (output, weights),
    weights (N, L, S) averaged over heads, (N, H, L, S) otherwise, or None."""
    op = "multi_head_attention_forward"
    if static_k is not None or static_v is not None:
        raise NotImplementedError(f"{op}: static_k/static_v are not supported")
    query, key, value = (as_tensor_arg(t, op) for t in (query, key, value))
    batched = query.ndim == 3
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ShapeError(f"{op}: expected query, key and value all 2-D (unbatched) or 3-D, got "
                         f"shapes {query.shape}, {key.shape}, {value.shape}")
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = _mask_tensor(key_padding_mask, op).unsqueeze(0)
    L, N, E = query.shape
    S = key.shape[0]
    if E != embed_dim_to_check:
        raise ShapeError(f"{op}: was expecting embedding dimension of {embed_dim_to_check}, "
                         f"but got {E}")
    if E % num_heads:
        raise ValueError(f"{op}: embed_dim {E} not divisible by num_heads {num_heads}")
    if key.shape[:2] != value.shape[:2] or key.shape[1] != N:
        raise ShapeError(f"{op}: key {key.shape} and value {value.shape} must share (S, N) with "
                         f"query's batch {N}")
    D = E // num_heads
    kpm = _additive(key_padding_mask, "key_padding_mask", query.dtype, op)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to create "
                           "this mask.")
    causal_only = is_causal and kpm is None and not need_weights
    am = None if causal_only else _additive(attn_mask, "attn_mask", query.dtype, op)
    # input projections (one GEMM for self-attention with the packed weight)
    if not use_separate_proj_weight:
        if query is key and key is value:
            q, k, v = linear(query, in_proj_weight, in_proj_bias).chunk(3, dim=-1)
        else:
            wq, wk, wv = in_proj_weight.chunk(3)
            bq, bk, bv = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
            q, k, v = linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)
    else:
        bq, bk, bv = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        q = linear(query, q_proj_weight, bq)
        k, v = linear(key, k_proj_weight, bk), linear(value, v_proj_weight, bv)
    if am is not None:
        if am.ndim == 2 and tuple(am.shape) != (L, S):
            raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(am.shape)}, but should be "
                               f"{(L, S)}.")
        if am.ndim == 3 and tuple(am.shape) != (N * num_heads, L, S):
            raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(am.shape)}, but should be "
                               f"{(N * num_heads, L, S)}.")
        if am.ndim not in (2, 3):
            raise RuntimeError(f"attn_mask's dimension {am.ndim} is not supported")
        am = am.reshape(N, num_heads, L, S) if am.ndim == 3 else am
    pad_col = []  # extra key positions (bias_k, zero attention) that the masks must allow
    if (bias_k is None) != (bias_v is None):
        raise ValueError(f"{op}: bias_k and bias_v must be given together")
    if bias_k is not None:
        k = cat([k, bias_k.expand(1, N, E)])
        v = cat([v, bias_v.expand(1, N, E)])
        pad_col.append(1)
    # heads: (L, N, E) -> (N, H, L, D)
    q = q.reshape(L, N, num_heads, D).permute(1, 2, 0, 3)
    k = k.reshape(k.shape[0], N, num_heads, D).permute(1, 2, 0, 3)
    v = v.reshape(v.shape[0], N, num_heads, D).permute(1, 2, 0, 3)
    if add_zero_attn:
        z = Tensor._make(np.zeros((N, num_heads, 1, D), dtype=q._data.dtype))
        k, v = cat([k, z], dim=2), cat([v, z], dim=2)
        pad_col.append(1)
    S2 = k.shape[2]
    if pad_col:
        if am is not None:
            am = cat([am, Tensor._make(np.zeros(am.shape[:-1] + (S2 - S,), dtype=am._data.dtype))],
                     dim=-1)
        if kpm is not None:
            kpm = cat([kpm, Tensor._make(np.zeros((N, S2 - S), dtype=kpm._data.dtype))], dim=-1)
    if kpm is not None:
        if tuple(kpm.shape) != (N, S2):
            raise ShapeError(f"{op}: expected key_padding_mask of shape {(N, S2 - len(pad_col))}, "
                             f"got {tuple(kpm.shape)}")
        kpm = kpm.reshape(N, 1, 1, S2)
        am = kpm if am is None else am + kpm
    p = dropout_p if training else 0.0
    if not need_weights:
        if causal_only:
            out = scaled_dot_product_attention(q, k, v, None, p, True)
        else:
            out = scaled_dot_product_attention(q, k, v, am, p)
        weights = None
    else:
        scores = (q * math.sqrt(1.0 / D)) @ k.transpose(-2, -1)
        if am is not None:
            scores = scores + am
        weights = softmax(scores, -1)
        if p > 0.0:
            weights = dropout(weights, p)
        out = weights @ v
        if average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            weights = weights.squeeze(0)
    out = linear(out.permute(2, 0, 1, 3).reshape(L, N, E), out_proj_weight, out_proj_bias)
    if not batched:
        out = out.squeeze(1)
    return out, weights
