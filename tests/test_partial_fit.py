"""partial_fit: the first call is fit with max_iter=1, each later call one lecture step."""

import numpy as np
import pytest
from _helpers import ESTIMATORS, documented_J, fit_quietly, small_estimator, smooth_data

from sklearn_lecture import SigmoidMLPRegressor


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_first_partial_fit_is_fit_with_max_iter_one(Est):
    X, y = smooth_data()
    a = small_estimator(Est, learning_rate=0.3).partial_fit(X, y)
    b = fit_quietly(small_estimator(Est, learning_rate=0.3, max_iter=1), X, y)
    assert a.n_iter_ == b.n_iter_ == 1
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def _mlp_lecture_step(X, y, est, alpha):
    """The lecture's update of W1 = [coefs_0; intercepts_0] and W2 (raw units)."""
    W1 = np.vstack([est.coefs_[0], est.intercepts_[0]])
    W2 = np.vstack([est.coefs_[1], est.intercepts_[1]])
    n = len(X)
    X1 = np.hstack([X, np.ones((n, 1))])
    A = X1 @ W1
    Z = 1 / (1 + np.exp(-A))
    Z1 = np.hstack([Z, np.ones((n, 1))])
    e = y.reshape(n, -1) - Z1 @ W2
    dJ_dW2 = -Z1.T @ e / n
    dJ_dW1 = -X1.T @ ((e @ W2[:-1].T) * Z * (1 - Z)) / n
    return W1 - alpha * dJ_dW1, W2 - alpha * dJ_dW2


def _rbf_lecture_step(X, y, est, alpha):
    """The lecture's update of c, w and w0 for K units (raw units, J = 1/(2n) sum e^2)."""
    c, b, w, w0 = est.centers_, est.widths_, est.coef_, est.intercept_
    n = len(X)
    D = X[:, None, :] - c[None, :, :]  # x - c_k
    phi = np.exp(-np.sum(D**2, axis=2) / b)
    e = y - phi @ w - w0
    dJ_dw = -phi.T @ e / n
    dJ_dw0 = -np.sum(e) / n
    dJ_dc = -2 * np.einsum("i,ik,ikj->kj", e, w * phi / b, D) / n
    return c - alpha * dJ_dc, w - alpha * dJ_dw, w0 - alpha * dJ_dw0


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_each_partial_fit_is_one_lecture_step_from_the_warm_state(Est):
    X, y = smooth_data(n=60)
    alpha = 0.2
    est = small_estimator(Est, learning_rate=alpha, standardize=False)
    est.partial_fit(X[:30], y[:30])
    for batch in (slice(30, 60), slice(0, 30)):
        Xb, yb = X[batch], y[batch]
        if Est is SigmoidMLPRegressor:
            W1, W2 = _mlp_lecture_step(Xb, yb, est, alpha)
            est.partial_fit(Xb, yb)
            np.testing.assert_allclose(np.vstack([est.coefs_[0], est.intercepts_[0]]), W1,
                                       rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(np.vstack([est.coefs_[1], est.intercepts_[1]]), W2,
                                       rtol=1e-12, atol=1e-14)
        else:
            c, w, w0 = _rbf_lecture_step(Xb, yb, est, alpha)
            est.partial_fit(Xb, yb)
            np.testing.assert_allclose(est.centers_, c, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(est.coef_, w, rtol=1e-12, atol=1e-14)
            assert est.intercept_ == pytest.approx(w0, rel=1e-12, abs=1e-14)
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3
    assert est.learning_rate_ == alpha


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_partial_fit_on_streaming_mini_batches_lowers_J_over_epochs(Est):
    X, y = smooth_data(n=200, seed=5)
    est = small_estimator(Est)  # learning_rate="auto": alpha from the first batch
    rng = np.random.RandomState(0)
    J = []
    for epoch in range(8):
        order = rng.permutation(len(X))
        for i, batch in enumerate(np.array_split(order, 10)):  # mini-batches of 20 rows
            est.partial_fit(X[batch], y[batch])
            if epoch == i == 0:
                J_first = documented_J(est, X, y)  # initialised from batch 1, one step
        J.append(documented_J(est, X, y))  # J on all rows after each epoch
    assert est.n_iter_ == 80 and len(est.loss_curve_) == 80
    # the network's first call reads W2 out on batch 1 (least squares), so its J_first is
    # already low: it is judged against the constant model's J, where its stream starts
    J_mean = float(np.mean((y - y.mean()) ** 2)) / 2
    assert J[-1] < 0.75 * (J_mean if Est is SigmoidMLPRegressor else J_first)
    assert J[-1] < min(J[0], J_first)
