"""The step rule, the L2 penalty and stopping (issue 13), and fixed alphas that diverge (issue 11).

- ``learning_rate="auto"``: every iteration is one lecture update
  ``W <- W - alpha_k dJ/dW`` of every block at once, alpha_k chosen by the
  Barzilai-Borwein rule with a nonmonotone line search;
- a float ``learning_rate`` is exactly the lecture's loop;
- on a convex problem the auto rule reaches the optimum in far fewer iterations
  than the fixed step 1 / L, whose iteration count the condition number bounds;
- defaults converge (no ``ConvergenceWarning``) on small data;
- a fixed alpha that makes J rise ends in a ``DivergenceError`` naming a safe alpha.
"""

import re
import warnings

import numpy as np
import pytest
from _helpers import fit_quietly
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor
from sklearn_lecture._optimizers import DivergenceError


def _sine(n=60, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 3, size=(n, 1))
    return x, np.sin(2 * x[:, 0]) + 0.05 * rng.randn(n)


def _mlp_gradient(X, y, W1, W2, l2):
    """dJ/dW1, dJ/dW2 of J = 1/(2n) sum e^2 + (l2/2)(||W1||^2 + ||W2||^2), biases unpenalised."""
    n = len(X)
    X1 = np.hstack([X, np.ones((n, 1))])
    Z = 1 / (1 + np.exp(-(X1 @ W1)))
    Z1 = np.hstack([Z, np.ones((n, 1))])
    e = y.reshape(n, -1) - Z1 @ W2
    dJ_dW2 = -Z1.T @ e / n
    dJ_dW1 = -X1.T @ ((e @ W2[:-1].T) * Z * (1 - Z)) / n
    dJ_dW1[:-1] += l2 * W1[:-1]  # the penalty: lambda W, for the weights only
    dJ_dW2[:-1] += l2 * W2[:-1]
    return dJ_dW1, dJ_dW2


def _mlp_weights(est):
    return (np.vstack([est.coefs_[0], est.intercepts_[0]]),
            np.vstack([est.coefs_[1], est.intercepts_[1]]))


