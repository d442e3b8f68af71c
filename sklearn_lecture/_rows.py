"""Row blocks and the threads that sum them, owned by each call.

Blocks: every pass over the rows (the block sums of :class:`~._objective.Objective`,
the statistics of :mod:`._standardize`, prediction) walks them in blocks of
``BLOCK_SIZE`` rows (:func:`iter_blocks`), so that memory does not grow with n.

The gradient of the lecture's ``J`` is a sum over rows. :class:`~._objective.Objective`
cuts the rows into blocks of ``BLOCK_SIZE`` rows and the blocks into ``N_LANES``
contiguous runs ("lanes"). Each lane adds its blocks, in order, into its own
gradient; the lanes' sums are then added in lane order. The result depends on n
and the block size only, never on how many threads ran the lanes.

Threads: :func:`sum_lanes` starts the threads for lanes 1, ... itself, on every
call, runs lane 0 in the calling thread and joins them before it returns. There
is no pool shared between calls and no lock shared between threads, so nothing
one call does (or an interrupted call leaves behind) can block another. When the
caller is interrupted (``KeyboardInterrupt``), the call's lane threads are told
to stop after their current block and the interrupt propagates at once.

BLAS: the block products are small, and a multithreaded BLAS makes them several
times slower (and on a busy machine much slower still), so while a fit runs the
BLAS libraries run on one thread (:func:`one_blas_thread`). OpenBLAS, the BLAS
numpy and scipy ship, has no per-thread setting (``openblas_set_num_threads_local``
sets the process-wide count in its pthreads builds), so the setting is
process-wide, as scikit-learn's own ``KMeans`` does: it is shared by all fits
running at once and restored when the last of them ends, so no fit ever changes
the BLAS threads under another. (In the OpenBLAS builds tested, 0.3.21 to 0.3.31,
the setting takes effect for BLAS calls from the main thread only: a fit run in a
worker thread keeps a multithreaded BLAS for its own calls.)
"""

import os
import signal
import threading
import weakref
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

try:  # the C functions ``signal`` wraps, without its int -> enum conversions
    import _signal as _raw_signal
except ImportError:  # not CPython
    _raw_signal = signal

# The row blocks are summed in N_LANES lanes (see the module docstring).
N_LANES = 2

# Rows per block: large enough for BLAS and numpy's per-call overhead, small enough
# that the block's n_block x units arrays stay in cache and memory does not grow with
# n. 1024 was the fastest of 256 ... 8192 for 64 units, float64 and float32, at
# n = 1e5 (benchmarks/bench_fit.py's setting, on the 2-core CI machine).
BLOCK_SIZE = 1024


def iter_blocks(n, block_size=BLOCK_SIZE):
    """The row slices ``0:block_size, block_size:2 block_size, ...`` covering ``n`` rows."""
    for start in range(0, n, block_size):
        yield slice(start, start + block_size)


