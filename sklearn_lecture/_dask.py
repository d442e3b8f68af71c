"""The lecture's full-batch gradient descent on a dask cluster.

The lecture's cost ``J = sum_i s_i ||e_i||^2 / (2 sum_i s_i)`` and its gradient are
sums over rows.  So one iteration on data that lives on a cluster is:

1. the parameters ``theta`` go to the workers (one small array per iteration);
2. every worker runs the model's ``block_loss_grad`` over the row blocks of
   its chunks (the same :class:`~._objective.Objective` code as in memory, with the
   same :class:`~._standardize.Standardizer` applied block by block) and returns
   ``(sum_i s_i ||e_i||^2, the gradient sums)``;
3. the client adds the chunk sums and the shared loop (:func:`~._optimizers.gradient_descent`
   or :func:`~._optimizers.lbfgs`) takes the lecture's step ``W <- W - alpha * grad J``.

X is never gathered: the client holds the parameters and one partial sum per
chunk.  Everything else ``fit`` needs from the data (validation, the
standardisation statistics, the rows the initialisation looks at, the auto
learning rate's Gram matrix, the early-stopping split and its R^2) is a dask
reduction or a sample of at most ``INIT_MAX_ROWS`` rows.

:class:`DaskRows` offers the same operations as the in-memory rows backend
(:class:`~._backend.InMemoryRows`), and knows no model beyond the callables it
is given (``block_loss_grad``, a model's features or predictions on a block).
It imports only the lower modules (:mod:`._rows`, :mod:`._standardize`,
:mod:`._objective`); :mod:`._backend` imports it only when ``fit``/``predict``
receive a dask array, so dask stays an optional dependency
(``pip install sklearn_lecture[dask]``).
"""

import math
from functools import partial

import dask
import dask.array as da
import numpy as np

from ._rows import (
    ArrayRows,
    check_split_weights,
    check_validation_spread,
    n_validation,
    predict_in_blocks,
)
from ._standardize import (
    block_abs_max,
    block_moments,
    mean_scale,
    r2_from_sums,
)
from ._standardize import (
    gram_sums as _gram_sums,
)


# ------------------------------------------------------------------ helpers
def _row_blocks(A, n_chunks):
    """The row chunks of ``A`` as a list of delayed objects (``None`` stays ``None``)."""
    if A is None:
        return [None] * n_chunks
    blocks = A.to_delayed()
    return list(blocks.ravel())


def _shared(obj):
    """One graph node holding ``obj``: every task refers to it, so it is sent once."""
    return dask.delayed(obj, pure=False, traverse=False)


def _map_chunks(fn, arrays, *args, per_chunk=None):
    """``[fn(*row_chunks, *per_chunk[i], *args) for every row chunk i]``, on the workers.

    ``arrays`` share their row chunks (``None`` entries pass ``None``); ``args``
    are shared by all tasks.  Returns the list of results, in chunk order.
    """
    n_chunks = len(arrays[0].chunks[0])
    blocks = [_row_blocks(A, n_chunks) for A in arrays]
    shared = [_shared(a) for a in args]
    extra = per_chunk if per_chunk is not None else [()] * n_chunks
    fn = dask.delayed(fn, pure=True)
    tasks = [fn(*(b[i] for b in blocks), *extra[i], *shared) for i in range(n_chunks)]
    return dask.compute(*tasks)


def _sum(parts):
    """Add the per-chunk results on the client, always in chunk order."""
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return total


def _as_dask(A, name, row_chunks=None):
    """``A`` as a dask array (numpy input is wrapped with ``row_chunks``)."""
    if isinstance(A, da.Array):
        return A
    if type(A).__module__.partition(".")[0] in {"dask", "dask_expr"}:
        raise TypeError(
            f"{name} is a {type(A).__name__}: dask DataFrames and Series are not "
            f"supported. Pass a dask array instead, e.g. {name}.to_dask_array(lengths=True)."
        )
    A = np.asarray(A)
    if row_chunks is not None and (A.ndim == 0 or A.shape[0] != sum(row_chunks)):
        raise ValueError(
            f"{name} has shape {A.shape}, but X has {sum(row_chunks)} samples: pass one "
            f"{name} row per sample."
        )
    chunks = row_chunks if row_chunks is not None else "auto"
    return da.from_array(A, chunks=(chunks,) + (-1,) * (A.ndim - 1))


