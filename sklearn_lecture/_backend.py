"""Where the rows live: :func:`rows_backend` picks X's backend (:class:`InMemoryRows` or
:class:`~._dask.DaskRows`); a backend knows no model."""

from functools import partial

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import _check_sample_weight, validate_data

from . import _rows, _standardize
from ._rows import SparseRowBlocks


def rows_backend(X):
    """The rows backend of X, by the module of X's type (numpy input never imports dask)."""
    if type(X).__module__.partition(".")[0] in {"dask", "dask_expr"}:
        from ._dask import DaskRows

        return DaskRows
    return InMemoryRows


def weighted_mean_scale(A, sample_weight=None):
    """Column means and standard deviations of ``A`` weighted by ``s_i``, in three passes."""
    s = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    big = np.max([_standardize.block_abs_max(Ab) for Ab, _, _ in _rows.row_blocks(A)], axis=0)
    total = float(A.shape[0]) if s is None else float(s.sum())
    return _standardize.mean_scale(big, partial(_standardize.blocks_moments, A, s), total, A.dtype)


class InMemoryRows:
    """The rows backend for what ``validate_data`` accepts; a sparse X is read in dense blocks."""

    @classmethod
    def validate(cls, record, X, y, sample_weight, *, reset):
        """``(X, Y, y_2d, sample_weight, sw)``, checked; ``validate_data`` records on ``record``."""
        with np.errstate(over="ignore", invalid="ignore"):  # its finiteness check sums X
            X, y = validate_data(record, X, y, reset=reset, **_rows.XY_CHECKS)
        Y = _rows.checked_targets(y, X.dtype)
        if sample_weight is None:
            return cls.rows(X), Y, y.ndim == 2, None, None
        sw = _check_sample_weight(sample_weight, X, dtype=np.float64)
        _rows.require_positive_weight(_rows.weight_signs(sw))  # none negative, one positive
        return cls.rows(X), Y, y.ndim == 2, sw, _rows.scaled_weights(sw, X.dtype)

    @staticmethod
    def rows(X):
        return SparseRowBlocks(X) if sp.issparse(X) else X

    weighted_mean_scale = staticmethod(weighted_mean_scale)
    gram_sums = staticmethod(_standardize.gram_sums)
    training_rows = _rows.ArrayRows

    @staticmethod
    def init_rows(X, Y, sw, rng, max_rows):
        """The rows the initialisation looks at (:func:`~._rows.init_sample`)."""
        rows, s = _rows.init_sample(X.shape[0], sw, rng, max_rows)
        return X[rows], Y[rows], s  # a sparse X: dense

    @classmethod
    def split_validation(cls, X, Y, sw, standardizer, rng, validation_fraction, predict):
        """Hold out ``validation_fraction`` of the rows; monitor ``predict(params, X)`` on them."""
        mask = _rows.held_out(X.shape[0], validation_fraction, rng)
        train, val = np.flatnonzero(~mask), np.flatnonzero(mask)
        if sw is not None:
            _rows.check_split_weights(sw[train].sum(), sw[val].sum())
        Xv, Yv = standardizer.transform(X[val], Y[val])
        sv = None if sw is None else sw[val]
        w, ss_tot = _standardize.total_sum_of_squares(Yv, sv)  # once: fixed held-out rows
        _rows.check_validation_spread(ss_tot, w.sum())

        def monitor(params):
            yhat = _rows.predict_in_blocks(partial(predict, params), Xv, Yv.shape[1], Xv.dtype)
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging yhat scores -inf
                return _standardize.r2_from_sums(w @ (Yv - yhat) ** 2, ss_tot)

        X = X.subset(train) if isinstance(X, SparseRowBlocks) else X[train]  # sparse stays sparse
        return X, Y[train], None if sw is None else sw[train], monitor

    @staticmethod
    def head(X, k):
        return X[:k]

    @classmethod
    def predict(cls, est, X, predict_rows, *, n_outputs, y_2d, dtype):
        """``predict_rows(X)`` on X validated against the fitted ``est``, shaped as y was."""
        with np.errstate(over="ignore", invalid="ignore"):  # as in fit
            X = validate_data(est, X, reset=False, **_rows.X_CHECKS)
        out = predict_rows(cls.rows(X))
        return out if y_2d else out.ravel()
