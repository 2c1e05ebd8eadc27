"""In-place ops against torch: values, gradients through recorded in-place ops, PyTorch's errors,
and the notes' hand-written update rule."""

import numpy as np
import pytest
import torch

import netgrad as ng


def _pair(arr, requires_grad=False):
    return (ng.tensor(arr, requires_grad=requires_grad),
            torch.tensor(arr, requires_grad=requires_grad))


def _same(a, b, tol=1e-6):
    np.testing.assert_allclose(np.asarray(a.detach().numpy() if hasattr(a, "detach") else a),
                               b.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("op", ["__iadd__", "__isub__", "__imul__", "__itruediv__"])
def test_augmented_assignment_under_no_grad_changes_the_parameter(op):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(4,))
    n, t = _pair(a, requires_grad=True)
    with ng.no_grad():
        out = getattr(n, op)(ng.tensor(b))
    with torch.no_grad():
        ref = getattr(t, op)(torch.tensor(b))
    assert out is n and ref is t
    _same(n, t)
    assert n.is_leaf and n.requires_grad and n._version == t._version == 1


def test_hand_written_sgd_matches_optim_sgd():
    """theta <- theta - eta dJ/dtheta written by hand equals optim.SGD, step by step."""
    rng = np.random.default_rng(1)
    X = ng.tensor(rng.normal(size=(32, 3)).astype(np.float32))
    y = ng.tensor(rng.normal(size=(32, 1)).astype(np.float32))
    ng.manual_seed(0)
    m1 = ng.nn.Sequential(ng.nn.Linear(3, 5), ng.nn.Tanh(), ng.nn.Linear(5, 1))
    m2 = ng.nn.Sequential(ng.nn.Linear(3, 5), ng.nn.Tanh(), ng.nn.Linear(5, 1))
    m2.load_state_dict(m1.state_dict())
    opt = ng.optim.SGD(m2.parameters(), lr=0.1)
    losses = []
    for _ in range(50):
        loss1 = ((m1(X) - y) ** 2).mean()
        m1.zero_grad()
        loss1.backward()
        with ng.no_grad():
            for p in m1.parameters():
                p -= 0.1 * p.grad
        loss2 = ((m2(X) - y) ** 2).mean()
        opt.zero_grad()
        loss2.backward()
        opt.step()
        losses.append(loss1.item())
        assert loss1.item() == pytest.approx(loss2.item(), rel=1e-6)
    assert losses[-1] < 0.95 * losses[0]  # it trains (random targets: ~10% in 50 steps from seed 0)
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_allclose(p1.numpy(), p2.numpy(), rtol=1e-5, atol=1e-6)


def test_polynomial_tutorial_update_rule_trains():
    """The pytorch/tutorials autograd polynomial update: w -= lr * w.grad; w.grad = None."""
    x = ng.linspace(-np.pi, np.pi, 2000)
    y = ng.sin(x) if hasattr(ng, "sin") else ng.tensor(np.sin(x.numpy()))
    a, b, c, d = (ng.tensor(0.1, requires_grad=True) for _ in range(4))
    first = None
    for _ in range(300):
        loss = (a + b * x + c * x ** 2 + d * x ** 3 - y).pow(2).sum()
        first = first if first is not None else loss.item()
        loss.backward()
        with ng.no_grad():
            for p in (a, b, c, d):
                p -= 1e-6 * p.grad
                p.grad = None
    assert loss.item() < first / 3


