"""Row blocks: the full-batch sums are exact, deterministic, lean and keep float32."""

import tracemalloc

import numpy as np
import pytest
from _helpers import smooth_data

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor, training_problem
from sklearn_lecture._objective import Objective
from sklearn_lecture._rows import BLOCK_SIZE

N_ROWS = 6 * BLOCK_SIZE + 37  # several blocks, and a short last block


def _estimators():
    return [
        SigmoidMLPRegressor((16,), learning_rate=0.05, max_iter=1, tol=0, random_state=0),
        SigmoidMLPRegressor(
            (8, 4), kernel="rbf", learning_rate=0.05, max_iter=1, tol=0, random_state=0
        ),
        RBFRegressor(
            8,
            kernel="sigmoid",
            fit_widths=True,
            learning_rate=0.05,
            max_iter=1,
            tol=0,
            random_state=0,
        ),
        RBFRegressor(8, fit_centers=False, learning_rate=0.05, max_iter=1, tol=0, random_state=0),
    ]


def _objective(est, X, y, block_size=None):
    objective, _, theta0, _ = training_problem(est, X, y)
    if block_size is not None:
        objective.rows.block_size = block_size
    return objective, theta0


@pytest.mark.parametrize("est", _estimators(), ids=lambda e: repr(e)[:40])
def test_block_sums_repeat_bit_for_bit_and_equal_one_big_block(est):
    X, y = smooth_data(N_ROWS, d=3)
    blocks, theta = _objective(est, X, y)
    J1, g1 = blocks(theta)
    J2, g2 = blocks(theta)
    assert J1 == J2
    np.testing.assert_array_equal(g1, g2)  # the blocks are added in a fixed order
    whole, _ = _objective(est, X, y, block_size=X.shape[0])
    J0, g0 = whole(theta)  # the same full-batch sums, added in another order
    assert J1 == pytest.approx(J0, rel=1e-12)
    np.testing.assert_allclose(g1, g0, rtol=1e-9, atol=1e-12 * np.abs(g0).max())


@pytest.mark.parametrize("est", _estimators(), ids=lambda e: repr(e)[:40])
def test_float32_blocks_stay_float32(est):
    X, y = smooth_data(N_ROWS, d=3, dtype=np.float32)
    objective, theta = _objective(est, X, y)
    seen = []
    inner = objective.block_loss_grad

    def spy(params, Xb, Yb, sb, grads):
        seen.append((Xb.dtype, Yb.dtype, *(g.dtype for g in grads.values())))
        yhat, _ = est._forward(params, Xb)
        seen.append((yhat.dtype,))
        return inner(params, Xb, Yb, sb, grads)

    objective = Objective(spy, objective.layout, objective.fixed, objective.rows)
    J, grad = objective(theta)
    assert np.isfinite(J) and grad.dtype == np.float32
    assert {dt for row in seen for dt in row} == {np.dtype(np.float32)}


@pytest.mark.parametrize("est", _estimators()[:1] + _estimators()[2:3], ids=["mlp", "rbf"])
def test_one_evaluation_allocates_a_few_blocks_not_the_whole_batch(est):
    n_units = 64
    est = est.set_params(
        **(
            {"hidden_layer_sizes": (n_units,)}
            if hasattr(est, "hidden_layer_sizes")
            else {"n_centers": n_units}
        )
    )
    X, y = smooth_data(n=40 * BLOCK_SIZE, d=3)
    objective, theta = _objective(est, X, y)
    objective(theta)  # warm up
    tracemalloc.start()
    try:
        objective(theta)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    one_block = BLOCK_SIZE * n_units * X.itemsize
    whole_batch = X.shape[0] * n_units * X.itemsize
    assert peak < 10 * one_block < whole_batch / 2
