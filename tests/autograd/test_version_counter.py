"""Version counters: saved values changed in place are caught at backward, as in PyTorch."""

import numpy as np
import pytest
import torch

import netgrad as ng

MSG = "modified by an inplace operation"


def _both(fn):
    """Run fn with each library; return the two outcomes (None, or the error message)."""
    out = []
    for lib in (ng, torch):
        try:
            fn(lib)
            out.append(None)
        except RuntimeError as e:
            out.append(str(e))
    return out


@pytest.mark.parametrize("case", [
    "exp_then_add", "sigmoid_then_mul", "mul_saves_input", "add_saves_nothing", "view_of_saved",
    "detach_shares_version", "data_does_not", "tanh_output_setitem", "matmul_weight",
    "setitem_then_use", "sqrt_output",
])
def test_same_outcome_as_torch(case):
    def run(lib):
        x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
        if case == "exp_then_add":
            y = x.exp()
            y.add_(1)
            y.sum().backward()
        elif case == "sigmoid_then_mul":
            y = lib.sigmoid(x)
            y.mul_(2)
            y.sum().backward()
        elif case == "mul_saves_input":
            a = x * 1
            b = a * a
            a.add_(1)
            b.sum().backward()
        elif case == "add_saves_nothing":
            a = x * 1
            b = a + 3
            a.add_(1)
            b.sum().backward()
        elif case == "view_of_saved":
            a = x * 1
            b = a * a
            a[0].mul_(2)
            b.sum().backward()
        elif case == "detach_shares_version":
            a = x * 1
            b = a * a
            a.detach().zero_()
            b.sum().backward()
        elif case == "data_does_not":
            a = x * 1
            b = a * a
            a.data.zero_()
            b.sum().backward()
        elif case == "tanh_output_setitem":
            y = lib.tanh(x)
            y[0] = 0.0
            y.sum().backward()
        elif case == "matmul_weight":
            w = lib.ones(3, 2) * 1.0
            w.requires_grad_(True)
            h = x.reshape(1, 3) @ w
            with lib.no_grad():
                w.mul_(2)
            h.sum().backward()
        elif case == "setitem_then_use":
            a = x * 2
            a[1] = 7.0
            (a * a).sum().backward()
        elif case == "sqrt_output":
            y = x.sqrt()
            y.div_(2)
            y.sum().backward()
    ours, theirs = _both(run)
    assert (ours is None) == (theirs is None), (ours, theirs)
    if theirs is not None:
        assert MSG in theirs and MSG in ours


def test_message_names_the_versions_and_the_node():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.add_(1)
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    msg = str(e.value)
    assert MSG in msg and "is at version 2; expected version 0" in msg and "ExpBackward0" in msg
    assert "[torch.FloatTensor [2]]" in msg


def test_versions_count_like_torch():
    n, t = ng.zeros(3), torch.zeros(3)
    for lib, a in ((ng, n), (torch, t)):
        a.add_(1)
        a[0] = 2
        a.mul_(3)
        with lib.no_grad():
            a -= 1
        a.view(3).zero_()
    assert n._version == t._version
    assert (n * 1)._version == 0


def test_optimizer_state_in_place_inside_no_grad_is_fine():
    rng = np.random.default_rng(0)
    w = ng.tensor(rng.normal(size=(3,)), requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with ng.no_grad():
            w.sub_(0.1 * w.grad)
            w.grad.zero_()
    assert w._version == 3 and w.is_leaf