def _check_numeric(A, name):
    if A.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} has dtype {A.dtype}; a dask {name} must be numeric (float64 or float32)."
        )


def _check_known_chunks(A, name):
    if any(math.isnan(c) for c in A.chunks[0]):
        raise ValueError(
            f"{name} has unknown chunk sizes; call {name}.compute_chunk_sizes() first "
            "(or build it with to_dask_array(lengths=True))."
        )


# --------------------------------------------------------------- validation
def _finite_and_weight_checks(Xc, Yc, sc):
    with np.errstate(invalid="ignore"):
        out = [bool(np.all(np.isfinite(Xc))), bool(np.all(np.isfinite(Yc)))]
    if sc is None:
        return np.array(out + [True, True, True])
    return np.array(
        out + [bool(np.all(np.isfinite(sc))), bool(np.all(sc >= 0)), bool(np.any(sc > 0))]
    )


def validate(est, X, y, sample_weight, *, reset):
    """Lazy equivalent of ``validate_data`` + the in-memory checks of y and the weights.

    ``est`` receives what ``validate_data`` records (``n_features_in_``).
    Returns ``(X, Y, y_2d, sw)`` as dask arrays with the same row chunks and one
    column chunk.  Shapes and dtypes are checked from the metadata; finiteness
    and the sign of the weights by one pass over the data (a reduction).
    """
    X = _validate_X(X)
    if reset:
        est.n_features_in_ = X.shape[1]
        if hasattr(est, "feature_names_in_"):
            del est.feature_names_in_
    elif X.shape[1] != est.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(est).__name__} is expecting "
            f"{est.n_features_in_} features as input."
        )
    if y is None:
        raise ValueError(f"{type(est).__name__} requires y to be passed, but the target y is None.")
    Y, y_2d = _validate_y(y, X)
    sw = None if sample_weight is None else _validate_weights(sample_weight, X)
    _check_values(X, Y, sw)
    big = np.finfo(X.dtype).max  # y is checked before the cast that would make it inf
    if Y.dtype.kind == "f" and Y.dtype.itemsize > X.dtype.itemsize and (abs(Y) > big).any():
        raise ValueError(
            f"y has values beyond the range of {X.dtype} (the dtype of X, in "
            "which the model is trained): pass X as float64, or rescale y."
        )
    return X, Y.astype(X.dtype), y_2d, sw


def _validate_X(X):
    """X as a 2-D float dask array with known row chunks and one column chunk."""
    X = _as_dask(X, "X")
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2D dask array X, got {X.ndim}D instead. Reshape your data, e.g. "
            "X.reshape(-1, 1) for a single feature."
        )
    _check_known_chunks(X, "X")
    n, d = X.shape
    if n < 1 or d < 1:
        raise ValueError(f"Found array with {n} sample(s) and {d} feature(s); need at least 1.")
    _check_numeric(X, "X")
    if X.dtype not in (np.float64, np.float32):
        X = X.astype(np.float64)
    return X.rechunk({1: -1})


def _validate_y(y, X):
    """``(Y, y_2d)``: y as a 2-D dask array in X's row chunks (and y's dtype)."""
    n, row_chunks = X.shape[0], X.chunks[0]
    y = _as_dask(y, "y", row_chunks)
    if y.ndim not in (1, 2) or y.shape[0] != n:
        raise ValueError(
            f"y has shape {y.shape}, but X has {n} samples: y must have shape ({n},) or "
            f"({n}, n_outputs)."
        )
    _check_numeric(y, "y")
    y_2d = y.ndim == 2
    Y = y if y_2d else y[:, None]
    return Y.rechunk((row_chunks, -1)), y_2d


