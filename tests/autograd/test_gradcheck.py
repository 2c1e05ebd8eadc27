"""netgrad.testing.gradcheck / gradgradcheck: they pass correct ops and catch wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
from netgrad.testing import GradcheckError, gradcheck, gradgradcheck, numeric_gradients


class WrongCube(ng.autograd.Function):
    """y = x^3 with a wrong backward (2 x^2 instead of 3 x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x ** 2


class DetachedCube(ng.autograd.Function):
    """Right first derivative, but backward uses a detached x: second derivative is lost."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x.detach() ** 2


def _x(shape=(3,), seed=0):
    return ng.tensor(np.random.default_rng(seed).standard_normal(shape) + 2.0, requires_grad=True)


def test_gradcheck_passes_correct_ops():
    x, y = _x((2, 3)), _x((3,), 1)
    assert gradcheck(lambda a, b: (a * b).exp().sum(1) / b.sum(), [x, y])


def test_gradcheck_reports_worst_mismatch():
    x = _x((2, 2))
    with pytest.raises(GradcheckError) as e:
        gradcheck(WrongCube.apply, [x])
    msg = str(e.value)
    assert "input 0" in msg and "index (" in msg and "analytic" in msg and "numeric" in msg
    # analytic 2 x^2 w vs numeric 3 x^2 w (w: gradcheck's fixed output weights): the worst
    # element is where |x^2 w| is largest, and the message gives both values there.
    _, weights = numeric_gradients(WrongCube.apply, [x])
    a = x.numpy()
    err = np.abs(a ** 2 * weights[0])
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(err), a.shape))
    assert f"index {worst}" in msg
    assert f"{2 * a[worst] ** 2 * weights[0][worst]:.6g}"[:6] in msg
    assert isinstance(e.value, AssertionError)
    assert gradcheck(WrongCube.apply, [x], raise_exception=False) is False


def test_gradcheck_names_the_failing_input():
    x, y = _x(), _x(seed=1)
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(lambda a, b: a * 2 + WrongCube.apply(b), [x, y])


class SlightlyOffScale(ng.autograd.Function):
    """y = 1e5 x with a backward 0.05% off: a large |diff| that is still within rtol=1e-3."""

    @staticmethod
    def forward(ctx, x):
        return x * 1e5

    @staticmethod
    def backward(ctx, g):
        return g * (1e5 * (1 + 5e-4))


class NanBackward(ng.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * float("nan")


def test_gradcheck_names_a_failing_element_not_the_largest_diff():
    x, y = _x(), _x(seed=1)
    # input 0's |diff| (~50) is within tolerance (~100); input 1's (~4) is not
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(lambda a, b: SlightlyOffScale.apply(a).sum() + WrongCube.apply(b).sum(), [x, y])


def test_gradcheck_fails_on_nan_gradients():
    with pytest.raises(GradcheckError, match="analytic nan"):
        gradcheck(NanBackward.apply, [_x()])
    x0 = ng.tensor(2.0, dtype=ng.float64, requires_grad=True)  # 0-d inputs and outputs
    assert gradcheck(lambda t: t * t, [x0])
    with pytest.raises(GradcheckError, match=r"index \(\)"):
        gradcheck(NanBackward.apply, [x0])


def test_gradcheck_skips_inputs_without_grad_and_non_tensors():
    x = _x()
    c = ng.tensor([1.0, 2.0, 3.0], dtype=ng.float64)
    idx = ng.tensor([2, 0])
    assert gradcheck(lambda a, k, s, i: (a * k * s)[i], [x, c, 3.0, idx])


def test_gradcheck_unused_input_has_zero_gradient():
    x, y = _x(), _x(seed=1)
    assert gradcheck(lambda a, b: a * 2, [x, y])


def test_gradcheck_multiple_outputs():
    x = _x((4,))
    assert gradcheck(lambda a: (a * 2, a.exp(), a[:2].sum()), [x])
    with pytest.raises(GradcheckError):
        gradcheck(lambda a: (a * 2, WrongCube.apply(a)), [x])


def test_gradcheck_input_validation():
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda a: a * 2, [ng.tensor([1.0], dtype=ng.float64)])
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda a: a * 2, [ng.tensor([1.0], requires_grad=True)])


def test_gradcheck_restores_inputs_and_grads():
    x = _x((2, 3))
    before = x.numpy().copy()
    gradcheck(lambda a: (a * a).sum(), [x])
    np.testing.assert_array_equal(x.numpy(), before)
    assert x.grad is None


def test_gradcheck_tolerances():
    x = _x()
    # WrongCube's relative error is 1/3: a loose enough rtol lets it pass.
    assert gradcheck(WrongCube.apply, [x], rtol=0.5, raise_exception=False)


def test_numeric_gradients_are_central_differences():
    x = ng.tensor([1.0, 2.0], dtype=ng.float64, requires_grad=True)
    grads, weights = numeric_gradients(lambda a: (a ** 2).sum(), [x])
    np.testing.assert_allclose(grads[0], 2 * x.numpy() * weights[0], rtol=1e-7)


def test_gradgradcheck_passes_and_catches_lost_second_derivative():
    x = _x()
    assert gradgradcheck(lambda a: a ** 3, [x])
    assert gradcheck(DetachedCube.apply, [x])  # first derivative is right
    with pytest.raises(GradcheckError):
        gradgradcheck(DetachedCube.apply, [x])


def test_gradgradcheck_of_linear_function():
    # The first gradient is a constant: second derivatives are zero on both sides.
    x, y = _x(), _x(seed=1)
    assert gradgradcheck(lambda a, b: a * 3 - b, [x, y])


def test_gradcheck_non_contiguous_inputs():
    a = np.random.default_rng(0).standard_normal((3, 2))
    x = ng.tensor(a.T, requires_grad=True)  # keeps NumPy's Fortran order
    assert gradcheck(lambda t: t.exp() * t, [x])
    y = ng.tensor(np.arange(12.0).reshape(3, 4) / 10)[:, ::2].detach().requires_grad_()
    assert gradcheck(lambda t: (t @ t.T).exp(), [y])
    np.testing.assert_array_equal(y.numpy(), np.arange(12.0).reshape(3, 4)[:, ::2] / 10)
