"""RBFRegressor: the lecture's RBF regression ``yhat = w exp(-(x - c)^2 / b) + w0``."""

import numbers
import warnings

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array
from threadpoolctl import threadpool_limits

from ._base import LectureRegressorBase, check_init_value
from ._kernels import RADIAL_PROFILES
from ._optimizers import _user_stacklevel

# Smallest width b, relative to the scale of the (standardised) data.
MIN_WIDTH = 1e-6


def exact_squared_distances(A, B):
    """``||a_i - b_i||^2`` row by row from exact differences (B: one row, or one per row of A).

    Identical rows are at distance exactly 0 and nearby rows keep all their
    digits, at the price of an array of A's size: for the few rows and centres
    of the initialisation, and the entries :func:`squared_distances` repairs.
    """
    D = A - B
    return np.einsum("ij,ij->i", D, D)


def squared_distances(X, C, scale=None, widths=None, exact_near=False):
    """``||x_i - c_k||^2`` (measured in units of ``scale``, divided by ``widths``) by one product.

    The expanded product serves the n x K distances of every iteration (one
    matrix product, no n x K x d array); :func:`exact_squared_distances`, the
    other way to compute them, repairs the entries the expansion gets wrong.

    ``||x - c||^2 = ||x||^2 - 2 x c^T + ||c||^2 = [x, ||x||^2, 1] [-2 c, 1, ||c||^2]^T``:
    no n x K x d array is ever built, and the n x K result is written once by
    one matrix product (then clipped at 0, since rounding can make a distance
    slightly negative).  With ``widths`` b, returns ``u_ik = ||x_i - c_k||^2 / b_k``
    (the division is applied to the K columns of the small right-hand factor).

    The expanded form is exact to about ``eps (||x||^2 + ||c||^2)``, so near a
    centre its relative error is large. With ``exact_near`` the entries below
    ``1e-8 (max_i ||x_i||^2 + ||c_k||^2)`` are recomputed from exact differences
    (a profile with a square root of u, such as the triangle, needs them).
    """
    if scale is not None:
        X = X / scale
        C = C / scale
    n, d = X.shape
    X_aug = np.empty((n, d + 2), dtype=X.dtype)  # [x, ||x||^2, 1]
    X_aug[:, :d] = X
    np.einsum("ij,ij->i", X, X, out=X_aug[:, d])
    X_aug[:, d + 1] = 1.0
    C_aug = np.empty((d + 2, C.shape[0]), dtype=np.result_type(X, C))  # [-2 c, 1, ||c||^2]^T
    np.multiply(C.T, -2.0, out=C_aug[:d])
    C_aug[d] = 1.0
    np.einsum("ij,ij->i", C, C, out=C_aug[d + 1])
    with np.errstate(over="ignore", invalid="ignore"):
        if widths is not None:
            C_aug /= widths
        D2 = X_aug @ C_aug
    bad = ~np.isfinite(D2)
    if exact_near:
        # per centre: sqrt(eps) times a bound of the terms the expansion cancels
        rel = float(np.sqrt(np.finfo(D2.dtype).eps))
        near = rel * (float(np.max(X_aug[:, d], initial=0.0)) * C_aug[d] + C_aug[d + 1])
        bad |= D2 <= near
    if bad.any():
        # Near the limits of float64 (or with a tiny b) the expanded form can give
        # inf - inf: recompute those entries from exact differences (inf if too far).
        i, k = np.nonzero(bad)
        with np.errstate(over="ignore"):
            D2[i, k] = exact_squared_distances(X[i], C[k])
            if widths is not None:
                D2[i, k] /= np.broadcast_to(widths, (C.shape[0],))[k]
    return np.maximum(D2, 0.0, out=D2)


def _distinct_rows(A):
    """The distinct rows of ``A``, sorted as ``np.unique(A, axis=0)`` sorts them.

    Written out because ``np.unique(axis=0)`` compares the rows through a
    structured view, and numpy 1.24 turns a ``KeyboardInterrupt`` that arrives
    during that comparison into ``TypeError: Cannot compare structured arrays``
    (seen in ``tests/test_threads.py``'s random interrupts).
    """
    if A.shape[0] < 2:
        return A
    A = A[np.lexsort(A.T[::-1])]  # the first column is the primary key
    return A[np.r_[True, np.any(A[1:] != A[:-1], axis=1)]]


