"""Helpers shared by the attention and transformer tests: the same float64 arrays in torch and
netgrad, a torch module and a netgrad one with identical weights (loaded by name), and gradient
comparisons."""

import numpy as np
import torch

import netgrad as ng


def arr(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def both(a, grad=True):
    """The same float64 array as a torch and a netgrad tensor."""
    if a.dtype == np.bool_:
        return torch.tensor(a), ng.tensor(a)
    return torch.tensor(a, requires_grad=grad), ng.tensor(a, requires_grad=grad)


def close(n, t, atol=1e-10, msg=""):
    t = t.detach().numpy() if isinstance(t, torch.Tensor) else t
    np.testing.assert_allclose(n.detach().numpy(), t, atol=atol, rtol=1e-8, err_msg=msg)


def backward_both(touts, nouts, seed=7):
    """Backpropagate the same random weighting of every output through both libraries."""
    rng = np.random.default_rng(seed)
    tl, nl = 0, 0
    for t, n in zip(touts, nouts):
        w = rng.normal(size=tuple(t.shape))
        tl = tl + (t * torch.tensor(w)).nan_to_num().sum()
        nl = nl + (n * ng.tensor(w)).sum()
    tl.backward()
    nl.backward()


def pair(kind, *args, same_repr=True, **kw):
    torch.manual_seed(0)
    tm = getattr(torch.nn, kind)(*args, **kw).double()
    with torch.no_grad():
        for p in tm.parameters():
            p.add_(torch.randn_like(p) * 0.1)  # non-zero biases, non-unit norms
    nm = getattr(ng.nn, kind)(*args, **kw, dtype=ng.float64)
    tsd, nsd = tm.state_dict(), nm.state_dict()
    assert list(tsd) == list(nsd)
    assert [tuple(v.shape) for v in tsd.values()] == [tuple(v.shape) for v in nsd.values()]
    nm.load_state_dict({k: v.numpy() for k, v in tsd.items()})
    assert repr(nm) == repr(tm) or not same_repr
    return tm.eval() if kw.get("dropout", 0) else tm, nm.eval() if kw.get("dropout", 0) else nm


def check_params(tm, nm, atol=1e-9):
    for (name, tp), (nname, npar) in zip(tm.named_parameters(), nm.named_parameters()):
        assert name == nname
        if tp.grad is None:
            assert npar.grad is None or not npar.grad.numpy().any(), name
        else:
            close(npar.grad, tp.grad, atol, name)
