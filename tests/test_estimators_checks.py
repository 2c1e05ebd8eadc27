"""scikit-learn's own estimator checks on netgrad's MLPClassifier and MLPRegressor."""

from __future__ import annotations

import inspect

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from netgrad.estimators import MLPClassifier, MLPRegressor  # noqa: E402

# Checks that cannot pass, with the reason (sklearn's expected_failed_checks mechanism).
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {"MLPClassifier": {}, "MLPRegressor": {}}


def _expected_failed(estimator) -> dict[str, str]:
    return EXPECTED_FAILED_CHECKS[type(estimator).__name__]


_KW = ({"expected_failed_checks": _expected_failed}
       if "expected_failed_checks" in inspect.signature(parametrize_with_checks).parameters else {})


@parametrize_with_checks([MLPClassifier(), MLPRegressor()], **_KW)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