def _given_centers(init, K, n_features, standardizer):
    """``init`` as an array: K centres in the units of X, moved to training units."""
    C = check_array(init, dtype=np.float64, input_name="init", ensure_min_samples=0)
    if C.shape != (K, n_features):
        raise ValueError(
            f"init has shape {C.shape}, but n_centers={K} and X has "
            f"{n_features} features: pass an array of shape ({K}, {n_features})."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        C = (C - standardizer.x_mean) / standardizer.x_scale
        far = ~np.isfinite(np.einsum("ij,ij->i", C, C))
    if far.any():
        raise ValueError(
            "init has centres so far from the data (in units of the features' "
            "spread) that their squared distances overflow float64: pass centres "
            "within the range of X."
        )
    return C


def _random_centers(X, K, sample_weight, rng):
    """``init="random"``: K rows drawn with probability proportional to their weight."""
    p = None if sample_weight is None else sample_weight / sample_weight.sum()
    n_pos = X.shape[0] if p is None else int(np.count_nonzero(p))
    idx = rng.choice(X.shape[0], K, replace=K > n_pos, p=p)
    return X[idx].astype(np.float64)


def _kmeans_plusplus_centers(X, K, sample_weight, rng):
    """``init="kmeans++"``: :func:`~sklearn.cluster.kmeans_plusplus` on the rows of positive weight."""
    keep = slice(None) if sample_weight is None else sample_weight > 0
    Xp = X[keep]
    C, _ = kmeans_plusplus(
        Xp,
        min(K, Xp.shape[0]),
        sample_weight=None if sample_weight is None else sample_weight[keep],
        random_state=rng,
    )
    if C.shape[0] < K:
        C = C[np.arange(K) % C.shape[0]]
    return C.astype(np.float64)


def _kmeans_centers(X, K, sample_weight, rng=None):
    """``init="kmeans"``: deterministic farthest-point start, then weighted Lloyd (``rng`` unused)."""
    C = farthest_point_centers(X, K, sample_weight)
    n_distinct = _distinct_rows(C).shape[0]
    if n_distinct < K:
        return C  # fewer distinct rows than centres: use each row once
    # KMeans sums its clusters over OpenMP threads, so its last bits depend on
    # their number: one thread (set for this thread only: OpenMP's thread count
    # is per thread) gives the same centres on every machine and in every thread.
    with (
        warnings.catch_warnings(),
        threadpool_limits(limits=1, user_api="openmp"),
        np.errstate(all="ignore"),
    ):  # weights 1e308 apart: checked just below
        warnings.simplefilter("ignore", ConvergenceWarning)
        km = KMeans(n_clusters=K, init=C, n_init=1, max_iter=20).fit(X, sample_weight=sample_weight)
    if not np.all(np.isfinite(km.cluster_centers_)):
        # a cluster whose weights underflow (weights 1e-320 beside 1) has no mean:
        # keep the farthest-point start, which needs no arithmetic on the weights
        return C
    return km.cluster_centers_.astype(np.float64)


def _distance_unit(params):
    """f, the unit of each feature's distance (``feature_scale``), or None where f = 1.

    f is 1 except after a warm start on data of other per-feature scales.
    """
    f = params.get("feature_scale")
    return None if f is None or np.all(f == 1) else f


def farthest_point_centers(X, n_centers, sample_weight=None):
    """A deterministic, row-order-free choice of K rows of X.

    Start from the row nearest the weighted mean, then repeatedly take the row
    farthest from the centres chosen so far.  Rows of zero weight are never
    chosen, and ties are broken by the rows' values, not their positions, so
    the result does not depend on the order of the rows.
    """
    if sample_weight is not None:
        X = X[sample_weight > 0]
        w = sample_weight[sample_weight > 0]
    else:
        w = None
    # Sorting the candidate rows lexicographically makes argmin/argmax ties
    # resolve by value.
    order = np.lexsort(X.T[::-1])
    X = X[order]
    mean = np.average(X, axis=0, weights=w[order] if w is not None else None)

    # exact differences: identical rows are at distance 0
    chosen = [int(np.argmin(exact_squared_distances(X, mean)))]
    nearest = exact_squared_distances(X, X[chosen[0]])
    while len(chosen) < min(n_centers, X.shape[0]):
        k = int(np.argmax(nearest))
        if nearest[k] <= 0:
            break  # every distinct row is already a centre
        chosen.append(k)
        np.minimum(nearest, exact_squared_distances(X, X[k]), out=nearest)
    C = X[chosen]
    if C.shape[0] < n_centers:  # fewer distinct rows than centres: repeat them
        C = C[np.arange(n_centers) % C.shape[0]]
    return C


class RBFRegressor(LectureRegressorBase):
    """The lecture's RBF regression, grown into a network of K radial units.

    ``yhat(x) = sum_k w_k Phi(||x - c_k||^2 / b_k) + w0`` (lecture 3, section 2,
    examples l6rbf1-3), fitted by full-batch gradient descent on
    ``J = 1/(2n) sum_i ||y_i - yhat_i||^2``.

    Parameters
    ----------
    n_centers : int, default=20
        K, the number of radial units. With more units than rows of X (rows with
        a positive ``sample_weight``), some units share a centre and add nothing:
        the fit is the same as with fewer units, and a ``UserWarning`` says so
        (where :class:`~sklearn.cluster.KMeans` would raise, so that
        scikit-learn's checks, which fit the default K = 20 on 15 rows, pass).
        ``coef_`` always has K rows.
    kernel : {"rbf", "sigmoid", "relu"}, default="rbf"
        The radial profile Phi(u) of ``u = ||x - c||^2 / b``: ``exp(-u)`` (the
        lecture's), ``2 / (1 + exp(u))`` or ``max(0, 1 - sqrt(u))``, the
        lecture's "triangle curve" ``max(0, 1 - ||x - c|| / sqrt(b))`` (a cone of
        radius ``sqrt(b)``; at its tip, where it has no derivative, the
        subgradient 0 is used). Each is 1 at the centre and falls to 0 away from
        it. (In :class:`SigmoidMLPRegressor` ``kernel`` is the activation of
        ``[x 1] W1`` instead.)
    width : float or None, default=None
        b, shared by all units at the start. ``None`` sets
        ``b = 2 * mean_k min_{j != k} ||c_k - c_j||^2`` over the initial centres
        (neighbouring units overlap at ``exp(-1/2)``); with one centre, or all
        centres equal, ``b = mean_i ||x_i - mean(x)||^2`` instead, and 1 if that
        is 0. With ``standardize=True`` distances, and so b, are in units of
        the standardised features.
    init : {"kmeans", "kmeans++", "random"} or array-like of shape (K, n_features), default="kmeans"
        Starting centres c. ``"kmeans"`` is deterministic and ignores the order
        of the rows: farthest-point centres refined by weighted k-means
        (:class:`~sklearn.cluster.KMeans`). ``"kmeans++"`` uses
        :func:`~sklearn.cluster.kmeans_plusplus` with ``random_state``;
        ``"random"`` draws K rows. An array gives the centres in the units of X,
        such as the lecture's guesses ``[[0.0]]``, ``[[0.5]]`` or ``[[1.0]]``.
    fit_centers : bool, default=True
        Learn c (all of the lecture's examples do).
    fit_weights : bool, default=True
        Learn w. ``False`` fixes ``w = 1`` (l6rbf1).
    fit_intercept : bool, default=True
        Learn w0. ``False`` fixes ``w0 = 0`` (l6rbf1, l6rbf2).
    fit_widths : bool, default=False
        Also learn each b_k (beyond the lecture), kept positive by projection.
    solver : {"gd", "lbfgs"}, default="gd"
        ``"gd"`` is the lecture's update; ``"lbfgs"`` minimises the same J with
        :func:`scipy.optimize.minimize`.
    learning_rate : float or "auto", default="auto"
        alpha. ``"auto"`` starts from ``alpha0 = 1 / lambda_max`` of
        ``[phi 1]^T [phi 1] / n`` at the initial centres and chooses alpha at
        every iteration by the Barzilai-Borwein rule described in
        :class:`SigmoidMLPRegressor` (each iteration is still one update of
        every trained parameter); a float keeps alpha fixed, exactly the
        lecture's method, and raises ``DivergenceError`` naming a safe alpha if
        J ends above where it started. The last alpha used is ``learning_rate_``.
    l2 : float or "auto", default="auto"
        lambda, the weight of the L2 penalty on the weights w (not on w0, c or
        b): ``J = 1/(2n) sum_i ||e_i||^2 + (lambda / 2) ||w||^2``, in
        standardised units. ``"auto"`` is ``1e-3`` with ``solver="gd",
        learning_rate="auto"``, and 0 with a float ``learning_rate`` (the
        lecture's J) or ``solver="lbfgs"``; see :class:`SigmoidMLPRegressor`.
    max_iter : int, default=4000
        Maximum number of updates (L-BFGS iterations).
    tol : float, default=1e-5
        Stop when J has not improved by more than ``tol`` for
        ``n_iter_no_change`` consecutive iterations (for L-BFGS: the gradient
        tolerance); see :class:`SigmoidMLPRegressor` for how it was chosen.
    n_iter_no_change : int or None, default=10
        See ``tol``. ``None`` runs exactly ``max_iter`` updates (no stopping
        rule, no ConvergenceWarning), as the slides' replays do.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and keep the parameters
        with the best validation R^2.
    validation_fraction : float, default=0.1
        Share of the rows held out when ``early_stopping=True``; at least 2
        rows must be held out (the R^2 of one row is undefined) and 1 left.
    standardize : bool, default=True
        Measure distances in units of each feature's standard deviation, and
        train on standardised y; ``centers_``, ``coef_`` and ``intercept_`` are
        reported in the units of the raw X and y. ``False`` runs the lecture's
        update on the raw data.
    random_state : int, RandomState instance or None, default=None
        Used by ``init="kmeans++"``/``"random"`` and the early-stopping split.
    verbose : int, default=0
        Print J at every iteration.
    warm_start : bool, default=False
        Continue from the fitted parameters. ``n_centers`` and the number of
        features must not have changed: otherwise ``fit`` raises a
        ``ValueError`` asking for ``warm_start=False`` and the fitted model is
        left unchanged and usable.
    coef_init : array-like of shape (K,) or (n_outputs, K), or None, default=None
        Starting weights w, shaped like ``coef_`` ((K,) for a 1-D y), in the
        units of y; ``None`` starts from the least-squares read-out (see Notes).
        The slides' l6rbf2 and l6rbf3 update w from a starting value: pass it
        here. With ``fit_weights=False`` w stays at this value (1 by default).
        Converted to the standardised problem as ``warm_start`` converts fitted
        parameters, so with ``standardize=False`` it is used exactly. Used only
        by a fresh fit: a ``warm_start`` fit that continues, and ``partial_fit``
        after its first call, start from the fitted parameters instead. Wrong
        shapes, NaN, inf or complex values raise a ``ValueError`` at fit time.
    intercept_init : float, array-like of shape (n_outputs,), or None, default=None
        Starting bias w0, shaped like ``intercept_``, in the units of y; ``None``
        starts from the least-squares read-out. With ``fit_intercept=False`` w0
        stays at this value (0 by default). As ``coef_init``, and independent
        of it.

    Attributes
    ----------
    centers_ : ndarray of shape (K, n_features)
        The centres c_k, in the units of X.
    widths_ : ndarray of shape (K,)
        The widths b_k (in standardised units when ``standardize=True``).
    feature_scale_ : ndarray of shape (n_features,)
        The unit in which each feature's distance is measured (its standard
        deviation, or 1 with ``standardize=False``):
        ``u_k = ||(x - c_k) / feature_scale_||^2 / b_k``.
    coef_ : ndarray of shape (K,) or (n_outputs, K)
        The weights w_k, shaped like ``LinearRegression.coef_`` when the K basis
        outputs are its features.
    intercept_ : float or ndarray of shape (n_outputs,)
        The bias w0.
    loss_curve_ : list of float
        J at every iteration (in standardised units when ``standardize=True``).
    loss_ : float
        The last entry of ``loss_curve_``.
    learning_rate_ : float
        The alpha used.
    n_iter_ : int
        Number of iterations run.
    n_outputs_ : int
        Number of outputs.
    validation_scores_ : list of float or None
        Validation R^2 per iteration, with ``early_stopping=True``.
    best_validation_score_ : float or None
        The best of ``validation_scores_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    SigmoidMLPRegressor : The lecture's one-hidden-layer network.

    Notes
    -----
    With ``u_ik = ||x_i - c_k||^2 / b_k``, ``phi_ik = Phi(u_ik)``,
    ``yhat_i = sum_k w_k phi_ik + w0`` and ``e_i = y_i - yhat_i``, the cost is
    ``J = 1/(2n) sum_i e_i^2`` and its gradients are

    - ``dJ/dw_k = -1/n sum_i e_i phi_ik``;
    - ``dJ/dw0 = -1/n sum_i e_i``;
    - ``dJ/dc_k = 1/n sum_i e_i w_k Phi'(u_ik) 2 (x_i - c_k) / b_k``, which for
      the lecture's ``Phi = exp(-u)`` is ``-2/n sum_i e_i w_k phi_ik (x_i - c_k) / b_k``:
      the lecture's ``-4 sum e w phi (x - c) / b`` for ``J = sum e^2``, divided by 2n;
    - ``dJ/db_k = 1/n sum_i e_i w_k Phi'(u_ik) u_ik / b_k``.

    With the penalty ``l2`` = lambda, ``J`` gains ``(lambda / 2) ||w||^2`` and
    ``dJ/dw`` gains ``lambda w`` (``Objective.__call__`` in ``_objective.py``).

    Each iteration updates every trained parameter: ``c <- c - alpha dJ/dc``,
    ``w <- w - alpha dJ/dw``, ``w0 <- w0 - alpha dJ/dw0``. The lecture's examples
    are ``RBFRegressor(n_centers=1, fit_weights=False, fit_intercept=False)``
    (l6rbf1), ``fit_intercept=False`` (l6rbf2) and the defaults (l6rbf3).
    Before the first step the trained ones of w and w0 that ``coef_init`` and
    ``intercept_init`` do not give are set to the weighted least-squares
    solution for the initial centres (a small ridge keeps it stable), so that
    gradient descent starts from the best linear read-out of the initial basis.
    The slides instead start w and w0 from given values: pass them as
    ``coef_init`` and ``intercept_init``.

    ``predict`` evaluates the model in the units training used: each row is
    standardised with the fitted means and scales, ``u = ||x - c||^2 / b`` is
    computed there with the trained centres, and ``yhat`` is mapped back to the
    units of y. ``centers_``, ``coef_`` and ``intercept_`` are the same model in
    the units of X and y, for inspection: expanding ``||x - c||^2`` in raw units
    would cancel every digit on features far from zero (X + 1e8, float32 X +
    1e4). ``predict`` uses the kernel and parameters that were fitted, so
    ``set_params`` changes nothing until the next ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import RBFRegressor
    >>> x = np.linspace(0, 5, 50).reshape(-1, 1)
    >>> y = np.exp(-(x.ravel() - 2) ** 2) + 0.5 * np.exp(-(x.ravel() - 4) ** 2 / 0.5)
    >>> rbf = RBFRegressor(n_centers=8, random_state=0).fit(x, y)
    >>> bool(rbf.score(x, y) > 0.99)
    True
    """

    _parameter_constraints = {
        **LectureRegressorBase._parameter_constraints,
        "n_centers": [Interval(numbers.Integral, 1, None, closed="left")],
        "width": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "init": [StrOptions({"kmeans", "kmeans++", "random"}), "array-like"],
        "fit_centers": ["boolean"],
        "fit_weights": ["boolean"],
        "fit_intercept": ["boolean"],
        "fit_widths": ["boolean"],
        "coef_init": ["array-like", None],
        "intercept_init": ["array-like", numbers.Real, None],
    }

    def __init__(
        self,
        n_centers=20,
        kernel="rbf",
        *,
        width=None,
        init="kmeans",
        fit_centers=True,
        fit_weights=True,
        fit_intercept=True,
        fit_widths=False,
        solver="gd",
        learning_rate="auto",
        l2="auto",
        max_iter=4000,
        tol=1e-5,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        standardize=True,
        random_state=None,
        verbose=0,
        warm_start=False,
        coef_init=None,
        intercept_init=None,
    ):
        self.n_centers = n_centers
        self.kernel = kernel
        self.width = width
        self.init = init
        self.fit_centers = fit_centers
        self.fit_weights = fit_weights
        self.fit_intercept = fit_intercept
        self.fit_widths = fit_widths
        self.solver = solver
        self.learning_rate = learning_rate
        self.l2 = l2
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.standardize = standardize
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.coef_init = coef_init
        self.intercept_init = intercept_init

    # ------------------------------------------------------------- structure
    def _architecture(self, n_features, n_outputs):
        return (self.n_centers, n_features, n_outputs)

    def _penalized(self):
        return ["coef"]

    def _trainable(self):
        flags = [
            ("centers", self.fit_centers),
            ("widths", self.fit_widths),
            ("coef", self.fit_weights),
            ("intercept", self.fit_intercept),
        ]
        return [name for name, on in flags if on]

    def _y_standardization(self):
        # w = 1 and w0 = 0 are fixed in the units of y: keep those units.
        return self.fit_intercept, self.fit_weights

    def _lower_bounds(self, layout):
        if not self.fit_widths:
            return None
        lower = np.full(layout.size, -np.inf)
        lower[layout.slices["widths"]] = MIN_WIDTH
        return lower

    def _init_centers(self, X, sample_weight, rng, standardizer):
        """The starting centres c (training units): given by ``init``, or by its rule."""
        K = self.n_centers
        if not isinstance(self.init, str):
            return _given_centers(self.init, K, X.shape[1], standardizer)
        n_rows = X.shape[0] if sample_weight is None else np.count_nonzero(sample_weight)
        if K > n_rows:
            # Not an error: scikit-learn's own checks fit the default K = 20 on
            # 15 rows, and the fit is still right (the repeated units are redundant).
            warnings.warn(
                f"n_centers={K} is more than the {n_rows} rows of X (with a positive "
                "sample_weight), so some units share a centre and add nothing. Use "
                f"n_centers <= {n_rows}.",
                UserWarning,
                stacklevel=_user_stacklevel(),
            )
        rule = {
            "random": _random_centers,
            "kmeans++": _kmeans_plusplus_centers,
            "kmeans": _kmeans_centers,
        }[self.init]
        return rule(X, K, sample_weight, rng)

    def _default_width(self, C, X, sample_weight):
        C = _distinct_rows(C)  # repeated centres say nothing about spacing
        if C.shape[0] > 1:
            D2 = np.empty((C.shape[0], C.shape[0]))
            for k, c in enumerate(C):  # exact differences, one centre at a time
                D2[k] = exact_squared_distances(C, c)
            np.fill_diagonal(D2, np.inf)
            nearest = D2.min(axis=1)
            nearest = nearest[np.isfinite(nearest) & (nearest > 0)]
            if nearest.size:
                return 2.0 * float(np.mean(nearest))
        mean = np.average(X, axis=0, weights=sample_weight)
        spread = float(np.average(np.sum((X - mean) ** 2, axis=1), weights=sample_weight))
        return spread if spread > 0 else 1.0

    def _init_params(self, X, Y, sample_weight, rng, standardizer):
        K = self.n_centers
        C = self._init_centers(X.astype(np.float64), sample_weight, rng, standardizer)
        if self.width is None:
            b = self._default_width(C, X.astype(np.float64), sample_weight)
        else:
            b = float(self.width)
        finfo = np.finfo(X.dtype)  # b is stored in X's dtype: 0 or inf would break u = d^2 / b
        if not float(finfo.tiny) <= b <= float(finfo.max):
            what = "the default width" if self.width is None else "width"
            raise ValueError(
                f"{what} b={b:.4g} is not representable in {X.dtype}: pass width= between "
                f"{finfo.tiny:.3g} and {finfo.max:.3g}, use standardize=True, or pass X "
                "as float64."
            )
        params = {
            "centers": C,
            "widths": np.full(K, b),
            "coef": np.ones((K, Y.shape[1])),
            "intercept": np.zeros(Y.shape[1]),
            "feature_scale": np.ones(X.shape[1]),
        }
        given = self._init_values(K, Y.shape[1])
        if given:
            params = self._use_init_values(params, given, standardizer)
        solve_w = self.fit_weights and "coef" not in given
        solve_w0 = self.fit_intercept and "intercept" not in given
        if solve_w or solve_w0:
            self._least_squares_readout(params, X, Y, sample_weight, solve_w, solve_w0)
        return params

    def _init_values(self, K, n_outputs):
        """``coef_init`` and ``intercept_init`` as ``(K, n_outputs)`` and ``(n_outputs,)``."""
        given = {}
        if self.coef_init is not None:
            shape = (K,) if n_outputs == 1 and np.ndim(self.coef_init) == 1 else (n_outputs, K)
            given["coef"] = (
                check_init_value(self.coef_init, "coef_init", shape).reshape(n_outputs, K).T
            )
        if self.intercept_init is not None:
            scalar = n_outputs == 1 and np.ndim(self.intercept_init) == 0
            shape = () if scalar else (n_outputs,)
            given["intercept"] = check_init_value(
                self.intercept_init, "intercept_init", shape
            ).reshape(n_outputs)
        return given

    def _least_squares_readout(self, params, X, Y, s, solve_w, solve_w0):
        """Set w (``solve_w``) and w0 (``solve_w0``) to the ridge-stabilised least-squares fit."""
        _, P = self._forward(params, X.astype(np.float64))
        cols = []
        if solve_w:
            cols.append(P)
        if solve_w0:
            cols.append(np.ones((P.shape[0], 1)))
        F = np.hstack(cols)
        target = Y.astype(np.float64).copy()
        if not solve_w:
            target -= P @ params["coef"]
        if not solve_w0:
            target -= params["intercept"]
        w = np.ones(F.shape[0]) if s is None else np.asarray(s, dtype=np.float64)
        G = F.T @ (F * w[:, None]) / w.sum()
        r = F.T @ (target * w[:, None]) / w.sum()
        ridge = 1e-3 * (np.trace(G) / G.shape[0] + 1e-12)
        sol = np.linalg.solve(G + ridge * np.eye(G.shape[0]), r)
        if solve_w:
            params["coef"] = sol[: P.shape[1]]
        if solve_w0:
            params["intercept"] = sol[-1]

    # ----------------------------------------------------------- the lecture
    def _forward(self, params, X, kernel=None, derivative=False, keep_u=False, unit=False):
        """``u = ||x - c||^2 / b``, ``phi = Phi(u)``, ``yhat = phi w + w0``.

        Returns ``(yhat, phi)``. With ``derivative=True`` returns
        ``(yhat, phi, dphi, u)`` for the gradients, each value next to its local
        derivative: ``dphi = Phi'(u)`` and u itself (``None`` unless ``keep_u``,
        which the width gradient needs). ``kernel`` (default: the ``kernel``
        parameter) names Phi; ``predict`` passes the one that was fitted.
        ``unit`` is ``_distance_unit(params)`` when the caller has it.
        Memory: phi overwrites u, and Phi'(u) u, whenever u is no longer needed.
        """
        profile = RADIAL_PROFILES[self.kernel if kernel is None else kernel]
        scale = _distance_unit(params) if unit is False else unit
        U = squared_distances(
            X,
            params["centers"],
            scale,
            widths=params["widths"],
            exact_near=profile.exact_near_centre,
        )  # u = ||x - c||^2 / b
        keep_U = derivative and (keep_u or profile.uses_input)
        P = profile.phi(U, out=None if keep_U else U)  # phi = Phi(u)
        if derivative:
            U_free = keep_U and not keep_u  # Phi'(u) may overwrite u
            D = profile.dphi(U if keep_U else None, P, out=U if U_free else None)  # Phi'(u)
        Yhat = P @ params["coef"]  # yhat = phi w + w0
        Yhat += params["intercept"]
        if derivative:
            return Yhat, P, D, (U if keep_u else None)
        return Yhat, P

    def _block_loss_grad(self, params, X, Y, s, grads):
        """One block of the lecture's gradients (section 2), grown to K units and d features.

        The slides' ``J = sum e^2`` gradients divided by 2 (the shared loop
        divides by ``sum s``, so ``J = 1/(2n) sum e^2``), with rows weighted by
        s: ``grad_w = -phi^T e``, ``grad_w0 = -sum e``,
        ``grad_c_k = -2 sum_i (e w phi)_ik (x_i - c_k) / b_k`` and
        ``grad_b_k = -sum_i (e w phi)_ik u_ik / b_k``, where
        ``(e w phi)_ik = e_i w_k (-Phi'(u_ik))`` is the slides' ``e w phi``
        (for their ``Phi = exp(-u)``, ``-Phi' = phi``). After a warm start on
        data of other per-feature scales, distances keep the first fit's unit
        f (``u = ||(x - c) / f||^2 / b``) and ``grad_c`` is divided by ``f^2``
        (f = 1 otherwise, as on the slides). ``grads`` holds only
        the trained blocks, and the work for the others is skipped; nothing
        else is read or kept, so the function can run on any thread or worker
        (see ``Objective``).
        """
        C, b, w = params["centers"], params["widths"], params["coef"]
        f = _distance_unit(params)  # None: distances in training units, f = 1
        through_u = "centers" in grads or "widths" in grads  # are c or b trained?
        if through_u:
            Yhat, P, dPhi, U = self._forward(
                params, X, derivative=True, keep_u="widths" in grads, unit=f
            )
        else:
            Yhat, P = self._forward(params, X, unit=f)
        e = np.subtract(Y, Yhat, out=Yhat)  # e = y - yhat
        se = e if s is None else e * s[:, None]  # s o e: rows weighted by s
        sse = np.einsum("ij,ij->", se, e)  # sum s e^2
        if "coef" in grads:
            grads["coef"] -= P.T @ se  # grad_w = -phi^T e; slide: dJ/dw = -2 sum e phi
        if "intercept" in grads:
            grads["intercept"] -= se.sum(axis=0)  # grad_w0 = -sum e; slide: dJ/dw0 = -2 sum e
        if through_u:
            ewphi = np.matmul(-se, w.T)  # the slides' e w phi: e_i w_k (-Phi'(u_ik)), n x K
            ewphi *= dPhi
            if "centers" in grads:
                # grad_c = -2 sum e w phi (x - c) / b; slide: dJ/dc = -4 sum e w phi (x - c) / b
                # sum_i ewphi_ik (x_i - c_k) = ewphi^T x - (sum_i ewphi_ik) c_k: no n x K x d array
                grad_c = ewphi.T @ X
                grad_c -= ewphi.sum(axis=0)[:, None] * C
                grad_c *= (-2.0 / b)[:, None]
                if f is not None:  # u = ||(x - c) / f||^2 / b
                    grad_c /= np.square(f)  # (a warm start in new units)
                grads["centers"] += grad_c
            if "widths" in grads:
                # grad_b = -sum e w phi u / b: not on the slides (fit_widths is beyond the lecture);
                # for their J = sum e^2 it would read -2 sum e w phi (x - c)^2 / b^2
                grads["widths"] -= np.einsum("ik,ik->k", ewphi, U) / b
        return sse

    # --------------------------------------------------------- change of units
    def _to_original(self, params, standardizer):
        dtype = params["centers"].dtype
        out = {
            "centers": params["centers"] * standardizer.x_scale + standardizer.x_mean,
            "widths": np.array(params["widths"], copy=True),
            # the unit of each feature's distance: f in training units times X's scale
            "feature_scale": np.asarray(
                params["feature_scale"] * standardizer.x_scale, dtype=np.float64
            ),
            "coef": params["coef"] * standardizer.y_scale,
            "intercept": params["intercept"] * standardizer.y_scale + standardizer.y_mean,
        }
        return {k: np.asarray(v, dtype=dtype) for k, v in out.items()}

    def _to_training(self, params, standardizer):
        return {
            "centers": (params["centers"] - standardizer.x_mean) / standardizer.x_scale,
            "widths": np.array(params["widths"], dtype=np.float64),
            # 1 when X has the scale of the fit (exactly: s / s); after a warm start on
            # data of other scales, the old unit in the new ones, so u is unchanged
            "feature_scale": np.asarray(params["feature_scale"], dtype=np.float64)
            / standardizer.x_scale,
            "coef": params["coef"] / standardizer.y_scale,
            "intercept": (params["intercept"] - standardizer.y_mean) / standardizer.y_scale,
        }

    def _fitted_params(self):
        coef = self.coef_.reshape(-1, 1) if self.coef_.ndim == 1 else self.coef_.T
        return {
            "centers": self.centers_,
            "widths": self.widths_,
            "feature_scale": self.feature_scale_,
            "coef": coef,
            "intercept": np.atleast_1d(self.intercept_),
        }

    def _fitted_attributes(self, params, y_2d):
        coef = params["coef"]  # (K, n_outputs)
        return {
            "centers_": params["centers"],
            "widths_": params["widths"],
            "feature_scale_": params["feature_scale"],
            "coef_": coef.T.copy() if y_2d else coef[:, 0].copy(),
            "intercept_": params["intercept"].copy() if y_2d else params["intercept"][0],
        }
