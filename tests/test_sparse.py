"""Sparse X (scipy.sparse): read in dense row blocks, the fit equals the fit on X.toarray().

A one-hot encoder's output is sparse, so ``make_pipeline(OneHotEncoder(), est)``
must work as it does for scikit-learn's ``MLPRegressor``. The training reads a
sparse X one dense block of rows at a time (``_rows.SparseRowBlocks``): every
number of the lecture's arithmetic is then the one the dense X gives, so the
fits are compared bit for bit, not within a tolerance.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import ESTIMATORS, fit_quietly, small_estimator
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor, _backend, _rows, training_problem


def _sparse_data(n=300, d=30, n_outputs=1, seed=0):
    rng = np.random.RandomState(seed)
    X = sp.random(n, d, density=0.15, format="csr", random_state=rng)
    dense = X.toarray()
    Y = np.column_stack(
        [np.sin(3 * dense[:, j]) + dense[:, j + 1 :].sum(axis=1) for j in range(n_outputs)]
    )
    return X, (Y[:, 0] if n_outputs == 1 else Y)


def _same_fit(a, b, X):
    for name in ("coefs_", "intercepts_", "centers_", "coef_", "intercept_", "widths_"):
        if hasattr(a, name):
            u, v = getattr(a, name), getattr(b, name)
            pairs = zip(u, v) if isinstance(u, list) else [(u, v)]
            assert all(np.array_equal(p, q) for p, q in pairs), name
    assert a.loss_curve_ == b.loss_curve_
    assert np.array_equal(a.predict(X), b.predict(X.toarray()))


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize(
    "params",
    [{}, {"solver": "lbfgs"}, {"early_stopping": True}, {"kernel": "relu"}],
    ids=["gd", "lbfgs", "early_stopping", "relu"],
)
def test_a_fit_on_sparse_x_equals_the_fit_on_the_dense_x(Est, params):
    X, y = _sparse_data()
    sparse = fit_quietly(small_estimator(Est, max_iter=200, **params), X, y)
    dense = fit_quietly(small_estimator(Est, max_iter=200, **params), X.toarray(), y)
    _same_fit(sparse, dense, X)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("convert", [sp.csc_matrix, sp.coo_matrix, sp.csr_array, sp.lil_matrix])
def test_every_sparse_format_fits_and_predicts_like_dense(Est, convert):
    X, y = _sparse_data(n_outputs=2)
    sw = np.random.RandomState(1).uniform(0.5, 2.0, X.shape[0])
    sparse = fit_quietly(small_estimator(Est, max_iter=50), convert(X), y, sample_weight=sw)
    dense = fit_quietly(small_estimator(Est, max_iter=50), X.toarray(), y, sample_weight=sw)
    _same_fit(sparse, dense, X)
    assert np.array_equal(sparse.predict(convert(X)), dense.predict(X.toarray()))
    assert np.array_equal(sparse.hidden_features(convert(X)), dense.hidden_features(X.toarray()))


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_partial_fit_and_warm_start_on_sparse_x_continue_as_on_dense_x(Est):
    X, y = _sparse_data()
    a = small_estimator(Est, max_iter=20, warm_start=True)
    b = small_estimator(Est, max_iter=20, warm_start=True)
    fit_quietly(a, X.toarray(), y)
    fit_quietly(b, X.toarray(), y)
    fit_quietly(a, X, y)  # continues on the sparse X
    fit_quietly(b, X.toarray(), y)
    _same_fit(a, b, X)
    c, d = small_estimator(Est), small_estimator(Est)
    for _ in range(3):
        c.partial_fit(X, y)
        d.partial_fit(X.toarray(), y)
    _same_fit(c, d, X)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_one_hot_encoded_categories_in_a_pipeline(Est):
    rng = np.random.RandomState(0)
    colours = rng.choice(["red", "green", "blue", "grey"], size=(400, 1))
    sizes = rng.choice(["S", "M", "L"], size=(400, 1))
    X = np.hstack([colours, sizes])
    effect = {"red": 1.0, "green": -1.0, "blue": 0.5, "grey": 0.0, "S": 0.0, "M": 1.0, "L": 3.0}
    y = np.array([effect[c] * effect[s] + effect[s] for c, s in X]) + 0.1 * rng.randn(400)
    sparse = make_pipeline(OneHotEncoder(), small_estimator(Est))
    dense = make_pipeline(OneHotEncoder(sparse_output=False), small_estimator(Est))
    fit_quietly(sparse, X, y)
    fit_quietly(dense, X, y)
    assert sp.issparse(sparse[0].transform(X[:5]))  # the estimator did get sparse X
    assert np.array_equal(sparse.predict(X), dense.predict(X))
    assert sparse.score(X, y) > 0.9  # and learned the interaction


def test_training_reads_a_sparse_x_one_block_of_rows_at_a_time(monkeypatch):
    """Memory: no dense copy of all of a large sparse X; the blocks are at most
    ``BLOCK_SIZE`` rows, the initialisation's sample at most ``INIT_MAX_ROWS``."""
    init_rows = 3000  # between BLOCK_SIZE and n
    assert _rows.BLOCK_SIZE < init_rows < 5000
    monkeypatch.setattr("sklearn_lecture._base.INIT_MAX_ROWS", init_rows)
    X, y = _sparse_data(n=5000, d=40)  # 1.6 MB dense: above ArrayRows.SPARSE_CACHE_BYTES
    read = []
    getitem = _backend.SparseRowBlocks.__getitem__

    def spy(self, rows):
        block = getitem(self, rows)
        read.append(block.shape[0])
        return block

    monkeypatch.setattr(_backend.SparseRowBlocks, "__getitem__", spy)
    for Est in ESTIMATORS:
        read.clear()
        fit_quietly(small_estimator(Est, max_iter=3), X, y)
        assert read and max(read) <= init_rows
        assert sorted(read)[-2] <= _rows.BLOCK_SIZE  # everything but the init sample


