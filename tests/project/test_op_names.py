"""Op classes never take an nn module's name (issue 20 item 4): ``netgrad.functional``'s
``ReLUOp`` is the op, ``netgrad.nn.ReLU`` the layer. Pictures, messages and grad_fn names show
the op without its ``Op`` suffix, as PyTorch names its nodes (``ReluBackward0``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import torch

import netgrad as ng
from netgrad.autograd import Function


def _classes(package, base):
    found = {}
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".playground" in info.name or ".distributed" in info.name:
            continue  # optional extras; neither defines ops or modules
        mod = importlib.import_module(info.name)
        for name, obj in vars(mod).items():
            if inspect.isclass(obj) and issubclass(obj, base) and obj.__module__ == mod.__name__:
                found[name] = obj
    return found


def test_no_function_class_shares_a_name_with_an_nn_module():
    modules = _classes(ng.nn, ng.nn.Module)
    ops = _classes(ng, Function)
    assert len(modules) > 50 and len(ops) > 100  # the walk found both families
    clashes = sorted(set(modules) & set(ops))
    assert clashes == [], f"Function classes named as nn modules (add the Op suffix): {clashes}"


def test_grad_fn_names_drop_the_op_suffix_as_torch_names_its_nodes():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    for ngf, thf in [(ng.relu, torch.relu), (ng.sigmoid, torch.sigmoid), (ng.tanh, torch.tanh),
                     (lambda t: t.softmax(1), lambda t: t.softmax(1)),
                     (lambda t: t.log_softmax(1), lambda t: t.log_softmax(1))]:
        got = type(ngf(ng.tensor(x, requires_grad=True)).grad_fn)
        want = thf(torch.tensor(x, requires_grad=True)).grad_fn.name()
        assert got.__name__.endswith("Op")
        assert ngf(ng.tensor(x, requires_grad=True)).grad_fn.name() == want
