"""nn.Module keeps registered parameters, buffers and children in its instance ``__dict__`` too
(fast attribute reads): every way of changing a registry must keep ``getattr``, ``parameters()``,
``buffers()``, ``named_children()`` and ``state_dict()`` telling the same story."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import netgrad as ng
import netgrad.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.fc2 = nn.Linear(3, 2)
        self.w = nn.Parameter(ng.ones(2))
        self.register_buffer("steps", ng.zeros(1))

    def forward(self, x):
        return self.fc2(ng.relu(self.fc1(x))) * self.w


def consistent(m: nn.Module) -> None:
    """Every registered name reads back (getattr) as the registry's object, and state_dict,
    parameters() and buffers() list exactly the registries' non-None entries."""
    for mod_name, mod in m.named_modules():
        for key in ("_parameters", "_buffers", "_modules"):
            for name, value in mod.__dict__[key].items():
                if not hasattr(type(mod), name):  # class attributes win, as in PyTorch
                    assert getattr(mod, name) is value, (mod_name, name)
        registered = set(mod._parameters) | set(mod._buffers) | set(mod._modules)
        stale = {k for k, v in vars(mod).items()
                 if isinstance(v, (nn.Module, nn.Parameter)) and k not in registered}
        assert not stale, (mod_name, stale)
    params = {n: p for n, p in m.named_parameters()}
    sd = m.state_dict(keep_vars=True)
    for n, p in params.items():
        assert sd[n] is p
    persistent = {pre + n for pre, mod in ((k + "." if k else "", v) for k, v in m.named_modules())
                  for n, b in mod._buffers.items() if b is not None and n not in mod._non_persistent}
    assert set(sd) == set(params) | persistent
    for mod_name, mod in m.named_modules():
        pre = mod_name + "." if mod_name else ""
        for name, p in mod._parameters.items():
            if p is not None:
                assert params[pre + name] is p


def test_reassign_parameter_and_module():
    net = Net()
    order = [n for n, _ in net.named_parameters()]
    new_w = nn.Parameter(ng.full((2,), 3.0))
    net.w = new_w
    assert net.w is new_w and net.state_dict(keep_vars=True)["w"] is new_w
    assert [n for n, _ in net.named_parameters()] == order  # keeps its place
    new_fc = nn.Linear(4, 3, bias=False)
    net.fc1 = new_fc
    assert net.fc1 is new_fc
    assert "fc1.bias" not in net.state_dict()
    consistent(net)
    out = net(ng.ones(1, 4))
    np.testing.assert_allclose(out.numpy()[0], (net.fc2(ng.relu(new_fc(ng.ones(1, 4)))) * 3.0).numpy()[0])


def test_delete_parameter_buffer_module():
    net = Net()
    del net.w
    del net.steps
    del net.fc2
    for name in ("w", "steps", "fc2"):
        assert not hasattr(net, name)
        assert name not in vars(net)
    assert set(net.state_dict()) == {"fc1.weight", "fc1.bias"}
    consistent(net)
    net.w = nn.Parameter(ng.zeros(1))  # re-registering after del works
    assert net.w.shape == (1,)
    consistent(net)


def test_set_to_none():
    net = Net()
    net.fc2 = None
    net.w = None
    net.steps = None
    assert net.fc2 is None and net.w is None and net.steps is None
    assert set(net.state_dict()) == {"fc1.weight", "fc1.bias"}
    assert [n for n, _ in net.named_children()] == ["fc1"]
    consistent(net)
    net.fc2 = nn.Linear(3, 2)  # and back
    assert "fc2.weight" in net.state_dict()
    consistent(net)


