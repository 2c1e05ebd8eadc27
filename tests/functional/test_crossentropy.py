"""cross_entropy with class-index targets against torch: values, gradients and double backward for
few and many classes, ignore_index, target dtypes and types, bounds errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch.nn.functional as TF

import netgrad as ng
import netgrad.nn.functional as F
from tests.torch_ref import compare_with_torch


@pytest.mark.parametrize("C", [2, 10, 64, 65, 300])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_class_indices_match_torch(C, reduction, rng):
    z = (rng.standard_normal((33, C)) * 3).astype(np.float32)
    y = rng.integers(0, C, 33)
    compare_with_torch(lambda a, b: F.cross_entropy(a, b, reduction=reduction),
                       lambda a, b: TF.cross_entropy(a, b, reduction=reduction), [z, y],
                       atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("C", [5, 80])
def test_double_backward_matches_torch(C, rng):
    z = rng.standard_normal((6, C))
    y = rng.integers(0, C, 6)
    for kw in ({}, {"reduction": "none"}, {"reduction": "sum"}):
        compare_with_torch(lambda a, b: F.cross_entropy(a, b, **kw),
                           lambda a, b: TF.cross_entropy(a, b, **kw),
                           [z, y], atol=1e-9, rtol=1e-7, double_backward=True)


@pytest.mark.parametrize("C", [4, 70])
def test_ignore_index_in_range_absent_or_present(C, rng):
    z = rng.standard_normal((5, C)).astype(np.float32)
    absent = np.array([0, 1, 3, 1, 0])
    present = np.array([0, 2, 3, 2, 1])
    for y in (absent, present):
        compare_with_torch(lambda a, b: F.cross_entropy(a, b, ignore_index=2),
                           lambda a, b: TF.cross_entropy(a, b, ignore_index=2), [z, y],
                           atol=1e-5, rtol=1e-5)


def test_target_dtypes_and_bounds_errors(rng):
    z = ng.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    ref = F.cross_entropy(z, ng.tensor(np.array([0, 2, 1, 2]))).item()
    for dt in (np.uint8, np.int16, np.int32, np.uint64):
        assert F.cross_entropy(z, ng.tensor(np.array([0, 2, 1, 2], dt))).item() == pytest.approx(ref)
    assert F.cross_entropy(z, ng.tensor(np.array([0, 2, 1, 2, 0, 1, 1, 2])[::2])).item() == \
        pytest.approx(F.cross_entropy(z, ng.tensor([0, 1, 0, 1])).item())
    with pytest.raises(IndexError, match="target -1 is out of bounds"):
        F.cross_entropy(z, ng.tensor([0, -1, 1, 2]))
    with pytest.raises(IndexError, match="target 3 is out of bounds"):
        F.cross_entropy(z, ng.tensor(np.array([0, 3, 1, 2], np.uint8)))
    empty = F.cross_entropy(ng.zeros(0, 3), ng.tensor(np.zeros(0, np.int64)), reduction="sum")
    assert empty.item() == 0.0


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_targets_as_tensor_array_or_list_agree(reduction, rng):
    z = rng.standard_normal((12, 5)).astype(np.float32)
    y = rng.integers(0, 5, 12)
    results = []
    for target in (ng.tensor(y), y, y.tolist()):
        x = ng.tensor(z, requires_grad=True)
        loss = F.cross_entropy(x, target, reduction=reduction)
        loss.sum().backward()
        results.append((loss.numpy(), x.grad.numpy()))
    for loss, grad in results[1:]:
        np.testing.assert_array_equal(loss, results[0][0])
        np.testing.assert_array_equal(grad, results[0][1])
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(ng.tensor(z), ng.tensor(y), reduction="avg")