def test_leaf_that_requires_grad_is_refused_like_torch():
    n, t = _pair([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        t.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        n.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        n += 1
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        t[0].mul_(2)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        n[0].mul_(2)


@pytest.mark.parametrize("name,args", [
    ("add_", (2.0,)), ("sub_", (0.5,)), ("mul_", (3.0,)), ("div_", (4.0,)), ("pow_", (2,)),
    ("exp_", ()), ("neg_", ()), ("abs_", ()), ("sqrt_", ()), ("clamp_", (-0.5, 0.5)),
])
def test_inplace_in_graph_gives_torch_gradients(name, args):
    rng = np.random.default_rng(2)
    arr = np.abs(rng.normal(size=(3, 4))) + 0.1
    nx, tx = _pair(arr, requires_grad=True)
    nh, th = nx * 1.5, tx * 1.5
    assert getattr(nh, name)(*args) is nh
    getattr(th, name)(*args)
    _same(nh, th)
    assert nh.grad_fn.name() == th.grad_fn.name()
    (nh * nh).sum().backward()
    (th * th).sum().backward()
    _same(nx.grad, tx.grad, 1e-5)


def test_inplace_with_a_tensor_argument_that_requires_grad():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(3,))
    nx, tx = _pair(a, requires_grad=True)
    nw, tw = _pair(b, requires_grad=True)
    nh, th = nx * 2, tx * 2
    nh.mul_(nw)                 # mul_ needs h's old value for w's gradient: it is kept
    th.mul_(tw)
    nh.sum().backward()
    th.sum().backward()
    _same(nx.grad, tx.grad)
    _same(nw.grad, tw.grad)


def test_buffer_without_grad_joins_the_graph():
    nw, tw = _pair([1.0, 2.0, 3.0], requires_grad=True)
    nb, tb = ng.zeros(3), torch.zeros(3)
    nb += nw * 2
    tb += tw * 2
    assert nb.requires_grad and not nb.is_leaf
    (nb ** 2).sum().backward()
    (tb ** 2).sum().backward()
    _same(nw.grad, tw.grad)


def test_setitem_in_graph_like_torch():
    rng = np.random.default_rng(4)
    nx, tx = _pair(rng.normal(size=(4, 3)), requires_grad=True)
    nv, tv = _pair(rng.normal(size=(3,)), requires_grad=True)
    nh, th = nx.exp(), tx.exp()
    nh = nh * 1
    th = th * 1
    nh[1] = nv * 3
    th[1] = tv * 3
    nh[:, 0] = 0.0
    th[:, 0] = 0.0
    nh[ng.tensor([2, 3]), 2] = nv[:2]
    th[torch.tensor([2, 3]), 2] = tv[:2]
    _same(nh, th)
    (nh.sin()).sum().backward() if hasattr(nh, "sin") else (nh * nh).sum().backward()
    (th.sin()).sum().backward() if hasattr(nh, "sin") else (th * th).sum().backward()
    _same(nx.grad, tx.grad)
    _same(nv.grad, tv.grad)


def test_inplace_on_a_view_reaches_the_base_copyslices():
    rng = np.random.default_rng(5)
    nx, tx = _pair(rng.normal(size=(3, 4)), requires_grad=True)
    na, ta = nx * 1, tx * 1
    na[0].mul_(2)
    ta[0].mul_(2)
    na[:, 1:3].add_(na[:, 0:2].detach().clone())
    ta[:, 1:3].add_(ta[:, 0:2].detach().clone())
    na.view(-1)[5:7].mul_(3)
    ta.view(-1)[5:7].mul_(3)
    na.t()[1].sub_(1)
    ta.t()[1].sub_(1)
    _same(na, ta)
    assert na._version == ta._version
    (na * na).sum().backward()
    (ta * ta).sum().backward()
    _same(nx.grad, tx.grad)


def test_view_of_a_view_gradient_and_values():
    nx, tx = _pair(np.arange(12.0).reshape(3, 4), requires_grad=True)
    na, ta = nx + 0, tx + 0
    nv, tv = na.view(2, 6)[1], ta.view(2, 6)[1]
    nv.mul_(nv.detach().clone())
    tv.mul_(tv.detach().clone())
    _same(na, ta)
    na.sum().backward()
    ta.sum().backward()
    _same(nx.grad, tx.grad)


def test_copy_and_fill_in_graph():
    ns, ts = _pair([1.0, 2.0, 3.0], requires_grad=True)
    nx, tx = _pair(np.ones((2, 3)), requires_grad=True)
    nd, td = nx * 1, tx * 1
    nd.copy_(ns * 2)
    td.copy_(ts * 2)
    nd[0].fill_(5.0)
    td[0].fill_(5.0)
    _same(nd, td)
    (nd * nd).sum().backward()
    (td * td).sum().backward()
    _same(ns.grad, ts.grad)
    _same(nx.grad, tx.grad)


def test_shape_and_dtype_errors_like_torch():
    n, t = ng.zeros(3), torch.zeros(3)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        t.add_(torch.ones(2, 3))
    with pytest.raises(RuntimeError, match=r"doesn't match the broadcast shape \[2, 3\]"):
        n.add_(ng.ones(2, 3))
    ni, ti = ng.zeros(3, dtype=ng.int64), torch.zeros(3, dtype=torch.int64)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        ti += 0.5
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        ni += 0.5
    ni += 2
    ti += 2
    assert ni.tolist() == ti.tolist() and ni.dtype == ng.int64
    ne = ng.zeros(1).expand(3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        ne.add_(1)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        torch.zeros(1).expand(3).add_(1)


def test_integer_and_float_dtypes_stay():
    n, t = ng.zeros(3, dtype=ng.float32), torch.zeros(3, dtype=torch.float32)
    n += ng.tensor([1.0, 2.0, 3.0], dtype=ng.float64)
    t += torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    assert n.dtype == ng.float32 and t.dtype == torch.float32
    _same(n, t)


@pytest.mark.parametrize("name,args", [
    ("clamp_", (0.0, 1.0)), ("zero_", ()), ("fill_", (2.5,)), ("floor_divide_", (2,)),
    ("remainder_", (3,)), ("masked_fill_", None), ("sigmoid_", ()), ("tanh_", ()), ("relu_", ()),
    ("log_", ()), ("reciprocal_", ()), ("square_", ()), ("sign_", ()),
])
def test_inplace_values_match_torch(name, args):
    arr = np.array([[0.5, -1.5, 2.0], [3.25, -0.25, 7.0]])
    arr = np.abs(arr) if name == "log_" else arr
    n, t = ng.tensor(arr), torch.tensor(arr)
    if name == "masked_fill_":
        getattr(n, name)(n > 1, -9.0)
        getattr(t, name)(t > 1, -9.0)
    else:
        getattr(n, name)(*args)
        getattr(t, name)(*args)
    _same(n, t)
    assert n._version == t._version == 1


def test_views_see_inplace_changes_and_share_versions():
    n, t = ng.zeros(2, 3), torch.zeros(2, 3)
    nv, tv = n.view(-1), t.view(-1)
    nv[4] = 1.0
    tv[4] = 1.0
    n.T[0].add_(2)
    t.T[0].add_(2)
    _same(n, t)
    assert n._version == t._version == nv._version == tv._version
    nd, td = n.detach(), t.detach()
    nd.mul_(2)
    td.mul_(2)
    _same(n, t)
    assert n._version == t._version


def test_view_raises_where_torch_does():
    n, t = ng.zeros(3, 4).t(), torch.zeros(3, 4).t()
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        t.view(-1)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        n.view(-1)
    r = n.reshape(-1)        # reshape copies instead
    assert r.shape == (12,)
    with pytest.raises(RuntimeError):
        ng.zeros(6).view(4)
    assert ng.zeros(2, 3).view(ng.int32).shape == (2, 3) == tuple(torch.zeros(2, 3).view(torch.int32).shape)
    assert ng.zeros(2, 3, dtype=ng.float64).view(ng.int32).shape == (2, 6)


def test_scalar_index_is_a_view():
    n, t = ng.zeros(3), torch.zeros(3)
    n[1].add_(5)
    t[1].add_(5)
    _same(n, t)


def test_view_after_a_convolution_works_as_in_torch():
    """A conv output's channel-major memory is netgrad's own layout: view() must not refuse it."""
    x = ng.randn(2, 1, 8, 8)
    conv = ng.nn.Conv2d(1, 3, 3)
    h = ng.relu(conv(x))
    flat = h.view(2, -1)
    assert flat.shape == (2, 108)
    flat[0, 0] = 123.0            # a real view: the write reaches h
    assert h[0, 0, 0, 0].item() == 123.0
    flat.sum().backward()
    assert conv.weight.grad.shape == (3, 1, 3, 3)


def test_contiguous_copies_only_when_needed():
    n, t = ng.arange(6.0).reshape(2, 3), torch.arange(6.0).reshape(2, 3)
    assert n.contiguous() is n and t.contiguous() is t
    nt, tt = n.t().contiguous(), t.t().contiguous()
    _same(nt.view(-1), tt.view(-1))
    w = ng.tensor(np.ones((2, 3)), requires_grad=True)
    (w.t().contiguous().view(-1) * ng.arange(6.0, dtype=ng.float64)).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 2, 4], [1, 3, 5]])


