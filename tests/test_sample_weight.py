"""Training options around the lecture's gradient descent (issue 5).

L-BFGS, early stopping, sample weights, float32, partial_fit, verbose and
check_gradients, each for both estimators through the one shared loop.
"""

import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import sklearn_lecture._base as base_module
import sklearn_lecture._solvers as solvers_module
from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor, check_gradients

ESTIMATORS = [SigmoidMLPRegressor, RBFRegressor]
SOLVERS = ["gd", "lbfgs"]


def _small(Est, **params):
    """A small model of either kind, reproducible."""
    size = {"n_centers": 5} if Est is RBFRegressor else {"hidden_layer_sizes": (6,)}
    return Est(**size, random_state=0, **params)


def _data(n=48, d=2, k=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, d))
    Y = np.column_stack([np.sin(X @ rng.randn(d)) for _ in range(k)])
    Y += 0.05 * rng.randn(n, k)
    return X, (Y.ravel() if k == 1 else Y)


def _fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


def _documented_J(est, X, y, sample_weight=None):
    """``J = sum_i s_i ||e_i||^2 / (2 sum_i s_i)``, from the predictions, plus
    ``(lambda / 2) ||W||^2`` when the model trained in raw units (standardize=False),
    where the fitted weights are the trained ones."""
    E = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    E = E - est.predict(X).reshape(len(X), -1)
    s = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, float)
    J = float(s @ np.sum(E**2, axis=1) / (2 * s.sum()))
    lam = est._l2()
    if lam > 0 and not est.standardize:
        weights = est.coefs_ if isinstance(est, SigmoidMLPRegressor) else [est.coef_]
        J += 0.5 * lam * sum(float(np.sum(W**2)) for W in weights)
    return J


# --------------------------------------------------------------------- L-BFGS
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_lbfgs_reaches_a_lower_cost_than_a_few_gd_steps_and_records_it(Est):
    X, y = _data()
    gd = _fit(_small(Est, solver="gd", max_iter=5, standardize=False), X, y)
    lb = _fit(_small(Est, solver="lbfgs", max_iter=200, standardize=False), X, y)
    assert 1 <= lb.n_iter_ <= 200
    assert len(lb.loss_curve_) == lb.n_iter_
    # L-BFGS-B only accepts steps that lower J: the recorded curve never rises
    assert np.all(np.diff(lb.loss_curve_) <= 0)
    assert lb.loss_ == lb.loss_curve_[-1]
    # the recorded J is the documented J at the fitted parameters
    assert lb.loss_ == pytest.approx(_documented_J(lb, X, y), rel=1e-9)
    assert lb.loss_ < 0.5 * _documented_J(gd, X, y)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_lbfgs_gets_the_documented_J_and_its_exact_gradient(Est, n_outputs, monkeypatch):
    """What scipy minimises is J = 1/(2n) sum_i ||e_i||^2 (summed over outputs,
    not averaged), and the gradient scipy is given is the gradient of that J:
    scikit-learn's MLPRegressor once handed L-BFGS a multi-output gradient off by
    a factor n_outputs (scikit-learn issue 8349)."""
    X, Y = _data(k=n_outputs)
    seen = {}
    real_minimize = solvers_module.minimize

    def spy(fun, x0, **kwargs):
        result = real_minimize(fun, x0, **kwargs)
        seen["fun"], seen["x"] = fun, result.x
        return result

    monkeypatch.setattr(solvers_module, "minimize", spy)
    est = _fit(_small(Est, solver="lbfgs", max_iter=15, standardize=False), X, Y)
    fun, x = seen["fun"], seen["x"].copy()
    J, grad = fun(x)
    assert J == pytest.approx(_documented_J(est, X, Y), rel=1e-10)
    # central differences of scipy's own J against the gradient scipy gets
    eps = 1e-6
    numeric = np.empty(x.size)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = eps
        numeric[i] = (fun(x + step)[0] - fun(x - step)[0]) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7 * max(1, J))
    # and check_gradients, the public tool, agrees for the lbfgs-fitted model
    errors = check_gradients(est, X, Y)
    assert max(errors.values()) < 1e-5, errors


