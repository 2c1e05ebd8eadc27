"""PyTorch's CPU sampling algorithms on a ``Generator``'s mt19937 stream, so that a seed gives
the numbers PyTorch gives (``torch.manual_seed(s)`` and ``torch.Generator().manual_seed(s)``).

Each function follows the ATen CPU kernel named in its docstring (torch 2.x: core/
DistributionsHelper.h, TransformationHelper.h, native/cpu/DistributionTemplates.h,
native/TensorFactories.cpp, native/Distributions.cpp, native/cpu/MultinomialKernel.cpp). Raw
32-bit draws come from NumPy's MT19937 in bulk and the transforms are vectorised; float32 normals
reproduce ATen's AVX2 ``NormalFill16`` (Cephes log/sincos with the multiply-adds that GCC fuses),
bit for bit. Where ATen calls the C library's double ``log``/``log1p``/``sin``/``cos`` the same
functions are called through ``math`` (NumPy's own differ in the last bit now and then).

>>> import netgrad as ng
>>> g = ng.Generator().manual_seed(2147483647)
>>> [round(v, 4) for v in ng.rand(3, generator=g).tolist()]
[0.7081, 0.3542, 0.1054]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_F = np.float32
_U32 = np.uint64(0xFFFFFFFF)


def raw32(g: Any, n: int) -> np.ndarray:
    """n raw 32-bit engine outputs (as uint64), torch's ``generator->random()``."""
    return g._bitgen.random_raw(int(n)) if n else np.zeros(0, np.uint64)


def raw64(g: Any, n: int) -> np.ndarray:
    """n of torch's ``random64()``: (first draw << 32) | second draw."""
    r = raw32(g, 2 * n).reshape(-1, 2)
    return (r[:, 0] << np.uint64(32)) | r[:, 1]


def _u24(raw: np.ndarray) -> np.ndarray:
    return (raw & np.uint64(0xFFFFFF)).astype(_F) * _F(2.0 ** -24)


def _u53(r64: np.ndarray) -> np.ndarray:
    return (r64 & np.uint64(2 ** 53 - 1)).astype(np.float64) * (2.0 ** -53)


def _opmath(dtype: np.dtype) -> bool:
    """True where ATen computes in double (float64), False where in float (float32, float16)."""
    return np.dtype(dtype) == np.float64


def fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """round_float32(a * b + c) with one rounding, as ``_mm256_fmadd_ps``: the product of two
    float32 is exact in float64, and rounding the float64 sum to float32 can only go wrong where
    that sum is exactly halfway between two float32 (then its own rounding error decides)."""
    p = np.multiply(a, b, dtype=np.float64)
    s = p + np.asarray(c, np.float64)
    r = s.astype(_F)
    half = (s.view(np.uint64) & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    if half.any():
        idx = np.nonzero(half)
        pp = np.broadcast_to(p, s.shape)[idx]
        cc = np.broadcast_to(np.asarray(c, np.float64), s.shape)[idx]
        ss, rr = s[idx], r[idx]
        bb = ss - pp
        err = (pp - (ss - bb)) + (cc - bb)  # TwoSum: the exact value is ss + err
        hi = np.where(rr > ss, rr, np.nextafter(rr, _F(np.inf)))
        lo = np.where(rr < ss, rr, np.nextafter(rr, _F(-np.inf)))
        r[idx] = np.where(err > 0, hi, np.where(err < 0, lo, rr))
    return r


def fma64(a: Any, b: Any, c: Any) -> np.ndarray:
    """a * b + c for float64 as ``std::fma`` (which GCC also makes of ATen's x * (to - from) + from):
    the product's exact error (Veltkamp/Dekker) and the sum's (TwoSum) are added back before the
    last rounding; that last rounding can still differ from a true fma in rare near-ties."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    p = a * b
    sa, sb = a * 134217729.0, b * 134217729.0
    ah, bh = sa - (sa - a), sb - (sb - b)
    al, bl = a - ah, b - bh
    ep = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    es = (p - (s - bb)) + (c - bb)
    return s + (ep + es)


def uniform(g: Any, shape: tuple, dtype: np.dtype, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """``uniform_kernel``: float32/float16 from 24 bits of one draw, float64 from 53 bits of
    random64; x * (to - from) + from, a result equal to ``to`` becomes ``from``."""
    n = int(np.prod(shape, dtype=np.int64))
    d = np.dtype(dtype)
    if _opmath(d):
        x = _u53(raw64(g, n))
        v = x if (low, high) == (0, 1) else fma64(x, float(high) - float(low), float(low))
    else:
        x = _u24(raw32(g, n))
        lo, hi = _F(low), _F(high)
        v = x if (lo, hi) == (0, 1) else fma32(x, hi - lo, lo)
    out = v.astype(d)
    out[out == d.type(high)] = d.type(low)
    return out.reshape(shape)


# ---- normal: ATen's NormalFill16 (blocks of 16) and the scalar Box-Muller with its cache ----

_MIN_NORM = np.array(0x00800000, np.int32).view(_F)
_LOG_P = [_F(v) for v in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                          1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                          3.3333331174E-1)]


def _log256(x: np.ndarray) -> np.ndarray:
    """avx_mathfun's log256_ps (Cephes logf), with GCC's fused multiply-adds."""
    x = np.maximum(x, _MIN_NORM)
    xi = x.view(np.int32)
    e = ((xi.view(np.uint32) >> 23).astype(np.int32) - 0x7F).astype(_F) + _F(1)
    x = ((xi & ~np.int32(0x7F800000)) | _F(0.5).view(np.int32)).view(_F)
    mask = x < _F(0.707106781186547524)
    tmp = np.where(mask, x, _F(0))
    x = x - _F(1)
    e = e - mask.astype(_F)
    x = x + tmp
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = fma32(y, x, p)
    y = y * x
    y = fma32(y, z, e * _F(-2.12194440e-4))
    y = fma32(-z, _F(0.5), y)
    return fma32(e, _F(0.693359375), x + y)


def _sincos256(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """avx_mathfun's sincos256_ps (Cephes sinf/cosf) for x >= 0, with GCC's fused multiply-adds."""
    j = ((x * _F(1.27323954473516)).astype(np.int32) + 1) & ~1
    y = j.astype(_F)
    sign_sin = (j & 4) != 0
    poly = (j & 2) == 0
    sign_cos = (~(j - 2) & 4) != 0
    x = fma32(y, _F(-0.78515625), x)
    x = fma32(y, _F(-2.4187564849853515625e-4), x)
    x = fma32(y, _F(-3.77489497744594108e-8), x)
    z = x * x
    c = fma32(_F(2.443315711809948E-005), z, _F(-1.388731625493765E-003))
    c = fma32(c, z, _F(4.166664568298827E-002))
    c = fma32(c * z, z, -(z * _F(0.5))) + _F(1)
    s = fma32(_F(-1.9515295891E-4), z, _F(8.3321608736E-3))
    s = fma32(s, z, _F(-1.6666654611E-1))
    s = fma32(s * z, x, x)
    sin = np.where(poly, s, c)
    cos = np.where(poly, c, s)
    return np.where(sign_sin, -sin, sin), np.where(sign_cos, -cos, cos)


def _fill16_float(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """NormalFill16<float> (AVX2) on rows of 16 uniforms: u1 = 1 - u[:8], u2 = u[8:],
    r = sqrt(-2 log u1), theta = 2 pi u2; out = fma(r cos theta, std, mean) | fma(r sin theta, ...)."""
    r = np.sqrt(_F(-2) * _log256(_F(1) - u[:, :8]))
    s, c = _sincos256(_F(2.0 * math.pi) * u[:, 8:])
    out = np.concatenate([r * c, r * s], axis=1)
    return out if (mean, std) == (0.0, 1.0) else fma32(out, _F(std), _F(mean))


def _libm(fn: Any, x: np.ndarray) -> np.ndarray:
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


def _fill16_double(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """NormalFill16<double> (scalar, the C library's log/cos/sin)."""
    r = np.sqrt(-2.0 * _libm(math.log, 1.0 - u[:, :8]))
    theta = (2.0 * math.pi) * u[:, 8:]
    out = np.concatenate([r * _libm(math.cos, theta), r * _libm(math.sin, theta)], axis=1)
    return out if (mean, std) == (0.0, 1.0) else fma64(out, std, mean)


def normal(g: Any, shape: tuple, dtype: np.dtype, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """``normal_kernel``: 16 or more elements: uniforms for every element, Box-Muller in blocks
    of 16 (the last block redone over the last 16 elements with 16 fresh uniforms); fewer: the
    scalar double Box-Muller, whose second value waits in the generator for the next call."""
    n = int(np.prod(shape, dtype=np.int64))
    d = np.dtype(dtype)
    mean, std = float(mean), float(std)
    if n < 16:
        return scalar_normals(g, n, mean, std).astype(d).reshape(shape)
    extra = 16 if n % 16 else 0
    m = n // 16 * 16
    # float32/float64 fill the whole tensor with uniforms first; float16 (computed in a float
    # buffer) draws only 16 per block, so its tail block starts right after the last full one
    drawn = n if d in (np.float32, np.float64) else m
    if _opmath(d):
        u = _u53(raw64(g, drawn + extra))
        fill = _fill16_double
    else:
        u = _u24(raw32(g, drawn + extra))
        fill = _fill16_float
    out = np.empty(n, np.float64 if _opmath(d) else _F)
    out[:m] = fill(u[:m].reshape(-1, 16), mean, std).reshape(-1)
    if extra:
        out[n - 16:] = fill(u[drawn:].reshape(1, 16), mean, std).reshape(-1)
    return out.astype(d, copy=False).reshape(shape)


def scalar_normals(g: Any, n: int, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """n draws of ``at::normal_distribution<double>``: u1, u2 from random64; r = sqrt(-2 log1p(-u2)),
    theta = 2 pi u1; returns r cos theta and keeps r sin theta for the next draw."""
    out = np.empty(n)
    i = 0
    if n and g._normal_cache is not None:
        out[0], g._normal_cache, i = g._normal_cache, None, 1
    pairs = (n - i + 1) // 2
    if pairs:
        u = _u53(raw64(g, 2 * pairs)).reshape(-1, 2)
        r = np.sqrt(-2.0 * _libm(math.log1p, -u[:, 1]))
        theta = 2.0 * math.pi * u[:, 0]
        vals = np.stack([r * _libm(math.cos, theta), r * _libm(math.sin, theta)], axis=1).reshape(-1)
        out[i:] = vals[:n - i]
        if (n - i) % 2:
            g._normal_cache = float(vals[-1])
    return fma64(out, std, mean) if (mean, std) != (0.0, 1.0) else out


# ---- integers, permutations ----

def randint(g: Any, low: int, high: int, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """``random_from_to``: range = high - low; below 2^28 one 32-bit draw % range, else
    random64 % range; plus low."""
    n = int(np.prod(shape, dtype=np.int64))
    span = int(high) - int(low)
    r = raw32(g, n) if span < 2 ** 28 else raw64(g, n)
    v = (r % np.uint64(span)).astype(np.int64) + np.int64(low)
    return v.astype(dtype, copy=False).reshape(shape)


def randperm(g: Any, n: int) -> np.ndarray:
    """``randperm_cpu``: for i in 0..n-2 swap a[i] with a[i + random() % (n - i)] (the draws are
    made at once, the swaps in order); n >= 2^32 / 20: the inside-out shuffle on random64."""
    if n < (2 ** 32 - 1) // 20:
        a = list(range(n))
        if n > 1:
            z = raw32(g, n - 1) % np.arange(n, 1, -1, dtype=np.uint64)
            for i, k in enumerate(z.tolist()):
                j = i + k
                a[i], a[j] = a[j], a[i]
        return np.array(a, dtype=np.int64)
    a = np.empty(n, np.int64)
    for i in range(n):
        z = int(raw64(g, 1)[0]) % (i + 1)
        a[i] = a[z]
        a[z] = i
    return a


# ---- exponential, bernoulli, multinomial ----

def exponential(g: Any, shape: tuple, dtype: np.dtype, lambd: float = 1.0) -> np.ndarray:
    """``exponential_kernel``: -1/lambda * log1p(-u) in double, u from random64."""
    n = int(np.prod(shape, dtype=np.int64))
    u = _u53(raw64(g, n))
    return ((-1.0 / float(lambd)) * _libm(math.log1p, -u)).astype(dtype).reshape(shape)


def bernoulli_scalar(g: Any, shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    """``bernoulli_(p)`` with a number p: u < p, u from random64 (53 bits)."""
    n = int(np.prod(shape, dtype=np.int64))
    return (_u53(raw64(g, n)) < float(p)).astype(dtype).reshape(shape)


def bernoulli_tensor(g: Any, p: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``bernoulli_(p_tensor)``: element by element in C order, u < p with u of p's precision
    (53 bits from random64 for float64 p, 24 bits from one draw otherwise)."""
    if p.dtype == np.float64:
        u = _u53(raw64(g, p.size)).reshape(p.shape)
    else:
        u = _u24(raw32(g, p.size)).reshape(p.shape)
        p = p.astype(_F)
    return (u < p).astype(dtype)


def multinomial(g: Any, w: np.ndarray, n: int, replacement: bool) -> np.ndarray:
    """``multinomial`` on rows ``w`` (2-D, checked): without replacement or for one sample,
    argmax / top-n of w / q with q ~ Exp(1) in w's dtype; with replacement and n > 1, per row
    the cumulative sums in w's precision divided by their total (the last set to 1) and, per
    sample, the first bucket whose value is >= u (u from random64)."""
    acc = np.float64 if w.dtype == np.float64 else _F
    if not replacement or n == 1:
        q = exponential(g, w.shape, w.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            keys = (w / q).astype(w.dtype)
        if n == 1:
            return np.argmax(keys, axis=1)[:, None]
        order = np.argsort(-keys.astype(np.float64), axis=1, kind="stable")
        return order[:, :n]
    out = np.empty((w.shape[0], n), np.int64)
    for i, row in enumerate(w.astype(acc)):
        cum = np.cumsum(row, dtype=acc)
        cum = cum / cum[-1]
        cum[-1] = 1
        u = _u53(raw64(g, n))
        out[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
    return out