def test_parameter_and_plain_tensor_swaps():
    net = Net()
    with pytest.raises(TypeError, match="Parameter"):
        net.w = ng.zeros(2)  # a plain tensor cannot replace a Parameter (as PyTorch)
    assert isinstance(net.w, nn.Parameter)
    consistent(net)
    # A plain attribute becomes a registered parameter, and the other way round via del.
    net.plain = ng.zeros(3)
    assert "plain" not in net.state_dict()
    net.plain = nn.Parameter(ng.ones(3))
    assert net.state_dict(keep_vars=True)["plain"] is net.plain
    consistent(net)
    del net.plain
    net.plain = ng.zeros(3)
    assert "plain" not in net.state_dict() and not isinstance(net.plain, nn.Parameter)
    consistent(net)
    # A buffer replaced by a Parameter moves registries; a tensor assigned to a buffer stays one.
    net.steps = ng.full((1,), 5.0)
    assert net.state_dict()["steps"].item() == 5.0 and "steps" in dict(net.named_buffers())
    net.steps = nn.Parameter(ng.ones(1))
    assert "steps" in dict(net.named_parameters()) and "steps" not in dict(net.named_buffers())
    consistent(net)
    # A module cannot replace a parameter (as PyTorch); a parameter can replace a module.
    with pytest.raises(TypeError, match="as parameter 'w'"):
        net.w = nn.Linear(1, 1)
    assert isinstance(net.w, nn.Parameter)
    net.fc2 = nn.Parameter(ng.zeros(2))
    assert "fc2" in net.state_dict() and "fc2.weight" not in net.state_dict()
    consistent(net)


def test_register_functions_replace_attributes():
    net = Net()
    net.register_parameter("w", nn.Parameter(ng.zeros(5)))
    assert net.w.shape == (5,)
    net.register_buffer("w", ng.ones(4))
    assert net.w.shape == (4,) and "w" in dict(net.named_buffers())
    assert "w" not in dict(net.named_parameters())
    net.add_module("w", nn.ReLU())
    assert isinstance(net.w, nn.ReLU) and "w" not in dict(net.named_buffers())
    net.register_buffer("tmp", ng.ones(1), persistent=False)
    assert "tmp" not in net.state_dict() and net.tmp.shape == (1,)
    consistent(net)


def test_to_float64_and_load_state_dict_keep_objects():
    net = Net()
    before = {n: p for n, p in net.named_parameters()}
    net.to(ng.float64)
    for n, p in net.named_parameters():
        assert p is before[n] and p.dtype == ng.float64
    assert net.fc1.weight.dtype == ng.float64 and net.steps.dtype == ng.float64
    other = Net().double()
    net.load_state_dict(other.state_dict())
    np.testing.assert_array_equal(net.fc1.weight.numpy(), other.fc1.weight.numpy())
    np.testing.assert_array_equal(net.state_dict()["fc1.weight"].numpy(), other.fc1.weight.numpy())
    assert net.fc1.weight is before["fc1.weight"]
    consistent(net)


def test_containers_delete_and_insert():
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    del seq[1]
    assert not hasattr(seq, "1") and [n for n, _ in seq.named_children()] == ["0", "2"]
    consistent(seq)
    seq[0] = nn.Linear(2, 2, bias=False)
    assert getattr(seq, "0") is seq[0] and "0.bias" not in seq.state_dict()
    consistent(seq)
    ml = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 2)])
    third = nn.Tanh()
    ml.insert(0, third)
    assert getattr(ml, "0") is third and getattr(ml, "2") is ml[2] and len(ml) == 3
    consistent(ml)
    md = nn.ModuleDict({"a": nn.Linear(1, 1), "keys": nn.Linear(1, 1)})
    assert list(md.keys()) == ["a", "keys"]  # a key named like a method does not hide it
    assert md.a is md["a"]
    del md["a"]
    assert "a" not in md and not hasattr(md, "a")
    with pytest.raises(KeyError):
        del md["a"]
    consistent(md)


def test_direct_registry_edit_still_reads_through():
    # Registries edited directly (not through Module's methods) are still honoured for names
    # the mirror does not hold.
    net = Net()
    extra = nn.Parameter(ng.ones(1))
    net._parameters["extra"] = extra
    assert net.extra is extra