# ------------------------------------------------------------- early stopping
def _noisy(n=80, seed=1):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 1))
    return X, np.sin(2 * X[:, 0]) + 0.6 * rng.randn(n)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize(
    "params",
    [
        dict(solver="gd", learning_rate=0.2),  # 0.5 raises J: a DivergenceError now
        dict(solver="gd", learning_rate="auto"),
        dict(solver="lbfgs"),
    ],
    ids=["gd-fixed", "gd-auto", "lbfgs"],
)
def test_early_stopping_keeps_the_best_validation_weights(Est, params):
    """The held-out rows and the trajectory are the same in a refit with
    ``max_iter = argmax(validation_scores_) + 1`` (the same random_state draws
    the same initial weights, then the same split), and that refit's last
    iterate is its best one. So both predict bit for bit the same."""
    X, y = _noisy()
    kw = dict(early_stopping=True, validation_fraction=0.25, n_iter_no_change=5,
              tol=1e-4, max_iter=300, **params)
    est = _fit(_small(Est, **kw), X, y)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ == len(est.loss_curve_)
    assert est.n_iter_ < 300, "early stopping should have stopped this noisy fit"
    best = int(np.argmax(scores))
    assert est.best_validation_score_ == max(scores)
    assert best + 1 < est.n_iter_, "the best iterate should not be the last one here"
    refit = _fit(_small(Est, **{**kw, "max_iter": best + 1}), X, y)
    assert refit.validation_scores_ == scores[: best + 1]
    np.testing.assert_array_equal(refit.predict(X), est.predict(X))


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_early_stopping_loss_curve_is_the_training_loss(Est, monkeypatch):
    """loss_curve_ holds J on the training rows only (issue 18507 asks for
    both curves: validation_scores_ holds the other)."""
    X, y = _noisy()
    split = {}
    real_split = base_module.train_test_split

    def spy(*args, **kwargs):
        train, val = real_split(*args, **kwargs)
        split["train"], split["val"] = np.sort(train), np.sort(val)
        return train, val

    monkeypatch.setattr(base_module, "train_test_split", spy)
    # One step from the initial weights: J is recorded before the step. A step of
    # alpha = 1e-300 leaves the same initial weights (and split) unchanged.
    kw = dict(early_stopping=True, validation_fraction=0.25, standardize=False, max_iter=1)
    est = _fit(_small(Est, learning_rate=0.1, **kw), X, y)
    start = _fit(_small(Est, learning_rate=1e-300, **kw), X, y)
    train, val = split["train"], split["val"]
    assert len(val) == 20 and len(train) == 60
    J_train = _documented_J(start, X[train], y[train])
    J_val = _documented_J(start, X[val], y[val])
    assert abs(J_train - J_val) > 1e-3  # the check below can tell them apart
    assert est.loss_curve_ == [pytest.approx(J_train, rel=1e-12)]


# -------------------------------------------------------------- sample weights
def _weighted_case(seed=3):
    X, y = _data(n=30, seed=seed)
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
    weighted = _fit(_small(Est, solver=solver, max_iter=30, tol=0), X, y, sample_weight=w)
    rows = np.repeat(np.arange(len(X)), w)
    repeated = _fit(_small(Est, solver=solver, max_iter=30, tol=0), X[rows], y[rows])
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
    zero = _fit(_small(Est, solver=solver, max_iter=30, tol=0), X_out, y_out,
                sample_weight=w)
    dropped = _fit(_small(Est, solver=solver, max_iter=30, tol=0), X, y)
    _same_model(zero, dropped, X, rtol=1e-8)
    if Est is RBFRegressor:
        np.testing.assert_allclose(zero.centers_, dropped.centers_, rtol=1e-8)


@pytest.mark.parametrize("init", ["kmeans++", "random"])
def test_random_centre_inits_never_pick_zero_weight_rows(init):
    X, y, _ = _weighted_case()
    X_out = np.vstack([X, 50 + np.arange(20.0).reshape(10, 2)])
    y_out = np.concatenate([y, np.full(10, 100.0)])
    w = np.concatenate([np.ones(len(X)), np.zeros(10)])
    est = _fit(RBFRegressor(5, init=init, fit_centers=False, max_iter=1, random_state=0),
               X_out, y_out, sample_weight=w)
    assert np.all(np.abs(est.centers_) <= 2)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_scaling_all_weights_changes_nothing(Est, solver):
    X, y, w = _weighted_case()
    w = w + 0.5
    a = _fit(_small(Est, solver=solver, max_iter=30, tol=0), X, y, sample_weight=w)
    b = _fit(_small(Est, solver=solver, max_iter=30, tol=0), X, y, sample_weight=3.7 * w)
    _same_model(a, b, X, rtol=1e-9)