@pytest.mark.parametrize("k", [1, 7, 30])
def test_each_auto_iteration_is_one_lecture_update_of_every_block(k):
    """The fit with max_iter=k+1 is the fit with max_iter=k plus one update
    W <- W - alpha dJ/dW (gradient written out here), one alpha for W1 and W2."""
    X, y = _sine()
    kw = dict(hidden_layer_sizes=(5,), standardize=False, tol=0, l2=1e-3, random_state=0)
    a = fit_quietly(SigmoidMLPRegressor(max_iter=k, **kw), X, y)
    b = fit_quietly(SigmoidMLPRegressor(max_iter=k + 1, **kw), X, y)
    assert b.n_iter_ == a.n_iter_ + 1 == k + 1
    W1, W2 = _mlp_weights(a)
    g1, g2 = _mlp_gradient(X, y, W1, W2, 1e-3)
    alpha = b.learning_rate_
    B1, B2 = _mlp_weights(b)
    np.testing.assert_allclose(B1, W1 - alpha * g1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(B2, W2 - alpha * g2, rtol=1e-9, atol=1e-12)
    assert alpha > 0


def test_auto_alpha_changes_between_iterations():
    """The rule does adapt alpha (else the test above would test a fixed step)."""
    X, y = _sine()
    kw = dict(hidden_layer_sizes=(5,), standardize=False, tol=0, random_state=0)
    alphas = {fit_quietly(SigmoidMLPRegressor(max_iter=k, **kw), X, y).learning_rate_
              for k in range(2, 12)}
    assert len(alphas) >= 3


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_a_float_learning_rate_is_the_hand_written_lecture_loop(Est):
    """Fixed alpha: 40 iterations of W <- W - alpha dJ/dW, written out, on the lecture's J
    (no penalty: l2="auto" is 0 with a fixed alpha)."""
    X, y = _sine(40)
    alpha = 0.05
    kw = dict(standardize=False, tol=0, learning_rate=alpha, random_state=0)
    if Est is SigmoidMLPRegressor:
        est0 = fit_quietly(Est((6,), max_iter=1, learning_rate=1e-300, standardize=False,
                        random_state=0), X, y)
        W1, W2 = _mlp_weights(est0)  # the initial weights (a step of 1e-300 changes nothing)
        curve = []
        for _ in range(40):
            n = len(X)
            X1 = np.hstack([X, np.ones((n, 1))])
            Z1 = np.hstack([1 / (1 + np.exp(-(X1 @ W1))), np.ones((n, 1))])
            curve.append(0.5 * np.sum((y[:, None] - Z1 @ W2) ** 2) / n)
            g1, g2 = _mlp_gradient(X, y, W1, W2, 0.0)
            W1, W2 = W1 - alpha * g1, W2 - alpha * g2
        est = fit_quietly(Est((6,), max_iter=40, **kw), X, y)
        E1, E2 = _mlp_weights(est)
        np.testing.assert_allclose(E1, W1, rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(E2, W2, rtol=1e-11, atol=1e-13)
    else:
        est0 = fit_quietly(Est(4, max_iter=1, learning_rate=1e-300, standardize=False), X, y)
        c, b, w, w0 = est0.centers_, est0.widths_, est0.coef_, est0.intercept_
        curve = []
        for _ in range(40):
            n = len(X)
            D = X[:, None, :] - c[None, :, :]
            phi = np.exp(-np.sum(D**2, axis=2) / b)
            e = y - phi @ w - w0
            curve.append(0.5 * np.sum(e**2) / n)
            dJ_dc = -2 * np.einsum("i,ik,ikj->kj", e, w * phi / b, D) / n
            c, w, w0 = c - alpha * dJ_dc, w + alpha * phi.T @ e / n, w0 + alpha * np.sum(e) / n
        est = fit_quietly(Est(4, max_iter=40, **kw), X, y)
        np.testing.assert_allclose(est.centers_, c, rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(est.coef_, w, rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(est.intercept_, w0, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(est.loss_curve_, curve, rtol=1e-11)
    assert est.learning_rate_ == alpha and est.n_iter_ == 40


def test_auto_rule_reaches_a_convex_optimum_far_sooner_than_the_fixed_step():
    """RBF read-out with the centres fixed: J(w, w0) is a convex quadratic with
    Hessian H = [phi 1]^T [phi 1] / n + l2 diag(1, ..., 1, 0). Gradient descent
    with the fixed step 1/L (L = lambda_max(H), mu = lambda_min(H), kappa = L/mu)
    has J_k - J* <= (1 - 1/kappa)^k (J_0 - J*), so it needs up to
    k_fixed = kappa ln((J_0 - J*) / eps) iterations, and along the slowest
    eigenvector it needs about that many. The auto rule's steps are capped at
    5 alpha0 (about 5/L), so along that eigenvector it needs at least
    k_fixed / 5: it can be at most 5 times faster. It must get the parameters
    to 1e-8 of the optimum within k_fixed / 3 iterations, where the fixed step
    is still far away (measured here: kappa ~ 1900, the auto rule at 3e-9 after
    10,000 iterations, the fixed step at 3e-4)."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(80, 1))
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.randn(80)
    l2 = 1e-3
    kw = dict(n_centers=8, fit_centers=False, standardize=False, l2=l2, tol=0)
    start = fit_quietly(RBFRegressor(max_iter=1, learning_rate=1e-300, **kw), X, y)
    phi = np.exp(-((X - start.centers_.T) ** 2) / start.widths_)
    F = np.hstack([phi, np.ones((80, 1))])
    D = np.diag([1.0] * 8 + [0.0])
    H = F.T @ F / 80 + l2 * D
    optimum = np.linalg.solve(H, F.T @ y / 80)
    lam = np.linalg.eigvalsh(H)
    L, kappa = lam[-1], lam[-1] / lam[0]

    def J(theta):
        e = y - F @ theta
        return 0.5 * e @ e / 80 + 0.5 * l2 * theta[:8] @ theta[:8]

    theta0 = np.append(start.coef_, start.intercept_)
    k_fixed = kappa * np.log((J(theta0) - J(optimum)) / 1e-16)  # eps on J ~ (1e-8)^2
    k_auto = int(k_fixed / 3)
    assert k_auto > 20  # the problem is ill-conditioned enough to tell the rules apart
    auto = fit_quietly(RBFRegressor(max_iter=k_auto, n_iter_no_change=10**9, **kw), X, y)
    fixed = fit_quietly(RBFRegressor(max_iter=k_auto, learning_rate=1 / L,
                              n_iter_no_change=10**9, **kw), X, y)
    err_auto = np.max(np.abs(np.append(auto.coef_, auto.intercept_) - optimum))
    err_fixed = np.max(np.abs(np.append(fixed.coef_, fixed.intercept_) - optimum))
    assert err_auto < 1e-8, (err_auto, k_auto, kappa)
    assert err_fixed > 1e-6, err_fixed  # the fixed step 1/L is nowhere near yet


def _small_sets():
    X, y = load_diabetes(return_X_y=True)
    rows = np.random.RandomState(5).choice(len(X), 64, replace=False)
    Xs, ys = _sine(100, seed=3)
    return [(X[rows], y[rows]), (Xs, ys)]


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_defaults_converge_on_small_data(Est, solver):
    for X, y in _small_sets():
        est = Est(solver=solver, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            est.fit(X, y)
        assert est.n_iter_ < est.max_iter
        assert est.score(X, y) > 0.3


# ------------------------------------------------- fixed alphas that diverge
@pytest.mark.parametrize(
    "est",
    [SigmoidMLPRegressor(learning_rate=0.5, random_state=0), RBFRegressor(learning_rate=1.0)],
    ids=["mlp-0.5", "rbf-1.0"],
)
def test_a_fixed_learning_rate_that_raises_J_is_an_error_naming_a_safe_one(est):
    X, y = make_friedman1(500, noise=1.0, random_state=0)
    with pytest.raises(DivergenceError, match=r"use learning_rate=([0-9.e+-]+)") as info:
        fit_quietly(est, X, y)
    assert isinstance(info.value, ValueError)
    safe = float(re.search(r"use learning_rate=([0-9.e+-]+) ", str(info.value)).group(1))
    assert safe < est.learning_rate
    fitted = fit_quietly(est.set_params(learning_rate=safe), X, y)  # the advice works
    assert fitted.loss_curve_[-1] < fitted.loss_curve_[0]
    assert max(fitted.loss_curve_) <= fitted.loss_curve_[0]


# ------------------------------------------------------------- the L2 penalty
@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_the_penalty_is_half_lambda_times_the_squared_weights(Est):
    """J = 1/(2n) sum e^2 + (lambda/2) ||W||^2: the first J with and without it differ
    by exactly the penalty of the initial weights (W1 for the network, whose W2
    starts at 0; w for the RBF model; never the intercepts)."""
    X, y = _sine(40)
    kw = dict(standardize=False, max_iter=1, learning_rate=1e-300, random_state=0)
    # the RBF start is given: its least-squares read-out depends on lambda
    rbf = {"n_centers": 4, "coef_init": np.linspace(-1.0, 1.0, 4), "intercept_init": 0.0}
    small = rbf if Est is RBFRegressor else {"hidden_layer_sizes": (5,)}
    with_l2 = fit_quietly(Est(**small, l2=0.7, **kw), X, y)
    without = fit_quietly(Est(**small, l2=0.0, **kw), X, y)
    W = with_l2.coef_ if Est is RBFRegressor else with_l2.coefs_[0]
    expected = 0.5 * 0.7 * np.sum(W**2)
    assert expected > 0.01
    assert with_l2.loss_curve_[0] - without.loss_curve_[0] == pytest.approx(expected, rel=1e-10)


# ------------------------------------------------------- the ConvergenceWarning
@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_convergence_warning_points_at_the_callers_line_with_advice_for_its_solver(solver):
    X, y = _sine(40)
    est = SigmoidMLPRegressor((5,), solver=solver, max_iter=3, tol=0, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)  # the warning must name this line
    (w,) = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert w.filename == __file__
    message = str(w.message)
    assert "max_iter=3" in message and "l2" in message
    assert ("L-BFGS" in message) == (solver == "lbfgs")
    assert ("solver='lbfgs'" in message) == (solver == "gd")  # far faster on large data
    assert "learning_rate" not in message  # lbfgs has none; for gd alpha is not the advice


# ------------------------------------------------- the Barzilai-Borwein step itself
def test_the_bb_step_is_an_inverse_curvature_along_the_last_step_within_its_cap():
    """On J = 1/2 theta.A theta, y = A s: the long step s.s / s.y after odd
    iterations, the short step s.y / y.y after even ones, both between
    1 / lambda_max and 1 / lambda_min of A; twice the last alpha when s.y <= 0 (J curves
    down along s); at most 5 alpha0."""
    from sklearn_lecture._step import StepRule

    A = np.diag([1.0, 4.0])
    s = np.array([1.0, 1.0])
    y = A @ s
    rule = StepRule(alpha0=0.25, adaptive=True, long_steps=False)  # 1 / lambda_max
    bb = rule._barzilai_borwein
    long, short = bb(s, y, iteration=1), bb(s, y, iteration=2)
    assert long == pytest.approx(2 / 5) and short == pytest.approx(5 / 17)
    assert 1 / 4 <= short <= long <= 1 / 1
    assert bb(s, -y, iteration=1) == 0.5  # J curves down: twice the last alpha (alpha0) ...
    rule.used = 1.0
    assert bb(s, -y, iteration=2) == 5 * 0.25  # ... within the cap
    flat = np.diag([1e-3, 4.0]) @ np.array([1.0, 0.0])  # curvature 1e-3 along s = e1
    assert bb(np.array([1.0, 0.0]), flat, iteration=1) == 5 * 0.25  # the short cap
    long_rule = StepRule(alpha0=0.25, adaptive=True, long_steps=True)
    assert long_rule._barzilai_borwein(np.array([1.0, 0.0]), flat, iteration=1) == 1e3


def test_from_the_top_of_a_concave_bump_the_auto_steps_grow_until_j_curves_up():
    """J = -theta^2 / 2 + theta^4 / 4 from theta = 1e-3, next to its maximum at 0: J curves down
    along every early step (s.y < 0), so alpha doubles per update and the valley at theta = 1 is
    reached in a few dozen updates; at alpha0 theta grew by alpha0 = 1% per update (670 updates)."""
    from sklearn_lecture._optimizers import gradient_descent
    from sklearn_lecture._step import StepRule

    def objective(theta):
        return float(-(theta @ theta) / 2 + (theta**4).sum() / 4), -theta + theta**3

    rule = StepRule(alpha0=0.01, adaptive=True)
    theta, record = gradient_descent(objective, np.array([1e-3]), rule=rule, max_iter=2000, tol=0)
    assert theta[0] == pytest.approx(1.0, abs=1e-6)
    assert record.n_iter <= 60


def test_a_barzilai_borwein_step_whose_y_y_underflows_is_alpha0():
    # s.y = 1 > 0 but y.y = 1e-340 underflows to 0: "ZeroDivisionError: float division by zero"
    from sklearn_lecture._step import StepRule

    rule = StepRule(alpha0=0.25, adaptive=True)
    assert rule._barzilai_borwein(np.array([1e170]), np.array([1e-170]), iteration=2) == 0.25


# ------------------------------------------------ the line search (issue 21)
@pytest.mark.parametrize("alpha0", [1e-6, 1e-2])
@pytest.mark.parametrize("gamma", [None, 0.5])
def test_every_accepted_auto_step_passes_the_nonmonotone_armijo_test_on_a_convex_quadratic(
    alpha0, gamma, monkeypatch
):
    """J = 1/2 W.A W, A ill-conditioned: every point the auto rule accepts has
    J(W') <= max(last M values of J) + gamma dJ/dW . (W' - W); J ends far below its start.
    gamma = 0.5 (besides the rule's own) makes a test with its sign flipped show."""
    from sklearn_lecture import _step
    from sklearn_lecture._optimizers import gradient_descent
    from sklearn_lecture._step import NONMONOTONE_MEMORY, StepRule

    if gamma is not None:
        monkeypatch.setattr(_step, "ARMIJO", gamma)
    ARMIJO = _step.ARMIJO

    A = np.diag(np.logspace(0, 6, 100))

    def J(W):
        return 0.5 * float(W @ A @ W)

    path = [np.ones(100)]  # the accepted points, through the monitor
    monitor = lambda W: path.append(W.copy()) or 0.0  # noqa: E731
    rule = StepRule(alpha0=alpha0, adaptive=True)  # 1e-6 = 1 / lambda_max; 1e-2 too long
    gradient_descent(
        lambda W: (J(W), A @ W), path[0], rule=rule, max_iter=200, tol=0.0,
        n_iter_no_change=np.inf, monitor=monitor,
    )
    assert len(path) > 100
    for k in range(1, len(path)):
        W, W_new = path[k - 1], path[k]
        J_ref = max(J(P) for P in path[max(0, k - NONMONOTONE_MEMORY) : k])
        assert J(W_new) <= J_ref + ARMIJO * float((A @ W) @ (W_new - W)), k
    assert J(path[-1]) < 1e-3 * J(path[0])


# ------------------------------------------- the two promises (issue 21)
def _surface(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 3, size=(n, 2))
    return X, np.sin(X[:, 0]) * np.cos(X[:, 1]) + 0.1 * rng.randn(n)


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_auto_on_shifted_x_is_equally_good_and_a_float_rate_is_exact(Est):
    """learning_rate="auto" (long steps): held-out R^2 on X + 1e3 and on X within 0.01
    (mean over seeds); a float learning rate: the same predictions to 1e-8."""
    gaps = []
    for seed in range(3):
        X, y = _surface(800, seed)
        Xt, yt = _surface(400, seed + 10)
        a = fit_quietly(Est(random_state=seed), X, y).score(Xt, yt)
        b = fit_quietly(Est(random_state=seed), X + 1e3, y).score(Xt + 1e3, yt)
        gaps.append(a - b)
    assert abs(np.mean(gaps)) <= 0.01, gaps
    X, y = _surface(800, 0)
    alpha = fit_quietly(Est(max_iter=1, random_state=0), X, y).learning_rate_
    kw = dict(learning_rate=alpha, max_iter=100, random_state=0)
    a = fit_quietly(Est(**kw), X, y).predict(X)
    b = fit_quietly(Est(**kw), X + 1e3, y).predict(X + 1e3)
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-8 * np.std(y))


# ------------------------------------------------------- stopping (issue 21)
def test_a_fit_whose_J_still_falls_by_more_than_tol_does_not_stop():
    """Every iteration lowers J by more than tol: the rule never ends the fit."""
    X, y = _sine(80)
    est = fit_quietly(SigmoidMLPRegressor(learning_rate=0.05, tol=1e-7, max_iter=300,
                                          n_iter_no_change=3, random_state=0), X, y)
    falls = -np.diff(est.loss_curve_)
    assert falls.min() > 1e-7  # the case at hand
    assert est.n_iter_ == 300


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
@pytest.mark.parametrize("learning_rate", ["auto", 0.05])
def test_n_iter_no_change_none_runs_exactly_max_iter_updates_without_a_warning(Est, learning_rate):
    """The slides' replays: n_iter_no_change=None is exactly max_iter updates, no warning."""
    X, y = _sine(40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = Est(learning_rate=learning_rate, max_iter=500, n_iter_no_change=None,
                  random_state=0).fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) == 500


# ------------------------------------------- fixed alphas that diverge (issue 22)
_ENDINGS = {
    "max_iter": dict(max_iter=3),
    "n_iter_no_change": dict(max_iter=100, n_iter_no_change=2, tol=1e9),
    "early_stopping": dict(max_iter=100, n_iter_no_change=2, early_stopping=True),
}


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
@pytest.mark.parametrize("ending", list(_ENDINGS))
def test_a_diverging_fixed_rate_in_a_short_fit_is_an_error_advising_a_rate_that_works(Est, ending):
    """However the fit ends, J at the parameters returned above its start is an error, and
    the rate it advises (from alpha0) fits without one."""
    X, y = make_friedman1(300, noise=1.0, random_state=0)
    kw = dict(random_state=0, **_ENDINGS[ending])
    with pytest.raises(DivergenceError, match="use learning_rate=") as info:
        fit_quietly(Est(learning_rate=50.0, **kw), X, y)
    safe = float(re.search(r"use learning_rate=([0-9.e+-]+) ", str(info.value)).group(1))
    est = fit_quietly(Est(learning_rate=safe, **kw), X, y)
    assert est.score(X, y) > 0


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_partial_fit_with_a_diverging_rate_does_not_diverge_in_silence(Est):
    X, y = make_friedman1(300, noise=1.0, random_state=0)
    est = Est(learning_rate=50.0, random_state=0)
    with pytest.raises(DivergenceError):
        for _ in range(40):
            est.partial_fit(X, y)


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_an_l2_that_overflows_is_a_value_error_about_l2(solver):
    X, y = _sine(40)
    with pytest.raises(ValueError, match="l2=1.7e\\+308 is too large.*smaller l2"):
        SigmoidMLPRegressor(solver=solver, l2=1.7e308).fit(X, y)


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_the_starting_alpha_accounts_for_the_penalty(Est):
    """alpha0 = 1 / (lambda_max + l2): with l2 = 100 it is 1 / (1 / alpha0(l2=0) + 100)."""
    X, y = _sine(60)
    kw = dict(max_iter=1, learning_rate="auto", random_state=0)
    if Est is RBFRegressor:  # its default start solves for w under the penalty: J is flat there
        kw.update(n_centers=5, coef_init=np.ones(5), intercept_init=0.0)
    # a fixed alpha that diverges advises alpha0 (at most half the rate given)
    alphas = {}
    for l2 in (0.0, 100.0):
        with pytest.raises(DivergenceError) as info:
            fit_quietly(Est(l2=l2, **{**kw, "learning_rate": 1e4}), X, y)
        alphas[l2] = float(re.search(r"use learning_rate=([0-9.e+-]+) ", str(info.value)).group(1))
    assert alphas[100.0] == pytest.approx(1 / (1 / alphas[0.0] + 100.0), rel=2e-3)