def test_numpy_axis_and_keepdims_aliases_as_torch_accepts():
    a = np.arange(12.0).reshape(3, 4)
    n, t = ng.tensor(a), torch.tensor(a)
    _same(n.sum(axis=0), t.sum(axis=0))
    _same(ng.cumsum(n, axis=1), torch.cumsum(t, axis=1))
    _same(n.mean(axis=1, keepdims=True), t.mean(axis=1, keepdims=True))
    _same(n.max(axis=1).values, t.max(axis=1).values)
    _same(ng.cat([n, n], axis=0), torch.cat([t, t], axis=0))
    _same(n.std(axis=0), t.std(axis=0))


@pytest.mark.parametrize("name,args", [("normal_", (0.0, 2.0)), ("uniform_", (-1.0, 1.0)),
                                       ("exponential_", (2.0,)), ("bernoulli_", (0.3,)), ("random_", ()),
                                       ("random_", (10,)), ("random_", (2, 10))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_fills_draw_torchs_numbers(name, args, dtype):
    a = getattr(ng.empty(40, dtype=getattr(ng, dtype)), name)(*args, generator=ng.Generator().manual_seed(7))
    b = getattr(torch.empty(40, dtype=getattr(torch, dtype)), name)(*args,
                                                                   generator=torch.Generator().manual_seed(7))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_the_memory_pool_never_hands_out_a_buffer_still_in_use():
    """Layer outputs come from netgrad's buffer pool; one changed in place, kept alive, or saved
    by a graph must never be handed out again while it is used."""
    ng.manual_seed(0)
    lin = ng.nn.Linear(256, 256)
    x = ng.randn(64, 256)
    with ng.no_grad():
        kept = ng.relu(lin(x))
        kept.mul_(2)
    snapshot = kept.numpy().copy()
    w = ng.randn(64, 256, requires_grad=True)
    saved = ng.relu(lin(x)) * w          # Mul saves its inputs: the pooled ReLU output among them
    later = []
    for _ in range(20):
        with ng.no_grad():
            later.append(ng.relu(lin(x)))
        later.pop(0) if len(later) > 3 else None
        y = ng.relu(lin(x))
        y.add_(1) if not y.requires_grad else None
    for t in later:
        assert not np.shares_memory(t.numpy(), kept.numpy())
    np.testing.assert_array_equal(kept.numpy(), snapshot)
    saved.sum().backward()
    with ng.no_grad():
        ref = ng.relu(lin(x))
    np.testing.assert_allclose(w.grad.numpy(), ref.numpy(), rtol=1e-6)
