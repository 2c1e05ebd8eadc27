"""LayerNorm, RMSNorm, GroupNorm, InstanceNorm1d/2d/3d, BatchNorm3d and F.layer_norm, rms_norm,
group_norm, instance_norm, normalize against torch: outputs, input and parameter gradients with
identical weights (loaded by name), reprs, errors, running statistics, float64 gradcheck and
double backward."""

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.nn.functional as F
from netgrad.testing import gradcheck, gradgradcheck


def _pair(kind, *args, **kw):
    """A torch module in float64 and a netgrad one with the same (randomised) weights."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, kind)(*args, **kw).double()
    with torch.no_grad():
        for p in tm.parameters():
            p.add_(torch.randn_like(p) * 0.3)
    nm = getattr(ng.nn, kind)(*args, **kw, dtype=ng.float64)
    tsd, nsd = tm.state_dict(), nm.state_dict()
    assert list(tsd) == list(nsd)
    assert [tuple(v.shape) for v in tsd.values()] == [tuple(v.shape) for v in nsd.values()]
    nm.load_state_dict({k: v.numpy() for k, v in tsd.items()})
    assert repr(nm) == repr(tm)
    return tm, nm


def _compare(tm, nm, x, atol=1e-10):
    """Outputs, input gradient and every parameter gradient of a random weighting."""
    tx, nx = torch.tensor(x, requires_grad=True), ng.tensor(x, requires_grad=True)
    ty, ny = tm(tx), nm(nx)
    np.testing.assert_allclose(ny.detach().numpy(), ty.detach().numpy(), atol=atol, rtol=1e-9)
    w = np.random.default_rng(1).normal(size=tuple(ty.shape))
    (ty * torch.tensor(w)).sum().backward()
    (ny * ng.tensor(w)).sum().backward()
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), atol=atol, rtol=1e-8)
    for (name, tp), (_, npar) in zip(tm.named_parameters(), nm.named_parameters()):
        np.testing.assert_allclose(npar.grad.numpy(), tp.grad.numpy(), atol=atol, rtol=1e-8,
                                   err_msg=name)
    return ty, ny


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape) * 2 + 0.5


@pytest.mark.parametrize("shape,ns,kw", [
    ((4, 5), 5, {}), ((2, 3, 4), (3, 4), {}), ((2, 3, 4), [4], {"bias": False}),
    ((3, 6), 6, {"elementwise_affine": False}), ((2, 5), 5, {"eps": 1e-3}),
])
def test_layernorm_matches_torch(shape, ns, kw):
    tm, nm = _pair("LayerNorm", ns, **kw)
    _compare(tm, nm, _x(*shape))
    assert nm.normalized_shape == tm.normalized_shape


@pytest.mark.parametrize("shape,ns,kw", [
    ((4, 5), 5, {}), ((2, 3, 4), (3, 4), {"eps": 1e-6}), ((3, 6), 6, {"elementwise_affine": False}),
])
def test_rmsnorm_matches_torch(shape, ns, kw):
    tm, nm = _pair("RMSNorm", ns, **kw)
    _compare(tm, nm, _x(*shape))


def test_rmsnorm_default_eps_is_dtype_epsilon():
    x = np.full((2, 3), 1e-5, dtype=np.float32)
    ty = torch.nn.functional.rms_norm(torch.tensor(x), (3,))
    ny = F.rms_norm(ng.tensor(x), (3,))
    np.testing.assert_allclose(ny.numpy(), ty.numpy(), rtol=1e-5)
    assert ny.dtype == ng.float32


@pytest.mark.parametrize("shape,groups,kw", [
    ((2, 6, 5), 3, {}), ((2, 4, 3, 3), 2, {}), ((3, 4), 4, {"affine": False}),
    ((2, 6, 2, 2), 1, {"bias": False}), ((2, 6, 4), 6, {"eps": 1e-2}),
])
def test_groupnorm_matches_torch(shape, groups, kw):
    tm, nm = _pair("GroupNorm", groups, shape[1], **kw)
    _compare(tm, nm, _x(*shape))


@pytest.mark.parametrize("kind,shape,kw", [
    ("InstanceNorm1d", (2, 3, 5), {}), ("InstanceNorm1d", (3, 5), {"affine": True}),
    ("InstanceNorm2d", (2, 3, 4, 4), {"affine": True}), ("InstanceNorm2d", (3, 4, 4), {}),
    ("InstanceNorm3d", (2, 2, 3, 3, 2), {"affine": True}),
])
def test_instancenorm_matches_torch(kind, shape, kw):
    tm, nm = _pair(kind, 3 if kind != "InstanceNorm3d" else 2, **kw)
    _compare(tm, nm, _x(*shape))


def test_instancenorm_running_stats_like_torch():
    tm, nm = _pair("InstanceNorm1d", 3, track_running_stats=True, affine=True)
    for seed in range(3):
        _compare(tm, nm, _x(4, 3, 6, seed=seed))
    np.testing.assert_allclose(nm.running_mean.numpy(), tm.running_mean.numpy(), rtol=1e-10)
    np.testing.assert_allclose(nm.running_var.numpy(), tm.running_var.numpy(), rtol=1e-10)
    assert int(nm.num_batches_tracked.item()) == int(tm.num_batches_tracked.item())  # unused: 0
    tm.eval()
    nm.eval()
    tm.zero_grad()
    nm.zero_grad()
    _compare(tm, nm, _x(4, 3, 6, seed=9))  # evaluation uses the running estimates


def test_batchnorm3d_matches_torch():
    tm, nm = _pair("BatchNorm3d", 3)
    _compare(tm, nm, _x(2, 3, 2, 3, 2))
    np.testing.assert_allclose(nm.running_var.numpy(), tm.running_var.numpy(), rtol=1e-10)
    with pytest.raises(ng.ShapeError if hasattr(ng, "ShapeError") else ValueError):
        nm(ng.zeros(2, 3, 4))


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)])
def test_normalize_matches_torch(p, dim):
    x = _x(3, 4)
    x[1] = 0.0  # the eps floor
    tx, nx = torch.tensor(x, requires_grad=True), ng.tensor(x, requires_grad=True)
    ty = torch.nn.functional.normalize(tx, p=p, dim=dim)
    ny = F.normalize(nx, p=p, dim=dim)
    np.testing.assert_allclose(ny.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(2).normal(size=x.shape)
    (ty * torch.tensor(w)).sum().backward()
    (ny * ng.tensor(w)).sum().backward()
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-8)


def test_functional_forms_match_torch_float32():
    x = _x(2, 4, 3).astype(np.float32)
    w, b = np.linspace(0.5, 1.5, 3, dtype=np.float32), np.linspace(-1, 1, 3, dtype=np.float32)
    tf, t = torch.nn.functional, torch.tensor
    pairs = [
        (tf.layer_norm(t(x), (3,), t(w), t(b)), F.layer_norm(ng.tensor(x), 3, ng.tensor(w),
                                                             ng.tensor(b))),
        (tf.rms_norm(t(x), [3], t(w), 1e-6), F.rms_norm(ng.tensor(x), [3], ng.tensor(w), 1e-6)),
        (tf.group_norm(t(x), 2), F.group_norm(ng.tensor(x), 2)),
        (tf.instance_norm(t(x)), F.instance_norm(ng.tensor(x))),
    ]
    for ty, ny in pairs:
        assert ny.dtype == ng.float32
        np.testing.assert_allclose(ny.numpy(), ty.numpy(), rtol=1e-5, atol=1e-5)


def test_gradcheck_and_double_backward_float64():
    rng = np.random.default_rng(3)
    x = ng.tensor(rng.normal(size=(2, 4, 3)), requires_grad=True)
    w = ng.tensor(rng.normal(size=(3,)), requires_grad=True)
    b = ng.tensor(rng.normal(size=(3,)), requires_grad=True)
    c = ng.tensor(rng.normal(size=(4,)), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (3,), w, b), [x, w, b])
    assert gradcheck(lambda x, w: F.rms_norm(x, (3,), w), [x, w])
    assert gradcheck(lambda x, c: F.group_norm(x, 2, c, c * 2), [x, c])
    assert gradcheck(lambda x: F.instance_norm(x), [x])
    assert gradcheck(lambda x: F.normalize(x, dim=-1), [x])
    assert gradgradcheck(lambda x, w, b: F.layer_norm(x, (3,), w, b), [x, w, b])
    assert gradgradcheck(lambda x, w: F.rms_norm(x, (3,), w), [x, w])


def test_double_backward_matches_torch():
    x = _x(3, 5)
    tx, nx = torch.tensor(x, requires_grad=True), ng.tensor(x, requires_grad=True)
    outs = []
    for lib, xx, fn in ((torch, tx, torch.nn.functional.layer_norm), (ng, nx, F.layer_norm)):
        y = (fn(xx, (5,)) ** 3).sum()
        (g,) = lib.autograd.grad(y, xx, create_graph=True)
        (g * g).sum().backward()
        outs.append(xx.grad.numpy())
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-8, atol=1e-10)


def test_errors_name_the_op():
    with pytest.raises(Exception, match="layer_norm"):
        F.layer_norm(ng.zeros(2, 4), (5,))
    with pytest.raises(ValueError, match="divisible"):
        F.group_norm(ng.zeros(2, 6, 3), 4)
    with pytest.raises(ValueError, match="divisible"):
        ng.nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match="num_features"):
        ng.nn.InstanceNorm1d(3, affine=True)(ng.zeros(2, 4, 5))
    with pytest.raises(Exception, match="InstanceNorm2d"):
        ng.nn.InstanceNorm2d(3)(ng.zeros(2, 3))
    with pytest.warns(UserWarning, match="num_features"):
        ng.nn.InstanceNorm1d(3)(ng.zeros(2, 4, 5))
