"""RBFRegressor against the lecture (section 2, examples l6rbf1, l6rbf2, l6rbf3)."""

import warnings

import numpy as np
import pytest
from _helpers import fit_quietly
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_lecture import RBFRegressor, check_gradients

KERNELS = ["rbf", "sigmoid", "relu"]


def _bumps(n=60):
    """A 1-D target that "looks like a sine function but it is NOT"."""
    x = np.linspace(0, 5, n)
    y = 0.8 * np.exp(-((x - 1.2) ** 2) / 0.5) - 0.5 * np.exp(-((x - 3.5) ** 2) / 0.8) + 0.3
    return x.reshape(-1, 1), y


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_gradient_matches_central_differences(kernel, n_outputs, l2):
    rng = np.random.RandomState(0)
    X = rng.randn(50, 3)
    Y = np.sin(X @ rng.randn(3, n_outputs))
    y = Y.ravel() if n_outputs == 1 else Y
    est = RBFRegressor(5, kernel, fit_widths=True, max_iter=10, tol=0, l2=l2, random_state=0)
    fit_quietly(est, X, y)
    sw = rng.uniform(0.5, 2, size=len(X))
    for weights in (None, sw):
        errors = check_gradients(est, X, y, sample_weight=weights)
        assert set(errors) == {"centers", "widths", "coef", "intercept"}
        assert max(errors.values()) < 1e-5, errors


def _lecture_rbf3_step(x, y, c, w, w0, b, a):
    """ex/ml/l6rbf3, one iteration, as written on the slide."""
    p = np.exp(-(x - c) * (x - c) / b)
    e = y - w * p - w0
    dJ_dw = -2 * np.sum(e * p)
    dJ_dw0 = -2 * np.sum(e)
    dJ_dc = -4 * np.sum(e * (w * p) * (x - c) / b)
    return c - a * dJ_dc, w - a * dJ_dw, w0 - a * dJ_dw0


def _lecture_rbf1_step(x, y, c, b, a):
    """ex/ml/l6rbf1, one iteration, as written on the slide."""
    p = np.exp(-(x - c) * (x - c) / b)
    e = y - p
    dJ_dc = -4 * np.sum(e * p * (x - c) / b)
    return c - a * dJ_dc


def test_l6rbf1_steps_equal_the_lecture_update():
    X, y = _bumps()
    x = X.ravel()
    alpha, b, n = 0.05, 0.7, len(x)
    a = alpha / (2 * n)  # our J = (lecture's J) / (2n), so alpha = 2n a
    c = 0.5
    for k in (1, 2):
        c = _lecture_rbf1_step(x, y, c, b, a)
        est = RBFRegressor(1, init=[[0.5]], width=b, fit_weights=False, fit_intercept=False,
                           learning_rate=alpha, max_iter=k, tol=0, standardize=False)
        fit_quietly(est, X, y)
        assert est.centers_[0, 0] == pytest.approx(c, rel=1e-12)
        assert est.coef_[0] == 1.0 and est.intercept_ == 0.0


def test_l6rbf3_step_equals_the_lecture_update():
    X, y = _bumps()
    x = X.ravel()
    alpha, b, n = 0.05, 0.7, len(x)
    est = RBFRegressor(1, init=[[1.0]], width=b, learning_rate=alpha, max_iter=1, tol=0,
                       standardize=False, warm_start=True)
    fit_quietly(est, X, y)
    c, w, w0 = est.centers_[0, 0], est.coef_[0], est.intercept_
    for _ in range(2):
        c, w, w0 = _lecture_rbf3_step(x, y, c, w, w0, b, alpha / (2 * n))
        fit_quietly(est, X, y)  # warm start: one more update
        assert est.centers_[0, 0] == pytest.approx(c, rel=1e-12)
        assert est.coef_[0] == pytest.approx(w, rel=1e-12)
        assert est.intercept_ == pytest.approx(w0, rel=1e-12)


def test_l6rbf1_result_depends_on_the_initial_guess():
    X, y = _bumps()
    centres = []
    for c0 in (0.0, 0.5, 1.0):
        est = RBFRegressor(1, init=[[c0]], fit_weights=False, fit_intercept=False,
                           learning_rate=0.5, max_iter=100, standardize=False)
        fit_quietly(est, X, y)
        centres.append(est.centers_[0, 0])
    assert np.ptp(centres) > 1e-3, centres


