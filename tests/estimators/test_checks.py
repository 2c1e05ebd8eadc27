"""scikit-learn's own estimator checks on netgrad's MLPClassifier and MLPRegressor."""

from __future__ import annotations

import inspect

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from netgrad.estimators import MLPClassifier, MLPRegressor  # noqa: E402

# Checks that cannot pass, with the reason (sklearn's expected_failed_checks mechanism).
_SW_REASON = ("the default solver (adam, shuffled mini-batches, float32) sees other batches when rows "
              "are repeated; the equivalence holds for full-batch fits and lbfgs, see "
              "tests/estimators/test_weights.py (scikit-learn's suite also runs it with lbfgs)")
_SW_CHECKS = {c: _SW_REASON for c in ("check_sample_weight_equivalence_on_dense_data",
                                      "check_sample_weight_equivalence_on_sparse_data")}
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {"MLPClassifier": dict(_SW_CHECKS),
                                                     "MLPRegressor": dict(_SW_CHECKS)}


def _expected_failed(estimator) -> dict[str, str]:
    return EXPECTED_FAILED_CHECKS[type(estimator).__name__]


_KW = ({"expected_failed_checks": _expected_failed}
       if "expected_failed_checks" in inspect.signature(parametrize_with_checks).parameters else {})


@parametrize_with_checks([MLPClassifier(), MLPRegressor()], **_KW)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
