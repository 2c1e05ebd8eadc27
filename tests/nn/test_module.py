"""nn.Module API: registration order, traversal, train/eval, state_dict round trips, strict loading,
dtype conversion, repr, hooks, containers and Linear (against torch with copied weights)."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F
from tests.torch_ref import assert_close


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(3, 2, bias=False)
        self.register_buffer("steps", ng.zeros(1))
        self.register_buffer("scratch", ng.zeros(2), persistent=False)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def test_parameters_registered_in_assignment_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert len(list(net.modules())) == 4
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert net.fc2.bias is None


def test_shared_parameter_listed_once():
    a = nn.Linear(2, 2)
    model = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(model.parameters())) == 2


def test_unknown_attribute_raises_attribute_error():
    net = Net()
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'fc3'"):
        net.fc3  # noqa: B018
    assert not hasattr(net, "nothing")


def test_assign_before_init_is_explained():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ng.zeros(1))

    with pytest.raises(AttributeError, match="super\\(\\).__init__"):
        Bad()


def test_reassigning_and_deleting():
    net = Net()
    net.fc1 = nn.Linear(4, 3, bias=False)
    assert [n for n, _ in net.named_parameters()] == ["fc1.weight", "fc2.weight"]
    del net.fc2
    assert [n for n, _ in net.named_parameters()] == ["fc1.weight"]
    with pytest.raises(TypeError):
        net.fc1.weight = ng.zeros(3, 4)  # a plain tensor cannot replace a Parameter


def test_call_runs_forward_and_backward_reaches_all_parameters():
    net = Net()
    out = net(ng.randn(5, 4))
    assert out.shape == (5, 2)
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net(ng.randn(5, 4)).sum().backward()
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())


def test_train_eval_recursive():
    net = Net()
    assert net.training and net.fc1.training
    assert net.eval() is net
    assert not net.training and not net.fc1.training and not net.act.training
    net.train()
    assert all(m.training for m in net.modules())


def test_state_dict_round_trip_and_buffers():
    ng.manual_seed(1)
    a = Net()
    a.steps.fill_(7.0)
    sd = a.state_dict()
    # PyTorch's order: a module's own parameters and buffers, then its children's
    assert list(sd) == ["steps", "fc1.weight", "fc1.bias", "fc2.weight"]  # scratch not persistent
    assert not any(v.requires_grad for v in sd.values())
    ng.manual_seed(2)
    b = Net()
    res = b.load_state_dict(sd)
    assert res.missing_keys == [] and res.unexpected_keys == []
    for (n, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=n)
    x = ng.randn(3, 4)
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    # loading copies: later changes to a do not leak into b
    with ng.no_grad():
        a.fc1.weight.fill_(0.0)
    assert b.fc1.weight.numpy().any()


def test_load_state_dict_strict_errors_name_keys_and_shapes():
    net = Net()
    sd = net.state_dict()
    del sd["fc1.bias"]
    sd["extra.weight"] = ng.zeros(1)
    sd["fc2.weight"] = ng.zeros(5, 5)
    with pytest.raises(RuntimeError) as e:
        net.load_state_dict(sd)
    msg = str(e.value)
    assert '"fc1.bias"' in msg and "Missing" in msg
    assert '"extra.weight"' in msg and "Unexpected" in msg
    assert "size mismatch for fc2.weight" in msg and "(5, 5)" in msg and "(2, 3)" in msg


def test_load_state_dict_non_strict_reports_keys():
    net = Net()
    sd = net.state_dict()
    del sd["fc1.bias"]
    sd["extra"] = ng.zeros(1)
    res = net.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["fc1.bias"] and res.unexpected_keys == ["extra"]


def test_to_dtype_keeps_parameter_objects():
    net = Net()
    params = list(net.parameters())
    net.to(ng.float64)
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert net.steps.dtype == np.float64
    assert net(ng.randn(2, 4, dtype=ng.float64)).dtype == np.float64
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_apply_visits_children_then_self():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Tanh", "Linear", "Net"]

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)

    net.apply(init)
    assert np.all(net.fc1.weight.numpy() == 0.5)


def test_repr_tree_like_pytorch():
    net = Net()
    assert repr(net) == (
        "Net(\n"
        "  (fc1): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (act): Tanh()\n"
        "  (fc2): Linear(in_features=3, out_features=2, bias=False)\n"
        ")"
    )
    nested = nn.Sequential(nn.Sequential(nn.ReLU()), nn.Flatten())
    assert repr(nested) == (
        "Sequential(\n  (0): Sequential(\n    (0): ReLU()\n  )\n"
        "  (1): Flatten(start_dim=1, end_dim=-1)\n)"
    )


def test_forward_hook_and_removal():
    net = Net()
    shapes = []
    h = net.fc1.register_forward_hook(lambda m, i, o: shapes.append(o.shape))
    net(ng.zeros(2, 4))
    h.remove()
    net(ng.zeros(2, 4))
    assert shapes == [(2, 3)]


def test_deepcopy_and_pickle():
    net = Net()
    net(ng.randn(2, 4)).sum().backward()
    dup = copy.deepcopy(net)
    assert dup.fc1.weight is not net.fc1.weight
    np.testing.assert_array_equal(dup.fc1.weight.numpy(), net.fc1.weight.numpy())
    back = pickle.loads(pickle.dumps(net))
    assert isinstance(back.fc1.weight, nn.Parameter)
    np.testing.assert_array_equal(back.fc2.weight.numpy(), net.fc2.weight.numpy())
    assert [n for n, _ in back.named_parameters()] == [n for n, _ in net.named_parameters()]


def test_parameter_basics():
    p = nn.Parameter(ng.ones(2))
    assert p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:")
    q = nn.Parameter(ng.ones(2), requires_grad=False)
    assert not q.requires_grad
    t = ng.zeros(3)
    assert nn.Parameter(t).numpy() is t.numpy()  # shares memory, as torch


def test_sequential_and_modulelist():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert isinstance(seq[:2], nn.Sequential) and len(seq[:2]) == 2
    seq.append(nn.Sigmoid())
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2", "3"]
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.Linear(2, 1))
    assert len(list(ml.parameters())) == 8
    assert [n for n, _ in ml.named_parameters()][:2] == ["0.weight", "0.bias"]
    holder = nn.Module()
    holder.layers = ml
    assert len(list(holder.parameters())) == 8
    with pytest.raises(IndexError):
        ml[7]
    assert nn.Identity()(ng.ones(2)).shape == (2,)
    assert nn.Flatten()(ng.zeros(2, 3, 4)).shape == (2, 12)


def test_linear_default_init_bounds_and_seeding():
    ng.manual_seed(0)
    a = nn.Linear(100, 50)
    ng.manual_seed(0)
    b = nn.Linear(100, 50)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    bound = 1 / math.sqrt(100)
    w = a.weight.numpy()
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(a.bias.numpy()).max() <= bound
    # U(-b, b) has std b / sqrt(3)
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound


def test_linear_matches_torch_forward_and_gradients(rng):
    x = rng.standard_normal((6, 5)).astype(np.float32)
    ng_l = nn.Linear(5, 3)
    th_l = torch.nn.Linear(5, 3)
    with torch.no_grad():
        th_l.weight.copy_(torch.from_numpy(ng_l.weight.numpy()))
        th_l.bias.copy_(torch.from_numpy(ng_l.bias.numpy()))
    xn = ng.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    yn, yt = ng_l(xn), th_l(xt)
    assert_close(yn, yt, atol=1e-6)
    w = rng.standard_normal((6, 3)).astype(np.float32)
    (yn * ng.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    assert_close(xn.grad, xt.grad, atol=1e-5)
    assert_close(ng_l.weight.grad, th_l.weight.grad, atol=1e-5)
    assert_close(ng_l.bias.grad, th_l.bias.grad, atol=1e-5)


def test_linear_3d_input_and_gradcheck():
    from netgrad.testing import gradcheck

    layer = nn.Linear(3, 2).double()
    x = ng.randn(2, 4, 3, dtype=ng.float64, requires_grad=True)
    assert layer(x).shape == (2, 4, 2)
    gradcheck(lambda x, w, b: F.linear(x, w, b), [x, layer.weight, layer.bias])


def test_linear_bad_shape_names_layer_and_shapes():
    layer = nn.Linear(784, 128)
    with pytest.raises(ng.ShapeError) as e:
        layer(ng.zeros(32, 100))
    assert str(e.value) == ("Linear(in_features=784, out_features=128, bias=True): expected input "
                            "with last dimension 784, got shape (32, 100)")
    with pytest.raises(ng.ShapeError, match=r"Linear\(in_features=784.*got shape \(\)"):
        layer(ng.tensor(1.0))
    assert layer(np.zeros((2, 784), np.float32)).shape == (2, 128)  # arrays are accepted
    layer.bias = nn.Parameter(ng.zeros(3))  # an error of the layer's own state is not reworded
    with pytest.raises(ng.ShapeError, match="linear: bias of shape"):
        layer(ng.zeros(2, 784))


def test_training_step_reduces_loss():
    ng.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    x = ng.randn(32, 2)
    y = ng.tensor((x.numpy()[:, 0] * x.numpy()[:, 1] > 0).astype(np.int64))
    losses = []
    for _ in range(60):
        model.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        losses.append(loss.item())
        with ng.no_grad():
            for p in model.parameters():
                p.sub_(0.5 * p.grad)
    assert losses[-1] < 0.7 * losses[0]


def test_functional_namespace_has_pytorch_names():
    for name in ("relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "elu", "gelu",
                 "softplus", "silu", "threshold", "linear", "pad", "conv2d", "max_pool2d", "avg_pool2d",
                 "dropout", "dropout2d", "batch_norm", "mse_loss", "l1_loss", "huber_loss",
                 "smooth_l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
                 "cross_entropy", "nll_loss", "kl_div", "one_hot"):
        assert callable(getattr(F, name)), name
        assert hasattr(torch.nn.functional, name), name  # same names as PyTorch's F
    assert callable(ng.summary) and ng.device("cpu") == "cpu" and not ng.cuda.is_available()
    assert ng.nn.utils is not None
