"""The rows backend for dask arrays (imported only for dask input): the workers sum their chunks'
row blocks as in memory, the client adds the sums in order; X is never gathered."""

import math
import operator
from functools import partial, reduce
from itertools import chain

import dask
import dask.array as da
import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array
from sklearn.utils.validation import validate_data

from . import _rows
from ._standardize import block_abs_max, blocks_moments, gram_sums, mean_scale, r2_from_sums


def _row_blocks(A, n_chunks):
    """The row chunks of ``A`` as delayed objects (or ``n_chunks`` times ``None``)."""
    return [None] * n_chunks if A is None else list(A.to_delayed().ravel())


def _shared(obj):
    """One graph node holding ``obj``: every task refers to it, so it is sent once."""
    return dask.delayed(obj, pure=False, traverse=False)


def _map_chunks(fn, arrays, *args):
    """``fn(*chunk_i of each of arrays, *args)`` per row chunk i, in order (args sent once)."""
    n_chunks = len(arrays[0].chunks[0])
    blocks = [_row_blocks(A, n_chunks) for A in arrays]
    shared = [_shared(a) for a in args]
    fn = dask.delayed(fn, pure=True)
    return dask.compute(*(fn(*(b[i] for b in blocks), *shared) for i in range(n_chunks)))


_sum = partial(reduce, operator.add)  # per-chunk results added on the client, in order


def _as_dask(A, name, row_chunks=None, ndim=None):
    """``A`` as a dask array; given X's ``row_chunks``, checked and chunked as X."""
    if not isinstance(A, da.Array):
        if type(A).__module__.partition(".")[0] in {"dask", "dask_expr"}:
            raise TypeError(
                f"{name} is a {type(A).__name__}: pass {name}.to_dask_array(lengths=True)."
            )
        A = np.asarray(A)
    if row_chunks is not None:
        if isinstance(A, da.Array):
            _check_known_chunks(A, name)
        n = sum(row_chunks)
        if A.ndim == 0 or A.shape[0] != n or ndim not in (None, A.ndim):
            raise ValueError(f"{name} has shape {A.shape}; pass one row per sample of X ({n}).")
    if isinstance(A, da.Array):
        return A
    return da.from_array(A, chunks=(row_chunks or "auto",) + (-1,) * (A.ndim - 1))


def _check_known_chunks(A, name):
    if any(math.isnan(c) for c in A.chunks[0]):
        raise ValueError(f"{name} has unknown chunk sizes: call {name}.compute_chunk_sizes().")


def _dense(A):
    """A dask array read as dense chunks (any chunk may be sparse, whatever the meta says)."""
    return A.map_blocks(_toarray, dtype=A.dtype, meta=np.empty((0,) * A.ndim, A.dtype))


def _toarray(chunk):
    return chunk.toarray() if sp.issparse(chunk) else chunk


def _check_chunk(Xc, yc, sc, dtype):
    """scikit-learn's checks of one chunk's values; whether one of its weights is positive."""
    with np.errstate(over="ignore", invalid="ignore"):  # as validate_data in memory
        check_array(Xc, dtype=None, ensure_min_samples=0, input_name="X")
    kw = dict(ensure_2d=False, ensure_min_samples=0)
    _rows.checked_targets(check_array(yc, dtype=None, input_name="y", **kw), dtype)
    if sc is None:
        return True
    return _rows.weight_signs(check_array(sc, dtype=np.float64, input_name="sample_weight", **kw))