def test_weighted_target_scaling_gives_the_weighted_cost():
    """With standardize=True the curve is J in standardised units. The network's
    first prediction (W2 = 0) is the mean of y, so its first J is half the
    weighted variance of standardised y: exactly 1/2 if and only if y was
    centred and scaled with the weights."""
    X, y, w = _weighted_case()
    y = y + 3 * (w == 3)  # the weighted and unweighted variances differ a lot
    # l2=0: the first J is then the data term alone (the penalty is tested elsewhere)
    net = SigmoidMLPRegressor(hidden_layer_sizes=(4,), max_iter=1, l2=0.0, random_state=0)
    est = _fit(net, X, y, sample_weight=w)
    assert est.loss_curve_[0] == pytest.approx(0.5, rel=1e-12)
    # what the first J would be had y been standardised without the weights
    unweighted_scaling = 0.5 * np.average((y - y.mean()) ** 2, weights=w) / y.var()
    assert abs(unweighted_scaling - 0.5) > 0.05  # so the check above can fail


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_partial_fit_sample_weight_equals_repeated_rows(Est):
    X, y, w = _weighted_case()
    rows = np.repeat(np.arange(len(X)), w)
    a, b = _small(Est, learning_rate=0.2), _small(Est, learning_rate=0.2)
    for _ in range(3):
        a.partial_fit(X, y, sample_weight=w)
        b.partial_fit(X[rows], y[rows])
    _same_model(a, b, X, rtol=1e-9)


# --------------------------------------------------------------------- float32
@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_float32_in_float32_out(Est, solver):
    X, y = _data()
    est32 = _fit(_small(Est, solver=solver, max_iter=40), X.astype(np.float32), y)
    est64 = _fit(_small(Est, solver=solver, max_iter=40), X, y)
    arrays32 = (
        [*est32.coefs_, *est32.intercepts_] if Est is SigmoidMLPRegressor
        else [est32.centers_, est32.widths_, est32.coef_, np.asarray(est32.intercept_)]
    )
    arrays64 = (
        [*est64.coefs_, *est64.intercepts_] if Est is SigmoidMLPRegressor
        else [est64.centers_, est64.widths_, est64.coef_, np.asarray(est64.intercept_)]
    )
    assert {a.dtype for a in arrays32} == {np.dtype(np.float32)}
    assert {a.dtype for a in arrays64} == {np.dtype(np.float64)}
    assert est32.predict(X.astype(np.float32)).dtype == np.float32
    assert est32.predict(X).dtype == np.float32  # the dtype of the fitted parameters
    assert est64.predict(X.astype(np.float32)).dtype == np.float64
    # float32 is the same computation, to float32 precision
    np.testing.assert_allclose(est32.predict(X), est64.predict(X), rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float16, bool])
def test_other_dtypes_are_converted_to_float64(Est, dtype):
    X, y = _data()
    Xc = (X > 0) if dtype is bool else (3 * X).astype(dtype)
    est = _fit(_small(Est, max_iter=5), Xc, y)
    assert est.predict(Xc).dtype == np.float64
    reference = _fit(_small(Est, max_iter=5), np.asarray(Xc, dtype=np.float64), y)
    np.testing.assert_array_equal(est.predict(Xc), reference.predict(Xc))


# ----------------------------------------------------------------- partial_fit
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_first_partial_fit_is_fit_with_max_iter_one(Est):
    X, y = _data()
    a = _small(Est, learning_rate=0.3).partial_fit(X, y)
    b = _fit(_small(Est, learning_rate=0.3, max_iter=1), X, y)
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
    X, y = _data(n=60)
    alpha = 0.2
    est = _small(Est, learning_rate=alpha, standardize=False)
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
    X, y = _data(n=200, seed=5)
    est = _small(Est)  # learning_rate="auto": alpha from the first batch
    rng = np.random.RandomState(0)
    J = []
    for epoch in range(8):
        order = rng.permutation(len(X))
        for i, batch in enumerate(np.array_split(order, 10)):  # mini-batches of 20 rows
            est.partial_fit(X[batch], y[batch])
            if epoch == i == 0:
                J_first = _documented_J(est, X, y)  # initialised from batch 1, one step
        J.append(_documented_J(est, X, y))  # J on all rows after each epoch
    assert est.n_iter_ == 80 and len(est.loss_curve_) == 80
    assert J[-1] < 0.75 * J_first
    assert J[-1] < J[0]


