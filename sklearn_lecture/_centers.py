"""Where the RBF units start: the centres c of ``init`` and the default width b."""

import warnings

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.extmath import row_norms
from sklearn.utils.validation import check_array
from threadpoolctl import threadpool_limits

from ._optimizers import _user_stacklevel


def _distinct_rows(A):
    """``np.unique(A, axis=0)``, which in numpy 1.24 turns Ctrl-C into a ``TypeError``."""
    if A.shape[0] < 2:
        return A
    A = A[np.lexsort(A.T[::-1])]  # the first column is the primary key
    return A[np.r_[True, np.any(A[1:] != A[:-1], axis=1)]]


def _positive_rows(X, sample_weight):
    if sample_weight is None:
        return X, None
    keep = sample_weight > 0
    return X[keep], sample_weight[keep]


def _repeat(C, K):
    """K rows: C's rows repeated in turn when there are fewer."""
    return C if C.shape[0] >= K else C[np.arange(K) % C.shape[0]]


def _kmeans_centers(X, K, sample_weight):
    """Farthest-point start, then weighted Lloyd."""
    C = farthest_point_centers(X, K, sample_weight)
    if _distinct_rows(C).shape[0] < K:
        return C  # fewer distinct rows than centres: use each row once
    # KMeans's last bits depend on its OpenMP threads: one on every machine
    with (
        warnings.catch_warnings(),
        threadpool_limits(limits=1, user_api="openmp"),
        np.errstate(all="ignore"),  # weights 1e308 apart: checked below
    ):
        warnings.simplefilter("ignore", ConvergenceWarning)
        km = KMeans(n_clusters=K, init=C, n_init=1, max_iter=20).fit(X, sample_weight=sample_weight)
    if not np.all(np.isfinite(km.cluster_centers_)):
        return C  # a cluster whose weights underflow has no mean
    return km.cluster_centers_.astype(np.float64)


def farthest_point_centers(X, n_centers, sample_weight=None):
    """K rows of positive weight: the one nearest the mean, then the farthest from those chosen
    (the rows sorted first: their order does not matter)."""
    X, w = _positive_rows(X, sample_weight)
    order = np.lexsort(X.T[::-1])
    X = X[order]
    mean = np.average(X, axis=0, weights=w[order] if w is not None else None)
    chosen = [int(np.argmin(row_norms(X - mean, squared=True)))]  # exact differences
    nearest = row_norms(X - X[chosen[0]], squared=True)
    while len(chosen) < min(n_centers, X.shape[0]):
        k = int(np.argmax(nearest))
        if nearest[k] <= 0:
            break  # every distinct row is already a centre
        chosen.append(k)
        np.minimum(nearest, row_norms(X - X[k], squared=True), out=nearest)
    return _repeat(X[chosen], n_centers)  # fewer distinct rows than centres: repeat them


def initial_centers(init, K, X, sample_weight, rng, standardizer):
    """The starting centres c (training units): given by ``init``, or by its rule."""
    if not isinstance(init, str):  # K centres in the units of X, moved to training units
        d = X.shape[1]
        C = check_array(init, dtype=np.float64, input_name="init", ensure_min_samples=0)
        if C.shape != (K, d):
            raise ValueError(
                f"init has shape {C.shape}; pass shape ({K}, {d}), that is (n_centers, n_features)."
            )
        with np.errstate(over="ignore", invalid="ignore"):
            C = (C - standardizer.x_mean) / standardizer.x_scale
            far = ~np.isfinite(np.einsum("ij,ij->i", C, C))
        if far.any():
            raise ValueError(
                "init has centres so far from the data that their squared distances overflow "
                "float64: pass centres within the range of X."
            )
        return C
    # distinct rows of positive weight: a repeated row gives one centre
    n_rows = len(_distinct_rows(_positive_rows(X, sample_weight)[0]))
    if K > n_rows:
        # Not an error: scikit-learn's checks fit K = 20 on 15 rows, and the fit is right
        warnings.warn(
            f"n_centers={K} is more than the {n_rows} distinct rows of X (with a positive "
            f"sample_weight): some units share a centre. Use n_centers <= {n_rows}.",
            UserWarning,
            stacklevel=_user_stacklevel(),
        )
    if init == "random":  # K rows drawn with probability proportional to their weight
        p = None if sample_weight is None else sample_weight / sample_weight.sum()
        n_pos = X.shape[0] if p is None else int(np.count_nonzero(p))
        idx = rng.choice(X.shape[0], K, replace=K > n_pos, p=p)
        return X[idx].astype(np.float64)
    if init == "kmeans++":
        Xp, sp = _positive_rows(X, sample_weight)
        C, _ = kmeans_plusplus(Xp, min(K, Xp.shape[0]), sample_weight=sp, random_state=rng)
        return _repeat(C, K).astype(np.float64)
    return _kmeans_centers(X, K, sample_weight)


def default_width(C, X, sample_weight):
    """b of ``width=None``: twice the mean squared distance to the nearest other centre."""
    C = _distinct_rows(C)
    if C.shape[0] > 1:
        D2 = np.array([row_norms(C - c, squared=True) for c in C])  # exact differences
        np.fill_diagonal(D2, np.inf)
        nearest = D2.min(axis=1)
        nearest = nearest[np.isfinite(nearest) & (nearest > 0)]
        if nearest.size:
            return 2.0 * float(np.mean(nearest))
    return spread if (spread := data_spread(X, sample_weight)) > 0 else 1.0


def data_spread(X, sample_weight):
    """S, the (weighted) mean squared distance of the rows from their mean."""
    mean = np.average(X, axis=0, weights=sample_weight)
    return float(np.average(np.sum((X - mean) ** 2, axis=1), weights=sample_weight))