def _aligned(A):
    """A with its row chunks cut at multiples of ``BLOCK_SIZE``: the in-memory blocks."""
    if A is None:
        return None
    ends = np.cumsum(A.chunks[0])
    size = _rows.BLOCK_SIZE
    cuts = sorted({0, A.shape[0]} | {int(e) // size * size for e in ends})
    return A.rechunk({0: tuple(np.diff(cuts))})


def _chunk_sums(block_sums, theta, Xc, Yc, sc, transform):
    """One chunk's ``(sse, gradient sums)``, over the row blocks the in-memory rows sum."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return block_sums(theta, _rows.row_blocks(Xc, Yc, sc, transform))


class ChunkedRows:
    """The training rows (:class:`~._objective.Rows`) on a dask cluster."""

    def __init__(self, X, Y, s=None, transform=None):
        self.X, self.s = X, s
        n_chunks = len(X.chunks[0])
        self._chunks = list(zip(*(_row_blocks(A, n_chunks) for A in (X, Y, s))))
        self._transform = _shared(transform)
        self._sent = (None, None)  # (block_sums, its graph node): sent once

    def total_weight(self):
        if self.s is not None:
            return float(self.s.sum(dtype=np.float64).compute())
        if any(math.isnan(c) for c in self.X.chunks[0]):
            return float(sum(_map_chunks(len, [self.X])))
        return float(self.X.shape[0])

    def sum_blocks(self, block_sums, theta):
        if self._sent[0] is not block_sums:
            self._sent = (block_sums, _shared(block_sums))
        task, fn, th = dask.delayed(_chunk_sums, pure=True), self._sent[1], _shared(theta)
        parts = dask.compute(*(task(fn, th, *c, self._transform) for c in self._chunks))
        sse, grad = map(_sum, zip(*parts))
        return float(sse), grad.astype(theta.dtype, copy=False)


def _chunk_r2_sums(Xc, Yc, sc, predict, params, standardizer, mean):
    """Per output: ``sum s``, ``sum s y``, ``sum s (y - mean)^2`` and ``sum s (y - yhat)^2``."""
    Xs, Ys = standardizer.transform(Xc, Yc)
    Ys = Ys.astype(np.float64)
    s = np.ones(Ys.shape[0]) if sc is None else np.asarray(sc, dtype=np.float64)
    if mean is None:
        return s.sum(), s @ Ys
    yhat = mean  # params None: the spread about the mean, as total_sum_of_squares
    if params is not None:
        yhat = _rows.predict_in_blocks(partial(predict, params), Xs, Ys.shape[1], Xs.dtype)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging yhat scores -inf, as in memory
        return s @ (Ys - yhat) ** 2


def _predict_chunk(Xc, predict_rows, y_2d):
    with np.errstate(over="ignore", invalid="ignore"):  # as validate_data in memory
        Xc = check_array(_toarray(Xc), dtype=_rows.FLOATS, ensure_min_samples=0, input_name="X")
    out = predict_rows(Xc)
    return out if y_2d else out.ravel()


class DaskRows:
    """The rows backend for dask arrays: the operations of ``InMemoryRows``, on the workers."""

    training_rows = ChunkedRows

    @classmethod
    def validate(cls, est, X, y, sample_weight, *, reset):
        """``(X, Y, y_2d, sw, sw)`` as dask arrays: ``validate_data`` on X's first rows, then
        ``check_array`` and the in-memory checks per chunk."""
        X = _dense(_as_dask(X, "X"))
        X = X.rechunk({1: -1}) if X.ndim == 2 else X
        _check_known_chunks(X, "X")
        n, chunks = X.shape[0], X.chunks[0]
        y = None if y is None else _as_dask(y, "y", chunks)
        with np.errstate(over="ignore", invalid="ignore"):
            y_head = y if y is None else cls.head(y, 2)
            Xh, yh = validate_data(est, cls.head(X, 2), y_head, reset=reset, **_rows.XY_CHECKS)
        sw = sample_weight
        if sw is not None and np.ndim(sw) == 0 and not isinstance(sw, da.Array):
            sw = da.full(n, float(sw), chunks=(chunks,))
        if sw is not None:
            sw = _as_dask(sw, "sample_weight", chunks, ndim=1).rechunk((chunks,))
        X, y = X.astype(Xh.dtype), y.rechunk((chunks,) + (-1,) * (y.ndim - 1))
        big = np.finfo(X.dtype).max  # y is checked before the cast that would make it inf
        if y.dtype.kind == "f" and y.dtype.itemsize > X.dtype.itemsize and (abs(y) > big).any():
            raise _rows.y_beyond_range(X.dtype)
        _rows.require_positive_weight(any(_map_chunks(_check_chunk, [X, y, sw], X.dtype)))
        Y = (y if yh.ndim == 2 else y[:, None]).astype(X.dtype)
        given = None if sw is None else sw.astype(X.dtype)  # trained scaled, as in memory
        return X, Y, yh.ndim == 2, given, sw if sw is None else _rows.scaled_weights(sw, X.dtype)

    @staticmethod
    def weighted_mean_scale(A, sample_weight=None):
        """The in-memory statistics, bit for bit (the same row blocks, in the same order)."""
        big = np.max(np.vstack(_map_chunks(block_abs_max, [A])), axis=0)
        s = None if sample_weight is None else np.asarray(sample_weight.compute(), np.float64)
        total = float(A.shape[0]) if s is None else float(s.sum())
        A, sw = _aligned(A), _aligned(sample_weight)

        def moments(big, mean):
            return chain.from_iterable(_map_chunks(blocks_moments, [A, sw], big, mean))

        return mean_scale(big, moments, total, A.dtype)

    @staticmethod
    def init_rows(X, Y, sw, rng, max_rows):
        """The rows of ``InMemoryRows.init_rows``, as numpy (only those are computed)."""
        rows, s = _rows.init_sample(X.shape[0], None if sw is None else sw.compute(), rng, max_rows)
        return (*dask.compute(X[rows], Y[rows]), s)

    @staticmethod
    def gram_sums(X, s, features, standardizer):
        """``[Z 1]^T S [Z 1]`` and ``sum s`` for the auto learning rate, on the workers."""
        parts = _map_chunks(gram_sums, [X, s], features, standardizer)
        return tuple(map(_sum, zip(*(p for p in parts if p[0] is not None))))  # (G, sum s)

    @staticmethod
    def split_validation(X, Y, sw, standardizer, rng, validation_fraction, predict):
        """Hold out the in-memory split's rows; the monitor's R^2 is a reduction on the workers."""
        mask = _rows.held_out(X.shape[0], validation_fraction, rng)
        mask = da.from_array(mask, chunks=(X.chunks[0],))
        keep = ~mask
        Xv, Yv = X[mask], Y[mask]
        sv = None if sw is None else sw[mask]
        if sw is not None:
            _rows.check_split_weights(*dask.compute(sw[keep].sum(), sv.sum()))

        def r2_sums(params, mean):
            return _map_chunks(_chunk_r2_sums, [Xv, Yv, sv], predict, params, standardizer, mean)

        total, sum_sy = map(_sum, zip(*r2_sums(None, None)))
        mean = sum_sy / total
        ss_tot = _sum(r2_sums(None, mean))
        _rows.check_validation_spread(ss_tot, total)

        def monitor(params):
            return r2_from_sums(_sum(r2_sums(params, mean)), ss_tot)

        return X[keep], Y[keep], None if sw is None else sw[keep], monitor

    @staticmethod
    def head(X, k):
        """The first (up to) ``k`` rows of X, as numpy, from as few chunks as needed."""
        rows = []
        for block in _row_blocks(X, len(X.chunks[0])):
            rows.append(np.asarray(block.compute()))
            if sum(len(r) for r in rows) >= k:
                break
        return np.concatenate(rows)[:k]

    @classmethod
    def predict(cls, est, X, rows, *, n_outputs, y_2d, dtype):
        """A lazy dask array of ``rows(X_chunk)`` on every chunk of X (checked against ``est``)."""
        X = _as_dask(X, "X")
        X = X.rechunk({1: -1}) if X.ndim == 2 else X
        with np.errstate(over="ignore", invalid="ignore"):  # the first rows, by validate_data
            validate_data(est, cls.head(_dense(X), 2), reset=False, **_rows.X_CHECKS)
        chunks, drop = ((X.chunks[0], (n_outputs,)), []) if y_2d else ((X.chunks[0],), 1)
        return X.map_blocks(_predict_chunk, rows, y_2d, dtype=dtype, chunks=chunks, drop_axis=drop)
