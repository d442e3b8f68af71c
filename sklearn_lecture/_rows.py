"""Row blocks: the one loop over the rows (on a dask worker too), the rules every backend shares
(the same rows, the same start), and one BLAS thread."""

import threading
from contextlib import contextmanager
from functools import cache

import numpy as np
from sklearn.model_selection import train_test_split
from threadpoolctl import OpenBLASController, ThreadpoolController

FLOATS = [np.float64, np.float32]  # the dtypes training runs in: float32 stays, else float64
X_CHECKS = dict(accept_sparse=("csr", "csc", "coo"), dtype=FLOATS)
XY_CHECKS = dict(X_CHECKS, multi_output=True, y_numeric=True)

BLOCK_SIZE = 2048  # rows per block: enough for BLAS and numpy calls, few enough to stay in cache


def iter_blocks(n, block_size=BLOCK_SIZE):
    for start in range(0, n, block_size):
        yield slice(start, start + block_size)


def row_blocks(X, Y=None, s=None, transform=None, block_size=BLOCK_SIZE):
    """``(X_block, Y_block, s_block)`` for every block of rows, ``transform``-ed (Y, s: or None)."""
    for rows in iter_blocks(X.shape[0], block_size):
        Xb, Yb = X[rows], None if Y is None else Y[rows]
        if transform is not None:
            Xb, Yb = transform(Xb, Yb)
        yield Xb, Yb, None if s is None else s[rows]


