"""Probability outputs and losses: every pairing traced right (against torch) or refused with the reason."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad.cli import main
from netgrad.explain import network
from netgrad.testing import gradcheck

# ------------------------------------------------------------------ cross_entropy_probs


def _probs(n=4, c=3, seed=0):
    return np.random.default_rng(seed).dirichlet(np.ones(c), size=n)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_probs_matches_torch_log_nll(reduction):
    P, y = _probs(), np.array([0, 2, 1, 1])
    z = ng.tensor(P, dtype=ng.float64, requires_grad=True)
    J = F.cross_entropy_probs(z, ng.tensor(y), reduction=reduction)
    tz = torch.tensor(P, requires_grad=True)
    tJ = torch.nn.functional.nll_loss(torch.log(tz), torch.tensor(y), reduction=reduction)
    np.testing.assert_allclose(J.detach().numpy(), tJ.detach().numpy(), rtol=1e-13)
    g = np.random.default_rng(1).normal(size=tJ.shape)
    J.backward(ng.tensor(g, dtype=ng.float64) if J.ndim else None)
    tJ.backward(torch.tensor(g) if tJ.ndim else None)
    np.testing.assert_allclose(z.grad.numpy(), tz.grad.numpy(), rtol=1e-12)


def test_cross_entropy_probs_probability_targets_double_backward_and_gradcheck():
    P, T = _probs(seed=2), _probs(seed=3)
    z = ng.tensor(P, dtype=ng.float64, requires_grad=True)
    t = ng.tensor(T, dtype=ng.float64, requires_grad=True)
    assert gradcheck(lambda a, b: F.cross_entropy_probs(a, b), (z, t))
    (gz,) = ng.autograd.grad(F.cross_entropy_probs(z, t), z, create_graph=True)
    (gz * gz).sum().backward()
    tz = torch.tensor(P, requires_grad=True)
    tt = torch.tensor(T)
    (tg,) = torch.autograd.grad(-(tt * torch.log(tz)).sum(1).mean(), tz, create_graph=True)
    (tg * tg).sum().backward()
    np.testing.assert_allclose(gz.detach().numpy(), tg.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(z.grad.numpy(), tz.grad.numpy(), rtol=1e-10)


def test_cross_entropy_probs_is_safe_at_zero_and_checks_its_input():
    z = ng.tensor([[1.0, 0.0]], dtype=ng.float64, requires_grad=True)
    J = F.cross_entropy_probs(z, ng.tensor([1]))
    J.backward()
    assert np.isfinite(J.item()) and J.item() == pytest.approx(-np.log(1e-12))
    assert np.all(np.isfinite(z.grad.numpy())) and z.grad.numpy()[0, 1] < 0  # pushes z_1 up
    assert F.cross_entropy_probs(ng.tensor([0.2, 0.8]), ng.tensor(1)).item() == pytest.approx(-np.log(0.8))
    with pytest.raises(ValueError, match="cross_entropy_probs: the input must hold probabilities"):
        F.cross_entropy_probs(ng.tensor([[2.0, -1.0]]), ng.tensor([0]))
    with pytest.raises(IndexError, match="out of range"):
        F.cross_entropy_probs(ng.tensor([[0.5, 0.5]]), ng.tensor([2]))
    with pytest.raises(ng.ShapeError, match="cross_entropy_probs"):
        F.cross_entropy_probs(ng.tensor([[0.5, 0.5]]), ng.tensor([[1.0, 0.0, 0.0]]))


# ------------------------------------------------------------------ the issue's example
NET = [0.915, 0.135, 0.185]


def _softmax_net():
    return network([1, 3], weights=[[NET]], output_activation="softmax")


@pytest.mark.parametrize("loss", ["cross_entropy", "cross_entropy_probs", "nll"])
def test_issue_example_softmax_then_cross_entropy_traced_as_meant(loss):
    t = ng.explain(_softmax_net(), [1.0], 0, loss=loss)
    np.testing.assert_allclose(t.layers[0].net[0], NET)
    np.testing.assert_allclose(t.y_hat[0], [0.515, 0.236, 0.248], atol=6e-4)
    z = np.exp(NET) / np.exp(NET).sum()
    np.testing.assert_allclose(t.layers[0].delta[0], z - [1, 0, 0], atol=1e-14)  # delta = z - t
    assert t.loss == pytest.approx(-np.log(z[0]))
    assert t.max_diff < 1e-12
    text = t.to_text()
    assert "0.396" not in text  # softmax applied once
    assert "a^(1) = g(net^(1)) = [0.51538, 0.236253, 0.248366]" in text
    assert "dJ/da^(1) (diag(a) - a^T a) = z - t" in text and "softmax Jacobian" in text
    if loss != "cross_entropy_probs":
        assert "applied twice" in text or "not -log z_y" in text


def test_issue_example_on_the_command_line(capsys):
    rc = main(["explain", "--layers", "1,3", "--output-activation", "softmax", "--weights", f"[[{NET}]]",
               "--x", "1", "--y", "0", "--loss", "cross_entropy"])
    out = capsys.readouterr().out
    assert rc == 0 and "[0.51538, 0.236253, 0.248366]" in out
    assert "z - t = [-0.48462, 0.236253, 0.248366]" in out
    assert "(agrees)" in out and "traced as meant" in out
    rc = main(["explain", "--layers", "1,3", "--output-activation", "softmax", "--weights", f"[[{NET}]]",
               "--x", "1", "--y", "0", "--loss", "bce_with_logits"])
    err = capsys.readouterr().err
    assert rc != 0 and "applied twice" in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------ every pairing
OUTS = ["identity", "sigmoid", "softmax", "log_softmax", "tanh"]
LOSSES = ["mse", "bce", "bce_with_logits", "cross_entropy", "nll", "cross_entropy_probs"]
# by name: 'ok', a loss traced instead ('=name'), or a word the refusal must contain
VERDICT = {
    "identity": ["ok", "probabilities in [0, 1]", "ok", "ok", "log-probabilities", "sum to 1"],
    "sigmoid": ["ok", "ok", "=bce", "applied twice", "log-probabilities", "sum to 1"],
    "softmax": ["ok", "ok", "applied twice", "=cross_entropy_probs", "=cross_entropy_probs", "ok"],
    "log_softmax": ["ok", "probabilities in [0, 1]", "takes logits", "ok", "ok", "sum to 1"],
    "tanh": ["ok", "probabilities in [0, 1]", "ok", "ok", "log-probabilities", "sum to 1"],
}
ACT = {"identity": None, "sigmoid": nn.Sigmoid, "softmax": lambda: nn.Softmax(dim=1),
       "log_softmax": lambda: nn.LogSoftmax(dim=1), "tanh": nn.Tanh}
TACT = {"identity": None, "sigmoid": torch.nn.Sigmoid(), "softmax": torch.nn.Softmax(dim=1),
        "log_softmax": torch.nn.LogSoftmax(dim=1), "tanh": torch.nn.Tanh()}
MODULES = {"mse": nn.MSELoss, "bce": nn.BCELoss, "bce_with_logits": nn.BCEWithLogitsLoss,
           "cross_entropy": nn.CrossEntropyLoss, "nll": nn.NLLLoss,
           "cross_entropy_probs": lambda: F.cross_entropy_probs}


def _model(out):
    ng.manual_seed(4)
    mods = [nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3)]
    if ACT[out] is not None:
        mods.append(ACT[out]())
    return nn.Sequential(*mods).to(ng.float64)


def _torch_J(model, out, loss, X, y):
    """The same forward in torch, the loss as meant; returns (J, the Linear layers, their outputs)."""
    lins = [m for m in model.children() if type(m).__name__ == "Linear"]
    tl = []
    for m in lins:
        lin = torch.nn.Linear(m.in_features, m.out_features).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(m.weight.numpy()))
            lin.bias.copy_(torch.tensor(m.bias.numpy()))
        tl.append(lin)
    n1 = tl[0](torch.tensor(X))
    n2 = tl[1](torch.tanh(n1))
    n1.retain_grad()
    n2.retain_grad()
    h = n2 if TACT[out] is None else TACT[out](n2)
    f = torch.nn.functional
    ty = torch.tensor(y)
    J = {"mse": lambda: f.mse_loss(h, ty), "bce": lambda: f.binary_cross_entropy(h, ty),
         "bce_with_logits": lambda: f.binary_cross_entropy_with_logits(h, ty),
         "cross_entropy": lambda: f.cross_entropy(h, ty), "nll": lambda: f.nll_loss(h, ty),
         "cross_entropy_probs": lambda: f.nll_loss(torch.log(h), ty)}[loss]()
    J.backward()
    return J, tl, [n1, n2]


@pytest.mark.parametrize("by", ["name", "module"])
@pytest.mark.parametrize("out", OUTS)
def test_every_output_activation_and_loss_pair(out, by):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(4, 3))
    for k, loss in enumerate(LOSSES):
        verdict = VERDICT[out][k]
        classes = loss in ("cross_entropy", "nll", "cross_entropy_probs")
        y = np.array([0, 2, 1, 2]) if classes else rng.uniform(0.05, 0.95, size=(4, 3))
        model = _model(out)
        given = loss if by == "name" else MODULES[loss]()
        if verdict.startswith("=") and by == "module":
            verdict = "not -log z_y" if loss == "nll" else "applied twice"  # a module is never reinterpreted
        if verdict != "ok" and not verdict.startswith("="):
            with pytest.raises(ValueError, match="explain: ") as e:
                ng.explain(model, X, y, loss=given)
            assert verdict in str(e.value) and "Fix:" in str(e.value), (out, loss, by, str(e.value))
            continue
        t = ng.explain(model, X, y, loss=given, lr=0.5)
        meant = verdict[1:] if verdict.startswith("=") else loss
        J, tl, nets = _torch_J(model, out, meant, X, y)
        assert t.loss == pytest.approx(J.item(), abs=1e-10), (out, loss, by)
        assert t.max_diff < 1e-10, (out, loss, by)
        for lt, lin, net in zip(t.layers, tl, nets):
            np.testing.assert_allclose(lt.delta, net.grad.numpy(), atol=1e-10, err_msg=f"{out} {loss} {by}")
            np.testing.assert_allclose(lt.dW, lin.weight.grad.numpy().T, atol=1e-10)
            np.testing.assert_allclose(lt.db, lin.bias.grad.numpy(), atol=1e-10)
        if verdict.startswith("="):
            assert any("traced as meant" in n for n in t.notes)
        if out == "log_softmax" and loss == "cross_entropy":
            assert any("changes nothing" in n for n in t.notes)


def test_fit_refuses_a_loss_that_applies_the_output_again():
    from netgrad import optim
    from netgrad.train import fit

    X = ng.randn(8, 2)
    y = ng.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    for last, loss in ((nn.Softmax(dim=1), nn.CrossEntropyLoss()), (nn.Softmax(dim=1), nn.NLLLoss()),
                       (nn.Sigmoid(), nn.CrossEntropyLoss()), (nn.Sigmoid(), nn.BCEWithLogitsLoss())):
        model = nn.Sequential(nn.Linear(2, 3), last)
        with pytest.raises(ValueError, match="^fit: .*(twice|not -log z_y).*Fix:"):
            fit(model, loss, optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=1, verbose=0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=1))
    h = fit(model, F.cross_entropy_probs, optim.SGD(model.parameters(), lr=0.5), (X, y), epochs=3,
            batch_size=None, verbose=0)
    assert len(h["loss"]) == 3 and h["loss"][-1] < h["loss"][0]
    model = nn.Sequential(nn.Linear(2, 3), nn.LogSoftmax(dim=1))  # harmless: log_softmax is idempotent
    fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=1, verbose=0)


    class Logits(nn.Module):  # a Softmax child that forward does not use: nothing is guessed from it
        def __init__(self):
            super().__init__()
            self.fc, self.probs = nn.Linear(2, 3), nn.Softmax(dim=1)

        def forward(self, x):
            return self.fc(x)

    model = Logits()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=1, verbose=0)
