"""The lecture's full-batch gradient descent on a dask cluster (``_dask.py``).

The tests that take the ``client`` fixture run against a real ``LocalCluster`` of two
worker processes; the last section's run on the local threaded scheduler, whichever
client is the default. A dask fit must give the in-memory fit's parameters to 1e-10
relative: the workers run the same ``_block_loss_grad`` and only the order of the
additions differs.

``conftest.py`` runs this file first: with ``-n 2`` its tests then fall in one
worker's first batch (one cluster, not one per worker), which runs them beside the
rest of the suite, never alone at its end.
"""

import os
import pickle
import signal
import subprocess
import sys
import warnings
from functools import partial

import numpy as np
import pytest
from _helpers import fit_quietly
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install '.[dask]')")
distributed = pytest.importorskip(
    "dask.distributed", reason="distributed is not installed (pip install '.[dask]')"
)

from sklearn_lecture import (  # noqa: E402
    DivergenceError,
    RBFRegressor,
    SigmoidMLPRegressor,
    _backend,
    _dask,
    _standardize,
)
from sklearn_lecture._base import _yhat  # noqa: E402

KERNELS = ["sigmoid", "rbf", "relu"]
N, CHUNK = 301, 70  # 70 does not divide 301: the last chunk has 21 rows


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture
def local_scheduler():
    """The local threaded scheduler, also while the module's ``client`` is the default.

    Without it these tests ran on the cluster or not depending on test order (the
    one-row-chunk fit took 20 s there, 1 s here)."""
    import dask
    import dask.threaded

    with dask.config.set(scheduler="threads"):
        assert dask.base.get_scheduler() is dask.threaded.get
        yield


local = pytest.mark.usefixtures("local_scheduler")


def _data(n=N, n_outputs=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3) * [1.0, 10.0, 0.1] + [0.0, 5.0, -1.0]
    Y = np.column_stack([np.sin(X[:, 0]) + 0.1 * X[:, 1] + X[:, 2] * k for k in range(n_outputs)])
    sw = rng.uniform(0.2, 2.0, size=n)
    return X, (Y[:, 0] if n_outputs == 1 else Y), sw


def _dask_data(X, y, sw=None):
    Xd = da.from_array(X, chunks=(CHUNK, -1))
    yd = da.from_array(y, chunks=(CHUNK,) + (-1,) * (y.ndim - 1))
    swd = None if sw is None else da.from_array(sw, chunks=CHUNK)
    return Xd, yd, swd