def _validate_weights(sample_weight, X):
    """The weights as a dask array in X's dtype and row chunks (a scalar for every row)."""
    n, row_chunks = X.shape[0], X.chunks[0]
    if np.ndim(sample_weight) == 0 and not isinstance(sample_weight, da.Array):
        return da.full(n, float(sample_weight), dtype=X.dtype, chunks=(row_chunks,))
    sw = _as_dask(sample_weight, "sample_weight", row_chunks)
    if sw.shape != (n,):
        raise ValueError(
            f"sample_weight has shape {sw.shape}; expected ({n},), one weight per sample."
        )
    _check_numeric(sw, "sample_weight")
    return sw.astype(X.dtype).rechunk((row_chunks,))


def _check_values(X, Y, sw):
    """Finite X, y and weights; weights non-negative, one positive: one pass over the chunks."""
    parts = np.array(_map_chunks(_finite_and_weight_checks, [X, Y, sw]))
    ok = np.append(parts[:, :4].all(axis=0), parts[:, 4].any())
    messages = [
        "Input X contains NaN or infinity.",
        "Input y contains NaN or infinity.",
        "sample_weight contains NaN or infinity.",
        "sample_weight must be non-negative; got negative values.",
        "sample_weight must have at least one positive value.",
    ]
    for good, message in zip(ok, messages):
        if not good:
            raise ValueError(message)


# ------------------------------------------------------------- statistics
def _chunk_moments(Ac, sc, big, mean):
    """One chunk's :func:`~._standardize.block_moments` and its ``sum s``."""
    total = float(Ac.shape[0]) if sc is None else float(np.asarray(sc, dtype=np.float64).sum())
    return (*block_moments(Ac, sc, big, mean), total)


def weighted_mean_scale(A, sample_weight=None):
    """:func:`~._standardize.mean_scale` of a dask array, by three reductions.

    The same passes as in memory: the largest magnitude ``big`` of each column,
    then the weighted mean and standard deviation of ``A / big`` (so that values
    near the limits of float64 neither overflow nor underflow).
    """
    big = np.max(np.vstack(_map_chunks(block_abs_max, [A])), axis=0)

    def moments(big, mean):
        parts = _map_chunks(_chunk_moments, [A, sample_weight], big, mean)
        return tuple(_sum([p[k] for p in parts]) for k in range(3))

    return mean_scale(big, moments, A.dtype)


def _top_keys(Xc, Yc, sc, offset, seed, k):
    """The ``k`` rows of one chunk with the largest keys ``log(u_i) / s_i``."""
    u = np.random.RandomState(seed).random_sample(Xc.shape[0])
    with np.errstate(divide="ignore"):
        key = np.log(u) if sc is None else np.log(u) / np.asarray(sc, dtype=np.float64)
    key[~np.isfinite(key)] = -np.inf  # zero weight (or u = 0): never drawn
    top = np.argsort(-key, kind="stable")[:k]
    top = top[np.isfinite(key[top])]
    return key[top], offset + top, Xc[top], Yc[top]


def init_rows(X, Y, sw, rng, max_rows):
    """The rows the initialisation looks at (``InMemoryRows.init_rows``), as numpy arrays.

    Up to ``max_rows`` rows the data are small enough to bring to the client
    whole, exactly as the in-memory path uses them.  Beyond that, a weighted
    sample without replacement of ``max_rows`` rows, drawn on the workers by the
    Efraimidis-Spirakis rule (each row gets the key ``u_i^(1 / s_i)``, ``u_i``
    uniform, and the largest keys are kept): the same distribution as
    ``rng.choice(n, max_rows, replace=False, p=s / sum(s))``, but every chunk
    sends back at most ``max_rows`` rows.
    """
    n = X.shape[0]
    if n <= max_rows:
        return dask.compute(X, Y, sw)
    sizes = np.asarray(X.chunks[0])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    seeds = rng.randint(np.iinfo(np.int32).max, size=len(sizes))
    parts = _map_chunks(_top_keys, [X, Y, sw], max_rows, per_chunk=list(zip(offsets, seeds)))
    key = np.concatenate([p[0] for p in parts])
    rows = np.concatenate([p[1] for p in parts])
    keep = np.argsort(-key, kind="stable")[:max_rows]
    keep = keep[np.argsort(rows[keep])]  # back in row order, as in memory
    Xi = np.concatenate([p[2] for p in parts])[keep]
    Yi = np.concatenate([p[3] for p in parts])[keep]
    return Xi, Yi, None


