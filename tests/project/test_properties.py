"""Property-based tests: random shapes and broadcasting pairs for binary ops, matmul and reductions,
each checked against NumPy (forward) and torch.autograd (gradients)."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.autograd.engine import sum_to_array

SETTINGS = settings(max_examples=30, deadline=None)
seeds = st.integers(0, 2**32 - 1)
pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, lambda a, b: a / b, np.divide),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b, np.power),
    "maximum": (ng.maximum, torch.maximum, np.maximum),
    "minimum": (ng.minimum, torch.minimum, np.minimum),
}


def _values(rng, shape, positive):
    x = rng.standard_normal(shape)
    return np.abs(x) + 0.5 if positive else x


@SETTINGS
@given(op=st.sampled_from(sorted(BINARY)), shapes=pairs, seed=seeds)
def test_binary_ops_broadcast_like_numpy_and_torch(op, shapes, seed):
    ngf, thf, npf = BINARY[op]
    rng = np.random.default_rng(seed)
    positive = op in ("div", "pow")
    a, b = (_values(rng, s, positive) for s in shapes.input_shapes)
    out, _ = compare_with_torch(ngf, thf, [a, b], atol=1e-10, rtol=1e-8)
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(out.numpy(), npf(a, b), rtol=1e-12)


@SETTINGS
@given(shapes=pairs, seed=seeds)
def test_broadcast_gradients_have_input_shapes(shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.standard_normal(s) for s in shapes.input_shapes)
    x, y = ng.tensor(a, requires_grad=True), ng.tensor(b, requires_grad=True)
    g = rng.standard_normal(shapes.result_shape)
    (x * 1.0 + y * 2.0).backward(g)
    assert x.grad.shape == a.shape and y.grad.shape == b.shape
    np.testing.assert_allclose(x.grad.numpy(), sum_to_array(g, a.shape), rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), 2 * sum_to_array(g, b.shape), rtol=1e-12)


@SETTINGS
@given(shape=array_shapes(min_dims=0, max_dims=4, max_side=4), seed=seeds)
def test_sum_to_inverts_broadcast(shape, seed):
    rng = np.random.default_rng(seed)
    lead = tuple(rng.integers(1, 4, rng.integers(0, 3)))
    target = lead + tuple(int(rng.integers(1, 4)) if s == 1 else s for s in shape)
    g = rng.standard_normal(target)
    ref = torch.from_numpy(g).sum_to_size(shape).numpy() if shape else np.asarray(g.sum())
    np.testing.assert_allclose(sum_to_array(g, shape), ref, rtol=1e-12)


@st.composite
def batched_matmul_shapes(draw):
    m, k, n = (draw(st.integers(1, 4)) for _ in range(3))
    batch = draw(mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3))
    sa, sb = batch.input_shapes
    a = (k,) if draw(st.booleans()) and not sa else sa + (m, k)
    b = (k,) if draw(st.booleans()) and not sb else sb + (k, n)
    return a, b


@SETTINGS
@given(shapes=batched_matmul_shapes(), seed=seeds)
def test_matmul_random_batched_shapes(shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.standard_normal(s) for s in shapes)
    out, _ = compare_with_torch(ng.matmul, torch.matmul, [a, b], atol=1e-10, rtol=1e-9)
    np.testing.assert_allclose(out.numpy(), np.matmul(a, b), rtol=1e-12, atol=1e-12)


REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(dim=d, keepdim=k), lambda x, d, k: x.sum(dim=d, keepdim=k),
            lambda a, d, k: a.sum(axis=d, keepdims=k)),
    "mean": (lambda x, d, k: x.mean(dim=d, keepdim=k), lambda x, d, k: x.mean(dim=d, keepdim=k),
             lambda a, d, k: a.mean(axis=d, keepdims=k)),
    "var": (lambda x, d, k: x.var(dim=d, keepdim=k), lambda x, d, k: x.var(dim=d, keepdim=k),
            lambda a, d, k: a.var(axis=d, ddof=1, keepdims=k)),
    "amax": (lambda x, d, k: ng.amax(x, d, k), lambda x, d, k: torch.amax(x, d, k),
             lambda a, d, k: a.max(axis=d, keepdims=k)),
    "logsumexp": (lambda x, d, k: ng.logsumexp(x, d, k), lambda x, d, k: torch.logsumexp(x, d, k),
                  lambda a, d, k: np.log(np.exp(a).sum(axis=d, keepdims=k))),
}


@st.composite
def shape_and_dims(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    dims = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    neg = draw(st.booleans())
    dims = tuple(d - len(shape) if neg else d for d in dims)
    return shape, dims if len(dims) > 1 else dims[0]


@SETTINGS
@given(op=st.sampled_from(sorted(REDUCTIONS)), sd=shape_and_dims(), keepdim=st.booleans(), seed=seeds)
def test_reductions_over_random_dims(op, sd, keepdim, seed):
    shape, dim = sd
    ngf, thf, npf = REDUCTIONS[op]
    a = np.random.default_rng(seed).standard_normal(shape)
    dims = dim if isinstance(dim, tuple) else (dim,)
    if op == "var" and int(np.prod([shape[d] for d in dims])) < 2:
        return  # one element: variance with Bessel's correction is undefined
    out, _ = compare_with_torch(lambda x: ngf(x, dim, keepdim), lambda x: thf(x, dim, keepdim), [a],
                                atol=1e-10, rtol=1e-8)
    np.testing.assert_allclose(out.numpy(), npf(a, dim, keepdim), rtol=1e-10, atol=1e-12)


@SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), seed=seeds, data=st.data())
def test_max_dim_matches_torch(shape, seed, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    a = np.random.default_rng(seed).standard_normal(shape)
    (v, i), (tv, ti) = compare_with_torch(lambda x: x.max(dim, keepdim), lambda x: x.max(dim, keepdim), [a])
    np.testing.assert_array_equal(i.numpy(), ti.numpy())


@SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=4), seed=seeds, data=st.data())
def test_permute_reshape_round_trip(shape, seed, data):
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    a = np.random.default_rng(seed).standard_normal(shape)
    out, _ = compare_with_torch(lambda x: x.permute(*perm).reshape(-1).exp(),
                                lambda x: x.permute(*perm).reshape(-1).exp(), [a])
    np.testing.assert_allclose(out.numpy(), np.exp(a.transpose(perm).reshape(-1)), rtol=1e-12)
