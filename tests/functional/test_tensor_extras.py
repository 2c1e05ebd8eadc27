"""narrow, legacy new, resize_, dense-held sparse tensors, amp stand-ins, backends modules, constants."""

import warnings

import numpy as np
import pytest
import torch

import netgrad as ng


def test_narrow_is_a_view_like_torch():
    a = np.arange(12.0).reshape(3, 4)
    n, t = ng.tensor(a), torch.tensor(a)
    n.narrow(1, 1, 2).zero_()
    t.narrow(1, 1, 2).zero_()
    np.testing.assert_array_equal(n.numpy(), t.numpy())
    np.testing.assert_array_equal(ng.narrow(n, 0, -2, 2).numpy(), torch.narrow(t, 0, -2, 2).numpy())
    with pytest.raises(IndexError):
        n.narrow(0, 2, 5)
    x = ng.tensor(a, requires_grad=True)
    x.narrow(0, 1, 1).sum().backward()
    assert x.grad.numpy()[1].sum() == 4 and x.grad.numpy().sum() == 4


def test_legacy_new_and_resize_like_torch():
    n, t = ng.zeros(2, dtype=ng.float64), torch.zeros(2, dtype=torch.float64)
    assert n.new(2, 3).shape == tuple(t.new(2, 3).shape) and n.new(2, 3).dtype == ng.float64
    assert n.new([1, 2]).tolist() == t.new([1, 2]).tolist()
    a, b = ng.arange(6.0), torch.arange(6.0)
    a.resize_(2, 2)
    b.resize_(2, 2)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(RuntimeError, match="cannot resize"):
        ng.ones(2, requires_grad=True).resize_(3)


def test_sparse_tensors_are_held_dense_with_the_same_values():
    idx, vals = [[0, 1, 1], [2, 0, 0]], [5.0, 7.0, 1.0]
    n = ng.sparse_coo_tensor(idx, vals, (2, 3)).to_dense()
    t = torch.sparse_coo_tensor(torch.tensor(idx), torch.tensor(vals), (2, 3)).to_dense()
    np.testing.assert_array_equal(n.numpy(), t.numpy())   # repeated indices add up
    adj = np.array([[0.0, 1.0], [1.0, 1.0]])
    h = np.random.default_rng(0).normal(size=(2, 3))
    np.testing.assert_allclose(ng.spmm(ng.tensor(adj).to_sparse(), ng.tensor(h)).numpy(),
                               torch.spmm(torch.tensor(adj).to_sparse(), torch.tensor(h)).numpy())
    v = ng.tensor(vals, requires_grad=True)
    (ng.sparse_coo_tensor(idx, v, (2, 3)) * ng.arange(6.0).reshape(2, 3)).sum().backward()
    assert v.grad.tolist() == [2.0, 3.0, 3.0]


def test_amp_backends_and_constants_as_torch_without_cuda():
    import netgrad.backends.cudnn as cudnn

    cudnn.benchmark = True
    assert ng.backends.cudnn.benchmark and not ng.backends.mps.is_available()
    for lib in (ng, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            scaler = lib.amp.GradScaler("cuda")
        assert "CUDA is not available" in str(w[0].message) and scaler.get_scale() == 1.0
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.5)
        scaler.scale((p * p).sum()).backward()
        scaler.step(opt)
        scaler.update()
        assert p.tolist() == [0.0, 0.0]
    assert (ng.inf, ng.pi, ng.e) == (torch.inf, torch.pi, torch.e) and np.isnan(ng.nan)
    assert ng.zeros(2).is_xpu is False and ng.zeros(2).is_mps is False
