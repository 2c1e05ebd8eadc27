"""autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp), inference_mode and Variable against torch."""

import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import netgrad as ng
import netgrad.autograd.functional as NF


def _f(lib):
    return lambda x, w: (x.tanh() @ w).exp()


def _same(a, b, tol=1e-10):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y, tol)
        return
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def _args():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(3,)), rng.normal(size=(3, 2)) * 0.5
    return (ng.tensor(x), ng.tensor(w)), (torch.tensor(x), torch.tensor(w))


def test_jacobian_of_several_inputs_matches_torch():
    (nx, nw), (tx, tw) = _args()
    _same(NF.jacobian(_f(ng), (nx, nw)), TF.jacobian(_f(torch), (tx, tw)))
    _same(NF.jacobian(lambda x: x ** 3, nx), TF.jacobian(lambda x: x ** 3, tx))


def test_hessian_and_products_match_torch():
    (nx, nw), (tx, tw) = _args()

    def g(lib):
        return lambda x: (x.sin() * x).sum() + (x ** 2).prod()

    _same(NF.hessian(g(ng), nx), TF.hessian(g(torch), tx))
    v = np.array([0.3, -1.0, 2.0])
    _same(NF.vjp(lambda x: x.exp() * 2, nx, ng.tensor(v)), TF.vjp(lambda x: x.exp() * 2, tx, torch.tensor(v)))
    _same(NF.jvp(lambda x: x.exp() * x, nx, ng.tensor(v)), TF.jvp(lambda x: x.exp() * x, tx, torch.tensor(v)))
    _same(NF.hvp(g(ng), nx, ng.tensor(v)), TF.hvp(g(torch), tx, torch.tensor(v)))
    _same(NF.vhp(g(ng), nx, ng.tensor(v)), TF.vhp(g(torch), tx, torch.tensor(v)))


def test_jacobian_with_create_graph_is_differentiable():
    x = ng.tensor([0.5, 1.5], requires_grad=True)
    J = NF.jacobian(lambda t: t ** 3, x, create_graph=True)
    J.sum().backward()
    tx = torch.tensor([0.5, 1.5], requires_grad=True)
    TF.jacobian(lambda t: t ** 3, tx, create_graph=True).sum().backward()
    _same(x.grad, tx.grad)


def test_strict_and_bad_inputs():
    x = ng.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError):
        NF.jacobian(lambda t: ng.ones(2), x, strict=True)
    assert not NF.jacobian(lambda t: ng.ones(2), x).numpy().any()
    with pytest.raises(TypeError):
        NF.jacobian(lambda t: t, [1.0, 2.0])


@pytest.mark.parametrize("lib", [ng, torch])
def test_inference_mode_and_variable(lib):
    w = lib.ones(2, requires_grad=True)
    with lib.inference_mode():
        y = w * 2
        assert not y.requires_grad and lib.is_inference_mode_enabled()
    assert not lib.is_inference_mode_enabled()
    with lib.inference_mode(False):
        assert (w * 2).requires_grad

    @lib.inference_mode()
    def f(t):
        return t * 3

    assert not f(w).requires_grad
    v = lib.autograd.Variable(lib.tensor([1.0, 2.0]), requires_grad=True)
    (v * v).sum().backward()
    assert v.grad.tolist() == [2.0, 4.0]
