"""Every slide's loop, typed from the slide, against the estimator given the same start.

The slides minimise ``J = sum e^2`` (section 2, l6rbf1-3) and ``J = 1/2 sum e^2``
(section 3, l3sig) with the step ``a``; the estimators minimise ``1/(2n) sum e^2``,
so they are given ``learning_rate = 2 n a`` or ``n a`` and their ``loss_curve_``
(J before each update) is scaled back by ``2n`` or ``n``. Every entry and the
final parameters must match to 1e-10, and ``n_iter_`` must be the slide's count:
``tol=0`` with ``n_iter_no_change=max_iter`` cannot stop a fit early.
"""


import numpy as np
import pytest
from _helpers import fit_quietly
from scipy.special import expit

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor
from sklearn_lecture.datasets import make_l3sig, make_lecture_bumps
from sklearn_lecture.lecture import (
    SETTINGS,
    l3sig_estimator,
    l6rbf_estimator,
    learning_rate_from_slide,
    slide_cost,
)

RTOL = 1e-10
L6RBF, L3SIG = SETTINGS["l6rbf"], SETTINGS["l3sig"]


def _exactly(n_iter):
    """Stopping settings that run exactly n_iter updates."""
    return dict(max_iter=n_iter, tol=0.0, n_iter_no_change=n_iter)


def _l6rbf_slide(x, y, c, w, w0, b, a, n_iter, train_w, train_w0):
    """ex/ml/l6rbf1-3: the slide's loop (l6rbf3's code; l6rbf1 fixes w = 1, w0 = 0)."""
    J = []
    for it in range(0, n_iter):
        p = np.exp(-(x - c) * (x - c) / b)  # p = exp(-(x-c).mul(x-c)/b)
        e = y - w * p - w0  # e = y-w*p-w0
        dJ_dw = -2 * np.sum(e * p)  # dJ_dw= -2*sum(e.mul(p))
        dJ_dw0 = -2 * np.sum(e)  # dJ_dw0= -2*sum(e)
        dJ_dc = -4 * np.sum(e * (w * p) * (x - c) / b)  # dJ_dc= -4*sum(e.mul(w*p).mul(x-c)/b)
        if train_w:
            w = w - a * dJ_dw
        if train_w0:
            w0 = w0 - a * dJ_dw0
        c = c - a * dJ_dc
        J.append(e @ e)  # e2= e*e.T()
    return c, w, w0, np.array(J)


L6RBF_CASES = [
    # (example, c0, trains w, trains w0, starting w, starting w0, iterations)
    *[("l6rbf1", c0, False, False, 1.0, 0.0, SETTINGS["l6rbf1"]["n_iter"].value)
      for c0 in SETTINGS["l6rbf1"]["c0"].value],
    *[("l6rbf2", c0, True, False, SETTINGS["l6rbf2"]["w_start"].value, 0.0,
       SETTINGS["l6rbf2"]["n_iter"].value) for c0 in SETTINGS["l6rbf2"]["c0"].value],
    ("l6rbf3", SETTINGS["l6rbf3"]["c0"].value, True, True, SETTINGS["l6rbf3"]["w_start"].value,
     SETTINGS["l6rbf3"]["w0_start"].value, SETTINGS["l6rbf3"]["n_iter"].value),
]


@pytest.mark.parametrize("example, c0, train_w, train_w0, w_start, w0_start, n_iter",
                         L6RBF_CASES)
def test_l6rbf_slide_loop_equals_the_estimator(example, c0, train_w, train_w0, w_start,
                                               w0_start, n_iter):
    X, y = make_lecture_bumps()
    x, n = X.ravel(), len(y)
    b, a = L6RBF["b"].value, L6RBF["a"].value
    c, w, w0, J_slide = _l6rbf_slide(x, y, c0, w_start, w0_start, b, a, n_iter,
                                     train_w, train_w0)
    alpha = 2 * n * a  # the slide's J = sum e^2 is 2n times ours
    assert alpha == learning_rate_from_slide(a, n, "sum")
    est = RBFRegressor(
        n_centers=1, init=[[c0]], width=b, fit_weights=train_w, fit_intercept=train_w0,
        coef_init=[w_start], intercept_init=w0_start, learning_rate=alpha,
        standardize=False, **_exactly(n_iter),
    )
    fit_quietly(est, X, y)
    assert est.n_iter_ == n_iter and len(est.loss_curve_) == n_iter
    np.testing.assert_allclose(slide_cost(est.loss_curve_, n, "sum"), J_slide, rtol=RTOL)
    np.testing.assert_allclose(2 * n * np.array(est.loss_curve_), J_slide, rtol=RTOL)
    np.testing.assert_allclose(est.centers_[0, 0], c, rtol=RTOL)
    np.testing.assert_allclose(est.coef_[0], w, rtol=RTOL)
    np.testing.assert_allclose(est.intercept_, w0, rtol=RTOL, atol=0)
    assert est.widths_[0] == b
    if not train_w:
        assert est.coef_[0] == 1.0 and est.intercept_ == 0.0
    # the main job (python -m sklearn_lecture) replays the slide the same way
    main_job = fit_quietly(l6rbf_estimator(example, c0, n_iter, n), X, y)
    assert main_job.loss_curve_ == est.loss_curve_


