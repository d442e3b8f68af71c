"""l2="auto": no penalty on many rows per parameter, GCV's choice on fewer, a fixed one on few."""

import numpy as np
import pytest
from _helpers import fit_quietly
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor, training_problem
from sklearn_lecture._optimizers import TREND_WINDOW, TrainingRecord
from sklearn_lecture._step import L2_FEW_ROWS, L2_PATH, ROWS_PER_PARAMETER, gcv

ESTIMATORS = [SigmoidMLPRegressor, RBFRegressor]


def _data(n, d=2, noise=0.1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, d))
    y = np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] ** 2 + noise * rng.standard_normal(n)
    return X, y


def test_gcv_is_the_ridge_formula_on_a_model_linear_in_its_parameters():
    """J = ||y - F w||^2 / (2n) + (lambda / 2) ||w||^2: the smoother is
    F (F^T F + n lambda I)^-1 F^T, df its trace, GCV = mse / (1 - df / n)^2."""
    rng = np.random.RandomState(0)
    n, p, lam = 50, 6, 0.3
    F, e = rng.standard_normal((n, p)), rng.standard_normal(n)
    H = F @ np.linalg.solve(F.T @ F + n * lam * np.eye(p), F.T)
    df = np.trace(H)
    score, got = gcv(np.mean(e**2), F.T @ F / n, lam, n)
    assert got == pytest.approx(df, rel=1e-12)
    assert score == pytest.approx(np.mean(e**2) / (1 - df / n) ** 2, rel=1e-12)
    assert gcv(1.0, F.T @ F / n, 0.0, p)[0] == np.inf  # df = n: no rows left to judge
    assert gcv(np.mean(e**2), F.T @ F / n, np.full(p, lam), n) == (score, got)  # one per column


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_gauss_newton_matrix_is_the_central_difference_jacobian(Est):
    """A = sum_i s_i j_i j_i^T / sum s, j_i = dYhat_i / dtheta by central differences,
    for two outputs and sample weights; mse = sum_i s_i ||e_i||^2 / sum s."""
    X, y = _data(12, d=2)
    Y = np.c_[y, np.cos(X[:, 1])]
    sw = np.random.RandomState(1).uniform(0.5, 2.0, size=len(y))
    est = Est(random_state=0).set_params(**({"n_centers": 3} if Est is RBFRegressor else {}))
    objective, _, theta, _ = training_problem(est, X, Y, sample_weight=sw)
    Xt, Yt, s = (np.vstack(b) for b in zip(*objective.rows.blocks()))
    s = s.ravel()

    def yhat(t):
        return est._forward(objective.params(t), Xt)[0].ravel()  # rows x outputs, row-major

    h = 1e-6
    jac = np.empty((Yt.size, theta.size))
    for k in range(theta.size):
        step = np.zeros_like(theta)
        step[k] = h
        jac[:, k] = (yhat(theta + step) - yhat(theta - step)) / (2 * h)
    weights = np.repeat(s, Yt.shape[1])
    A, mse = objective.gauss_newton(theta, lambda params, X: est._forward(params, X)[0])
    np.testing.assert_allclose(A, jac.T @ (jac * weights[:, None]) / s.sum(), rtol=1e-6, atol=1e-9)
    e = Yt.ravel() - yhat(theta)
    assert mse == pytest.approx(np.sum(weights * e**2) / s.sum(), rel=1e-12)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_l2_auto_by_rows_per_trained_parameter(Est):
    p = Est()._n_trained(2, 1)  # 81 for the network, 61 for the RBF model (widths fixed)
    assert p == (81 if Est is SigmoidMLPRegressor else 61)
    many = fit_quietly(Est(random_state=0), *_data(ROWS_PER_PARAMETER * p))
    assert many.l2_ == 0.0  # the rows determine the parameters
    few = fit_quietly(Est(random_state=0), *_data(p - 1))
    assert few.l2_ == L2_FEW_ROWS  # too few rows for GCV to judge
    between = fit_quietly(Est(random_state=0), *_data(2 * p))
    assert between.l2_ in L2_PATH  # GCV's choice
    for solver in ("gd", "lbfgs"):
        assert fit_quietly(Est(solver=solver, l2=0.25, max_iter=5), *_data(2 * p)).l2_ == 0.25


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_a_fixed_learning_rate_is_the_lectures_unpenalised_J(Est):
    X, y = _data(40)
    kw = dict(standardize=False, max_iter=1, random_state=0)
    fixed = fit_quietly(Est(learning_rate=1e-300, **kw), X, y)
    fixed0 = fit_quietly(Est(learning_rate=1e-300, l2=0.0, **kw), X, y)
    assert fixed.loss_curve_ == fixed0.loss_curve_ and fixed.l2_ == 0.0
    auto = fit_quietly(Est(**kw), X, y)
    auto0 = fit_quietly(Est(l2=0.0, **kw), X, y)
    assert auto.loss_curve_[0] > auto0.loss_curve_[0]  # the penalty of the initial weights


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_gcv_penalises_noise_more_than_a_smooth_signal(Est, solver):
    X, signal = _data(200, noise=0.05)
    noise = np.random.RandomState(3).standard_normal(200)
    smooth = fit_quietly(Est(solver=solver, random_state=0), X, signal)
    noisy = fit_quietly(Est(solver=solver, random_state=0), X, noise)
    assert smooth.l2_ < noisy.l2_
    assert smooth.score(X, signal) > 0.95


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_the_gcv_path_shares_max_iter_and_reports_the_updates_it_keeps(Est):
    X, y = _data(160, noise=1.0)
    for max_iter in (4000, 300):
        est = fit_quietly(Est(random_state=0, max_iter=max_iter), X, y)
        assert len(est.loss_curve_) == est.n_iter_ <= max_iter
        assert est.loss_ == est.loss_curve_[-1]


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
@pytest.mark.parametrize("n", [40, 160])  # few rows; the GCV path
def test_a_penalised_fit_sees_weights_as_repeats_and_ignores_row_order(Est, solver, n):
    X, y = _data(n, noise=0.5)
    counts = np.random.RandomState(2).randint(0, 4, size=n)
    weighted = fit_quietly(Est(solver=solver, random_state=0), X, y, sample_weight=counts)
    repeated = fit_quietly(
        Est(solver=solver, random_state=0), X.repeat(counts, 0), y.repeat(counts)
    )
    order = np.random.RandomState(3).permutation(n)
    shuffled = fit_quietly(
        Est(solver=solver, random_state=0), X[order], y[order], sample_weight=counts[order]
    )
    assert weighted.l2_ > 0
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))
    np.testing.assert_array_equal(weighted.predict(X), shuffled.predict(X))


