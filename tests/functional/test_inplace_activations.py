"""``inplace=True`` on activations and dropout, as PyTorch users mean it: where no graph is
recorded through the input, the input's memory is overwritten and the input returned; where one
is, the change is recorded (the input takes the result's place, as torch's relu_), and a leaf that
requires grad is refused as in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

ARGS = {"relu": (), "leaky_relu": (0.2,), "threshold": (0.5, -1.0), "elu": (1.5,), "silu": ()}


def _op(lib, name):
    """The function ``name`` of netgrad's or torch's functional, with its ARGS, as f(x, inplace)."""
    fn, args = getattr(lib, name), ARGS[name]
    return lambda x, inplace: fn(x, *args, inplace=inplace)


OPS = [(name, _op(F, name), _op(TF, name)) for name in ARGS]


def _data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("name,ng_op,torch_op", OPS, ids=[o[0] for o in OPS])
@pytest.mark.parametrize("shape", [(3, 5), (4, 2048), (2, 1 << 19)])  # the ReLU's three paths
def test_inplace_without_graph_overwrites_and_returns_the_input(name, ng_op, torch_op, shape):
    a = _data(shape)
    x, t = ng.tensor(a), torch.from_numpy(a.copy())
    y = ng_op(x, True)
    torch_op(t, True)
    assert y is x
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(x.numpy(), ng_op(ng.tensor(a), False).numpy())


@pytest.mark.parametrize("name,ng_op,torch_op", OPS, ids=[o[0] for o in OPS])
def test_inplace_under_no_grad_changes_a_parameter_as_torch_does(name, ng_op, torch_op):
    a = _data((4, 3), seed=1)
    w, tw = ng.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    with ng.no_grad():
        assert ng_op(w, True) is w
    with torch.no_grad():
        torch_op(tw, True)
    np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-6, atol=1e-7)
    assert w.requires_grad and w.grad_fn is None


@pytest.mark.parametrize("name,ng_op,torch_op", OPS, ids=[o[0] for o in OPS])
def test_inplace_in_the_graph_is_recorded_with_torchs_gradient(name, ng_op, torch_op):
    a = _data((5, 4), seed=2)
    w, tw = ng.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    h, th = w * 2.0, tw * 2.0
    y = ng_op(h, True)
    ty = torch_op(th, True)
    assert y is h and ty is th  # overwritten and recorded, as torch's relu_ and friends
    assert h._version == th._version == 1
    np.testing.assert_allclose(h.detach().numpy(), th.detach().numpy(), rtol=1e-6, atol=1e-7)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,ng_op,torch_op", OPS, ids=[o[0] for o in OPS])
def test_inplace_on_a_leaf_that_requires_grad_is_refused(name, ng_op, torch_op):
    a = _data((2, 3))
    w = ng.tensor(a, requires_grad=True)
    with pytest.raises(ng.GraphError, match=rf"{name}\(inplace=True\).*leaf"):
        ng_op(w, True)
    with pytest.raises(RuntimeError, match="leaf"):
        torch_op(torch.tensor(a, requires_grad=True), True)
    np.testing.assert_array_equal(w.numpy(), a)


def test_inplace_on_read_only_memory_names_the_op_and_shape():
    a = _data((2, 3))
    a.setflags(write=False)
    x = ng.from_numpy(a)  # shares the read-only memory, as torch.from_numpy does
    with pytest.raises(RuntimeError, match=r"relu\(inplace=True\).*\[2, 3\].*read-only"):
        F.relu(x, inplace=True)


def test_relu_inplace_on_views_and_integers():
    a = _data((6, 4))
    base = ng.tensor(a.copy())
    view = base[:, 1:3]  # a strided view: its slice of base changes, nothing else
    F.relu(view, inplace=True)
    expected = a.copy()
    expected[:, 1:3] = np.maximum(expected[:, 1:3], 0)
    np.testing.assert_array_equal(base.numpy(), expected)
    ints = ng.tensor([-2, 0, 3])
    assert F.relu(ints, inplace=True) is ints
    assert ints.tolist() == [0, 0, 3] and ints.dtype == ng.int64


def test_dropout_inplace_uses_the_same_mask_as_out_of_place():
    a = _data((64, 8))
    x = ng.tensor(a)
    y = F.dropout(x, 0.5, True, inplace=True, generator=ng.Generator().manual_seed(3))
    ref = F.dropout(ng.tensor(a), 0.5, True, generator=ng.Generator().manual_seed(3))
    assert y is x
    np.testing.assert_array_equal(x.numpy(), ref.numpy())
    assert 0 < (x.numpy() == 0).mean() < 1
    c = ng.tensor(_data((2, 3, 4, 4)))
    assert F.dropout2d(c, 1.0, True, inplace=True) is c and not c.numpy().any()
    kept = ng.tensor(a)
    assert F.dropout(kept, 0.5, False, inplace=True) is kept  # eval: the identity
    np.testing.assert_array_equal(kept.numpy(), a)


@pytest.mark.parametrize("module,torch_module", [
    (lambda: nn.ReLU(inplace=True), lambda: torch.nn.ReLU(inplace=True)),
    (lambda: nn.LeakyReLU(0.1, inplace=True), lambda: torch.nn.LeakyReLU(0.1, inplace=True)),
    (lambda: nn.ELU(inplace=True), lambda: torch.nn.ELU(inplace=True)),
    (lambda: nn.SiLU(inplace=True), lambda: torch.nn.SiLU(inplace=True)),
    (lambda: nn.Threshold(0.1, 20.0, inplace=True), lambda: torch.nn.Threshold(0.1, 20.0, inplace=True)),
])
def test_modules_pass_inplace_on_and_print_it_as_torch(module, torch_module):
    m, tm = module(), torch_module()
    assert repr(m) == repr(tm)
    a = _data((3, 4))
    x = ng.tensor(a)
    with ng.no_grad():
        assert m(x) is x
    np.testing.assert_allclose(x.numpy(), tm(torch.from_numpy(a.copy())).numpy(), rtol=1e-6, atol=1e-7)


def test_model_with_inplace_relu_trains_like_the_plain_one():
    """nn.ReLU(inplace=True) in a model that is trained: the same loss and gradients as without."""
    ng.manual_seed(0)
    plain = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    inplace = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Linear(8, 3))
    inplace.load_state_dict(plain.state_dict())
    x, y = ng.tensor(_data((16, 4))), ng.tensor(np.arange(16) % 3)
    for model in (plain, inplace):
        F.cross_entropy(model(x), y).backward()
    for p, q in zip(plain.parameters(), inplace.parameters()):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
