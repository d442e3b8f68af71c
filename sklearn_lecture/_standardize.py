"""Weighted statistics of the rows, and the standardisation training runs in.

Each function works on one block (or dask chunk) of rows or adds up per-block
results; the rows backends choose how the blocks are walked and added.
"""

import numpy as np
from sklearn.metrics import r2_score

from ._rows import iter_blocks, predict_in_blocks


# ------------------------------------------------------------ mean and scale
def block_abs_max(A):
    """The largest magnitude of each column of one block (0 for an empty block)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.max(np.abs(A), axis=0, initial=0.0)


def block_moments(A, s, big, mean):
    """``sum_i s_i B_i`` and ``sum_i s_i B_i^2`` over one block, with ``B = (A - mean) / big``.

    ``mean=None`` is ``mean = 0``; ``s=None`` is ``s_i = 1``. Computed in float64.
    """
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        B = np.asarray(A, dtype=np.float64)
        if mean is not None:
            B = B - mean
        B = B / big
        BB = B * B
        if s is None:
            return B.sum(axis=0), BB.sum(axis=0)
        s = np.asarray(s, dtype=np.float64)
        return s @ B, s @ BB


def mean_scale(big, moments, dtype):
    """Column means and standard deviations, weighted by ``s_i``.

    Computed relative to each column's largest magnitude ``big``, so values near
    float64's limits neither overflow nor underflow; ``moments(big, mean)`` returns
    the sums of :func:`block_moments` over all rows and ``sum_i s_i``. Columns
    without spread get the scale ``max(1, big)``, so the rounding left by
    subtracting the mean stays at eps whatever the column's size.
    """
    big = np.array(big, dtype=np.float64)
    big[big == 0] = 1.0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        sum_b, _, total = moments(big, None)
        mean = sum_b / total * big
        sum_b, sum_bb, total = moments(big, mean)
        scale = _corrected_scale(sum_b, sum_bb, total) * big
    return mean, _guard_scale(scale, big, dtype)


def _corrected_scale(sum_b, sum_bb, total):
    """``sqrt(E[B^2] - E[B]^2)`` for ``B = (A - mean) / big``: the corrected two-pass variance.

    Subtracting ``E[B]^2`` removes the rounding error of the mean, so a constant
    column gets the scale 0 (not ``|mean error|``) whatever its size.
    """
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        var = sum_bb / total - (sum_b / total) ** 2
        return np.sqrt(np.maximum(var, 0.0))


def _guard_scale(scale, big, dtype=np.float64):
    """Columns without spread (relative to their magnitude ``big``) get the scale ``max(1, big)``.

    So do spreads the data's ``dtype`` cannot hold with 20 bits (below ``2^20``
    times its smallest subnormal step), which would lose their digits; larger
    subnormal spreads are kept, so a tiny y is still fitted. A spread of a few
    rounding steps is data (y = 1e15 + sin x): its scale is at least ``2 eps big``,
    so the mean's rounding stays a small offset and a target's error is not
    multiplied by ``big``.
    """
    if np.issubdtype(dtype, np.floating):
        finfo = np.finfo(dtype)
        smallest = float(finfo.tiny) * float(finfo.eps) * 2.0**20
    else:
        smallest = 0.0
    eps = np.finfo(np.float64).eps
    # a constant column's corrected scale is rounding, far below one step (eps big)
    constant = ~np.isfinite(scale) | (scale <= 1e-4 * eps * big) | (scale == 0) | (scale < smallest)
    np.maximum(scale, 2 * eps * big, out=scale)
    scale[constant] = np.maximum(np.broadcast_to(big, scale.shape)[constant], 1.0)
    return scale


# ------------------------------------------------------------- standardiser
class Standardizer:
    """Means and scales of X and y, applied block by block during training."""

    def __init__(self, x_mean, x_scale, y_mean, y_scale):
        self.x_mean, self.x_scale = x_mean, x_scale
        self.y_mean, self.y_scale = y_mean, y_scale

    @classmethod
    def identity(cls, n_features, n_outputs):
        return cls(
            np.zeros(n_features), np.ones(n_features), np.zeros(n_outputs), np.ones(n_outputs)
        )

    def is_identity(self):
        return (
            not self.x_mean.any()
            and not self.y_mean.any()
            and np.all(self.x_scale == 1)
            and np.all(self.y_scale == 1)
        )

    def transform(self, X, Y):
        """``(X - mean) / scale`` and the same for Y, computed in X's dtype (no float64 copies)."""
        dtype = X.dtype

        def scaled(A, mean, scale):
            mean, scale = np.asarray(mean, dtype=dtype), np.asarray(scale, dtype=dtype)
            try:
                with np.errstate(over="raise"):  # the FPU's flag: no extra pass over A
                    D = A - mean
            except FloatingPointError:
                # values of both signs near the dtype's limit: A - mean overflowed, but
                # A / scale - mean / scale cannot (scale is at least the spread)
                return np.divide(A, scale) - mean / scale
            D /= scale
            return D

        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            Xs = scaled(X, self.x_mean, self.x_scale)
            Ys = None
            if Y is not None:
                Ys = scaled(Y.astype(dtype, copy=False), self.y_mean, self.y_scale)
        return Xs, Ys

    def inverse_y(self, Ys):
        """``Ys * scale + mean``: predictions in training units back in the units of y."""
        dtype = Ys.dtype
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            Ys *= np.asarray(self.y_scale, dtype=dtype)
            Ys += np.asarray(self.y_mean, dtype=dtype)
        return Ys


