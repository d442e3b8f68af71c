"""Threads, BLAS and interrupts: what ``sklearn_lecture/_rows.py`` promises.

* The lanes of row blocks run on threads owned by each call: nothing outlives
  the call, nothing is shared between calls.
* While fits run, BLAS runs on one thread; the setting is shared by fits running
  at once and restored when the last one ends (OpenBLAS has no per-thread
  setting), and L-BFGS-B runs under it.
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

import numpy as np
import pytest
from _helpers import fit_quietly, make_estimator, smooth_data
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_lecture import _objective, _optimizers, _rows, training_problem

LANE = "sklearn_lecture_lane"


@pytest.fixture(autouse=True)
def _lanes_on_threads(monkeypatch):
    """Small data here, so that the lanes run on threads (by default they would not)."""
    monkeypatch.setattr(_rows, "THREADS_MIN_BLOCKS", 2)
    monkeypatch.setattr(_rows, "THREADS_MIN_ROW_WIDTH", 0)


def _make(name, **params):
    return make_estimator(name, units=16 if name == "mlp" else 12, random_state=0, **params)


def _blas_threads():
    return [(i["filepath"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]


def _lane_threads():
    return [t for t in threading.enumerate() if t.name == LANE]


def test_lane_threads_belong_to_the_call_and_no_pool_is_kept():
    X, y = smooth_data(n=3000, d=4)
    est = _make("mlp", max_iter=3)
    assert not hasattr(_optimizers, "_POOL") and not hasattr(_objective, "_POOL") and not hasattr(_rows, "_POOL")
    seen, ran_on = [], set()
    original = _rows.sum_lanes
    threads_before = set(threading.enumerate())

    def spy(lane_sums, *args, **kwargs):
        def recorded(*lane_args):
            ran_on.add(threading.current_thread().name)
            return lane_sums(*lane_args)

        out = original(recorded, *args, **kwargs)
        seen.append(len(_lane_threads()))  # right after the call: its threads joined
        return out

    _rows_sum_lanes = _objective.sum_lanes
    _objective.sum_lanes = spy
    try:
        fit_quietly(est, X, y)
    finally:
        _objective.sum_lanes = _rows_sum_lanes
    assert seen and all(count == 0 for count in seen)
    if _rows.n_cpus() > 1:  # the lanes did run on threads of their own, and none is left
        assert LANE in ran_on
    assert set(threading.enumerate()) <= threads_before


def test_threaded_lanes_give_the_sums_of_one_thread_whatever_the_blas_threads():
    X, y = smooth_data(n=5000, d=4)
    est = fit_quietly(_make("mlp", max_iter=2), X, y)
    objective, _, theta, _ = training_problem(est, X, y, dtype=np.float64)
    objective.n_threads = 1  # the reference: every lane in this thread
    reference = objective.sums(theta)
    for n_threads in (1, 2, 4):
        objective.n_threads = n_threads
        for blas in (1, 2):
            with threadpool_limits(blas, user_api="blas"):
                sse, grad = objective.sums(theta)
            assert sse == reference[0]
            assert grad.tobytes() == reference[1].tobytes()


def test_blas_threads_are_shared_by_concurrent_holders_and_restored_by_the_last():
    before = _blas_threads()
    if not before:
        pytest.skip("no BLAS library found by threadpoolctl")
    first, second = _rows.one_blas_thread(), _rows.one_blas_thread()
    first.__enter__()
    assert all(n == 1 for _, n in _blas_threads())
    second.__enter__()
    first.__exit__(None, None, None)  # the other holder still runs: stays at one
    assert all(n == 1 for _, n in _blas_threads())
    second.__exit__(None, None, None)
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
    X, y = smooth_data(n=3000, d=4)  # three blocks: two lanes, on two threads
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

    # The lane threads of the interrupted calls finish on their own ...
    for t in _lane_threads():
        t.join(timeout=60)
        assert not t.is_alive(), "a lane thread of an interrupted call never finished"
    assert _blas_threads() == blas_before

    # ... and the process fits and predicts normally: in a thread, so a hang fails.
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


@pytest.mark.parametrize("n_threads", [1, 2])
def test_a_pass_that_overflows_raises_no_runtimewarning_on_any_lane(n_threads):
    """One ``np.errstate`` covers a pass in the calling thread; a lane on a thread
    of its own sets its own (errstate does not cross threads). Weights 1e300 make
    every lane overflow; with RuntimeWarnings as errors, a lane that did not
    silence them would raise, and ``sums`` hands a lane's error to the caller."""
    X, y = smooth_data(n=9000, d=4)  # 9 blocks: lanes on threads when n_threads > 1
    est = fit_quietly(_make("mlp", hidden_layer_sizes=(32,), max_iter=2), X, y)
    objective, _, theta, _ = training_problem(est, X, y, dtype=np.float64)
    objective.n_threads = n_threads
    ran_on = set()
    original = _objective.sum_lanes

    def spy(lane_sums, *args, **kwargs):
        def recorded(*lane_args):
            ran_on.add(threading.current_thread().name)
            return lane_sums(*lane_args)

        return original(recorded, *args, **kwargs)

    huge = np.full_like(theta, 1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _objective.sum_lanes = spy
        try:
            J, grad = objective(huge)
            sse, _ = objective.sums(huge)
        finally:
            _objective.sum_lanes = original
    assert not np.isfinite(J) and not np.isfinite(sse)  # it did overflow
    if n_threads > 1 and _rows.n_cpus() > 1:
        assert LANE in ran_on  # and some of it on a lane thread