def test_training_problem_accepts_sparse_x():
    X, y = _sparse_data()
    est = small_estimator(ESTIMATORS[0])
    objective, _, theta, _ = training_problem(est, X, y)
    dense_objective, _, dense_theta, _ = training_problem(est, X.toarray(), y)
    assert np.array_equal(theta, dense_theta)
    J, grad = objective(theta)
    J_dense, grad_dense = dense_objective(dense_theta)
    assert J == J_dense and np.array_equal(grad, grad_dense)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_callbacks_see_the_sparse_x_and_can_score_on_it(Est):
    """A callback is handed X as scikit-learn checked it (a sparse matrix), not the
    row-block reader: ScoringMonitor predicts on it at every iteration."""
    callback = pytest.importorskip(
        "sklearn.callback", reason="sklearn.callback exists from scikit-learn 1.9 on"
    )
    X, y = _sparse_data()
    est = small_estimator(Est, max_iter=3).set_callbacks(callback.ScoringMonitor(scoring="r2"))
    fit_quietly(est, X, y)
    assert est.n_iter_ == 3


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_a_sparse_x_too_wide_for_dense_blocks_is_refused_with_what_to_do(Est):
    """1e6 columns, 3 non-zeros a row: a dense copy of the 2000 rows is 15 GiB (issue 22:
    a raw MemoryError). The fit says what to change, before allocating it."""
    rng = np.random.RandomState(0)
    n, d = 2000, 10**6
    X = sp.csr_matrix(
        (np.ones(3 * n), rng.randint(0, d, 3 * n), np.arange(0, 3 * n + 1, 3)), shape=(n, d)
    )
    with pytest.raises(ValueError, match=r"sparse 2000 x 1000000 .* Reduce the number of columns"):
        Est(max_iter=2).fit(X, rng.randn(n))


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_predict_reads_a_wide_sparse_x_in_blocks_under_the_dense_limit(monkeypatch, Est):
    """Prediction reads as many rows at a time as fit under the dense limit, so a model fitted
    on fewer rows than a block predicts any number of rows of a wide sparse X, as on
    ``X.toarray()`` (a 1 MB limit and 100 columns: blocks of 1,310 rows, not 2,048)."""
    monkeypatch.setattr(_backend.SparseRowBlocks, "MAX_DENSE_BYTES", 2**20)
    X, y = _sparse_data(n=4000, d=100)
    est = fit_quietly(small_estimator(Est, max_iter=3), X[:1000], y[:1000])
    np.testing.assert_array_equal(est.predict(X), est.predict(X.toarray()))