# ---------------------------------------------------------------- the model
def gram_sums(features, X, s, standardizer):
    """``[Z 1]^T S [Z 1]`` and ``sum s`` over the rows of X in blocks (``(None, 0.0)`` for none).

    ``features(X_block)`` is the model's Z (last hidden layer, or the RBF units phi).
    """
    G = None
    total = 0.0
    for rows in iter_blocks(X.shape[0]):
        Xb, _ = standardizer.transform(X[rows], None)
        F = features(Xb)
        F1 = np.hstack([F, np.ones((F.shape[0], 1), dtype=F.dtype)]).astype(np.float64)
        if s is not None:
            Gb = F1.T @ (F1 * s[rows, None])
            total += float(s[rows].sum())
        else:
            Gb = F1.T @ F1
            total += F1.shape[0]
        G = Gb if G is None else G + Gb
    return G, total


def predict_original_units(predict_block, standardizer, n_outputs, dtype, X):
    """Predictions on X in the units of y: standardise each block, predict, scale back.

    ``predict_block(X_block) -> yhat`` is the model in training units.
    """
    try:  # X: an ndarray or _backend.SparseRowBlocks, whose blocks X[a:b] are dense
        with np.errstate(over="raise"):
            X = (X if hasattr(X, "astype") else np.asarray(X)).astype(dtype, copy=False)
    except FloatingPointError:
        raise ValueError(
            f"X has values beyond the range of {np.dtype(dtype)}, the dtype this model was "
            f"fitted in: pass X within +-{np.finfo(dtype).max:.3g}, or fit on float64 X."
        ) from None

    def block(Xb):
        Xs, _ = standardizer.transform(Xb, None)
        return standardizer.inverse_y(predict_block(Xs))

    return predict_in_blocks(block, X, n_outputs, dtype)


# ------------------------------------------------------------- the R^2 score
def total_sum_of_squares(Y, s):
    """``(w, sum_i w_i (y_i - mean)^2)``: the weights and R^2's denominator per output."""
    w = np.ones(Y.shape[0]) if s is None else np.asarray(s, dtype=np.float64)
    mean = (w @ Y) / w.sum()
    return w, w @ (Y - mean) ** 2


def r2_from_sums(ss_res, ss_tot):
    """R^2 from the per-output sums of squares, averaged over outputs."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1 - ss_res / ss_tot, np.where(ss_res > 0, 0.0, 1.0))
    return float(np.mean(r2))


def r2_in_range(y, yhat, sample_weight=None):
    """:func:`~sklearn.metrics.r2_score` of y and yhat scaled by one power of two.

    The scaling is exact (the same R^2) and brings values near float64's limits
    down, so that their squared errors do not overflow.
    """
    y, yhat = np.asarray(y, dtype=np.float64), np.asarray(yhat, dtype=np.float64)
    big = max(float(np.max(np.abs(a), initial=0.0)) for a in (y, yhat))
    if 1e100 < big < np.inf:
        k = -int(np.frexp(big)[1])
        y, yhat = np.ldexp(y, k), np.ldexp(yhat, k)
    return r2_score(y, yhat, sample_weight=sample_weight)
