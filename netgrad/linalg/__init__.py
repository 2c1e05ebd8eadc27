"""``netgrad.linalg``: PyTorch's ``torch.linalg`` (real matrices, batched over leading dims), with
gradients by PyTorch's formulas. The ops live in ``netgrad.functional`` (decomp.py, linalg_extra.py).

>>> import netgrad as ng
>>> ng.linalg.solve(ng.tensor([[2.0, 0.0], [0.0, 4.0]]), ng.tensor([2.0, 2.0]))
tensor([1.0000, 0.5000])
"""

from ..functional.arrange import cross as _cross
from ..functional.arrange import diagonal as _diagonal
from ..functional.decomp import (
    LinAlgError, cholesky, det, inv, qr, slogdet, solve, solve_triangular,
)
from ..functional.linalg_tensor import solve_ex, tensorinv, tensorsolve, vander
from ..functional.spectral import eigh, svd
from ..functional.linalg import matmul
from ..functional.linalg_extra import (
    cholesky_ex, cond, eigvalsh, inv_ex, lstsq, matrix_exp, matrix_norm, matrix_power, matrix_rank,
    multi_dot, norm, pinv, svdvals, vecdot, vector_norm,
)

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh",
           "inv", "inv_ex", "lstsq", "matmul", "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank",
           "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd",
           "svdvals", "tensorinv", "tensorsolve", "vander", "vecdot", "vector_norm"]


def cross(input, other, *, dim: int = -1, out=None):  # noqa: A002,ANN001,ANN201
    """The cross product of 3-vectors along ``dim`` (default the last, unlike torch.cross)."""
    from ..functional.linalg import with_out

    return with_out(_cross(input, other, dim), out, "linalg.cross")


def diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1):  # noqa: ANN001,ANN201
    """The diagonal of the (dim1, dim2) planes, as the last dim (torch.linalg.diagonal's defaults)."""
    return _diagonal(A, offset, dim1, dim2)
