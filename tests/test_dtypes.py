"""float32 in, float32 out; other dtypes are converted to float64."""

import numpy as np
import pytest
from _helpers import ESTIMATORS, fit_quietly, small_estimator

from sklearn_lecture import SigmoidMLPRegressor


def _data(n=48, d=2, seed=0):
    """The data the float32 tolerance below was measured on (40 L-BFGS steps in float32
    and float64 drift apart by up to 3e-2 on tests/_helpers.smooth_data)."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, d))
    return X, np.sin(X @ rng.randn(d)) + 0.05 * rng.randn(n)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize(
    "solver, learning_rate, max_iter",
    [("gd", 0.5, 40), ("gd", "auto", 40), ("gd", "auto", 4000), ("lbfgs", "auto", 40)],
)
def test_float32_in_float32_out(Est, solver, learning_rate, max_iter):
    """float32 is float64's computation to float32 precision: after 40 updates (a float or the
    auto learning_rate) and where the fits end."""
    X, y = _data()
    params = dict(solver=solver, learning_rate=learning_rate, max_iter=max_iter)
    est32 = fit_quietly(small_estimator(Est, **params), X.astype(np.float32), y)
    est64 = fit_quietly(small_estimator(Est, **params), X, y)
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
    est = fit_quietly(small_estimator(Est, max_iter=5), Xc, y)
    assert est.predict(Xc).dtype == np.float64
    reference = fit_quietly(small_estimator(Est, max_iter=5), np.asarray(Xc, dtype=np.float64), y)
    np.testing.assert_array_equal(est.predict(Xc), reference.predict(Xc))