def predict_in_blocks(predict_block, X, n_outputs, dtype):
    """``predict_block(X_block)`` on every block of X, gathered in one (n, n_outputs) array."""
    out = np.empty((X.shape[0], n_outputs), dtype=dtype)
    size = max(1, SparseRowBlocks.MAX_DENSE_BYTES // (X.dtype.itemsize * X.shape[1]))  # in 2 GiB
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for rows in iter_blocks(X.shape[0], min(BLOCK_SIZE, size)):
            out[rows] = predict_block(X[rows])
    return out


class ArrayRows:
    """The training rows in memory (:class:`~._objective.Rows`); ``transform`` maps a block to
    training units. Small data keep their transformed blocks between passes."""

    CACHE_BYTES, SPARSE_CACHE_BYTES = 2**25, 2**18  # dense X; sparse X (read as dense blocks)

    def __init__(self, X, Y, s=None, transform=None):
        self.X, self.Y, self.s, self.transform = X, Y, s, transform
        self.block_size = BLOCK_SIZE
        limit = self.CACHE_BYTES if isinstance(X, np.ndarray) else self.SPARSE_CACHE_BYTES
        self._kept = [] if transform is not None and X.nbytes + Y.nbytes <= limit else None

    def total_weight(self):
        return float(self.X.shape[0]) if self.s is None else float(np.sum(self.s))

    def blocks(self):
        blocks = row_blocks(self.X, self.Y, self.s, self.transform, self.block_size)
        if self._kept is None:
            return blocks
        if not self._kept:  # the first pass keeps them
            self._kept = list(blocks)
        return iter(self._kept)

    def sum_blocks(self, block_sums, theta):
        return block_sums(theta, self.blocks())


class SparseRowBlocks:
    """A scipy sparse X (CSR) whose ``X[rows]`` is a dense block: a fit equals the fit on
    ``X.tocsr().toarray()`` bit for bit, in the memory of one dense block at a time."""

    def __init__(self, A):
        self.A = A.tocsr()
        self.shape, self.dtype, self.ndim = self.A.shape, self.A.dtype, 2
        self.nbytes = self.shape[0] * self.shape[1] * self.dtype.itemsize  # as dense

    MAX_DENSE_BYTES = 2**31  # the largest dense copy a fit or a prediction may make

    def __getitem__(self, rows):
        n, d = self.shape
        k = len(range(*rows.indices(n))) if isinstance(rows, slice) else len(rows)
        if k * d * self.dtype.itemsize > self.MAX_DENSE_BYTES:
            raise ValueError(
                f"X is a sparse {n} x {d} matrix, read in dense copies of {k} rows: over 2 GiB. "
                "Reduce the number of columns (e.g. TruncatedSVD) or rows."
            )
        return self.A[rows].toarray()

    def subset(self, idx):
        return SparseRowBlocks(self.A[idx])

    def astype(self, dtype, copy=True):
        if np.dtype(dtype) == self.dtype and not copy:
            return self
        return SparseRowBlocks(self.A.astype(dtype))


def checked_targets(y, dtype):
    """y as a 2-D array in ``dtype`` (X's)."""
    with np.errstate(over="ignore"):
        Y = np.asarray(y, dtype=dtype)
    Y = Y[:, None] if Y.ndim == 1 else Y
    if not np.all(np.isfinite(Y)):
        if np.all(np.isfinite(np.asarray(y, dtype=np.float64))):
            raise y_beyond_range(dtype)
        raise ValueError("Input y contains NaN or infinity.")
    return Y


def y_beyond_range(dtype):
    return ValueError(
        f"y has values beyond the range of {dtype} (X's): pass X as float64, or rescale y."
    )


def weight_signs(sw):
    """Whether a weight is positive; an error for a negative one."""
    if np.any(sw < 0):
        raise ValueError("sample_weight must be non-negative; got negative values.")
    return bool(np.any(sw > 0))


def scaled_weights(sw, dtype):
    """``sw`` in ``dtype`` times a power of two (J is the same): ``sum s`` does not overflow."""
    with np.errstate(under="ignore"):
        return np.ldexp(sw, -int(np.frexp(sw.max())[1])).astype(dtype, copy=False)


def require_positive_weight(any_positive):
    if not any_positive:
        raise ValueError("sample_weight must have at least one positive value.")


def held_out(n, validation_fraction, rng):
    """The rows early stopping holds out, as a mask: the same rows on every backend."""
    n_val = int(np.ceil(validation_fraction * n))
    if n_val < 2 or n - n_val < 1:  # with one held-out row, every R^2 is 0
        fix = f"a validation_fraction from 2/{n} to {n - 1}/{n}" if n >= 3 else "3 or more samples"
        raise ValueError(
            f"early_stopping=True holds out {n_val} of the {n} samples; R^2 needs at least 2 "
            f"held-out samples and 1 to train: use {fix}, or set early_stopping=False."
        )
    _, val = train_test_split(np.arange(n), test_size=n_val, random_state=rng)
    return np.isin(np.arange(n), val)


def init_sample(n, sw, rng, max_rows):
    """``(rows, weights)`` the initialisation looks at, the same on every backend (weights
    ``None`` for a sample drawn by weight)."""
    if n <= max_rows:
        return slice(None), sw
    if sw is not None and np.count_nonzero(sw) <= max_rows:
        rows = np.flatnonzero(sw)  # few enough rows weigh anything: all of them
        return rows, sw[rows]
    p = None if sw is None else sw / sw.sum()
    return np.sort(rng.choice(n, max_rows, replace=False, p=p)), None


def check_split_weights(train_total, validation_total):
    """J and the validation R^2 divide by the sum of the weights of their rows."""
    if not (train_total > 0 and validation_total > 0):
        raise ValueError(
            "early_stopping=True left the training or the validation rows all of sample_weight "
            "0: set early_stopping=False, or give more rows a positive sample_weight."
        )


def check_validation_spread(ss_tot, total_weight):
    """R^2 needs held-out y that vary: ``ss_tot = sum_i s_i (y_i - mean)^2`` per output."""
    if np.all(np.asarray(ss_tot) <= 1e-20 * total_weight):
        raise ValueError(
            "early_stopping=True held out rows whose y are all equal (R^2 undefined): set "
            "early_stopping=False, or use a larger validation_fraction or another random_state."
        )
    if not np.all(np.isfinite(ss_tot)):
        raise ValueError(
            "early_stopping=True cannot score the held-out rows: the spread of their y overflows "
            "float64. Use standardize=True, or scale y towards 1 (StandardScaler)."
        )


_LOCK = threading.Lock()
_USERS = set()  # a token for every call inside one_blas_thread() now, in any thread
_SAVED = []  # (BLAS library controller, its thread count before the first user)


@contextmanager
def one_blas_thread():
    """BLAS on one thread while any fit runs (some BLAS builds round by their thread count); the
    last to end restores it, the next call repairs a Ctrl-C inside :func:`_sync`."""
    token = object()
    try:
        with _LOCK:
            _USERS.add(token)
        _sync()
        yield
    finally:
        with _LOCK:
            _USERS.discard(token)
        _sync()


def _sync():
    """Make BLAS match the users: one thread while there are any, the saved counts when none."""
    with _LOCK:
        if _USERS and not _SAVED:  # saved before any is set: an interrupt below still restores
            libs = _controller().select(user_api="blas").lib_controllers
            _SAVED.extend([(lib, lib.num_threads) for lib in libs])
        for lib, n in _SAVED:
            _release_control(force=True)  # the thread that set it may be another one
            lib.set_num_threads(1 if _USERS else n)
            _release_control(force=True)
        if not _USERS:
            _SAVED.clear()  # only once every library is restored


_controller = cache(ThreadpoolController)  # the libraries loaded at the first fit, listed once
# threadpoolctl >= 3.6 lets one thread at a time set OpenBLAS's threads
_release_control = getattr(OpenBLASController, "clear_controlling_thread", lambda force: None)