def test_lbfgs_defaults_on_40_noisy_rows_predict_like_linear_regression():
    """The issue's case: L-BFGS's defaults fitted the noise of small data. (The RBF model,
    a sum of bumps, reached R^2 0.78 on these 32-row folds at any lambda with its default
    width; the width of least GCV follows the linear trend.)"""
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(40, 3))
    y = X @ [1.0, -0.5, 0.3] + 0.3 * np.sin(2 * X[:, 0]) + 0.5 * rng.standard_normal(40)
    cv = KFold(5, shuffle=True, random_state=0)

    def r2(est):
        return cross_val_score(make_pipeline(StandardScaler(), est), X, y, cv=cv).mean()

    linear = r2(LinearRegression())
    assert r2(SigmoidMLPRegressor(solver="lbfgs", random_state=0)) >= linear - 0.05
    assert r2(SigmoidMLPRegressor(solver="lbfgs", l2=0.0, random_state=0)) < linear - 0.3
    assert r2(RBFRegressor(solver="lbfgs", random_state=0)) >= linear - 0.05
    assert r2(RBFRegressor(random_state=0)) >= linear - 0.02  # gd's target


def test_rbf_defaults_on_64_rows_of_diabetes_predict_like_linear_regression():
    """The benchmark's diabetes64: the default width fitted bumps to the noise (gd 0.37, lbfgs
    0.33 against LinearRegression's 0.46)."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    rows = np.random.RandomState(5).choice(len(X), 64, replace=False)
    cv = KFold(5, shuffle=True, random_state=0)

    def r2(est):
        return cross_val_score(make_pipeline(StandardScaler(), est), X[rows], y[rows], cv=cv).mean()

    linear = r2(LinearRegression())
    assert r2(RBFRegressor(random_state=0)) >= linear - 0.02
    assert r2(RBFRegressor(solver="lbfgs", random_state=0)) >= linear - 0.05


def _scripted_width_fit(monkeypatch, least, **params):
    """An RBF fit whose width GCV scores are scripted (0.5 at ``least``, else 1, or the list
    ``scores``); the calls made."""
    from sklearn_lecture import _rbf

    calls, scores = [], params.pop("scores", None)

    def scripted(mse, A, lam, n):
        calls.append(n)
        if scores is not None:
            return scores[len(calls) - 1], 0.0
        return (0.5 if len(calls) - 1 == least else 1.0), 0.0

    monkeypatch.setattr(_rbf, "gcv", scripted)
    X, y = params.pop("data")
    fit_params = {"sample_weight": params.pop("sample_weight", None)}
    est = RBFRegressor(random_state=0, max_iter=20, **params)
    return fit_quietly(est, X, y, **fit_params), calls


def test_the_rbf_width_on_few_rows_is_the_widest_multiple_near_the_least_gcv(monkeypatch):
    """Below one row per parameter, width=None tries b0 * WIDTH_FACTORS (scored by GCV on the
    rows, a repeated row counted twice) and starts at the widest within GCV_SLACK of the least
    GCV; b0 is the default width, b is not trained."""
    from sklearn_lecture._rbf import WIDTH_FACTORS

    X, y = _data(30, noise=0.3)  # p = 20 * 2 + 20 + 1 = 61 parameters
    X = np.vstack([X, X[:5]])  # 5 repeated rows: 30 distinct, trained on as weights 2
    y = np.r_[y, y[:5]]
    at_b0, calls = _scripted_width_fit(monkeypatch, 2, data=(X, y))
    assert WIDTH_FACTORS[2] == 1.0
    assert calls == [35] * len(WIDTH_FACTORS)
    weighted, calls = _scripted_width_fit(
        monkeypatch, 2, data=(X[:30] * 1.0, y[:30]), sample_weight=np.r_[[0.5] * 5, [0.25] * 25]
    )
    assert calls == [35] * len(WIDTH_FACTORS)  # weights count rows as repeats, at any scale
    wide, _ = _scripted_width_fit(monkeypatch, 7, data=(X, y))
    np.testing.assert_allclose(wide.widths_, at_b0.widths_ * WIDTH_FACTORS[7], rtol=1e-12)
    scores = [1.0, 1.0, 1.0, 0.5, 0.6, 0.52, 0.53, 0.9]  # 0.52 within 5% of 0.5, 0.53 not
    slack, _ = _scripted_width_fit(monkeypatch, None, data=(X, y), scores=scores)
    np.testing.assert_allclose(slack.widths_, at_b0.widths_ * WIDTH_FACTORS[5], rtol=1e-12)
    given, calls = _scripted_width_fit(monkeypatch, 7, data=(X, y), width=2.0)
    assert calls == [] and np.all(given.widths_ == 2.0)
    many, calls = _scripted_width_fit(monkeypatch, 7, data=_data(100, noise=0.3))
    assert calls == []  # 100 rows for 61 parameters: the default width


def test_every_third_default_rbf_unit_spans_the_data():
    """width=None on more rows than parameters: b_k = b, b, max(b, 6 S), b, b, max(b, 6 S), ...
    with S the mean squared distance of the (standardised) rows from their mean, here d = 2; a
    given width, fit_weights=False or coef_init keep one width for every unit."""
    X, y = _data(200, noise=0.3)
    widths = fit_quietly(RBFRegressor(random_state=0, max_iter=5), X, y).widths_
    b, wide = widths[0], np.arange(20) % 3 == 2
    assert b < 6 * 2 and np.all(widths[~wide] == b)
    np.testing.assert_allclose(widths[wide], 6 * 2, rtol=1e-12)
    heavy = np.random.RandomState(2).lognormal(0, 3, size=(200, 2))  # b > 6 S: every unit b
    widths = fit_quietly(RBFRegressor(random_state=0, max_iter=5), heavy, y).widths_
    assert widths[0] > 6 * 2 and np.all(widths == widths[0])
    huge = (X * 1e19).astype(np.float32)  # 6 S overflows float32 (b does not): every unit b
    est = fit_quietly(RBFRegressor(standardize=False, random_state=0, max_iter=5), huge, y)
    assert np.all(est.widths_ == est.widths_[0]) and np.isfinite(est.widths_[0])
    p = 20 * 2 + 20 + 1  # trained parameters: as many rows already take the wide units
    widths = fit_quietly(RBFRegressor(random_state=0, max_iter=5), *_data(p, noise=0.3)).widths_
    np.testing.assert_allclose(widths[wide], 6 * 2, rtol=1e-12)
    for params in (dict(width=2.0), dict(fit_weights=False), dict(coef_init=np.zeros(20))):
        widths = fit_quietly(RBFRegressor(random_state=0, max_iter=5, **params), X, y).widths_
        assert np.all(widths == widths[0]), params
    # w and w0 start at the least-squares read-out of these units: dJ/dw is about 0 there
    objective, layout, theta, _ = training_problem(RBFRegressor(random_state=0), X, y)
    w = layout.slices["coef"]
    at_zero = theta.copy()
    at_zero[w] = 0.0
    grad, grad_at_zero = objective(theta)[1][w], objective(at_zero)[1][w]
    assert np.abs(grad).max() < 0.05 * np.abs(grad_at_zero).max()


def test_rbf_defaults_on_linear_data_are_within_002_of_linear_regression():
    """A sum of bumps of the centres' spacing follows a linear trend only roughly: with one
    width for every unit 5-fold R^2 was 0.90 against LinearRegression's 0.97; the units that
    span the data carry the trend (issue 21's target: never more than 0.02 below it)."""
    from sklearn.datasets import make_regression

    X, y = make_regression(300, 5, noise=20.0, random_state=0)
    cv = KFold(5, shuffle=True, random_state=0)

    def r2(est):
        return cross_val_score(make_pipeline(StandardScaler(), est), X, y, cv=cv).mean()

    assert r2(RBFRegressor(random_state=0)) >= r2(LinearRegression()) - 0.02


def test_a_quiet_stretch_does_not_stop_a_fit_whose_J_still_falls():
    """Gradient descent's nonmonotone steps lower J in bursts: 10 quiet iterations are
    not the end while J falls by more than tol per iteration over the longer window."""
    tol, patience = 1e-5, 10
    window = TREND_WINDOW * patience
    bursty = TrainingRecord(tol=tol, n_iter_no_change=patience, trend=True)
    J, stopped_at = 1.0, None
    for it in range(5 * window):
        J -= 10 * tol if it < 50 else (40 * tol if it % 20 == 0 else 0.0)  # 2 tol on average
        if bursty.record(np.zeros(1), J):
            stopped_at = it
            break
    assert stopped_at is None
    plain = TrainingRecord(tol=tol, n_iter_no_change=patience)  # L-BFGS, a fixed alpha
    assert any(plain.record(np.zeros(1), 1.0 - 40 * tol * (k == 0)) for k in range(2 * patience))
    slow = TrainingRecord(tol=tol, n_iter_no_change=patience, trend=True)
    curve = [1.0 - 0.5 * tol * k for k in range(5 * window)]  # half of tol per iteration
    stops = [k for k, J in enumerate(curve) if slow.record(np.zeros(1), J)]
    assert stops and stops[0] == patience  # J falls by less than tol: the rule ends it


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_rows_per_parameter_are_counted_by_distinct_rows(solver):
    """100 rows with weight 5 and the same rows repeated 5 times (500 rows, above 5 per
    parameter): one data set, so one penalty and one model."""
    X, y = _data(100, noise=0.3)
    weighted = fit_quietly(
        SigmoidMLPRegressor(solver=solver, random_state=0), X, y, sample_weight=np.full(100, 5)
    )
    repeated = fit_quietly(
        SigmoidMLPRegressor(solver=solver, random_state=0), X.repeat(5, 0), y.repeat(5)
    )
    assert weighted.l2_ == repeated.l2_ > 0
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))