def _assert_same_fit(a, b, rtol=1e-10):
    pa, pb = a._fitted_params(), b._fitted_params()
    assert pa.keys() == pb.keys()
    for name in pa:
        ref = np.asarray(pa[name], dtype=np.float64)
        np.testing.assert_allclose(
            pb[name], ref, rtol=rtol, atol=rtol * max(np.abs(ref).max(), 1e-300), err_msg=name
        )
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_allclose(b.loss_curve_, a.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(b.learning_rate_, a.learning_rate_, rtol=rtol)


def _estimator(Est, kernel, solver, **kw):
    extra = (
        {"n_centers": 4, "fit_widths": True}
        if Est is RBFRegressor
        else {"hidden_layer_sizes": (5,)}
    )
    return Est(kernel=kernel, solver=solver, random_state=0, tol=0, **extra, **kw)


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_dask_fit_equals_in_memory_fit(client, Est, kernel, solver):
    X, y, sw = _data()
    Xd, yd, swd = _dask_data(X, y, sw)
    a = fit_quietly(
        _estimator(Est, kernel, solver, learning_rate=0.05, max_iter=4), X, y, sample_weight=sw
    )
    b = fit_quietly(
        _estimator(Est, kernel, solver, learning_rate=0.05, max_iter=4), Xd, yd, sample_weight=swd
    )
    _assert_same_fit(a, b)
    assert b.n_iter_ == 4


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_auto_learning_rate_two_outputs_and_no_weights(client, Est):
    # learning_rate="auto" compares J values (the nonmonotone line search) and sets
    # alpha from s.s / s.y and s.y / y.y: the tiny summation differences must not
    # flip a decision or grow. In 40 iterations alpha changes at every step.
    X, Y, _ = _data(n_outputs=2)
    Xd, Yd, _ = _dask_data(X, Y)
    alpha0 = fit_quietly(_estimator(Est, "rbf", "gd", max_iter=1), X, Y).learning_rate_
    a = fit_quietly(_estimator(Est, "rbf", "gd", max_iter=40), X, Y)
    b = fit_quietly(_estimator(Est, "rbf", "gd", max_iter=40), Xd, Yd)
    assert a.n_iter_ == 40 and a.learning_rate_ != alpha0  # the BB rule moved alpha
    # "auto" on dask is equally good (issue 21), not the same weights
    assert abs(a.score(X, Y) - b.score(X, Y)) <= 0.01
    assert b.coef_.shape == a.coef_.shape if Est is RBFRegressor else b.coefs_[-1].shape == (5, 2)


def test_predict_pickle_and_partial_fit(client):
    X, y, sw = _data()
    Xd, yd, swd = _dask_data(X, y, sw)
    est = fit_quietly(
        SigmoidMLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0), Xd, yd
    )
    y_np = est.predict(X)
    assert isinstance(y_np, np.ndarray) and y_np.shape == (N,)
    y_lazy = est.predict(Xd)
    assert isinstance(y_lazy, da.Array) and y_lazy.chunks == ((70, 70, 70, 70, 21),)
    np.testing.assert_allclose(y_lazy.compute(), y_np, rtol=1e-12)
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.predict(X), y_np)
    # partial_fit: one lecture step on the whole dask batch, as in memory.
    a = SigmoidMLPRegressor(hidden_layer_sizes=(4,), learning_rate=0.1, random_state=0)
    b = SigmoidMLPRegressor(hidden_layer_sizes=(4,), learning_rate=0.1, random_state=0)
    for _ in range(3):
        a.partial_fit(X, y, sample_weight=sw)
        b.partial_fit(Xd, yd, sample_weight=swd)
    _assert_same_fit(a, b)


def test_float32_and_integer_input(client):
    X, y, _ = _data()
    X32, y32 = _dask_data(X.astype(np.float32), y)[:2]
    est = fit_quietly(RBFRegressor(3, max_iter=3, random_state=0), X32, y32)
    assert est.centers_.dtype == np.float32
    assert est.predict(da.from_array(X.astype(np.float32), chunks=100)).dtype == np.float32
    Xi = np.round(X * 10).astype(np.int64)
    a = fit_quietly(RBFRegressor(3, max_iter=3, random_state=0), Xi, y)
    b = fit_quietly(RBFRegressor(3, max_iter=3, random_state=0), *_dask_data(Xi, y)[:2])
    _assert_same_fit(a, b)


def test_early_stopping_holds_out_the_same_number_of_rows(client):
    X, y, sw = _data()
    Xd, yd, swd = _dask_data(X, y, sw)
    est = SigmoidMLPRegressor(
        hidden_layer_sizes=(4,),
        early_stopping=True,
        validation_fraction=0.2,
        max_iter=3,
        random_state=0,
    )
    fit_quietly(est, Xd, yd, sample_weight=swd)
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    rng = np.random.RandomState(0)
    standardizer = _standardize.Standardizer.identity(3, 1)
    predict = partial(_yhat, est._forward)
    Xt, Yt, st, monitor = _dask.DaskRows.split_validation(
        Xd, yd[:, None], swd, standardizer, rng, 0.2, predict
    )
    n_val = int(np.ceil(0.2 * N))
    assert Xt.compute().shape == (N - n_val, 3) and st.compute().shape == (N - n_val,)
    assert np.isfinite(monitor(est._to_training(est._fitted_params(), standardizer)))
    # the same rows as the in-memory split (issue 22: the dask path held out others)
    Xm, _, sm, _ = _backend.InMemoryRows.split_validation(
        X, y[:, None], sw, standardizer, np.random.RandomState(0), 0.2, predict
    )
    np.testing.assert_array_equal(Xt.compute(), Xm)
    np.testing.assert_array_equal(st.compute(), sm)


