"""erf, erfc and erfinv on ndarrays in NumPy alone (no SciPy), to float64 accuracy.

erf and erfc are W. J. Cody's rational Chebyshev approximations (Math. Comp. 23 (1969) 631-637;
his CALERF routine, netlib specfun): max relative error below 1e-16 in each of three ranges,
|x| <= 0.46875 (erf = x P(x^2) / Q(x^2)), 0.46875 < |x| <= 4 (erfc = e^-x^2 P(|x|) / Q(|x|)) and
|x| > 4 (asymptotic form in 1/x^2). e^-x^2 is formed as e^-t^2 e^-(x-t)(x+t) with t = x rounded
down to 1/16, which keeps the rounding error of x^2 out of the exponent (as CALERF does).
erfinv starts from a rational approximation good to ~1e-9 and takes two Halley steps on erf
(centre) or erfc (tails, where 1 - |y| is exact and erfc keeps relative accuracy).
Inputs of any floating dtype are computed in float64 and returned in the input's dtype.

>>> import numpy as np
>>> float(erf(np.array(0.5)))
0.5204998778130465
>>> round(float(erfinv(erf(np.array(0.5)))), 15)
0.5
"""

from __future__ import annotations

import numpy as np

__all__ = ["erf", "erfc", "erfinv"]

_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_RSQRTPI = 0.56418958354775628695
_TWO_RSQRTPI = 1.1283791670955125739


def _small(y: np.ndarray) -> np.ndarray:
    """erf(y) / y for |y| <= 0.46875, y^2 given."""
    z = y * y
    num, den = _A[4] * z, z
    for i in range(3):
        num = (num + _A[i]) * z
        den = (den + _B[i]) * z
    return (num + _A[3]) / (den + _B[3])


def _exp_neg_sq(y: np.ndarray) -> np.ndarray:
    """e^-y^2 without the rounding error of y^2 in the exponent (y >= 0)."""
    t = np.trunc(y * 16.0) / 16.0
    return np.exp(-t * t) * np.exp(-(y - t) * (y + t))


def _erfc_pos(y: np.ndarray) -> np.ndarray:
    """erfc(y) for y > 0.46875 (any such array; NaN passes through)."""
    y = np.minimum(y, 40.0)  # erfc underflows to 0 from 27.3 on; keeps y^2 finite
    mid = y <= 4.0
    ym = np.where(mid, y, 4.0)
    num, den = _C[8] * ym, ym
    for i in range(7):
        num = (num + _C[i]) * ym
        den = (den + _D[i]) * ym
    r_mid = (num + _C[7]) / (den + _D[7])
    yt = np.where(mid, 5.0, y)
    z = 1.0 / (yt * yt)
    num, den = _P[5] * z, z
    for i in range(4):
        num = (num + _P[i]) * z
        den = (den + _Q[i]) * z
    r_tail = (_RSQRTPI - z * (num + _P[4]) / (den + _Q[4])) / yt
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return np.where(mid, r_mid, r_tail) * _exp_neg_sq(y)


def _as64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, 2/sqrt(pi) int_0^x e^-t^2 dt, elementwise."""
    x = np.asarray(x)
    xd = _as64(x)
    y = np.abs(xd)
    small = y <= 0.46875
    with np.errstate(invalid="ignore"):
        inner = xd * _small(np.where(small, y, 0.0))
        outer = np.copysign(1.0 - _erfc_pos(np.where(small, 1.0, y)), xd)
    out = np.where(small, inner, outer)
    return out.astype(x.dtype) if x.dtype.kind == "f" else out


def erfc(x: np.ndarray) -> np.ndarray:
    """The complementary error function 1 - erf(x), accurate where erf(x) is close to 1."""
    x = np.asarray(x)
    xd = _as64(x)
    y = np.abs(xd)
    small = y <= 0.46875
    with np.errstate(invalid="ignore"):
        inner = 1.0 - xd * _small(np.where(small, y, 0.0))
        tail = _erfc_pos(np.where(small, 1.0, y))
    out = np.where(small, inner, np.where(xd < 0, 2.0 - tail, tail))
    return out.astype(x.dtype) if x.dtype.kind == "f" else out


# Initial approximation of erfinv (the form used by many libraries: rational in y^2 for
# |y| <= 0.7, rational in sqrt(-log((1 - |y|) / 2)) beyond), good to ~1e-6 before Newton.
_IA = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_IB = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_IC = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_ID = (3.543889200, 1.637067800)


def erfinv(y: np.ndarray) -> np.ndarray:
    """The inverse of erf on (-1, 1); +-inf at +-1 and NaN outside [-1, 1]."""
    y = np.asarray(y)
    yd = _as64(y)
    a = np.abs(yd)
    centre = a <= 0.7
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = a * a
        xc = a * (((_IA[3] * z + _IA[2]) * z + _IA[1]) * z + _IA[0]) / (
            (((_IB[3] * z + _IB[2]) * z + _IB[1]) * z + _IB[0]) * z + 1.0)
        q = 1.0 - a  # exact for a >= 0.5
        w = np.sqrt(-np.log(np.where(centre, 0.5, q) / 2.0))
        xt = (((_IC[3] * w + _IC[2]) * w + _IC[1]) * w + _IC[0]) / ((_ID[1] * w + _ID[0]) * w + 1.0)
        x = np.where(centre, xc, xt)
        for _ in range(2):  # Halley: f = erf(x) - |y| in the centre, q - erfc(x) in the tails
            f = np.where(centre, erf(x) - a, q - erfc(x))
            u = f / (_TWO_RSQRTPI * np.exp(-x * x))  # f / f'; f''/f' = -2x for both
            x = x - u / (1.0 + x * u)
        x = np.where(a == 1.0, np.inf, x)
        x = np.where(a > 1.0, np.nan, x)
        out = np.copysign(x, yd)
    return out.astype(y.dtype) if y.dtype.kind == "f" else out