def _scripted_path(monkeypatch, script):
    """A penalised fit whose GCV scores are ``script``: ``(the lambdas trained, the fit)``."""
    from sklearn_lecture import _fitplan

    scores = iter(script)
    calls = []

    def scripted(mse, A, lam, n):
        calls.append(lam)
        return next(scores), 0.0

    monkeypatch.setattr(_fitplan, "gcv", scripted)
    X, y = _data(160, noise=0.5)
    est = fit_quietly(SigmoidMLPRegressor(random_state=0), X, y)
    assert len(est.loss_curve_) == est.n_iter_  # the updates of the stages kept
    return calls, est


def test_the_path_keeps_the_largest_lambda_within_5_percent_of_the_least_gcv(monkeypatch):
    """Scripted GCV scores: least at the 2nd lambda, the 3rd within 5% of it, the 4th
    two past the least ends the path; the fit keeps the 3rd lambda and its updates."""
    calls, est = _scripted_path(monkeypatch, [1.0, 0.99, 1.02, 1.2, 1.3, 1.4])
    assert calls == list(L2_PATH[:4])
    assert est.l2_ == L2_PATH[2]


@pytest.mark.parametrize(
    "script, n_stages, kept",
    [
        ([1.0, 0.9, 0.95, 0.5, 0.4, 0.3], 3, 1),  # one past, more than 5% above: ends
        ([1.0, 0.99, 1.02, 1.03, 0.5, 0.4], 4, 3),  # two past, both within 5%: ends too
    ],
)
def test_the_path_ends_one_past_the_least_gcv_when_more_than_5_percent_above_or_two_past(
    monkeypatch, script, n_stages, kept
):
    """Scripted GCV scores, least at the 2nd lambda: a stage past it more than 5% above it ends
    the path (GCV is rising), and so do two stages past it. No later stage is trained, although
    later scores would undercut the least; the fit keeps the largest lambda within 5% of it."""
    calls, est = _scripted_path(monkeypatch, script)
    assert calls == list(L2_PATH[:n_stages])
    assert est.l2_ == L2_PATH[kept]