@local
@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_early_stopping_fits_like_in_memory(Est):
    """A fixed learning rate: the same held-out rows, so the same fit to 1e-10."""
    X, y, sw = _data()
    est = _estimator(Est, "sigmoid", "gd", early_stopping=True, learning_rate=0.05, max_iter=20)
    a = fit_quietly(clone(est), X, y, sample_weight=sw)
    Xd, yd, swd = _dask_data(X, y, sw)
    b = fit_quietly(clone(est), Xd, yd, sample_weight=swd)
    _assert_same_fit(a, b)
    np.testing.assert_allclose(b.validation_scores_, a.validation_scores_, rtol=1e-10)


@local
@pytest.mark.parametrize("fmt", ["csr_matrix", "coo_matrix"])
def test_dask_array_of_sparse_chunks_fits_like_the_dense_one(fmt):
    """Chunks that are scipy.sparse matrices (issue 22: TypeError from isfinite; COO
    chunks, whose dask meta is an ndarray: TypeError from len)."""
    sp = pytest.importorskip("scipy.sparse")
    X, y, _ = _data()
    X[X < 0] = 0.0
    Xd, yd, _ = _dask_data(X, y)
    Xs = Xd.map_blocks(getattr(sp, fmt))
    a = fit_quietly(SigmoidMLPRegressor((4,), max_iter=5, random_state=0), Xd, yd)
    b = fit_quietly(SigmoidMLPRegressor((4,), max_iter=5, random_state=0), Xs, yd)
    _assert_same_fit(a, b)
    np.testing.assert_array_equal(b.predict(Xs).compute(), a.predict(Xd).compute())


def test_init_sample_of_a_large_array_is_weighted_and_in_row_order(client):
    # The >INIT_MAX_ROWS path with a small limit: rows of zero weight are never drawn.
    X, y, sw = _data()
    sw[::2] = 0.0
    Xd, yd, swd = _dask_data(X, y, sw)
    Xi, Yi, si = _dask.DaskRows.init_rows(Xd, yd[:, None], swd, np.random.RandomState(0), 40)
    assert Xi.shape == (40, 3) and Yi.shape == (40, 1) and si is None
    rows = [int(np.flatnonzero((X == r).all(axis=1))[0]) for r in Xi]
    assert rows == sorted(set(rows))  # no repeats, row order kept
    assert all(sw[r] > 0 for r in rows)


