"""Where the rows live: the in-memory rows backends, and the choice of backend.

``fit`` and ``predict`` ask :func:`rows_backend` once for the backend of X, then ask it
for what depends on where the rows live (``validate``, ``weighted_mean_scale``,
``init_rows``, ``gram_sums``, ``split_validation``, ``training_rows``, ``head``,
``predict``). A backend knows no model, only plain callables. :class:`InMemoryRows`
holds numpy arrays, :class:`SparseRows` a scipy sparse matrix read in dense row blocks,
:class:`~._dask.DaskRows` (imported only for dask input) dask arrays.
"""

from functools import partial

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import validate_data

from ._rows import (
    FLOATS,
    ArrayRows,
    SparseRowBlocks,
    check_split_weights,
    check_validation_spread,
    checked_targets,
    checked_weights,
    held_out,
    init_sample,
    predict_in_blocks,
    row_blocks,
)
from ._standardize import (
    block_abs_max,
    block_moments,
    gram_sums,
    mean_scale,
    r2_from_sums,
    total_sum_of_squares,
)


def rows_backend(X):
    """The rows backend for X: :class:`~._dask.DaskRows` for dask,
    :class:`SparseRows` for a scipy sparse matrix or array (or rows already
    wrapped as :class:`SparseRowBlocks`), else :class:`InMemoryRows`.

    Checked without importing dask (the module of X's type), so numpy input
    never imports it.
    """
    if type(X).__module__.partition(".")[0] in {"dask", "dask_expr"}:
        from ._dask import DaskRows

        return DaskRows
    if sp.issparse(X) or isinstance(X, SparseRowBlocks):
        return SparseRows
    return InMemoryRows


def weighted_mean_scale(A, sample_weight=None):
    """Column means and standard deviations of ``A``, weighted by ``s_i``.

    See :func:`~._standardize.mean_scale`.

    Three passes over the row blocks of ``A``: the largest magnitudes, then the
    weighted sums of ``A / big`` and of ``(A - mean) / big`` and their squares.
    """
    n, d = A.shape
    s = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    total = float(n) if s is None else float(s.sum())
    big = np.zeros(d)
    for Ab, _, _ in row_blocks(A):
        np.maximum(big, block_abs_max(Ab), out=big)

    def moments(big, mean):
        sum_b, sum_bb = np.zeros(d), np.zeros(d)
        for Ab, _, sb in row_blocks(A, None, s):
            b, bb = block_moments(Ab, sb, big, mean)
            sum_b += b
            sum_bb += bb
        return sum_b, sum_bb, total

    return mean_scale(big, moments, A.dtype)


class InMemoryRows:
    """The rows backend for numpy arrays (and everything ``validate_data`` accepts)."""

    accept_sparse = False  # what validate_data lets through

    @classmethod
    def validate(cls, record, X, y, sample_weight, *, reset):
        """``validate_data`` (recording onto ``record``), then y and the weights checked."""
        # scikit-learn's finiteness check sums X: +-1.7e308 columns give inf - inf
        with np.errstate(over="ignore", invalid="ignore"):
            X, y = validate_data(
                record,
                X,
                y,
                reset=reset,
                accept_sparse=cls.accept_sparse,
                multi_output=True,
                y_numeric=True,
                dtype=FLOATS,
            )
        Y = checked_targets(y, X.dtype)
        sw_given = None if sample_weight is None else checked_weights(sample_weight, X)
        return cls.rows(X), Y, y.ndim == 2, sw_given, normalized_weights(sw_given, X.dtype)

    @staticmethod
    def rows(X):
        """The checked X as the training reads it (blocks ``X[a:b]``): X itself."""
        return X

    weighted_mean_scale = staticmethod(weighted_mean_scale)
    gram_sums = staticmethod(gram_sums)
    training_rows = ArrayRows

    @staticmethod
    def init_rows(X, Y, sw, rng, max_rows):
        """The rows the initialisation may look at: all, or a weighted sample of ``max_rows``."""
        rows, weighted = init_sample(X.shape[0], sw, rng, max_rows)
        if rows is None:
            return X, Y, sw
        return X[rows], Y[rows], sw[rows] if weighted and sw is not None else None

    @staticmethod
    def keep_rows(X, idx):
        """The rows ``idx`` of X, kept as training data (a copy, as X's type keeps them)."""
        return X[idx]

    @classmethod
    def split_validation(cls, X, Y, sw, standardizer, rng, validation_fraction, predict):
        """Hold out ``validation_fraction`` of the rows; monitor ``predict(params, X)`` on them."""
        mask = held_out(X.shape[0], validation_fraction, rng)
        train, val = np.flatnonzero(~mask), np.flatnonzero(mask)
        if sw is not None:
            check_split_weights(sw[train].sum(), sw[val].sum())
        Xv, Yv = standardizer.transform(X[val], Y[val])
        sv = None if sw is None else sw[val]
        w, ss_tot = total_sum_of_squares(Yv, sv)  # once: the held-out rows are fixed
        check_validation_spread(ss_tot, w.sum())

        def monitor(params):
            yhat = predict_in_blocks(partial(predict, params), Xv, Yv.shape[1], Xv.dtype)
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging yhat scores -inf
                return r2_from_sums(w @ (Yv - yhat) ** 2, ss_tot)

        return cls.keep_rows(X, train), Y[train], None if sw is None else sw[train], monitor

    @staticmethod
    def head(X, k):
        """The first (up to) ``k`` rows of X."""
        return X[: min(len(X), k)]

    @classmethod
    def predict(cls, est, X, predict_rows, *, n_outputs, y_2d, dtype):
        """``predict_rows(X)`` on X validated against the fitted ``est``, shaped as y was."""
        with np.errstate(over="ignore", invalid="ignore"):  # as in fit
            X = validate_data(est, X, reset=False, accept_sparse=cls.accept_sparse, dtype=FLOATS)
        out = predict_rows(cls.rows(X))
        return out if y_2d else out.ravel()


class SparseRows(InMemoryRows):
    """The rows backend for scipy sparse X: the in-memory one, X read in dense row blocks.

    X is kept sparse (CSR) and every block the training or the prediction
    reads is made dense (:class:`SparseRowBlocks`); the rows the
    initialisation and the held-out monitor look at are dense copies.
    """

    accept_sparse = ("csr", "csc", "coo")

    @staticmethod
    def rows(X):
        """The checked sparse X, read in dense row blocks."""
        return X if isinstance(X, SparseRowBlocks) else SparseRowBlocks(X)

    @staticmethod
    def init_rows(X, Y, sw, rng, max_rows):
        """As :meth:`InMemoryRows.init_rows`, the rows dense (at most ``max_rows``)."""
        Xi, Yi, si = InMemoryRows.init_rows(X, Y, sw, rng, max_rows)
        return (Xi[:] if isinstance(Xi, SparseRowBlocks) else Xi), Yi, si

    @staticmethod
    def keep_rows(X, idx):
        """The training rows of the early-stopping split stay sparse."""
        return X.subset(idx)


def normalized_weights(sw, dtype):
    """The weights the training uses: ``sw`` times a power of two, in ``dtype``.

    J = sum s e^2 / (2 sum s) does not change when every s_i is multiplied by
    the same number: bringing the largest weight into [0.5, 1) by a power of
    two (exact, so ordinary weights give bit-identical fits) keeps sum s from
    overflowing (weights near 1.7e308) or underflowing (1e-320).
    """
    if sw is None:
        return None
    _, exponent = np.frexp(sw.max())
    with np.errstate(under="ignore"):
        return np.ldexp(sw, -int(exponent)).astype(dtype, copy=False)