def _l3sig_slide(x, y, W1, W2, a, n_iter):
    """ex l3sig: Z = Phi([x I] W1), Yhat = [Z I] W2, J = 1/2 e^T e, W <- W - a dJ/dW."""
    n, h = len(x), W1.shape[1]
    X = np.hstack([x, np.ones((n, 1))])  # X = x; X[:, 2] = 1
    I = np.ones((n, 1))  # noqa: E741, the slide's name
    J = []
    for it in range(n_iter):
        Z = expit(X @ W1)  # Phi = 1 / (1 + e^-x)
        e = y - np.hstack([Z, I]) @ W2
        dJ_dW1 = -X.T @ ((e @ W2[:h].T) * (Z * (1 - Z)))  # -[x I]^T (e W2^T o Phi')
        dJ_dW2 = -np.hstack([Z, I]).T @ e  # -[Z I]^T e
        W1 = W1 - a * dJ_dW1
        W2 = W2 - a * dJ_dW2
        J.append(0.5 * (e.T @ e).item())  # J = 1/2 e^T e
    return W1, W2, np.array(J)


def _l3sig_start(h, seed):
    """The slide's W1 = randn(2, h), W2 = randn(h + 1, 1)."""
    rng = np.random.RandomState(seed)
    return rng.randn(2, h), rng.randn(h + 1, 1)


def _l3sig_estimator(W1, W2, alpha, n_iter):
    """The lecture's method: raw data, the slide's start, a fixed alpha."""
    h = W1.shape[1]
    return SigmoidMLPRegressor(
        hidden_layer_sizes=(h,), coefs_init=[W1[:1], W2[:h]],
        intercepts_init=[W1[1], W2[h]], learning_rate=alpha, standardize=False,
        **_exactly(n_iter),
    )


@pytest.mark.parametrize("h", L3SIG["h"].value)
def test_l3sig_slide_loop_equals_the_estimator(h):
    X, y = make_l3sig()
    n, a, n_iter = len(y), L3SIG["a"].value, L3SIG["n_iter"].value
    W1, W2 = _l3sig_start(h, seed=0)
    W1_slide, W2_slide, J_slide = _l3sig_slide(X, y.reshape(-1, 1), W1, W2, a, n_iter)
    alpha = n * a  # the slide's J = 1/2 sum e^2 is n times ours
    assert alpha == learning_rate_from_slide(a, n, "half_sum")
    net = fit_quietly(_l3sig_estimator(W1, W2, alpha, n_iter), X, y)
    assert net.n_iter_ == n_iter and len(net.loss_curve_) == n_iter
    np.testing.assert_allclose(n * np.array(net.loss_curve_), J_slide, rtol=RTOL)
    np.testing.assert_allclose(np.vstack([net.coefs_[0], net.intercepts_[0]]), W1_slide,
                               rtol=RTOL)
    np.testing.assert_allclose(np.vstack([net.coefs_[1], net.intercepts_[1]]), W2_slide,
                               rtol=RTOL)
    # the main job (python -m sklearn_lecture) replays the slide the same way
    main_job = fit_quietly(l3sig_estimator(h, n_iter, n, random_state=0), X, y)
    assert main_job.loss_curve_ == net.loss_curve_


def test_l3sig_larger_hidden_space_ends_lower_with_the_lectures_method():
    """The slide "hidden space increases estimation performance", h = 20 -> 200, as the
    main job's l3sig figure runs it: the same fixed step a for both, the slide's random
    starts (seeds 0, 1, 2: the figure draws seed 0), 2000 updates."""
    X, y = make_l3sig()
    n, n_iter = len(y), L3SIG["n_iter"].value
    for seed in range(3):
        final = {}
        for h in L3SIG["h"].value:
            net = fit_quietly(l3sig_estimator(h, n_iter, n, random_state=seed), X, y)
            assert net.learning_rate_ == n * L3SIG["a"].value  # the same alpha for both
            final[h] = net.loss_curve_[-1]
        assert final[200] < final[20], (seed, final)


def test_exactly_k_updates_is_asked_without_a_convergence_warning():
    """tol=0 with n_iter_no_change=max_iter runs the slide's loop; no ConvergenceWarning,
    whose advice (raise max_iter, a larger tol) does not fit a loop of fixed length."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X, y = make_lecture_bumps()
    Xs, ys = make_l3sig()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        rbf = l6rbf_estimator("l6rbf3", 1.0, 50, len(y)).fit(X, y)
        net = l3sig_estimator(20, 50, len(ys), random_state=0).fit(Xs, ys)
    assert rbf.n_iter_ == net.n_iter_ == 50
    # any other stopping rule that runs out of iterations still warns
    with pytest.warns(ConvergenceWarning, match="max_iter=50"):
        l6rbf_estimator("l6rbf3", 1.0, 50, len(y)).set_params(n_iter_no_change=60).fit(X, y)


def test_datasets_and_slide_conversions():
    """The datasets' shapes and values, and the slides' step and J (were doctests)."""
    from sklearn_lecture.datasets import make_three_regions

    X, y = make_lecture_bumps()
    assert (X.shape, y.shape) == ((60, 1), (60,))
    X, y = make_l3sig()
    assert (float(X[2, 0]), float(y[2])) == (2.0, -0.0)
    X, y = make_three_regions(30)
    assert (X.shape, y.shape) == ((30, 1), (30,))
    assert learning_rate_from_slide(1e-3, n_samples=60, cost="sum") == 0.12  # l6rbf: 2 n a
    assert learning_rate_from_slide(1e-3, n_samples=11, cost="half_sum") == 0.011  # l3sig: n a
    assert float(slide_cost([0.5], n_samples=60, cost="sum")[0]) == 60.0  # sum e^2 = 2n J