def test_copy_and_pickle_keep_mirror_consistent():
    net = Net()
    for dup in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert dup.fc1 is dup._modules["fc1"] and dup.w is dup._parameters["w"]
        assert dup.fc1.weight is dup.fc1._parameters["weight"]
        consistent(dup)
    # A state pickled before the mirror existed (registries only) still loads consistently.
    state = {k: v for k, v in net.__dict__.items() if k not in ("fc1", "fc2", "w", "steps")}
    old = Net.__new__(Net)
    old.__setstate__(state)
    assert old.fc1 is net.fc1 and old.w is net.w
    consistent(old)


def test_direct_parameters_edit_forward_and_optimiser_see_the_same_tensor():
    # Some PyTorch code swaps a parameter by editing ``_parameters`` directly; the forward pass
    # (which reads ``self.weight``) and the optimiser (which reads ``parameters()``) must then use
    # the same tensor, as they do in torch.
    import torch

    for lib in (ng, torch):
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 2)
        new = lib.nn.Parameter(lib.ones(2, 3))
        lin._parameters["weight"] = new
        opt = lib.optim.SGD(lin.parameters(), lr=0.5)
        x = lib.ones(4, 3)
        lin(x).sum().backward()
        opt.step()
        assert lin.weight is new and lin._parameters["weight"] is new
        assert any(p is new for p in lin.parameters())
        assert new.grad is not None
        np.testing.assert_allclose(np.asarray(new.detach().tolist()), np.full((2, 3), -1.0))
        # the forward now sees the optimiser's update: 3 * -1 + bias for every row
        out = lin(x).detach()
        np.testing.assert_allclose(np.asarray(out.tolist()),
                                   np.asarray((-3.0 + lin.bias.detach()).tolist())[None].repeat(4, 0),
                                   rtol=1e-6)


@pytest.mark.parametrize("edit", ["del", "pop", "popitem", "clear", "update", "setdefault",
                                  "reassign_dict"])
def test_every_direct_registry_edit_keeps_attributes_in_step(edit):
    net = Net()
    regs = net._parameters
    p = nn.Parameter(ng.zeros(2))
    if edit == "del":
        del regs["w"]
    elif edit == "pop":
        assert regs.pop("w") is not None and regs.pop("w", None) is None
    elif edit == "popitem":
        assert regs.popitem()[0] == "w"
    elif edit == "clear":
        regs.clear()
    elif edit == "update":
        regs.update(w=p)
    elif edit == "setdefault":
        del regs["w"]
        assert regs.setdefault("w", p) is p
    else:
        from collections import OrderedDict

        net._parameters = OrderedDict(w=p)
        regs.update(w=nn.Parameter(ng.ones(2)))  # the old dict no longer feeds the module
    if edit in ("update", "setdefault", "reassign_dict"):
        assert net.w is p and dict(net.named_parameters())["w"] is p
    else:
        with pytest.raises(AttributeError):
            net.w  # noqa: B018
    consistent(net)
    dup = copy.copy(net)  # a shallow copy gets its own registries, mirrored into itself
    dup._parameters["w"] = q = nn.Parameter(ng.ones(2))
    assert dup.w is q and getattr(net, "w", None) is not q
    consistent(dup)
    consistent(net)


def test_registry_copies_are_plain_dicts():
    net = Net()
    for c in (net._parameters.copy(), copy.copy(net._parameters), net._parameters | {}):
        c["w"] = nn.Parameter(ng.zeros(2))
        assert net.w is net._parameters["w"] and net.w is not c["w"]


def test_init_called_again_leaves_no_stale_attributes():
    lin = nn.Linear(2, 3)
    nn.Module.__init__(lin)
    assert not lin._parameters
    with pytest.raises(AttributeError):
        lin.weight  # noqa: B018
