"""Determinism: the same random_state gives bit-identical parameters, run to run."""

import warnings

import pytest
from _helpers import KERNELS, NAMES, SOLVERS, assert_bit_identical, make_estimator, smooth_data
from sklearn.base import clone

# 6 * 1024 + 37 rows: three row blocks of 2048 and a short last one, so the
# sums over blocks are part of what must repeat bit for bit (each model's default
# kernel; the kernels do not change how the blocks add up).
ROWS = {"one-block": 60, "several-blocks": 6 * 1024 + 37}
CASES = [(name, kernel, solver, "one-block")
         for name in NAMES for kernel in KERNELS for solver in SOLVERS]
CASES += [(name, kernel, solver, "several-blocks")
          for name, kernel in (("mlp", "sigmoid"), ("rbf", "rbf")) for solver in SOLVERS]


@pytest.mark.parametrize("name, kernel, solver, rows", CASES)
def test_same_random_state_gives_bit_identical_parameters(name, kernel, solver, rows):
    """A clone fitted on the same data, and the same estimator fitted again."""
    X, y = smooth_data(n=ROWS[rows])
    params = dict(max_iter=30, random_state=3)
    if name == "rbf":
        params["init"] = "kmeans++"  # the random initialisation
    a = make_estimator(name, kernel, solver, 6, **params)
    b = clone(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ConvergenceWarning
        a.fit(X, y)
        b.fit(X, y)
        first = a.predict(X)
        a.fit(X, y)  # a refit of the fitted estimator
    assert_bit_identical(a, b)
    assert a.loss_curve_ == b.loss_curve_
    assert a.predict(X).tobytes() == b.predict(X).tobytes() == first.tobytes()
