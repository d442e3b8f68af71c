"""Plain helpers shared by the test files: data, quiet fits, estimators by name.

Test files import them as ``from _helpers import ...``: pytest puts ``tests/`` on
``sys.path`` (the default "prepend" import mode, no ``__init__.py``). Fixtures live
in ``conftest.py``.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor

KERNELS = ["sigmoid", "rbf", "relu"]
SOLVERS = ["gd", "lbfgs"]
NAMES = ["mlp", "rbf"]
ESTIMATORS = [SigmoidMLPRegressor, RBFRegressor]


def make_estimator(name, kernel=None, solver=None, units=None, **params):
    """``"mlp"`` (or the class) with ``units`` hidden units, ``"rbf"`` with ``units`` centres.

    ``kernel``, ``solver`` and ``units`` left at None keep the estimator's defaults.
    """
    Est = {"mlp": SigmoidMLPRegressor, "rbf": RBFRegressor}.get(name, name)
    if kernel is not None:
        params["kernel"] = kernel
    if solver is not None:
        params["solver"] = solver
    if units is not None:
        if Est is SigmoidMLPRegressor:
            params["hidden_layer_sizes"] = (units,)
        else:
            params["n_centers"] = units
    return Est(**params)


def small_estimator(Est, **params):
    """A small model of either kind, reproducible: 6 hidden units or 5 centres."""
    return make_estimator(Est, units=6 if Est is SigmoidMLPRegressor else 5, random_state=0,
                          **params)


def fit_quietly(est, X, y, method="fit", **kwargs):
    """``est.fit`` (or ``method``) with the ConvergenceWarning of a short run silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return getattr(est, method)(X, y, **kwargs)


def smooth_data(n=60, d=2, n_outputs=1, seed=0, dtype=np.float64):
    """Standard normal X (n rows, d columns) and a smooth target of X's first and last
    columns, ``sin(x_1 + j) + x_d^2 / 2`` for output j (a 1-D y for one output)."""
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n, d))
    Y = np.column_stack([np.sin(X[:, 0] + j) + 0.5 * X[:, -1] ** 2 for j in range(n_outputs)])
    y = Y[:, 0] if n_outputs == 1 else Y
    return X.astype(dtype), y.astype(dtype)


def documented_J(est, X, y, sample_weight=None):
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


def fitted_arrays(est):
    """The fitted parameters of either estimator, as a list of arrays."""
    if isinstance(est, SigmoidMLPRegressor):
        return [*est.coefs_, *est.intercepts_]
    return [est.centers_, est.widths_, np.asarray(est.coef_), np.asarray(est.intercept_)]


def assert_bit_identical(a, b):
    """Two fitted estimators hold the same parameters, bit for bit."""
    A, B = fitted_arrays(a), fitted_arrays(b)
    assert len(A) == len(B)
    for u, v in zip(A, B):
        assert u.dtype == v.dtype and u.shape == v.shape
        assert u.tobytes() == v.tobytes()
