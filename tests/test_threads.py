"""Threads, BLAS and interrupts.

* While a fit runs, BLAS runs on one thread (``threadpoolctl.threadpool_limits``,
  owned by the call, in whichever thread fits), restored when it ends; L-BFGS-B
  runs under it.
* Fits are bit-identical in the main thread, in a worker thread, concurrently
  with other fits, and under ``threadpool_limits(1)``.
* A ``KeyboardInterrupt`` at any moment of ``fit``, ``partial_fit`` or
  ``predict`` surfaces as ``KeyboardInterrupt``, leaves the estimator exactly as
  it was (or, if it came after the call's last step, exactly as a completed
  call leaves it), and the process fits and predicts normally afterwards.
"""

import copy
import pickle
import signal
import sys
import threading
import warnings
from functools import partial

import numpy as np
import pytest
from _helpers import fit_quietly, make_estimator, smooth_data
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_lecture import RBFRegressor, _objective, _optimizers, training_problem


def _make(name, **params):
    return make_estimator(name, units=16 if name == "mlp" else 12, random_state=0, **params)


def _blas_threads():
    return [(i["filepath"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]


def test_the_block_sums_are_the_same_whatever_the_blas_threads():
    X, y = smooth_data(n=5000, d=4)
    est = fit_quietly(_make("mlp", max_iter=2), X, y)
    objective, _, theta, _ = training_problem(est, X, y, dtype=np.float64)
    with threadpool_limits(1, user_api="blas"):
        reference = objective.sums(theta)
    with threadpool_limits(2, user_api="blas"):
        sse, grad = objective.sums(theta)
    assert sse == reference[0]
    assert grad.tobytes() == reference[1].tobytes()


@pytest.mark.parametrize("where", ["main", "worker"])
def test_a_fit_runs_on_one_blas_thread_in_any_thread_and_restores_it(where, monkeypatch):
    """threadpoolctl lets one Python thread at a time set OpenBLAS's threads: a fit
    owns its limit for the call only, so a fit in a worker thread, after fits in the
    main thread, still runs its block sums on one BLAS thread."""
    before = _blas_threads()
    if not before:
        pytest.skip("no BLAS library found by threadpoolctl")
    X, y = smooth_data(n=300, d=4)
    fit_quietly(_make("mlp", max_iter=2), X, y)  # a fit in the main thread first
    seen = []
    block_sums = _objective.block_sums

    def spy(*args):
        if not seen:
            seen.append(_blas_threads())
        return block_sums(*args)

    monkeypatch.setattr(_objective, "block_sums", spy)
    fit = partial(fit_quietly, _make("mlp", max_iter=2), X, y)
    if where == "main":
        fit()
    else:
        thread = threading.Thread(target=fit)
        thread.start()
        thread.join()
    assert seen and all(n == 1 for _, n in seen[0])
    assert _blas_threads() == before


def test_lbfgs_runs_on_one_blas_thread_and_restores_it():
    before = _blas_threads()
    if not before:
        pytest.skip("no BLAS library found by threadpoolctl")
    X, y = smooth_data(n=300, d=4)
    seen = []
    minimize = _optimizers.minimize

    def spy(fun, *args, **kwargs):
        seen.append(_blas_threads())
        return minimize(fun, *args, **kwargs)

    _optimizers.minimize = spy
    try:
        # Called directly, as a user of the solver would: the fit's hold is not there.
        est = _make("mlp", max_iter=5)
        objective, _, theta0, _ = training_problem(est, X, y)
        _optimizers.lbfgs(objective, theta0.astype(np.float64), max_iter=5, tol=0.0)
    finally:
        _optimizers.minimize = minimize
    assert seen and all(n == 1 for _, n in seen[0])
    assert _blas_threads() == before


def _fitted_bytes(est):
    return pickle.dumps((est._params_, est.loss_curve_))


def _blas_rounds_by_thread_count():
    """Whether this BLAS may give other last bits with 2 threads than with 1.

    OpenBLAS 0.3.21 (numpy 1.24) does, for products with a long reduction over
    rows (the RBF read-out's least squares); 0.3.30/0.3.31 (numpy 2.x, scipy
    1.17) were checked not to. The one-thread BLAS setting of a fit takes effect
    for calls from the main thread only (OpenBLAS ignores it in a worker
    thread's own calls), so a fit in a worker thread is bit-identical only with
    the latter. Anything but OpenBLAS >= 0.3.30 counts as rounding by threads.
    """
    for info in threadpool_info():
        if info["user_api"] != "blas":
            continue
        version = tuple(int(v) for v in str(info.get("version") or "0").split(".")[:3])
        if info.get("internal_api") != "openblas" or version < (0, 3, 30):
            return True
    return False


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
@pytest.mark.parametrize("name", ["mlp", "rbf"])
def test_fits_are_bit_identical_in_any_thread_and_concurrently(name, solver):
    """Main thread, a worker thread, four fits at once, threadpool_limits(1)."""
    before = _blas_threads()
    X, y = smooth_data(n=3000, d=4)
    params = dict(max_iter=15, solver=solver)
    reference = _fitted_bytes(fit_quietly(_make(name, **params), X, y))

    results = []

    def worker():
        results.append(_fitted_bytes(fit_quietly(_make(name, **params), X, y)))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    results.append(_fitted_bytes(fit_quietly(_make(name, **params), X, y)))  # at the same time
    for t in threads:
        t.join()
    with threadpool_limits(1):  # BLAS and OpenMP (KMeans) on one thread
        results.append(_fitted_bytes(fit_quietly(_make(name, **params), X, y)))
    assert len(results) == 6
    if not _blas_rounds_by_thread_count():
        assert all(r == reference for r in results)
    else:  # the promise on such a BLAS (see README): equal to rounding
        ref = pickle.loads(reference)[0]
        for r in results:
            for key, value in pickle.loads(r)[0].items():
                np.testing.assert_allclose(value, ref[key], rtol=1e-9, atol=1e-12)
    assert _blas_threads() == before


@pytest.mark.parametrize("n_centers", [20, 40])
def test_rbf_with_the_default_centres_is_bit_identical_in_a_worker_thread(n_centers):
    """From 20 centres the initialisation's least squares is a product OpenBLAS
    threads (and rounds by thread count): a fit in a worker thread, after one in
    the main thread, must hold BLAS at one thread too (issue 22)."""
    X, y = smooth_data(n=3000, d=4)
    make = partial(RBFRegressor, n_centers, max_iter=15, random_state=0)
    reference = _fitted_bytes(fit_quietly(make(), X, y))
    results = []

    def worker():
        results.append(_fitted_bytes(fit_quietly(make(), X, y)))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert results == [reference]


# ---------------------------------------------------------------------------
# Interrupts at random moments
# ---------------------------------------------------------------------------
def _snapshot(est):
    """Everything on the estimator, as bytes (pickle is deterministic for equal state)."""
    return pickle.dumps(dict(sorted(vars(est).items())))


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="signal.setitimer is POSIX-only")
@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signals are delivered to the main thread only",
)
# An interrupt that lands inside a garbage-collector or weakref callback (CPython runs
# them between any two bytecodes) cannot propagate: CPython prints it as "Exception
# ignored" and goes on, and pytest reports that as a warning. The test then simply
# sees the call complete, which it checks like any other outcome.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_keyboard_interrupts_at_random_moments_leave_state_whole_and_fits_working():
    X, y = smooth_data(n=3000, d=4)  # two blocks
    X3 = X[:, :3] * 1e3 + 5.0  # another number of features and other units
    rng = np.random.RandomState(0)
    bases = {name: fit_quietly(_make(name, max_iter=5), X, y) for name in ("mlp", "rbf")}
    blas_before = _blas_threads()
    ops = {  # (parameters set before the call, the call)
        "fit": ({"warm_start": False}, lambda est: est.fit(X3, y)),
        "warm fit": ({"warm_start": True}, lambda est: est.fit(X, 2 * y)),
        "partial_fit": ({}, lambda est: est.partial_fit(X, y)),
        "predict": ({}, lambda est: est.predict(X)),
    }

    def start(name, op):
        return copy.deepcopy(bases[name]).set_params(**ops[op][0])

    # The state each call leaves when it completes: fits are deterministic.
    completed = {}
    for name in bases:
        for op, (_, call) in ops.items():
            est = start(name, op)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                call(est)
            completed[name, op] = _snapshot(est)

    def handler(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, handler)
    interrupts = attempts = 0
    try:
        while interrupts < 500:
            attempts += 1
            assert attempts < 20000, "the timer never interrupted anything"
            name = ("mlp", "rbf")[rng.randint(2)]
            op = list(ops)[rng.randint(len(ops))]
            est = start(name, op)
            before = _snapshot(est)
            delay = 10.0 ** rng.uniform(-4.5, -1.5)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                try:
                    signal.setitimer(signal.ITIMER_REAL, delay)  # one shot
                    ops[op][1](est)
                    signal.setitimer(signal.ITIMER_REAL, 0)
                except KeyboardInterrupt:
                    interrupts += 1
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            assert _snapshot(est) in (before, completed[name, op]), (name, op, delay)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    assert _blas_threads() == blas_before

    # The process fits and predicts normally: in a thread, so a hang fails.
    outcome = {}

    def final():
        for name in ("mlp", "rbf"):
            est = fit_quietly(_make(name, max_iter=5), X, y)
            outcome[name] = est.predict(X)

    thread = threading.Thread(target=final, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "fit hangs after the interrupts"
    for name, base in bases.items():
        if _blas_rounds_by_thread_count():  # fitted in a worker thread: see above
            np.testing.assert_allclose(outcome[name], base.predict(X), rtol=1e-9, atol=1e-12)
        else:
            assert outcome[name].tobytes() == base.predict(X).tobytes()
    print(f"{interrupts} interrupts in {attempts} calls", file=sys.stderr)


def test_a_pass_that_overflows_raises_no_runtimewarning():
    """One ``np.errstate`` covers a pass. Weights 1e300 make every block overflow;
    with RuntimeWarnings as errors, a block that was not silenced would raise."""
    X, y = smooth_data(n=9000, d=4)  # 5 blocks
    est = fit_quietly(_make("mlp", hidden_layer_sizes=(32,), max_iter=2), X, y)
    objective, _, theta, _ = training_problem(est, X, y, dtype=np.float64)
    huge = np.full_like(theta, 1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        J, grad = objective(huge)
        sse, _ = objective.sums(huge)
    assert not np.isfinite(J) and not np.isfinite(sse)  # it did overflow


@pytest.mark.parametrize("name", ["mlp", "rbf"])
def test_a_fit_writes_nothing_on_the_estimator_until_it_stores_its_state(name, monkeypatch):
    """So ``copy.deepcopy(est)`` from another thread during a fit sees a whole estimator
    (issue 22: scikit-learn's callback context, two attributes added and removed in
    place during every fit, made it fail with "dictionary changed size")."""
    X, y = smooth_data(n=300, d=4)
    est = _make(name, max_iter=3)
    during = []
    real = type(est)._block_loss_grad

    def spy(self, *args):
        during.append(frozenset(vars(est)))
        copy.deepcopy(est)
        return real(self, *args)

    monkeypatch.setattr(type(est), "_block_loss_grad", spy)
    for call in ("fit", "fit", "partial_fit"):
        before = frozenset(vars(est))
        during.clear()
        fit_quietly(est, X, y, method=call)
        assert during and set(during) == {before}, call
