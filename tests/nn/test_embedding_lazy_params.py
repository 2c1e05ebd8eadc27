"""nn.Embedding, nn.LazyLinear, nn.ParameterList/ParameterDict against torch."""

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad.testing import gradcheck


def test_embedding_forward_and_gradient_match_torch():
    w = np.random.default_rng(0).normal(size=(6, 4))
    idx = np.array([[1, 2, 1], [5, 0, 1]])
    ne = ng.nn.Embedding.from_pretrained(ng.tensor(w), freeze=False, padding_idx=0)
    te = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=False, padding_idx=0)
    ny, ty = ne(ng.tensor(idx)), te(torch.tensor(idx))
    np.testing.assert_allclose(ny.detach().numpy(), ty.detach().numpy())
    g = np.random.default_rng(1).normal(size=ty.shape)
    (ny * ng.tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ne.weight.grad.numpy(), te.weight.grad.numpy(), atol=1e-12)
    assert not ne.weight.grad.numpy()[0].any()       # the padding row gets no gradient


def test_embedding_module_init_repr_and_errors():
    ng.manual_seed(0)
    e = ng.nn.Embedding(10, 3, padding_idx=-1)
    assert repr(e) == repr(torch.nn.Embedding(10, 3, padding_idx=-1)) == "Embedding(10, 3, padding_idx=9)"
    assert not e.weight.numpy()[9].any() and e.weight.requires_grad
    with pytest.raises(TypeError, match="integer"):
        e(ng.tensor([0.5]))
    with pytest.raises(IndexError, match="out of range"):
        e(ng.tensor([10]))
    frozen = ng.nn.Embedding.from_pretrained(ng.ones(3, 2))
    assert not frozen.weight.requires_grad


def test_embedding_max_norm_renormalises_rows_like_torch():
    w = np.random.default_rng(2).normal(size=(5, 3)) * 3
    ne = ng.nn.Embedding.from_pretrained(ng.tensor(w), max_norm=1.0)
    te = torch.nn.Embedding.from_pretrained(torch.tensor(w), max_norm=1.0)
    idx = [0, 2, 2]
    np.testing.assert_allclose(ne(ng.tensor(idx)).numpy(), te(torch.tensor(idx)).numpy(), rtol=1e-6)
    np.testing.assert_allclose(ne.weight.numpy(), te.weight.detach().numpy(), rtol=1e-6)


def test_embedding_gradcheck_float64():
    w = ng.tensor(np.random.default_rng(3).normal(size=(4, 2)), requires_grad=True)
    idx = ng.tensor([[0, 3], [3, 3]])
    assert gradcheck(lambda w: ng.nn.functional.embedding(idx, w, padding_idx=1), (w,))


def test_lazy_linear_infers_in_features_and_trains_with_an_optimizer_made_before():
    ng.manual_seed(0)
    net = ng.nn.Sequential(ng.nn.LazyLinear(8), ng.nn.ReLU(), ng.nn.LazyLinear(1))
    assert "in_features=0" in repr(net[0])
    opt = ng.optim.SGD(net.parameters(), lr=0.1)
    X, y = ng.rand(16, 5), ng.rand(16, 1)
    first = None
    for _ in range(30):
        loss = ((net(X) - y) ** 2).mean()
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert type(net[0]).__name__ == "Linear" and net[0].in_features == 5
    assert [tuple(p.shape) for p in net.parameters()] == [(8, 5), (8,), (1, 8), (1,)]
    assert loss.item() < first


def test_parameter_list_and_dict_register_like_torch():
    for lib in (ng, torch):
        pl = lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2, 3)) for _ in range(2)])
        pl.append(lib.nn.Parameter(lib.ones(1)))
        assert len(pl) == 3 and len(list(pl.parameters())) == 3
        assert list(pl.state_dict()) == ["0", "1", "2"]
        pd = lib.nn.ParameterDict({"a": lib.nn.Parameter(lib.zeros(2))})
        pd["b"] = lib.nn.Parameter(lib.ones(3))
        assert list(pd.keys()) == ["a", "b"] and len(list(pd.parameters())) == 2
        assert sorted(pd.state_dict()) == ["a", "b"]
    for n in (1, 2):
        assert repr(ng.nn.ParameterList([ng.nn.Parameter(ng.zeros(2, 3))] * n)) == repr(
            torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2, 3))] * n))
    assert repr(ng.nn.ParameterDict({"a": ng.nn.Parameter(ng.zeros(2))})) == repr(
        torch.nn.ParameterDict({"a": torch.nn.Parameter(torch.zeros(2))}))


def test_state_dict_lists_a_shared_module_under_each_name_like_torch():
    for lib in (ng, torch):
        shared = lib.nn.Linear(2, 2)
        net = lib.nn.Sequential(shared, lib.nn.ReLU(), shared)
        assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
        assert len(list(net.parameters())) == 2
        net.load_state_dict(net.state_dict())


def test_lazy_linear_loads_a_state_dict_before_any_forward_like_torch():
    src = ng.nn.Sequential(ng.nn.Linear(5, 3), ng.nn.ReLU(), ng.nn.Linear(3, 1))
    dst = ng.nn.Sequential(ng.nn.LazyLinear(3), ng.nn.ReLU(), ng.nn.LazyLinear(1))
    dst.load_state_dict(src.state_dict())
    x = ng.rand(4, 5)
    np.testing.assert_array_equal(dst(x).detach().numpy(), src(x).detach().numpy())
    t = torch.nn.Sequential(torch.nn.LazyLinear(3), torch.nn.ReLU(), torch.nn.LazyLinear(1))
    t.load_state_dict({k: torch.tensor(v.numpy()) for k, v in src.state_dict().items()})
    want = src(x).detach().numpy()
    # float32 sums in another order (torch's kernels differ by CPU): an output near 0 needs atol
    np.testing.assert_allclose(t(torch.tensor(x.numpy())).detach().numpy(), want, rtol=1e-5, atol=1e-6)