def test_each_added_parameter_lowers_the_final_cost():
    """Same data, same start c = 1: l6rbf3 < l6rbf2 < l6rbf1."""
    X, y = _bumps()
    common = dict(init=[[1.0]], learning_rate=0.2, max_iter=500, tol=0, standardize=False)
    J = {}
    for name, kw in {
        "l6rbf1": dict(fit_weights=False, fit_intercept=False),
        "l6rbf2": dict(fit_intercept=False),
        "l6rbf3": dict(),
    }.items():
        J[name] = fit_quietly(RBFRegressor(1, **common, **kw), X, y).loss_curve_[-1]
    assert J["l6rbf3"] < J["l6rbf2"] < J["l6rbf1"], J


@pytest.mark.parametrize("kernel", KERNELS)
def test_sine_like_target_is_fitted_well_with_three_or_more_centres(kernel):
    x = np.linspace(0, 2 * np.pi, 100).reshape(-1, 1)
    y = np.sin(x.ravel()) * np.exp(-0.15 * x.ravel()) + 0.1 * x.ravel()
    for K in (3, 5, 8):
        est = fit_quietly(RBFRegressor(K, kernel, fit_widths=True, random_state=0), x, y)
        assert est.score(x, y) > 0.95, (K, est.score(x, y))
    for K in (5, 8):  # with enough units the shared default width is enough
        est = fit_quietly(RBFRegressor(K, kernel, random_state=0), x, y)
        assert est.score(x, y) > 0.95, (K, est.score(x, y))


def test_attributes_have_linear_regression_shapes():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 4)
    est = fit_quietly(RBFRegressor(6, max_iter=20), X, X[:, 0])
    assert est.centers_.shape == (6, 4) and est.widths_.shape == (6,)
    assert est.coef_.shape == (6,) and np.ndim(est.intercept_) == 0
    fit_quietly(est, X, X[:, :2])
    assert est.coef_.shape == (2, 6) and est.intercept_.shape == (2,)
    assert est.predict(X).shape == (30, 2)


def test_more_centres_than_rows_duplicates_and_constant_feature():
    rng = np.random.RandomState(0)
    X = np.repeat(rng.randn(4, 2), 3, axis=0)
    X = np.hstack([X, np.full((12, 1), 7.0)])  # a constant feature
    y = X[:, 0] ** 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(UserWarning, match="n_centers=20 is more than the 4 distinct rows"):
            est = fit_quietly(RBFRegressor(20), X, y)
    pred = est.predict(X)
    assert np.all(np.isfinite(pred))
    assert est.score(X, y) > 0.99


def test_fit_widths_learns_positive_widths():
    X, y = _bumps()
    est = fit_quietly(RBFRegressor(3, fit_widths=True, random_state=0), X, y)
    assert np.all(est.widths_ > 0)
    assert not np.allclose(est.widths_, est.widths_[0])


def test_init_array_with_the_wrong_shape_is_a_clear_error():
    X, y = _bumps()
    with pytest.raises(ValueError, match=r"shape \(2, 1\)"):
        RBFRegressor(2, init=[[0.0, 1.0]]).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [{"n_centers": 0}, {"kernel": "cosine"}, {"width": -1.0}, {"init": "grid"},
     {"fit_widths": "yes"}],
)
def test_bad_parameters_raise_invalid_parameter_error(params):
    X, y = _bumps()
    with pytest.raises(InvalidParameterError):
        RBFRegressor(**params).fit(X, y)


def test_divergence_is_a_value_error_naming_learning_rate():
    X, y = _bumps()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="learning_rate"):
            RBFRegressor(5, learning_rate=1e6, random_state=0).fit(X, y)


