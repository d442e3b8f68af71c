"""Weighted statistics of the rows (per block, or adding up blocks), and the standardisation."""

import numpy as np
from sklearn.metrics import r2_score

from ._rows import predict_in_blocks, row_blocks, scaled_weights


def block_abs_max(A):
    """The largest magnitude of each column of one block (0 for an empty block)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.max(np.abs(A), axis=0, initial=0.0)


def block_moments(A, s, big, mean):
    """``sum_i s_i B_i``, ``sum_i s_i B_i^2`` in float64, ``B = (A - mean) / big`` (None: 0, 1)."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        B = np.asarray(A, dtype=np.float64)
        B = (B if mean is None else B - mean) / big
        BB = B * B
        if s is None:
            return B.sum(axis=0), BB.sum(axis=0)
        s = np.asarray(s, dtype=np.float64)
        return s @ B, s @ BB


def blocks_moments(A, s, big, mean):
    """:func:`block_moments` of every row block of ``A``, in order."""
    return [block_moments(Ab, sb, big, mean) for Ab, _, sb in row_blocks(A, None, s)]


def mean_scale(big, moments, total, dtype):
    """Weighted column means and standard deviations, relative to ``big`` (the largest magnitudes);
    ``moments(big, mean)``: :func:`blocks_moments`; ``total``: ``sum_i s_i``."""
    big = np.array(big, dtype=np.float64)
    big[big == 0] = 1.0

    def sums(mean):
        sum_b, sum_bb = np.zeros(big.shape), np.zeros(big.shape)
        for b, bb in moments(big, mean):
            sum_b, sum_bb = sum_b + b, sum_bb + bb
        return sum_b, sum_bb

    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        mean = sums(None)[0] / total * big
        sum_b, sum_bb = sums(mean)
        var = sum_bb / total - (sum_b / total) ** 2
        scale = np.sqrt(np.maximum(var, 0.0)) * big
    return mean, _guard_scale(scale, big, dtype)


def _guard_scale(scale, big, dtype=np.float64):
    """Columns without spread relative to ``big`` get ``max(1, big)``, others >= ``2 eps big``."""
    smallest = float(np.finfo(dtype).smallest_subnormal) * 2.0**20
    eps = np.finfo(np.float64).eps  # a constant column's scale is rounding, far below eps big
    constant = ~np.isfinite(scale) | (scale <= 1e-4 * eps * big) | (scale < smallest)
    np.maximum(scale, 2 * eps * big, out=scale)
    scale[constant] = np.maximum(np.broadcast_to(big, scale.shape)[constant], 1.0)
    return scale


class Standardizer:
    """Means and scales of X and y, applied block by block during training."""

    def __init__(self, x_mean, x_scale, y_mean, y_scale):
        self.x_mean, self.x_scale, self.y_mean, self.y_scale = x_mean, x_scale, y_mean, y_scale

    @classmethod
    def identity(cls, d, m):
        return cls(np.zeros(d), np.ones(d), np.zeros(m), np.ones(m))

    def is_identity(self):
        means = self.x_mean.any() or self.y_mean.any()
        return not means and np.all(self.x_scale == 1) and np.all(self.y_scale == 1)

    def transform(self, X, Y):
        """``(X - mean) / scale`` and the same for Y, computed in X's dtype (no float64 copies)."""
        dtype = X.dtype
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            Xs = _scaled(X, self.x_mean, self.x_scale, dtype)
            Y = None if Y is None else Y.astype(dtype, copy=False)
            return Xs, None if Y is None else _scaled(Y, self.y_mean, self.y_scale, dtype)

    def inverse_y(self, Ys):
        """``Ys * scale + mean``: predictions in training units back in the units of y."""
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            Ys *= np.asarray(self.y_scale, dtype=Ys.dtype)
            Ys += np.asarray(self.y_mean, dtype=Ys.dtype)
        return Ys


def _scaled(A, mean, scale, dtype):
    mean, scale = np.asarray(mean, dtype=dtype), np.asarray(scale, dtype=dtype)
    try:
        with np.errstate(over="raise"):  # near the dtype's limit: A / scale - mean / scale
            D = A - mean
    except FloatingPointError:
        return np.divide(A, scale) - mean / scale
    return np.divide(D, scale, out=D)


def gram_sums(X, s, features, standardizer):
    """``[Z 1]^T S [Z 1]`` and ``sum s`` over the blocks of X, ``Z = features(X_block)``."""
    G, total = None, 0.0
    for Xb, _, sb in row_blocks(X, None, s, standardizer.transform):
        F = features(Xb)
        F1 = np.hstack([F, np.ones((F.shape[0], 1), dtype=F.dtype)]).astype(np.float64)
        Gb = F1.T @ (F1 if sb is None else F1 * sb[:, None])
        total += F1.shape[0] if sb is None else float(sb.sum())
        G = Gb if G is None else G + Gb
    return G, total


def predict_original_units(predict_block, standardizer, n_outputs, dtype, X, to_y=True):
    """``predict_block`` (training units) on standardised X, back in the units of y (``to_y``)."""
    try:  # X: an ndarray or _rows.SparseRowBlocks
        with np.errstate(over="raise"):
            X = X.astype(dtype, copy=False)
    except FloatingPointError:
        raise ValueError(
            f"X has values beyond the range of {np.dtype(dtype)}, the model's dtype: pass X "
            f"within +-{np.finfo(dtype).max:.3g}, or fit on float64 X."
        ) from None

    def block(Xb):
        Xs, _ = standardizer.transform(Xb, None)
        out = standardizer.inverse_y(predict_block(Xs)) if to_y else predict_block(Xs)
        if not np.all(np.isfinite(out)):  # finite X far beyond the training data
            raise ValueError(
                f"X is so far outside the training data that the model's output overflows "
                f"{np.dtype(dtype)}: clip X to near the range it was fitted on."
            )
        return out

    return predict_in_blocks(block, X, n_outputs, dtype)


def total_sum_of_squares(Y, s):
    """``(w, sum_i w_i (y_i - mean)^2)``: the weights and R^2's denominator per output."""
    w = np.ones(Y.shape[0]) if s is None else np.asarray(s, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # inf, NaN near float64's limits: refused
        mean = (w @ Y) / w.sum()
        return w, w @ (Y - mean) ** 2


def r2_from_sums(ss_res, ss_tot):
    """R^2 from the per-output sums of squares, averaged over outputs."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1 - ss_res / ss_tot, np.where(ss_res > 0, 0.0, 1.0))
    return float(np.mean(r2))


def r2_in_range(y, yhat, sample_weight=None):
    """:func:`~sklearn.metrics.r2_score` of y and yhat, and of the weights, scaled by powers of two
    (no overflow, and no underflow of the squared errors to 0); -inf below float64's range."""
    y, yhat = np.asarray(y, dtype=np.float64), np.asarray(yhat, dtype=np.float64)
    s = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    s = s if s is None or not s.size else scaled_weights(s, np.float64)  # r2_score checks s
    big = max(float(np.max(np.abs(a), initial=0.0)) for a in (y, yhat))
    k = -int(np.frexp(big)[1]) if 1e100 < big < np.inf or 0 < big < 1e-100 else 0
    with np.errstate(over="ignore", under="ignore"):  # R^2 = 1 - inf: -inf
        return r2_score(np.ldexp(y, k), np.ldexp(yhat, k), sample_weight=s)
