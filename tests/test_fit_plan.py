"""The fit plan (fresh, warm start, first and later partial_fit) and the public views of a fit.

``FitPlan`` decides once per call what the call continues and what it keeps;
these tests check what each plan stores (``n_iter_``, ``loss_curve_``, the
standardisation, ``learning_rate_``), and that ``training_problem`` and
``hidden_features`` show the problem and the features ``fit`` and ``predict`` use.
"""

from functools import partial

import numpy as np
import pytest
from _helpers import NAMES, fit_quietly, make_estimator

from sklearn_lecture import SigmoidMLPRegressor, training_problem
from sklearn_lecture._base import FitPlan

# 5 hidden units or 5 centres, reproducible
ESTIMATORS = [partial(make_estimator, name, units=5, random_state=0) for name in NAMES]
IDS = NAMES


def _data(n=60, seed=0):
    """X far from 0 and of unequal spreads, so the standardisation each plan keeps matters."""
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n, 2)) * [3.0, 0.5] + [10.0, -2.0]
    y = np.sin(X[:, 0]) + X[:, 1]
    return X, y


_fit = fit_quietly


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_the_plan_of_each_call(make):
    X, y = _data()
    est = make(max_iter=2)
    assert FitPlan.of(est, incremental=False) is FitPlan.FRESH
    assert FitPlan.of(est, incremental=True) is FitPlan.FIRST_PARTIAL
    _fit(est, X, y)
    assert FitPlan.of(est, incremental=False) is FitPlan.FRESH  # warm_start=False
    assert FitPlan.of(est, incremental=True) is FitPlan.PARTIAL
    est.set_params(warm_start=True)
    assert FitPlan.of(est, incremental=False) is FitPlan.WARM


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_fresh_and_warm_fits_store_their_own_and_the_continued_history(make):
    X, y = _data()
    # Fixed alpha and no standardisation: the warm start continues exactly where
    # the first fit stopped, so 3 + 4 iterations are one fit of 7.
    kw = dict(learning_rate=1e-3, standardize=False, tol=0.0)
    est = _fit(make(max_iter=3, **kw), X, y)
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3
    first = list(est.loss_curve_)
    _fit(est.set_params(warm_start=True, max_iter=4), X, y)
    assert est.n_iter_ == 7 and len(est.loss_curve_) == 7
    assert est.loss_curve_[:3] == first
    assert est.loss_ == est.loss_curve_[-1]
    once = _fit(make(max_iter=7, **kw), X, y)
    np.testing.assert_allclose(est.loss_curve_, once.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(est.predict(X), once.predict(X), rtol=1e-12)
    # warm_start=False starts afresh: the history is that of the new fit only.
    _fit(est.set_params(warm_start=False, max_iter=2), X, y)
    assert est.n_iter_ == 2 and est.loss_curve_ == first[:2]


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_partial_fits_add_one_update_each_in_the_first_calls_units(make):
    X, y = _data()
    est = make()
    est.partial_fit(X[:30], y[:30])
    assert est.n_iter_ == 1 and len(est.loss_curve_) == 1
    standardizer, alpha = est._standardizer_, est.learning_rate_
    est.partial_fit(X[30:], y[30:] * 100)  # another scale: the first call's units stay
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2
    assert est._standardizer_ is standardizer and est.learning_rate_ == alpha
    # fit after partial_fit starts afresh.
    _fit(est.set_params(max_iter=3, tol=0.0), X, y)
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_training_problem_is_the_problem_fit_starts_from(make):
    X, y = _data()
    unfitted = make(max_iter=1)
    problem = training_problem(unfitted, X, y)
    assert not hasattr(unfitted, "n_iter_")  # the estimator is left as it was
    J0, grad = problem.objective(problem.theta0)
    assert grad.shape == problem.theta0.shape
    est = _fit(make(max_iter=1), X, y)
    assert J0 == est.loss_curve_[0]  # the same J, bit for bit
    # A fitted estimator: its fitted parameters, in the units of its fit.
    fitted = training_problem(est, X, y)
    assert fitted.standardizer is est._standardizer_
    for name, value in fitted.layout.unpack(fitted.theta0).items():
        np.testing.assert_allclose(value, est._params_[name], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("two_outputs", [False, True])
@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_hidden_features_and_the_output_layer_give_predict(make, two_outputs, dtype):
    X, y = _data()
    Y = np.c_[y, 3 * y + 50] if two_outputs else y
    est = _fit(make(max_iter=20), X.astype(dtype), Y.astype(dtype))
    F = est.hidden_features(X.astype(dtype))
    if isinstance(est, SigmoidMLPRegressor):
        W, b = est.coefs_[-1], est.intercepts_[-1]
        assert F.shape == (len(X), 5)
    else:
        W, b = est.coef_.T, est.intercept_  # coef_ is (n_outputs, K), as LinearRegression's
        assert F.shape == (len(X), est.n_centers)
    assert F.dtype == dtype
    by_hand = F.astype(np.float64) @ np.asarray(W, dtype=np.float64).reshape(F.shape[1], -1)
    by_hand += np.asarray(b, dtype=np.float64)
    rtol = 1e-10 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(
        by_hand.reshape(np.shape(est.predict(X.astype(dtype)))),
        est.predict(X.astype(dtype)),
        rtol=rtol,
        atol=rtol * np.max(np.abs(Y)),
    )


def test_hidden_features_checks_its_input_as_predict_does():
    X, y = _data()
    est = _fit(ESTIMATORS[0](max_iter=2), X, y)
    with pytest.raises(ValueError, match="features"):
        est.hidden_features(X[:, :1])
