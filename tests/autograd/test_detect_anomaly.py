"""netgrad.autograd.detect_anomaly / set_detect_anomaly: a backward producing NaN or inf names the
forward op (PyTorch's node name) and the user line that created it."""

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad.autograd import AnomalyError, detect_anomaly, is_anomaly_enabled, set_detect_anomaly


@pytest.fixture(autouse=True)
def _quiet_numpy():
    # log(0) and 0 * inf are the point here: NumPy's warnings about them are expected.
    with np.errstate(all="ignore"):
        yield


def _log_at_zero():
    x = ng.tensor([0.0, 1.0], requires_grad=True)
    y = x.log()  # the line the error must point at
    return x, (y * 0).sum()


def test_detect_anomaly_names_the_node_and_the_forward_line():
    with detect_anomaly():
        assert is_anomaly_enabled()
        x, loss = _log_at_zero()
        with pytest.raises(AnomalyError) as info:
            loss.backward()
    assert not is_anomaly_enabled()
    msg = str(info.value)
    assert "'LogBackward0'" in msg and "nan" in msg
    assert "y = x.log()  # the line the error must point at" in msg
    assert "test_detect_anomaly.py" in msg
    assert isinstance(info.value, RuntimeError)


def test_same_node_name_as_torch():
    with torch.autograd.detect_anomaly():
        x = torch.tensor([0.0, 1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="LogBackward0"):
            (x.log() * 0).sum().backward()
    with detect_anomaly():
        x = ng.tensor([0.0, 1.0], requires_grad=True)
        with pytest.raises(AnomalyError, match="LogBackward0"):
            (x.log() * 0).sum().backward()


def test_without_anomaly_mode_nan_flows_silently():
    x, loss = _log_at_zero()
    loss.backward()
    assert np.isnan(x.grad.numpy()[0])


def test_inf_is_reported_and_sqrt_backward_named():
    x = ng.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        with pytest.raises(AnomalyError, match=r"'SqrtBackward0' returned inf values in its 0th output"):
            x.sqrt().sum().backward()


def test_set_detect_anomaly_as_call_and_context():
    prev = set_detect_anomaly(True)
    try:
        assert is_anomaly_enabled()
        x, loss = _log_at_zero()
        with pytest.raises(AnomalyError):
            loss.backward()
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled()
    with set_detect_anomaly(True):
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()
    del prev
    with pytest.raises(TypeError, match="set_detect_anomaly"):
        set_detect_anomaly("yes")


def test_check_nan_false_and_decorator():
    with detect_anomaly(check_nan=False):
        x, loss = _log_at_zero()
        loss.backward()  # recorded, but not checked
    assert np.isnan(x.grad.numpy()[0])

    @detect_anomaly()
    def step():
        _, loss = _log_at_zero()
        loss.backward()

    with pytest.raises(AnomalyError, match="LogBackward0"):
        step()
    assert not is_anomaly_enabled()


def test_node_recorded_before_the_mode_still_named():
    x, loss = _log_at_zero()
    with detect_anomaly(), pytest.raises(AnomalyError, match="LogBackward0.*not recorded"):
        loss.backward()


def test_finite_backward_unchanged_and_create_graph():
    x = ng.tensor([0.5, 2.0], dtype=ng.float64, requires_grad=True)
    with detect_anomaly():
        (g,) = ng.autograd.grad((x.log() * x).sum(), x, create_graph=True)
        g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1 / np.array([0.5, 2.0]))
    y = ng.tensor([0.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(AnomalyError, match="SqrtBackward0.*inf"):
        ng.autograd.grad(y.sqrt().sum(), y, create_graph=True)  # tensors, not arrays: checked too


def test_custom_function_named():
    class Bad(ng.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = ng.ones(2, requires_grad=True)
    with detect_anomaly(), pytest.raises(AnomalyError, match="'BadBackward0' returned nan"):
        Bad.apply(x).sum().backward()