def test_the_networks_default_start_reads_w2_out_and_the_lectures_starts_at_zero():
    """Gradient descent with learning_rate="auto" on at least as many rows as parameters
    starts W2 at the minimum of J given the initial Z: dJ/dW2 is about 0 there (the read-out's
    small stabiliser aside). A float learning_rate, L-BFGS and fewer rows start at W2 = 0."""
    X, y = _data(300, d=3)

    def start(units=8, **kw):
        objective, layout, theta, _ = training_problem(
            SigmoidMLPRegressor(units, random_state=0, **kw), X, y
        )
        W2 = layout.slices["coefs_1"]
        return theta[W2], np.abs(objective(theta)[1][W2]).max()

    W2, grad = start()
    _, grad_at_zero = start(learning_rate=0.1)
    assert np.abs(W2).max() > 0.1 and grad < 0.05 * grad_at_zero
    for kw in ({"learning_rate": 0.1}, {"solver": "lbfgs"}, {"units": 100}):
        assert np.all(start(**kw)[0] == 0), kw  # (100 units: 501 parameters, 300 rows)


def test_partial_fit_after_an_auto_fit_takes_at_most_the_safe_alpha():
    """The auto rule's last alpha can be a long Barzilai-Borwein step (here 17 times the
    safe alpha0); partial_fit, which keeps alpha fixed, takes alpha0 instead and lowers J."""
    import copy

    from _helpers import documented_J, smooth_data

    X, y = smooth_data(n=2000, d=4)
    fitted = fit_quietly(SigmoidMLPRegressor(16, random_state=0, max_iter=8), X, y)
    more = copy.deepcopy(fitted).partial_fit(X, y)
    assert more.learning_rate_ < fitted.learning_rate_ / 5
    assert documented_J(more, X, y) < documented_J(fitted, X, y)


def test_gcv_where_lambda_is_lost_in_the_rounding_of_a_huge_A_counts_every_parameter():
    # "LinAlgError: Singular matrix" from the penalty path on X and y near 1e15, standardize=False
    assert gcv(1.0, np.full((3, 3), 1e30), 1e-3, 10) == (1.0 / (1 - 3 / 10) ** 2, 3.0)
    rng = np.random.RandomState(29)
    X, y = rng.standard_normal((25, 3)), rng.standard_normal(25)
    est = RBFRegressor(8, "sigmoid", standardize=False, fit_widths=True, fit_centers=False)
    est = fit_quietly(est.set_params(max_iter=5, random_state=29), X + 1e15, y + 1e15)
    assert np.all(np.isfinite(est.predict(X + 1e15)))
