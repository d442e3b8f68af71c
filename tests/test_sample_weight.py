"""sample_weight: integer weights are repeated rows, zero weights dropped rows, scale free."""

import warnings

import numpy as np
import pytest
from _helpers import ESTIMATORS, SOLVERS, fit_quietly, small_estimator, smooth_data

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor


def _weighted_case(seed=3):
    X, y = smooth_data(n=30, seed=seed)
    w = np.random.RandomState(seed).randint(0, 4, size=len(X))
    w[:3] = [1, 2, 3]
    return X, y, w


def _same_model(a, b, X, rtol):
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_integer_weights_equal_repeated_rows(Est, solver):
    X, y, w = _weighted_case()
    weighted = fit_quietly(small_estimator(Est, solver=solver, max_iter=30, tol=0), X, y,
                           sample_weight=w)
    rows = np.repeat(np.arange(len(X)), w)
    repeated = fit_quietly(small_estimator(Est, solver=solver, max_iter=30, tol=0),
                           X[rows], y[rows])
    _same_model(weighted, repeated, X, rtol=1e-7)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_zero_weights_equal_dropping_rows_even_for_outliers(Est, solver):
    """The zero-weighted rows are far outliers in X and y: if the standardisation,
    the centre initialisation or the auto learning rate looked at them, the two
    fits would differ completely."""
    X, y, _ = _weighted_case()
    X_out = np.vstack([X, [[40.0, -35.0], [55.0, 60.0]]])
    y_out = np.concatenate([y, [500.0, -800.0]])
    w = np.concatenate([np.ones(len(X)), [0.0, 0.0]])
    zero = fit_quietly(small_estimator(Est, solver=solver, max_iter=30, tol=0), X_out, y_out,
                sample_weight=w)
    dropped = fit_quietly(small_estimator(Est, solver=solver, max_iter=30, tol=0), X, y)
    _same_model(zero, dropped, X, rtol=1e-8)
    if Est is RBFRegressor:
        np.testing.assert_allclose(zero.centers_, dropped.centers_, rtol=1e-8)


@pytest.mark.parametrize("init", ["kmeans++", "random"])
def test_random_centre_inits_never_pick_zero_weight_rows(init):
    X, y, _ = _weighted_case()
    X_out = np.vstack([X, 50 + np.arange(20.0).reshape(10, 2)])
    y_out = np.concatenate([y, np.full(10, 100.0)])
    w = np.concatenate([np.ones(len(X)), np.zeros(10)])
    est = fit_quietly(RBFRegressor(5, init=init, fit_centers=False, max_iter=1, random_state=0),
               X_out, y_out, sample_weight=w)
    assert np.all(np.abs(est.centers_) <= np.abs(X).max())  # the zero-weight rows: >= 50


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_scaling_all_weights_changes_nothing(Est, solver):
    X, y, w = _weighted_case()
    w = w + 0.5
    make = lambda: small_estimator(Est, solver=solver, max_iter=30, tol=0)  # noqa: E731
    a = fit_quietly(make(), X, y, sample_weight=w)
    b = fit_quietly(make(), X, y, sample_weight=3.7 * w)
    _same_model(a, b, X, rtol=1e-9)


def test_weighted_target_scaling_gives_the_weighted_cost():
    """With standardize=True the curve is J in standardised units. The network's
    first prediction (W2 = 0) is the mean of y, so its first J is half the
    weighted variance of standardised y: exactly 1/2 if and only if y was
    centred and scaled with the weights."""
    X, y, w = _weighted_case()
    y = y + 3 * (w == 3)  # the weighted and unweighted variances differ a lot
    # l2=0: the first J is then the data term alone (the penalty is tested elsewhere)
    # a float learning_rate: the lecture's start, W2 = 0 (the defaults read W2 out)
    net = SigmoidMLPRegressor((4,), max_iter=1, l2=0.0, learning_rate=0.1, random_state=0)
    est = fit_quietly(net, X, y, sample_weight=w)
    assert est.loss_curve_[0] == pytest.approx(0.5, rel=1e-12)
    # what the first J would be had y been standardised without the weights
    unweighted_scaling = 0.5 * np.average((y - y.mean()) ** 2, weights=w) / y.var()
    assert abs(unweighted_scaling - 0.5) > 0.05  # so the check above can fail


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_partial_fit_sample_weight_equals_repeated_rows(Est):
    X, y, w = _weighted_case()
    rows = np.repeat(np.arange(len(X)), w)
    a, b = small_estimator(Est, learning_rate=0.2), small_estimator(Est, learning_rate=0.2)
    for _ in range(3):
        a.partial_fit(X, y, sample_weight=w)
        b.partial_fit(X[rows], y[rows])
    _same_model(a, b, X, rtol=1e-9)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_repeated_rows_of_weights_near_the_largest_float_fit_like_weights_one(Est):
    # the distinct rows summed 1.7e308 + 1.7e308 = inf: "Input X contains NaN" from KMeans
    X, y = smooth_data(n=12)
    X, y = np.vstack([X, X]), np.concatenate([y, y])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        a = fit_quietly(small_estimator(Est, max_iter=30), X, y, sample_weight=np.full(24, 1.7e308))
    b = fit_quietly(small_estimator(Est, max_iter=30), X, y, sample_weight=np.ones(24))
    _same_model(a, b, X, rtol=1e-9)