def test_bad_dask_input_gives_clear_errors(client):
    X, y, sw = _data()
    Xn = X.copy()
    Xn[200, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        SigmoidMLPRegressor().fit(*_dask_data(Xn, y)[:2])
    yn = y.copy()
    yn[7] = np.nan
    with pytest.raises(ValueError, match="y contains NaN"):
        SigmoidMLPRegressor().fit(*_dask_data(X, yn)[:2])
    with pytest.raises(ValueError, match="non-negative"):
        SigmoidMLPRegressor().fit(*_dask_data(X, y, -sw))
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        Xd, yd, _ = _dask_data(X, y)
        SigmoidMLPRegressor().fit(Xd[Xd[:, 0] > 0], yd[Xd[:, 0] > 0])
    est = fit_quietly(SigmoidMLPRegressor(max_iter=2), *_dask_data(X, y)[:2])
    with pytest.raises(ValueError, match="expecting 3 features"):
        est.predict(da.ones((5, 4), chunks=2))


def test_nothing_imports_dask_for_numpy_input():
    code = (
        "import sys, numpy as np; from sklearn_lecture import SigmoidMLPRegressor; "
        "SigmoidMLPRegressor(max_iter=2).fit(np.eye(3), np.ones(3)); "
        "print(any(m == 'dask' or m.startswith('dask.') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert out.stdout.strip() == "False"


def test_grid_search_on_joblib_dask_backend(client):
    import joblib
    from sklearn.model_selection import GridSearchCV

    X, y, _ = _data()
    grid = {"hidden_layer_sizes": [(3,), (6,)], "learning_rate": [0.1, "auto"]}
    est = SigmoidMLPRegressor(max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = GridSearchCV(est, grid, cv=3).fit(X, y)
        with joblib.parallel_backend("dask"):
            remote = GridSearchCV(est, grid, cv=3, n_jobs=-1).fit(X, y)
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], rtol=1e-12
    )
    assert remote.best_params_ == local.best_params_


def test_worker_killed_mid_fit_is_retried_or_raises(client, monkeypatch):
    """Killing a worker mid-fit: dask recomputes the lost chunks, so the fit completes
    and equals the in-memory fit, or it raises; it never returns a wrong model."""
    X, y, sw = _data()
    Xd, yd, swd = _dask_data(X, y, sw)
    calls = []
    sums = _dask.ChunkedRows.sum_blocks
    victim = sorted(client.scheduler_info()["workers"])[0]
    pid = client.run(os.getpid, workers=[victim])[victim]

    def sums_and_kill(self, block_sums, theta):
        calls.append(1)
        if len(calls) == 3:  # third iteration: kill one worker process (its nanny restarts it)
            os.kill(pid, signal.SIGKILL)
        return sums(self, block_sums, theta)

    monkeypatch.setattr(_dask.ChunkedRows, "sum_blocks", sums_and_kill)
    a = fit_quietly(
        _estimator(SigmoidMLPRegressor, "sigmoid", "gd", max_iter=8, learning_rate=0.05),
        X,
        y,
        sample_weight=sw,
    )
    b = _estimator(SigmoidMLPRegressor, "sigmoid", "gd", max_iter=8, learning_rate=0.05)
    try:
        fit_quietly(b, Xd, yd, sample_weight=swd)
    except Exception as exc:  # a clear error, naming the lost worker, is acceptable
        assert "worker" in f"{type(exc).__name__} {exc}".lower()
        assert not hasattr(b, "n_iter_")  # and nothing half-fitted was stored
    else:
        _assert_same_fit(a, b)
    assert len(calls) >= 3
    client.wait_for_workers(2, timeout=60)


# ---------------------------------------------------------------------------
# Dask inputs that gave internal errors (issue 11); the local threaded scheduler.
# ---------------------------------------------------------------------------


@local
def test_an_empty_chunk_fits_like_the_in_memory_data():
    X, y, _ = _data()
    keep = np.arange(N) % 140 < 70  # every other chunk of 70 rows is dropped: empty chunks
    mask = da.from_array(keep, chunks=CHUNK)  # a lazy mask: chunk sizes unknown until ...
    Xd = da.from_array(X, chunks=(CHUNK, -1))[mask]
    yd = da.from_array(y, chunks=CHUNK)[mask]
    Xd.compute_chunk_sizes()
    yd.compute_chunk_sizes()
    assert 0 in Xd.chunks[0]
    for make in (lambda: SigmoidMLPRegressor((4,)), lambda: RBFRegressor(4)):
        # a float learning rate: dask equals in memory to 1e-10 (with "auto", equally good)
        alpha = fit_quietly(make().set_params(max_iter=1, random_state=0), X, y).learning_rate_
        kw = dict(max_iter=5, random_state=0, learning_rate=alpha)
        a = fit_quietly(make().set_params(**kw), Xd, yd)
        b = fit_quietly(make().set_params(**kw), X[keep], y[keep])
        np.testing.assert_allclose(a.predict(Xd).compute(), b.predict(X[keep]), rtol=1e-10)


@local
def test_early_stopping_with_one_row_chunks_fits():
    X, y, _ = _data(n=30)
    Xd, yd = da.from_array(X, chunks=(1, -1)), da.from_array(y, chunks=1)
    est = fit_quietly(
        SigmoidMLPRegressor((3,), early_stopping=True, max_iter=5, random_state=0), Xd, yd
    )
    assert np.all(np.isfinite(est.predict(Xd).compute()))


@local
@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_early_stopping_with_a_diverging_rate_is_a_divergence_error_without_warnings(Est):
    # The held-out rows' squared errors overflowed with a RuntimeWarning (in memory: -inf).
    X, y, _ = _data(n=60)
    Xd, yd = da.from_array(X, chunks=(20, -1)), da.from_array(y, chunks=20)
    est = Est(learning_rate=1e300, early_stopping=True, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(DivergenceError, match="learning_rate=1e\\+300 is too large"):
            est.fit(Xd, yd)


@local
def test_early_stopping_with_zero_weight_training_or_validation_rows_is_a_clear_error():
    X, y, _ = _data(n=30)
    sw = np.zeros(30)
    sw[0] = 1.0  # one row weighs anything: the training or the validation rows weigh 0
    Xd, yd, swd = (
        da.from_array(X, chunks=(7, -1)),
        da.from_array(y, chunks=7),
        da.from_array(sw, chunks=7),
    )
    for seed in range(3):
        est = SigmoidMLPRegressor((3,), early_stopping=True, max_iter=5, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            with pytest.raises(ValueError, match="early_stopping=False"):
                est.fit(Xd, yd, sample_weight=swd)


@local
@pytest.mark.parametrize("what", ["sample_weight", "y"])
def test_wrong_length_sample_weight_or_y_names_it(what):
    X, y, sw = _data()
    Xd = da.from_array(X, chunks=(CHUNK, -1))
    args = {"y": y, "sample_weight": sw}
    args[what] = args[what][:-5]
    with pytest.raises(ValueError, match=rf"{what} has shape"):
        SigmoidMLPRegressor((3,), max_iter=2).fit(
            Xd, args["y"], sample_weight=args["sample_weight"]
        )


@local
def test_float32_data_of_subnormal_size_fits_like_in_memory():
    """X of size 1e-45 in float32 has no spread float32 can hold, so the model can only
    fit y's mean: there J's gradient is the float32 rounding of sums that dask adds in
    another order (chunks of 25 rows, one block of 60 in memory). A fixed learning rate
    (the lecture's method, whose promise is exactness) moves the fit by that rounding
    times alpha: predictions to 1e-5. With learning_rate="auto" long Barzilai-Borwein
    steps multiply the same rounding (issue 21: an equally good model, not the same
    weights): J and the training R^2 agree."""
    rng = np.random.RandomState(0)
    X = (rng.uniform(1, 5, size=(60, 2)) * 1e-45).astype(np.float32)  # 1e-45 ... 7e-45
    y = rng.standard_normal(60).astype(np.float32)
    Xd, yd = da.from_array(X, chunks=(25, -1)), da.from_array(y, chunks=25)
    for learning_rate in (0.5, "auto"):
        # l2 given: with l2="auto", 60 rows for 13 parameters have GCV choose the penalty in
        # memory, which dask cannot (it trains at 1e-3, with short steps)
        est = SigmoidMLPRegressor(
            (3,), max_iter=5, random_state=0, learning_rate=learning_rate, l2=1e-3
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            a = fit_quietly(clone(est), Xd, yd)
            b = fit_quietly(clone(est), X, y)
        if learning_rate == "auto":
            np.testing.assert_allclose(a.loss_, b.loss_, rtol=1e-6)
            assert abs(a.score(X, y) - b.score(X, y)) < 1e-6
        else:
            np.testing.assert_allclose(a.predict(Xd).compute(), b.predict(X), rtol=1e-5)


@local
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_check_gradients_on_dask_data_evaluate_the_in_memory_J(dtype):
    """check_gradients (through ``training_problem``) evaluates J in float64 where the
    rows live: a float32 dask X is cast chunk by chunk, not turned into numpy, and J
    and its gradient are the in-memory ones up to the order of the additions."""
    from sklearn_lecture import check_gradients, training_problem

    rng = np.random.RandomState(0)
    X = rng.standard_normal((N, 3)).astype(dtype)
    y = np.sin(X[:, 0]) + X[:, 2]
    Xd, yd = da.from_array(X, chunks=(CHUNK, 3)), da.from_array(y, chunks=CHUNK)
    net = SigmoidMLPRegressor((3,), random_state=0)
    errors = check_gradients(net, Xd, yd)
    assert max(errors.values()) < 1e-6, errors
    on_dask = training_problem(net, Xd, yd, dtype=np.float64)
    in_memory = training_problem(net, X, y, dtype=np.float64)
    assert isinstance(on_dask.objective.rows, _dask.ChunkedRows)
    np.testing.assert_allclose(on_dask.theta0, in_memory.theta0, rtol=1e-12)
    J_dask, grad_dask = on_dask.objective(in_memory.theta0)
    J_memory, grad_memory = in_memory.objective(in_memory.theta0)
    np.testing.assert_allclose(J_dask, J_memory, rtol=1e-10)
    np.testing.assert_allclose(grad_dask, grad_memory, rtol=1e-9, atol=1e-12)


@local
def test_early_stopping_on_held_out_rows_with_one_y_value_is_a_clear_error():
    rng = np.random.RandomState(0)
    X = rng.randn(40, 2)
    y = np.r_[np.zeros(36), np.ones(4)]
    Xd, yd = da.from_array(X, chunks=(10, -1)), da.from_array(y, chunks=10)
    for seed in range(20):
        est = SigmoidMLPRegressor((3,), early_stopping=True, max_iter=5, random_state=seed)
        try:
            fit_quietly(est, Xd, yd)
        except ValueError as exc:
            assert "y are all equal" in str(exc)
            break
    else:
        pytest.fail("no seed held out four zeros")


@local
@pytest.mark.parametrize("Est", [RBFRegressor, SigmoidMLPRegressor])
def test_rows_with_ties_start_from_the_in_memory_parameters(Est):
    """Integer and one-hot features (issue 22: init="kmeans" started RBFRegressor from
    other centres on dask, the standardisation differing in its last bit): dask computes
    the in-memory statistics bit for bit, so the start is the same, and the fit with it."""
    from sklearn_lecture import training_problem

    rng = np.random.RandomState(0)
    X = np.hstack([rng.randint(0, 3, size=(400, 4)), np.eye(5)[rng.randint(0, 5, 400)]])
    y = X @ rng.randn(9) + 0.1 * rng.randn(400)
    sw = rng.uniform(0.5, 2.0, 400)
    Xd, yd, swd = _dask_data(X.astype(float), y, sw)
    est = Est(random_state=0, max_iter=20, learning_rate=0.05)
    on_dask = training_problem(est, Xd, yd, swd)
    in_memory = training_problem(est, X, y, sw)
    assert on_dask.theta0.tobytes() == in_memory.theta0.tobytes()
    a = fit_quietly(clone(est), X, y, sample_weight=sw)
    b = fit_quietly(clone(est), Xd, yd, sample_weight=swd)
    _assert_same_fit(a, b)


@local
def test_a_large_array_starts_from_the_in_memory_sample(monkeypatch):
    """Beyond INIT_MAX_ROWS the initialisation samples rows: the same rows on dask."""
    from sklearn_lecture import _base, training_problem

    monkeypatch.setattr(_base, "INIT_MAX_ROWS", 100)
    X, y, sw = _data()
    Xd, yd, swd = _dask_data(X, y, sw)
    est = RBFRegressor(random_state=0, max_iter=5, learning_rate=0.05)
    start = training_problem(est, X, y, sw).theta0
    assert training_problem(est, Xd, yd, swd).theta0.tobytes() == start.tobytes()
    _assert_same_fit(
        fit_quietly(clone(est), X, y, sample_weight=sw),
        fit_quietly(clone(est), Xd, yd, sample_weight=swd),
    )


@local
def test_weights_whose_sum_overflows_fit_like_in_memory():
    """Weights near float64's largest (their sum overflows) are scaled by a power of two, as in
    memory: the same fit, and no RuntimeWarning or NaN from the statistics' overflowing sum."""
    rng = np.random.RandomState(0)
    X = rng.standard_normal((40, 3))
    y, sw = np.sin(X.sum(axis=1)), np.full(40, 1.7e308)
    est = RBFRegressor(n_centers=5, max_iter=20, learning_rate=0.05, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = clone(est).fit(da.from_array(X, chunks=20), y, sample_weight=sw)
        b = clone(est).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-10)