def n_blocks(n, block_size=BLOCK_SIZE):
    """How many blocks :func:`iter_blocks` yields for ``n`` rows."""
    return -(-n // block_size)


def predict_in_blocks(predict_block, X, n_outputs, dtype):
    """``predict_block(X_block)`` on every block of X, gathered in one (n, n_outputs) array."""
    n = X.shape[0]
    out = np.empty((n, n_outputs), dtype=dtype)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for rows in iter_blocks(n):
            out[rows] = predict_block(X[rows])
    return out


# ------------------------------------------------------------- held-out rows
def n_validation(n, validation_fraction):
    """Rows held out by early stopping; a clear error when too few remain.

    The validation R^2 needs at least 2 held-out rows (with one, R^2 is
    undefined: every score would be 0 and the fit would stop at its start),
    and training at least 1.
    """
    n_val = int(np.ceil(validation_fraction * n))
    if n_val < 2 or n - n_val < 1:
        fix = (
            f"use a validation_fraction that holds out 2 to {n - 1} of them "
            f"(from 2/{n} to {n - 1}/{n})"
            if n >= 3
            else "early stopping needs 3 or more samples"
        )
        raise ValueError(
            f"early_stopping=True holds out {n_val} of the {n} samples "
            f"(validation_fraction={validation_fraction}); its R^2 needs at least 2 "
            f"held-out samples and training at least 1: {fix}, or set early_stopping=False."
        )
    return n_val


def check_split_weights(train_total, validation_total):
    """J and the validation R^2 divide by the sum of the weights of their rows."""
    if not (train_total > 0 and validation_total > 0):
        raise ValueError(
            "early_stopping=True held out rows so that the training rows or the "
            "validation rows all have sample_weight 0. Set early_stopping=False, "
            "or give more rows a positive sample_weight."
        )


def check_validation_spread(ss_tot, total_weight):
    """The validation R^2 needs held-out y that vary (standardised: below 1e-10 is none).

    ``ss_tot`` is ``sum_i s_i (y_i - mean)^2`` per output over the held-out rows.
    With every output constant there, R^2 is undefined: every score would be 0
    and early stopping would keep the starting parameters.
    """
    if np.all(np.asarray(ss_tot) <= 1e-20 * total_weight):
        raise ValueError(
            "early_stopping=True held out rows whose y are all equal, where R^2 is "
            "undefined. Set early_stopping=False, or use a larger validation_fraction "
            "or another random_state."
        )


# ------------------------------------------------------------------- lanes


def n_cpus():
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@lru_cache(maxsize=64)
def lanes(n_blocks):
    """``((first, stop), ...)``: the blocks of each non-empty lane, in lane order.

    Cached: every pass over the same rows asks again (5 us a pass, saved).
    """
    cuts = [n_blocks * k // N_LANES for k in range(N_LANES + 1)]
    return tuple((a, b) for a, b in zip(cuts[:-1], cuts[1:]) if b > a)


# Lanes run on threads only when each has enough work to pay for a thread (its
# start and join cost about 0.3 ms, and numpy holds the GIL between and inside
# small array operations): at least THREADS_MIN_BLOCKS blocks in all, and rows
# at least THREADS_MIN_ROW_WIDTH numbers wide (the objective passes the number
# of parameters, a proxy for the arithmetic per row). Measured on friedman1 (10
# features; 2 cores, shared with 2 other busy processes), ms per pass with 2
# threads / 1 thread: 20 hidden units (241 parameters) never paid, 1.6 at 2 blocks,
# 1.1-1.25 at 8-16 blocks, 1.07-1.17 at 98 blocks; 32 units 0.88-1.03 at 98
# blocks; 48 units (577) 0.85-0.99 at 4 blocks, 0.74-0.77 at 98; 64 units (769)
# 1.2-1.46 at 4 blocks, 0.76-0.85 at 8, 0.64-0.72 at 98; 256 units 0.56-0.65 at 8
# and 98 (benchmarks/bench_lanes.py).
THREADS_MIN_BLOCKS = 8
THREADS_MIN_ROW_WIDTH = 512


def sum_lanes(lane_sums, n_blocks, n_threads=None, row_width=None):
    """``[lane_sums(first, stop, stop_event) for each lane]``, in lane order.

    ``stop_event`` is a :class:`threading.Event` set when the call is
    interrupted, or ``None`` when every lane runs in the calling thread.

    With ``n_threads > 1`` (by default: when called from the main thread of a
    machine with several cores, for at least ``THREADS_MIN_BLOCKS`` blocks of
    rows at least ``THREADS_MIN_ROW_WIDTH`` wide, ``row_width`` when given)
    lanes 1, ... run on threads started for this
    call while the calling thread runs lane 0; numpy releases the GIL in its
    loops and in BLAS, so they run at once. Inside another thread (a joblib or
    dask worker, a user's thread pool) the lanes run one after the other in
    that thread: no nested parallelism. The results are the same either way.
    """
    todo = lanes(n_blocks)
    if n_threads is None:
        pays = n_blocks >= THREADS_MIN_BLOCKS and (
            row_width is None or row_width >= THREADS_MIN_ROW_WIDTH
        )
        on_main = pays and threading.current_thread() is threading.main_thread()
        n_threads = n_cpus() if on_main else 1
    if len(todo) < 2 or n_threads < 2:  # in this thread: nothing to tell to stop
        return [lane_sums(first, last, None) for first, last in todo]
    return _sum_lanes_on_threads(lane_sums, todo)


def _sum_lanes_on_threads(lane_sums, todo):
    """:func:`sum_lanes` with lanes ``todo[1:]`` on threads started here, lane 0 in this one."""
    stop = threading.Event()
    results = [None] * len(todo)
    errors = [None] * len(todo)

    def run(k):
        try:
            results[k] = lane_sums(*todo[k], stop)
        except BaseException as exc:  # handed to the caller below
            errors[k] = exc
        finally:
            threads[k - 1].finished.release()

    threads = [
        threading.Thread(target=run, args=(k,), name="sklearn_lecture_lane", daemon=True)
        for k in range(1, len(todo))
    ]
    for thread in threads:
        thread.finished = threading.Lock()
        thread.finished.acquire()  # released by the lane when it has returned
    try:
        with _signals_deferred():  # Thread.start waits on a Condition: see below
            for thread in threads:
                thread.start()
        results[0] = lane_sums(*todo[0], stop)
        for thread in threads:
            thread.finished.acquire()  # a plain lock: an interrupt here is clean
        with _signals_deferred():
            for thread in threads:
                thread.join()  # the lane has returned: this only reaps the thread
    except BaseException:
        # Interrupted (or lane 0 failed): the lane threads stop after their
        # current block; they hold no lock and write only their own result.
        stop.set()
        raise
    for exc in errors:
        if exc is not None:
            raise exc
    return results


@contextmanager
def _signals_deferred():
    """Hold back Python-handled signals (Ctrl-C's ``KeyboardInterrupt``) for a moment.

    ``Thread.start`` and ``Thread.join`` wait on a ``Condition`` or a thread's
    state lock, and CPython cannot always undo those waits when a signal
    handler raises inside them: the interrupt then surfaces as ``RuntimeError:
    release unlocked lock`` instead of ``KeyboardInterrupt`` (seen in
    ``tests/test_threads.py``'s random interrupts, 1 run in 3). Blocking the
    signals in the calling thread for the few microseconds of the starts and
    joins (threads started meanwhile inherit the mask, so the signal cannot be
    handled through them either) delivers the interrupt right after, where it
    surfaces as itself. Only the main thread runs Python signal handlers.
    """
    if (
        not hasattr(signal, "pthread_sigmask")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    # The signals with a Python handler now (a user may install one at any time).
    # signal.valid_signals() and signal.getsignal() convert every number to an
    # enum: 190-270 us per call here, twice per sum_lanes call; the same scan
    # through _signal over the signal numbers listed once takes 2.6 us.
    handled = [s for s in _VALID_SIGNALS if callable(_raw_signal.getsignal(s))]
    old = _raw_signal.pthread_sigmask(signal.SIG_BLOCK, handled)
    try:
        yield
    finally:
        _raw_signal.pthread_sigmask(signal.SIG_SETMASK, old)


# The signal numbers of this platform, listed once (as ints).
_VALID_SIGNALS = tuple(int(s) for s in signal.valid_signals())


# --------------------------------------------------------------------- BLAS
_HOLD_LOCK = threading.Lock()
_HOLDERS = weakref.WeakSet()  # the calls inside one_blas_thread() right now
_SAVED = []  # [(library controller, its thread count before the first holder)]


class _Holder:
    """One call's claim on the one-thread BLAS; dropping it (even uncleanly) releases it."""


def _sync():
    """Make the BLAS threads match the holders: one while any, as before when none.

    Idempotent, and called on every entry and exit, so a claim that an
    interrupt kept from being released is dropped (``_HOLDERS`` holds weak
    references) and repaired on the next call.
    """
    with _HOLD_LOCK:
        if len(_HOLDERS) and not _SAVED:
            from threadpoolctl import ThreadpoolController

            blas = ThreadpoolController().select(user_api="blas").lib_controllers
            saved = [(lib, lib.get_num_threads()) for lib in blas]
            _SAVED.extend(saved)  # saved first: an interrupt below still restores
            for lib, _ in saved:
                lib.set_num_threads(1)
        elif not len(_HOLDERS) and _SAVED:
            while _SAVED:
                lib, n = _SAVED[-1]
                lib.set_num_threads(n)
                _SAVED.pop()


class one_blas_thread:
    """Context manager: the BLAS libraries run on one thread while any holder is inside.

    Re-entrant and shared between threads: the first holder to enter saves
    each BLAS library's thread count and sets it to 1; the last to leave
    restores it. The block sums are bit-identical whatever the BLAS thread
    count (``tests/test_threads.py``); other products may round differently on
    some BLAS builds (OpenBLAS 0.3.21).
    """

    def __enter__(self):
        self._holder = _Holder()
        _HOLDERS.add(self._holder)
        _sync()
        return self

    def __exit__(self, *exc):
        _HOLDERS.discard(self._holder)
        self._holder = None
        _sync()
        return False