# --------------------------------------------------------------------- verbose
@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_verbose_prints_one_line_per_iteration_with_the_loss(Est, solver, capsys):
    X, y = _data()
    _fit(_small(Est, solver=solver, max_iter=7, verbose=0), X, y)
    assert capsys.readouterr().out == ""
    est = _fit(_small(Est, solver=solver, max_iter=7, tol=0, verbose=1), X, y)
    lines = capsys.readouterr().out.splitlines()
    iteration_lines = [line for line in lines if line.startswith("Iteration")]
    assert len(iteration_lines) == est.n_iter_ >= 1
    for k, (line, J) in enumerate(zip(iteration_lines, est.loss_curve_), start=1):
        match = re.fullmatch(r"Iteration (\d+), loss = ([0-9.e+-]+)", line)
        assert match, line
        assert int(match.group(1)) == k
        assert float(match.group(2)) == pytest.approx(J, abs=1e-8)


def test_verbose_with_early_stopping_also_prints_the_validation_score(capsys):
    X, y = _noisy()
    est = _fit(SigmoidMLPRegressor(5, early_stopping=True, max_iter=6, verbose=1,
                                   random_state=0), X, y)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Iteration")]
    assert len(lines) == est.n_iter_
    last = float(lines[-1].rsplit("validation score = ", 1)[1])
    assert last == pytest.approx(est.validation_scores_[-1], abs=1e-6)


# ------------------------------------------------------------- check_gradients
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_check_gradients_catches_a_wrong_gradient(Est, monkeypatch):
    X, y = _data(k=2)
    est = _fit(_small(Est, solver="lbfgs", max_iter=10), X, y)
    assert max(check_gradients(est, X, y).values()) < 1e-5
    real = Est._block_loss_grad

    def off_by_n_outputs(self, params, Xb, Yb, s, grads):
        # scikit-learn issue 8349's mistake: one block's gradient n_outputs times too big
        before = {k: v.copy() for k, v in grads.items()}
        sse = real(self, params, Xb, Yb, s, grads)
        name = sorted(grads)[0]
        grads[name] += (Yb.shape[1] - 1) * (grads[name] - before[name])
        return sse

    monkeypatch.setattr(Est, "_block_loss_grad", off_by_n_outputs)
    errors = check_gradients(est, X, y)
    assert errors[sorted(errors)[0]] > 0.1


@pytest.mark.parametrize(
    "est",
    [SigmoidMLPRegressor(random_state=0), SigmoidMLPRegressor((4, 3), random_state=0),
     RBFRegressor(n_centers=5, fit_widths=True, random_state=0)],
    ids=["mlp", "mlp-2-layers", "rbf-widths"],
)
def test_check_gradients_unfitted_checks_every_block_at_a_nonzero_gradient(est):
    """Issue 15: at SigmoidMLPRegressor's initial parameters W2 = 0, so dJ/dW1 = 0 and
    dJ/dw0 is rounding; check_gradients moves to a documented random point nearby."""
    from sklearn_lecture._gradcheck import _objective_at_check_point

    X, y = _data()
    objective, layout, theta = _objective_at_check_point(
        est, X, y, None, 0.1, np.random.RandomState(0)
    )
    _, grad = objective(theta)
    for name, sl in layout.slices.items():
        # far above the floor 1e-8 max(1, |J|) below which check_gradients calls it rounding
        assert np.max(np.abs(grad[sl])) > 1e-6, name
    errors = check_gradients(est, X, y)
    assert set(errors) == set(layout.slices)
    assert max(errors.values()) < 1e-6, errors
    assert not hasattr(est, "n_iter_")  # the estimator itself stays unfitted


def test_check_gradients_at_the_initial_point_itself_shows_why_it_moves():
    X, y = _data()
    net = SigmoidMLPRegressor(random_state=0, l2=0)  # the data term: no penalty gradient
    from sklearn_lecture._gradcheck import _objective_at_check_point

    objective, layout, theta = _objective_at_check_point(
        net, X, y, None, 0.0, np.random.RandomState(0)
    )
    _, grad = objective(theta)
    assert np.all(grad[layout.slices["coefs_0"]] == 0)  # W2 = 0: nothing to check in W1
    assert abs(grad[layout.slices["intercepts_1"]][0]) < 1e-12  # mean error 0: rounding