@pytest.mark.parametrize("init", ["kmeans", "kmeans++", "random"])
def test_more_centres_than_rows_warns_and_names_n_centers(init):
    """Issue 15: RBFRegressor(n_centers=100) on 50 rows said nothing."""
    X, y = _bumps(50)
    est = RBFRegressor(n_centers=100, init=init, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(UserWarning, match=r"n_centers=100 is more than the 50 distinct rows of X"
                                             r".*Use n_centers <= 50\.") as record:
            est.fit(X, y)
    assert record[0].filename == __file__  # it points at the user's call of fit
    assert est.coef_.shape == (100,) and np.all(np.isfinite(est.predict(X)))
    # rows of zero weight do not count
    sw = np.r_[np.ones(40), np.zeros(10)]
    with pytest.warns(UserWarning, match="n_centers=45 is more than the 40 distinct rows"):
        fit_quietly(RBFRegressor(n_centers=45, init=init, max_iter=5, random_state=0),
                   X, y, sample_weight=sw)


def test_as_many_centres_as_rows_or_given_centres_do_not_warn():
    X, y = _bumps(50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        RBFRegressor(n_centers=50, max_iter=5).fit(X, y)
        # explicit centres: the user chose them, repeats included
        RBFRegressor(n_centers=60, init=np.r_[X, X[:10]], max_iter=5).fit(X, y)


def test_help_has_no_run_of_spaces_in_the_parameters():
    """Issue 15: a backslash continuation put a long run of spaces in the ``init`` line."""
    import re

    doc = RBFRegressor.__doc__
    init_line = next(line for line in doc.splitlines() if line.strip().startswith("init :"))
    assert 'default="kmeans"' in init_line
    assert not re.search(r"\S {3,}\S", doc)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("keep_u", [False, True])
def test_one_forward_pass_gives_phi_next_to_its_derivative(kernel, keep_u):
    """The forward pass used by predict is the one backprop uses: with
    ``derivative=True`` it returns the same yhat and phi, plus Phi'(u) (and u)."""
    from sklearn_lecture._kernels import RADIAL_PROFILES
    from sklearn_lecture._rbf import squared_distances

    rng = np.random.RandomState(0)
    X = rng.randn(50, 3)
    est = RBFRegressor(n_centers=4, kernel=kernel)
    params = {"centers": X[:4] + 0.1, "widths": np.full(4, 1.5), "coef": rng.randn(4, 2),
              "intercept": rng.randn(2)}
    yhat, phi = est._forward(params, X)
    yhat_d, phi_d, dphi, U = est._forward(params, X, derivative=True, keep_u=keep_u)
    np.testing.assert_array_equal(yhat_d, yhat)
    np.testing.assert_array_equal(phi_d, phi)
    u = squared_distances(X, params["centers"], widths=params["widths"],
                          exact_near=RADIAL_PROFILES[kernel].exact_near_centre)
    np.testing.assert_array_equal(dphi, RADIAL_PROFILES[kernel].dphi(u, phi))
    if keep_u:
        np.testing.assert_array_equal(U, u)
    else:
        assert U is None


def test_expanded_and_exact_squared_distances_agree_and_the_exact_one_is_zero_at_a_centre():
    from sklearn.utils.extmath import row_norms

    from sklearn_lecture._rbf import squared_distances

    rng = np.random.RandomState(1)
    X = rng.randn(30, 4) + 1e3  # far from 0: the expansion cancels about 6 digits
    C = X[[0, 7, 7]]
    exact = np.stack([row_norms(X - c, squared=True) for c in C], axis=1)
    assert exact[0, 0] == exact[7, 1] == exact[7, 2] == 0.0
    np.testing.assert_allclose(squared_distances(X, C), exact, rtol=1e-6, atol=1e-6)
    near = squared_distances(X, C, exact_near=True)  # repaired near each centre
    assert near[0, 0] == near[7, 1] == 0.0
    # with widths b the repaired entries are divided by b too: u = ||x - c||^2 / b
    X[1] = X[0] + 1e-6  # near the first centre: the expansion cancels every digit
    exact = np.stack([row_norms(X - c, squared=True) for c in C], axis=1)
    b = np.array([2.0, 0.5, 4.0])
    u = squared_distances(X, C, widths=b, exact_near=True)
    np.testing.assert_allclose(u, exact / b, rtol=1e-6, atol=0)
    assert u[0, 0] == 0.0 and u[1, 0] == exact[1, 0] / 2.0
    # without exact_near the expansion's rounding below 0 is clipped: u >= 0 (exp(-u) <= 1)
    X = np.random.RandomState(2).randn(30, 4) * 3 + 1e4
    assert np.min(squared_distances(X, X[[0, 7]] + 1e-9)) == 0.0


# ------------------------------------------- warm start on data of other scales
def _two_batches():
    rng = np.random.RandomState(0)
    X = rng.randn(400, 2)
    y = X[:, 0] ** 2 + X[:, 1]
    second = 200 + np.flatnonzero(X[200:, 0] > 0)  # a batch with a smaller spread of x0
    return X[:200], y[:200], X[second], y[second]


@pytest.mark.parametrize("change", ["other rows", "x1000 and standardize=False"])
def test_a_warm_start_on_data_of_other_scales_continues_from_the_same_function(change):
    """The distances are measured in the first fit's units (``feature_scale_``), so a
    warm start on data whose standardisation differs per feature must start from the
    same function: a step of alpha = 1e-12 leaves every prediction where it was
    (found by trying the package: it moved them by 2.4, y's spread being 1.7)."""
    X1, y1, X2, y2 = _two_batches()
    est = fit_quietly(RBFRegressor(random_state=0, warm_start=True), X1, y1)
    if change == "other rows":
        est.set_params(max_iter=1, learning_rate=1e-12)
    else:
        X2 = X2 * 1000
        est.set_params(max_iter=1, learning_rate=1e-12, standardize=False)
    before = est.predict(X2)
    fit_quietly(est, X2, y2)
    after = est.predict(X2)
    np.testing.assert_allclose(after, before, rtol=0, atol=1e-9 * np.std(y1))


def test_the_centre_gradient_is_right_when_distances_keep_another_unit():
    """A warm start on a batch with another per-feature spread trains with
    feature_scale != 1 in its training units; dJ/dc must include its 1 / f^2."""
    X1, y1, X2, y2 = _two_batches()
    est = RBFRegressor(n_centers=6, fit_widths=True, warm_start=True, random_state=0)
    fit_quietly(est, X1, y1)
    fit_quietly(est.set_params(max_iter=5), X2, y2)
    f = est.feature_scale_ / est._standardizer_.x_scale  # the unit in training units
    assert np.max(np.abs(f - 1)) > 0.05  # far enough from 1 to matter
    errors = check_gradients(est, X2, y2)
    assert max(errors.values()) < 1e-6, errors



@pytest.mark.parametrize(
    "kwargs, weighted",
    [({}, False), ({"l2": 0.3}, True), ({"coef_init": [0.5, -1.0, 2.0]}, True),
     ({"intercept_init": 0.7, "l2": 0.3}, False)],
)
def test_the_start_is_the_penalised_ridge_stabilised_least_squares_read_out(kwargs, weighted):
    """Before the first step, the w and w0 not given minimise J (penalty included) on the
    initial basis, with the documented small ridge 1e-3 (mean diagonal of G) for stability."""
    from sklearn_lecture import training_problem
    from sklearn_lecture._rbf import squared_distances

    rng = np.random.RandomState(0)
    X = rng.randn(40, 2)
    y = np.sin(2 * X[:, 0]) + X[:, 1]
    s = rng.uniform(0.5, 2.0, 40) if weighted else np.ones(40)
    est = RBFRegressor(3, width=1.5, standardize=False, **{"l2": 0.0, **kwargs})
    problem = training_problem(est, X, y, s if weighted else None)
    theta0, sl = problem.theta0, problem.layout.slices
    P = np.exp(-squared_distances(X, theta0[sl["centers"]].reshape(3, 2), widths=1.5))
    target = y.copy()
    cols, penalty = [], []
    if "coef_init" in kwargs:
        target -= P @ np.asarray(kwargs["coef_init"])
    else:
        cols.append(P)
        penalty += [est.l2] * 3
    if "intercept_init" in kwargs:
        target -= kwargs["intercept_init"]
    else:
        cols.append(np.ones((40, 1)))
        penalty += [0.0]
    F = np.hstack(cols)
    G = F.T @ (F * s[:, None]) / s.sum()
    ridge = 1e-3 * (np.trace(G) / len(G) + 1e-12) + np.array(penalty)
    want = np.linalg.solve(G + np.diag(ridge), F.T @ (target * s) / s.sum())
    given = {"coef": "coef_init", "intercept": "intercept_init"}
    solved = [k for k in ("coef", "intercept") if given[k] not in kwargs]
    got = np.concatenate([theta0[sl[k]] for k in solved])
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_the_default_width_is_twice_the_mean_squared_distance_to_the_nearest_centre():
    """``width=None``: b = 2 mean_k min_j ||c_k - c_j||^2, as the docs say."""
    from sklearn_lecture._centers import default_width

    C = np.array([[0.0], [1.0], [3.0]])  # nearest squared distances 1, 1, 4: mean 2
    assert default_width(C, C, None) == pytest.approx(4.0, rel=1e-15)
    C2 = np.array([[0.0, 0.0], [3.0, 4.0]])  # both 25 apart (squared)
    assert default_width(C2, C2, None) == pytest.approx(50.0, rel=1e-15)