def _chunk_gram(Xc, sc, features, standardizer):
    """One chunk's :func:`~._standardize.gram_sums` (``(None, 0.0)`` when it is empty)."""
    return _gram_sums(features, Xc, sc, standardizer)


def gram_sums(features, X, s, standardizer):
    """``[Z 1]^T S [Z 1]`` and ``sum s`` for the auto learning rate, on the workers."""
    parts = _map_chunks(_chunk_gram, [X, s], features, standardizer)
    parts = [p for p in parts if p[0] is not None]
    return _sum([p[0] for p in parts]), _sum([p[1] for p in parts])


# ---------------------------------------------------------------- objective
def _chunk_sums(block_sums, theta, Xc, Yc, sc, transform):
    """One chunk's ``(sum_i s_i ||e_i||^2, gradient sums)``: the in-memory rows' sums."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return ArrayRows(Xc, Yc, sc, transform, keep_blocks=False).sum_blocks(block_sums, theta)


class ChunkedRows:
    """The training rows of an :class:`~._objective.Objective` on a dask cluster.

    Each pass sends ``theta`` to the workers once (one graph node that every
    chunk's task refers to); each worker sums the blocks of its chunks as the
    in-memory rows do (:class:`~._rows.ArrayRows`), and the client adds the
    chunk sums in chunk order. The rows never come to the client.
    """

    def __init__(self, X, Y, s=None, transform=None):
        self.X, self.s = X, s
        n_chunks = len(X.chunks[0])
        self._chunks = list(zip(*(_row_blocks(A, n_chunks) for A in (X, Y, s))))
        self._transform = _shared(transform)
        self._sent = (None, None)  # (block_sums, its graph node): sent once, not every pass

    def total_weight(self):
        if self.s is not None:
            return float(self.s.sum(dtype=np.float64).compute())
        if any(math.isnan(c) for c in self.X.chunks[0]):
            return float(sum(_map_chunks(len, [self.X])))
        return float(self.X.shape[0])

    def sum_blocks(self, block_sums, theta):
        """The sums over all chunks, computed on the workers, added in chunk order."""
        if self._sent[0] is not block_sums:
            self._sent = (block_sums, _shared(block_sums))
        task, fn, th = dask.delayed(_chunk_sums, pure=True), self._sent[1], _shared(theta)
        parts = dask.compute(*(task(fn, th, *c, self._transform) for c in self._chunks))
        sse = float(_sum([p[0] for p in parts]))
        return sse, _sum([p[1] for p in parts]).astype(theta.dtype, copy=False)


# ------------------------------------------------------------ early stopping
def _validation_mask(size, n_val, seed):
    """``n_val`` of a chunk's ``size`` rows, chosen at random."""
    mask = np.zeros(size, dtype=bool)
    mask[np.random.RandomState(seed).permutation(size)[:n_val]] = True
    return mask


def _allocate(total, sizes):
    """Split ``total`` over chunks in proportion to their sizes (largest remainders)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    exact = total * sizes / sizes.sum()
    quota = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - quota), kind="stable")
    quota[order[: total - quota.sum()]] += 1
    return np.minimum(quota, sizes)


def _chunk_r2_sums(Xc, Yc, sc, predict, params, standardizer, mean):
    """Per output: ``sum s``, ``sum s y``, ``sum s (y - mean)^2`` and ``sum s (y - yhat)^2``."""
    Xs, Ys = standardizer.transform(Xc, Yc)
    Ys = Ys.astype(np.float64)
    s = np.ones(Ys.shape[0]) if sc is None else np.asarray(sc, dtype=np.float64)
    if mean is None:
        return s.sum(), s @ Ys
    if params is None:
        return s @ (Ys - mean) ** 2
    yhat = predict_in_blocks(partial(predict, params), Xs, Ys.shape[1], Xs.dtype)
    return s @ (Ys - yhat) ** 2


def split_validation(X, Y, sw, standardizer, rng, validation_fraction, predict):
    """Hold out ``validation_fraction`` of the rows, chosen chunk by chunk.

    ``ceil(validation_fraction * n)`` rows are held out, as in memory; they are
    spread over the chunks in proportion to the chunk sizes and drawn at random
    within each chunk (seeded from ``rng``), so no index array of length n is
    ever built.  The monitor's weighted R^2 on those rows (``predict(params,
    X_block)`` in training units) is a reduction.
    """
    n = X.shape[0]
    n_val = n_validation(n, validation_fraction)
    sizes = X.chunks[0]
    quota = _allocate(n_val, sizes)
    seeds = rng.randint(np.iinfo(np.int32).max, size=len(sizes))
    mask = da.concatenate(
        [
            da.from_delayed(dask.delayed(_validation_mask)(size, q, seed), (size,), bool)
            for size, q, seed in zip(sizes, quota, seeds)
        ]
    ).rechunk((sizes,))
    keep = ~mask
    Xv, Yv = X[mask], Y[mask]
    sv = None if sw is None else sw[mask]
    if sw is not None:
        check_split_weights(*dask.compute(sw[keep].sum(), sv.sum()))

    def r2_sums(params, mean):
        return _map_chunks(_chunk_r2_sums, [Xv, Yv, sv], predict, params, standardizer, mean)

    parts = r2_sums(None, None)
    total = _sum([p[0] for p in parts])
    mean = _sum([p[1] for p in parts]) / total
    ss_tot = _sum(r2_sums(None, mean))
    check_validation_spread(ss_tot, total)

    def monitor(params):
        return r2_from_sums(_sum(r2_sums(params, mean)), ss_tot)

    return X[keep], Y[keep], None if sw is None else sw[keep], monitor


def head(X, k):
    """The first (up to) ``k`` rows of X, as numpy, computing as few chunks as needed."""
    rows = []
    for block in _row_blocks(X, len(X.chunks[0])):
        rows.append(np.asarray(block.compute()))
        if sum(len(r) for r in rows) >= k:
            break
    return np.concatenate(rows)[:k]


# -------------------------------------------------------------- prediction
def _predict_chunk(Xc, predict_rows, y_2d):
    if not np.all(np.isfinite(Xc)):
        raise ValueError("Input X contains NaN or infinity.")
    out = predict_rows(Xc)
    return out if y_2d else out.ravel()


def predict(est, X, predict_rows, *, n_outputs, y_2d, dtype):
    """A lazy dask array of ``predict_rows(X_chunk)`` on every chunk (X checked against ``est``)."""
    X = _as_dask(X, "X")
    if X.ndim != 2:
        raise ValueError(f"Expected a 2D dask array X, got {X.ndim}D instead.")
    _check_numeric(X, "X")
    if X.shape[1] != est.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(est).__name__} is expecting "
            f"{est.n_features_in_} features as input."
        )
    X = X.rechunk({1: -1})
    if y_2d:
        return X.map_blocks(
            _predict_chunk, predict_rows, y_2d, dtype=dtype, chunks=(X.chunks[0], (n_outputs,))
        )
    return X.map_blocks(
        _predict_chunk, predict_rows, y_2d, dtype=dtype, drop_axis=1, chunks=(X.chunks[0],)
    )


class DaskRows:
    """The rows backend for dask arrays: the operations of ``InMemoryRows``, on the workers."""

    @staticmethod
    def validate(record, X, y, sample_weight, *, reset):
        """:func:`validate`; the weights are used as given."""
        X, Y, y_2d, sw = validate(record, X, y, sample_weight, reset=reset)
        return X, Y, y_2d, sw, sw

    weighted_mean_scale = staticmethod(weighted_mean_scale)
    gram_sums = staticmethod(gram_sums)
    split_validation = staticmethod(split_validation)
    head = staticmethod(head)
    predict = staticmethod(predict)
    init_rows = staticmethod(init_rows)
    training_rows = ChunkedRows
