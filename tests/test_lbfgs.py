"""L-BFGS: the documented J, its exact gradient, and a curve that never rises."""

import numpy as np
import pytest
from _helpers import ESTIMATORS, documented_J, fit_quietly, small_estimator, smooth_data

import sklearn_lecture._optimizers as optimizers_module
from sklearn_lecture import SigmoidMLPRegressor, check_gradients


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_lbfgs_reaches_a_lower_cost_than_a_few_gd_steps_and_records_it(Est):
    X, y = smooth_data()
    gd = fit_quietly(small_estimator(Est, solver="gd", max_iter=5, standardize=False), X, y)
    lb = fit_quietly(small_estimator(Est, solver="lbfgs", max_iter=200, standardize=False), X, y)
    assert 1 <= lb.n_iter_ <= 200
    assert len(lb.loss_curve_) == lb.n_iter_
    # L-BFGS-B only accepts steps that lower J: the recorded curve never rises
    assert np.all(np.diff(lb.loss_curve_) <= 0)
    assert lb.loss_ == lb.loss_curve_[-1]
    # the recorded J is the documented J at the fitted parameters
    assert lb.loss_ == pytest.approx(documented_J(lb, X, y), rel=1e-9)
    assert lb.loss_ < 0.5 * documented_J(gd, X, y)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_lbfgs_gets_the_documented_J_and_its_exact_gradient(Est, n_outputs, monkeypatch):
    """What scipy minimises is J = 1/(2n) sum_i ||e_i||^2 (summed over outputs,
    not averaged), and the gradient scipy is given is the gradient of that J:
    scikit-learn's MLPRegressor once handed L-BFGS a multi-output gradient off by
    a factor n_outputs (scikit-learn issue 8349)."""
    X, Y = smooth_data(n_outputs=n_outputs)
    seen = {}
    real_minimize = optimizers_module.minimize

    def spy(fun, x0, **kwargs):
        result = real_minimize(fun, x0, **kwargs)
        seen["fun"], seen["x"] = fun, result.x
        return result

    monkeypatch.setattr(optimizers_module, "minimize", spy)
    est = fit_quietly(small_estimator(Est, solver="lbfgs", max_iter=15, standardize=False), X, Y)
    fun, x = seen["fun"], seen["x"].copy()
    J, grad = fun(x)
    assert J == pytest.approx(documented_J(est, X, Y), rel=1e-10)
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


def test_a_penalty_that_overflows_lbfgs_is_an_error_naming_l2():
    # the message said only "check the input, or use standardize=True" (standardised already)
    rng = np.random.RandomState(0)
    X = rng.randn(80, 2)
    y = X[:, 0] ** 2 + X[:, 1]
    with pytest.raises(ValueError, match="smaller l2"):
        SigmoidMLPRegressor(solver="lbfgs", l2=1e200, random_state=0).fit(X, y)
