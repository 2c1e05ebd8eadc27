"""The Tensor API: factories, attributes, conversions, repr, default dtype, seeded randomness."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng


# ------------------------------------------------------------------ factories
def test_tensor_dtype_inference_like_torch():
    cases = [[1.0, 2.0], [1, 2], [True, False], 3.0, 7, [[1, 2.5]], np.zeros(2, np.float64),
             np.zeros(2, np.float32), np.zeros(2, np.int32), np.arange(3)]
    names = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64",
             torch.int32: "int32", torch.bool: "bool"}
    for data in cases:
        t, r = ng.tensor(data), torch.tensor(data)
        assert str(t.dtype) == names[r.dtype], data
        np.testing.assert_array_equal(t.numpy(), r.numpy())
    assert ng.tensor([1, 2], dtype=ng.float32).dtype == ng.float32
    assert ng.tensor([1.0], dtype="float64").dtype == ng.float64
    assert ng.tensor([1.7], dtype=ng.long).tolist() == [1]


def test_tensor_copies_its_data_and_from_numpy_shares():
    a = np.zeros(3)
    t = ng.tensor(a)
    a[0] = 5
    assert t.tolist() == [0.0, 0.0, 0.0]
    s = ng.from_numpy(a)
    a[1] = 7
    assert s.tolist() == [5.0, 7.0, 0.0]
    assert ng.as_tensor(a).numpy() is a
    assert ng.tensor(t) is not t and ng.tensor(t).tolist() == t.tolist()


def test_tensor_rejects_bad_data():
    with pytest.raises(TypeError, match="tensor"):
        ng.tensor("abc")
    with pytest.raises(TypeError):
        ng.tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="dtype"):
        ng.tensor([1.0], dtype="complex-ish")


@pytest.mark.parametrize("name,args", [("zeros", (2, 3)), ("ones", (2, 3)), ("empty", (2, 3)),
                                       ("zeros", ((2, 3),)), ("ones", ([4],)), ("zeros", ((),))])
def test_zeros_ones_empty(name, args):
    t, r = getattr(ng, name)(*args), getattr(torch, name)(*args)
    assert t.shape == tuple(r.shape) and t.dtype == ng.float32
    if name != "empty":
        np.testing.assert_array_equal(t.numpy(), r.numpy())
    d = getattr(ng, name)(*args, dtype=ng.float64, requires_grad=True)
    assert d.dtype == ng.float64 and d.requires_grad and d.is_leaf


def test_full_and_likes():
    assert ng.full((2, 2), 3).dtype == ng.int64
    assert ng.full((2, 2), 1.5).tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert ng.full((2,), 1.5).dtype == ng.float32
    assert ng.full((2,), True).dtype == ng.bool
    assert ng.full(3, 2.0, dtype=ng.float64).dtype == ng.float64
    i, f = ng.tensor([1, 2]), ng.tensor([[1.0, 2.0]], dtype=ng.float64)
    assert ng.zeros_like(i).dtype == ng.int64 and ng.zeros_like(i).tolist() == [0, 0]
    assert ng.ones_like(f).dtype == ng.float64 and ng.ones_like(f).shape == (1, 2)
    assert ng.ones_like(f, dtype=ng.float32).dtype == ng.float32
    assert ng.full_like(f, 7.0).tolist() == [[7.0, 7.0]]
    assert ng.zeros_like(f, requires_grad=True).requires_grad
    with pytest.raises(ValueError, match="size"):
        ng.zeros(-1)


def test_arange_linspace_eye_match_torch():
    for args in [(5,), (2, 7), (0, 1, 0.25), (5, 0, -1), (1.0, 2.0)]:
        t, r = ng.arange(*args), torch.arange(*args)
        assert t.dtype == {torch.int64: ng.int64, torch.float32: ng.float32}[r.dtype]
        np.testing.assert_allclose(t.numpy(), r.numpy())
    np.testing.assert_allclose(ng.linspace(-1, 1, 5).numpy(), torch.linspace(-1, 1, 5).numpy())
    assert ng.linspace(0, 1, 3).dtype == ng.float32
    np.testing.assert_array_equal(ng.eye(3).numpy(), torch.eye(3).numpy())
    np.testing.assert_array_equal(ng.eye(2, 3).numpy(), torch.eye(2, 3).numpy())
    assert ng.arange(3, dtype=ng.float64).dtype == ng.float64
    with pytest.raises(ValueError, match="step"):
        ng.arange(0, 3, 0)


def test_random_factories_shapes_dtypes_and_ranges():
    ng.manual_seed(0)
    r = ng.rand(1000)
    assert r.dtype == ng.float32 and r.shape == (1000,)
    assert 0.0 <= r.numpy().min() and r.numpy().max() < 1.0
    n = ng.randn(200, 50)
    assert n.shape == (200, 50) and abs(float(n.mean())) < 0.05 and abs(float(n.std()) - 1) < 0.05
    assert ng.randn(3, dtype=ng.float64).dtype == ng.float64
    assert ng.randn(2, requires_grad=True).requires_grad
    k = ng.randint(0, 5, (1000,))
    assert k.dtype == ng.int64 and set(k.tolist()) == {0, 1, 2, 3, 4}
    assert ng.randint(3, size=(2, 2)).shape == (2, 2)
    assert ng.randint(-2, 2, (50,)).numpy().min() >= -2
    p = ng.randperm(10)
    assert sorted(p.tolist()) == list(range(10)) and p.dtype == ng.int64
    assert ng.rand_like(ng.zeros(2, 3, dtype=ng.float64)).dtype == ng.float64
    assert ng.randn_like(ng.zeros(4)).shape == (4,)


def test_manual_seed_reproducibility_and_generators():
    ng.manual_seed(123)
    a = (ng.rand(5).tolist(), ng.randn(3).tolist(), ng.randint(0, 100, (4,)).tolist())
    ng.manual_seed(123)
    b = (ng.rand(5).tolist(), ng.randn(3).tolist(), ng.randint(0, 100, (4,)).tolist())
    assert a == b
    ng.manual_seed(124)
    assert ng.rand(5).tolist() != a[0]
    g1, g2 = ng.Generator(7), ng.Generator().manual_seed(7)
    assert ng.rand(3, generator=g1).tolist() == ng.rand(3, generator=g2).tolist()
    state = ng.get_rng_state()
    x = ng.randn(4).tolist()
    ng.set_rng_state(state)
    assert ng.randn(4).tolist() == x
    with pytest.raises(TypeError, match="seed"):
        ng.manual_seed(1.5)


# ------------------------------------------------------------------ attributes
def test_attributes():
    x = ng.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.dtype == ng.float32
    assert x.size() == (2, 3) and x.size(0) == 2 and x.size(-1) == 3
    assert x.numel() == 6 and x.dim() == 2 and len(x) == 2
    assert x.T.shape == (3, 2) and x.T.tolist() == [[1, 4], [2, 5], [3, 6]]
    assert x.grad is None and x.requires_grad and x.is_leaf and x.grad_fn is None
    y = x.sum()
    assert not y.is_leaf and y.grad_fn is not None and y.shape == ()
    assert x.device == "cpu"
    with pytest.raises(TypeError, match="len"):
        len(ng.tensor(1.0))


def test_dtype_names():
    assert ng.float32 == np.float32 and ng.float64 == np.float64 and ng.int64 == np.int64
    assert ng.bool == np.bool_ and ng.float == ng.float32 and ng.double == ng.float64
    assert ng.long == ng.int64


# ------------------------------------------------------------------ conversions
def test_numpy_item_tolist():
    x = ng.tensor([[1.0, 2.0]], requires_grad=True)
    y = x * 2
    assert isinstance(y.numpy(), np.ndarray)  # also on a tensor in the graph
    np.testing.assert_array_equal(y.numpy(), [[2.0, 4.0]])
    assert x.tolist() == [[1.0, 2.0]] and isinstance(x.tolist()[0][0], float)
    assert ng.tensor([3]).item() == 3 and isinstance(ng.tensor([3]).item(), int)
    assert ng.tensor(2.5).item() == 2.5 and float(ng.tensor(2.5)) == 2.5 and int(ng.tensor(3)) == 3
    with pytest.raises(ValueError, match="one-element"):
        x.item()
    assert np.asarray(x).shape == (1, 2)
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ng.tensor([1.0, 2.0]))
    assert bool(ng.tensor([1.0]))
    assert [10, 20, 30][ng.tensor(1)] == 20


def test_detach_and_requires_grad_():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    z = ng.tensor([1.0])
    assert z.requires_grad_() is z and z.requires_grad
    z.requires_grad_(False)
    assert not z.requires_grad
    z.requires_grad = True
    assert z.requires_grad
    (z * 3).sum().backward()
    assert z.grad.tolist() == [3.0]
    c = x.clone()
    assert c.requires_grad and not np.shares_memory(c.numpy(), x.numpy())
    c.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_repr_is_readable():
    assert repr(ng.tensor([1.5, 2.25])) == "tensor([1.5000, 2.2500])"
    assert repr(ng.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ng.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ng.tensor(3.0)) == "tensor(3.)"
    assert repr(ng.tensor([1.0], dtype=ng.float64)) == "tensor([1.], dtype=float64)"
    assert repr(ng.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(ng.tensor([1.0], requires_grad=True) * 2) == "tensor([2.], grad_fn=<MulBackward0>)"
    assert "size=(0,)" in repr(ng.zeros(0))
    assert "dtype=bool" in repr(ng.tensor([True]))
    r = repr(ng.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert r.startswith("tensor([[1., 2.],") and r.count("\n") == 1
    assert "nan" in repr(ng.tensor([float("nan"), 1.0]))


def test_set_default_dtype_round_trip():
    assert ng.get_default_dtype() == ng.float32
    ng.set_default_dtype(ng.float64)
    try:
        assert ng.get_default_dtype() == ng.float64
        for t in (ng.tensor([1.0]), ng.zeros(2), ng.ones(2), ng.rand(2), ng.randn(2), ng.arange(0.0, 1.0),
                  ng.linspace(0, 1, 3), ng.eye(2), ng.full((2,), 1.5)):
            assert t.dtype == ng.float64, t
        assert repr(ng.tensor([1.0])) == "tensor([1.])"
        assert (ng.tensor([1, 2]) / 2).dtype == ng.float64
        with pytest.raises(TypeError, match="floating"):
            ng.set_default_dtype(ng.int64)
    finally:
        ng.set_default_dtype(ng.float32)
    assert ng.tensor([1.0]).dtype == ng.float32 and ng.zeros(1).dtype == ng.float32
    assert repr(ng.tensor([1.0], dtype=ng.float64)) == "tensor([1.], dtype=float64)"


def test_in_place_helpers_outside_the_graph():
    t = ng.zeros(3)
    t.fill_(2.0)
    t.add_(ng.ones(3), alpha=0.5)
    t.mul_(2.0)
    t[0] = 10.0
    assert t.tolist() == [10.0, 5.0, 5.0]
    t.clamp_(max=6.0)
    t.copy_(np.array([1.0, 2.0, 3.0]))
    assert t.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="copy_"):
        t.copy_(np.ones(4))
    t.zero_()
    assert t.tolist() == [0.0, 0.0, 0.0]
    ng.manual_seed(0)
    u = ng.empty(1000).uniform_(-1.0, 1.0)
    assert -1.0 <= u.numpy().min() and u.numpy().max() < 1.0
    n = ng.empty(1000).normal_(2.0, 0.5)
    assert abs(float(n.mean()) - 2.0) < 0.1


def test_to_device_strings():
    x = ng.ones(2)
    assert x.to("cpu") is x and x.cpu() is x
    assert x.to("cpu", ng.float64).dtype == ng.float64
    with pytest.raises(RuntimeError, match="CPU"):
        x.to("cuda")


# Method and call forms as written in PyTorch code, evaluated with either library as `lib`.
METHOD_FORMS = [
    "x.sum(dim=[0, 2])", "x.sum((0, 2), keepdim=True)", "x.mean(-1)", "x.var(unbiased=False)",
    "x.std(0, keepdim=True)", "x.max(dim=-1).values", "x.min(-1)[0]", "x.view(2, -1)", "x.reshape([6, 4])",
    "x.permute([2, 0, 1])", "x.flatten(1)", "x.unsqueeze(0).squeeze(0)", "x[:1].expand(3, -1, -1)",
    "x.split([1, 2], dim=1)", "x.chunk(2, -1)", "x.clamp(min=0)", "x.pow(2)", "x.exp().log()", "x.neg()",
    "x.square()", "x.amax(dim=(0, 1))", "x.logsumexp(dim=-1)", "x.transpose(1, 0)", "x.mT", "x.sum(-1).T",
    "x.matmul(x.mT)", "x @ x.transpose(-1, -2)", "x[0].t()", "x[0, 0].t()", "x.var(dim=(0, 1))", "x.std()",
    "x.mean(dim=(0, 2))", "x.max()", "x.abs().sqrt()", "x.prod(1)", "x.sub(1.5)", "x.add(x, alpha=0.5)",
    "x.mul(2)", "x.div(3.0)", "x.maximum(x * 0.5)", "x.where(x > 0, 0.0)", "x.masked_fill(x > 0, -1.0)",
    "x.view_as(x)", "x.reshape_as(x)", "x.expand_as(x)", "x.type_as(x)", "x.clone()",
    "x.sum(dim=0, keepdim=True).expand(2, -1, -1)", "x.unbind(-1)", "x.gather(2, lib.zeros(2, 3, 1).long())",
    "x.swapaxes(0, 2)", "x.moveaxis(0, 2)", "x.flatten(0, -2)", "x.squeeze()", "x.argmax(-1)",
    "lib.cat((x, x * 2), 1)", "lib.stack((x, x), -1)", "(x > 0).float() * x", "x.exp().sum(-1, keepdim=True)",
]


@pytest.mark.parametrize("expr", METHOD_FORMS)
def test_method_forms_match_torch(expr):
    from torch_ref import compare_with_torch

    a = np.random.default_rng(0).standard_normal((2, 3, 4))
    compare_with_torch(lambda x: eval(expr, {"lib": ng}, {"x": x}),
                       lambda x: eval(expr, {"lib": torch}, {"x": x}), [a], atol=1e-10, rtol=1e-9)


def test_iterating_over_a_tensor_yields_rows_in_the_graph():
    x = ng.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    rows = list(x)
    assert len(rows) == 3 and rows[1].tolist() == [3.0, 4.0]
    sum(r * k for k, r in enumerate(rows)).sum().backward()
    assert x.grad.tolist() == [[0, 0], [1, 1], [2, 2]]


def test_legacy_constructor_and_size_like_torch():
    import torch

    for args in [(2, 3), (4,), ([1, 2],), ([[1.5, 2.0]],), (torch.Size([2, 1]),)]:
        nargs = tuple(ng.Size(a) if isinstance(a, torch.Size) else a for a in args)
        n, t = ng.Tensor(*nargs), torch.Tensor(*args)
        assert tuple(n.shape) == tuple(t.shape) and n.dtype == ng.float32
        if isinstance(args[0], list):
            assert n.tolist() == t.tolist()
    assert ng.Tensor().shape == (0,)
    s = ng.zeros(2, 3).size()
    assert isinstance(s, ng.Size) and s == torch.Size([2, 3]) and s.numel() == 6
    assert ng.zeros(2, 3).size(1) == 3


def test_pickle_and_deepcopy_like_torch():
    import copy
    import pickle

    import torch

    x = ng.arange(6.0).reshape(2, 3)
    v = pickle.loads(pickle.dumps(x[0]))           # a view pickles as its own tensor
    assert v.tolist() == [0.0, 1.0, 2.0] and v._version == 0
    c = copy.deepcopy(x[0])
    c.add_(1)
    assert x[0].tolist() == [0.0, 1.0, 2.0]        # the copy shares nothing
    w = ng.ones(2, requires_grad=True)
    (w * w).sum().backward()
    w2 = copy.deepcopy(w)
    assert w2.requires_grad and w2.grad.tolist() == [2.0, 2.0] and w2.grad is not w.grad
    for lib in (ng, torch):
        h = lib.ones(2, requires_grad=True) * 2
        back = pickle.loads(pickle.dumps(h))        # torch pickles a graph tensor as a leaf
        assert back.requires_grad and back.grad_fn is None and back.tolist() == [2.0, 2.0]
        with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
            copy.deepcopy(h)
