"""RBFRegressor: the lecture's RBF regression ``yhat = w exp(-(x - c)^2 / b) + w0``."""

import numbers
from functools import partial

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.extmath import row_norms

from ._base import LectureRegressorBase, check_init_value, times_transposed
from ._centers import data_spread, default_width, initial_centers
from ._docstrings import shared_docstring
from ._kernels import RADIAL_PROFILES
from ._step import GCV_SLACK, gcv, n_observations

MIN_WIDTH = 1e-6  # the smallest width b, relative to the scale of the (standardised) data
WIDTH_FACTORS = 2.0 ** np.arange(-2, 6)  # width=None on fewer rows than parameters: b * the best
WIDE_EVERY, WIDE_SPREAD = 3, 6.0  # width=None on more rows: every 3rd unit's b is max(b, 6 S)


def squared_distances(X, C, scale=None, widths=None, exact_near=False):
    """``u_ik = ||x_i - c_k||^2 / b_k`` by one product; overflows and (``exact_near``) entries
    where the expansion cancels digits from exact differences."""
    with np.errstate(over="ignore", invalid="ignore"):  # non-finite u: exact differences below
        X, C = (X, C) if scale is None else (X / scale, C / scale)
        n, d = X.shape
        X_aug = np.empty((n, d + 2), dtype=X.dtype)  # [x, ||x||^2, 1]
        X_aug[:, :d] = X
        np.einsum("ij,ij->i", X, X, out=X_aug[:, d])
        X_aug[:, d + 1] = 1.0
        C_aug = np.empty((d + 2, C.shape[0]), dtype=np.result_type(X, C))  # [-2 c, 1, ||c||^2]^T
        np.multiply(C.T, -2.0, out=C_aug[:d])
        C_aug[d] = 1.0
        np.einsum("ij,ij->i", C, C, out=C_aug[d + 1])
        if widths is not None:
            C_aug /= widths
        D2 = X_aug @ C_aug
        lo, hi = D2.min(initial=0.0), D2.max(initial=0.0)  # both finite: every entry is
        if exact_near:
            # per centre: sqrt(eps) times a bound of the terms the expansion cancels
            rel = float(np.sqrt(np.finfo(D2.dtype).eps))
            near = rel * (float(np.max(X_aug[:, d], initial=0.0)) * C_aug[d] + C_aug[d + 1])
            bad = ~np.isfinite(D2) | (D2 <= near)
        else:
            bad = None if np.isfinite(lo) and np.isfinite(hi) else ~np.isfinite(D2)
    if bad is not None and bad.any():
        i, k = np.nonzero(bad)
        with np.errstate(over="ignore", invalid="ignore"):  # inf - inf: NaN, J not finite
            D2[i, k] = row_norms(X[i] - C[k], squared=True)  # exact differences
            if widths is not None:
                D2[i, k] /= np.broadcast_to(widths, (C.shape[0],))[k]
    return np.maximum(D2, 0.0, out=D2) if bad is not None or lo < 0 else D2


def _distance_unit(params):
    """f, the unit of each feature's distance, or None where f = 1 (all but warm starts)."""
    f = params.get("feature_scale")
    return None if f is None or (f == 1).all() else f


@shared_docstring
class RBFRegressor(LectureRegressorBase):
    """The lecture's RBF regression, grown into a network of K radial units.

    ``yhat(x) = sum_k w_k Phi(||x - c_k||^2 / b_k) + w0`` (lecture 3, section 2, examples l6rbf1-3),
    trained on ``J = 1/(2n) sum_i ||y_i - yhat_i||^2``. Read more in the :ref:`user_guide`.

    Parameters
    ----------
    n_centers : int, default=20
        K, the number of radial units.
    kernel : {"rbf", "sigmoid", "relu"}, default="rbf"
        Phi(u): ``exp(-u)``, ``2 / (1 + exp(u))`` or ``max(0, 1 - sqrt(u))``
        (:ref:`model_and_kernel`).
    width : float or None, default=None
        b at the start (standardised units); ``None``: from the centres' spacing, every third unit
        spanning the data, or on fewer rows than parameters a GCV multiple (:ref:`rbf_widths`).
    init : {"kmeans", "kmeans++", "random"} or array-like of shape (K, n_features), default="kmeans"
        Starting c: k-means (deterministic), k-means++, K random rows, or c in X's units.
    fit_centers : bool, default=True
        Learn c.
    fit_weights : bool, default=True
        Learn w. ``False`` fixes ``w = 1`` (l6rbf1).
    fit_intercept : bool, default=True
        Learn w0. ``False`` fixes ``w0 = 0`` (l6rbf1, l6rbf2).
    fit_widths : bool, default=False
        Also learn each b_k (beyond the lecture), kept positive.
    %(parameters)s
    coef_init : array-like of shape (K,) or (n_outputs, K), or None, default=None
        Starting w in the units of y; ``None``: least squares (1 with ``fit_weights=False``).
    intercept_init : float, array-like of shape (n_outputs,), or None, default=None
        Starting w0; as ``coef_init`` (0 with ``fit_intercept=False``).

    Attributes
    ----------
    centers_ : ndarray of shape (K, n_features)
        The centres c_k, in the units of X.
    widths_ : ndarray of shape (K,)
        The widths b_k (standardised units when ``standardize=True``).
    feature_scale_ : ndarray of shape (n_features,)
        f, the unit of each feature: ``u_k = ||(x - c_k) / f||^2 / b_k``.
    coef_ : ndarray of shape (K,) or (n_outputs, K)
        The weights w_k.
    intercept_ : float or ndarray of shape (n_outputs,)
        The bias w0.
    %(attributes)s

    Notes
    -----
    With ``phi_ik = Phi(u_ik)`` and ``e = y - yhat``: ``dJ/dw = -phi^T e / n``, ``dJ/dw0 = -sum_i
    e_i / n`` and ``dJ/dc_k = 2/n sum_i e_i w_k Phi'(u_ik) (x_i - c_k) / b_k`` (the lecture's ``-4
    sum e w phi (x - c) / b`` over 2n). w and w0 not given start at the least-squares read-out.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import RBFRegressor
    >>> x = np.linspace(0, 5, 50).reshape(-1, 1)
    >>> y = np.exp(-(x.ravel() - 2) ** 2) + 0.5 * np.exp(-(x.ravel() - 4) ** 2 / 0.5)
    >>> bool(RBFRegressor(n_centers=8, random_state=0).fit(x, y).score(x, y) > 0.99)
    True
    """

    _parameter_constraints = {
        **LectureRegressorBase._parameter_constraints,
        "n_centers": [Interval(numbers.Integral, 1, None, closed="left")],
        "width": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "init": [StrOptions({"kmeans", "kmeans++", "random"}), "array-like"],
        **dict.fromkeys(["fit_centers", "fit_weights", "fit_intercept", "fit_widths"], ["boolean"]),
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

    def _architecture(self, n_features, n_outputs):
        return (self.n_centers, n_features, n_outputs)

    def _penalized(self):
        return ["coef"]

    def _n_trained(self, n_features, n_outputs):
        K = self.n_centers
        size = dict(centers=K * n_features, widths=K, coef=K * n_outputs, intercept=n_outputs)
        return sum(size[name] for name in self._trainable())

    def _trainable(self):
        flags = [self.fit_centers, self.fit_widths, self.fit_weights, self.fit_intercept]
        return [n for n, on in zip(["centers", "widths", "coef", "intercept"], flags) if on]

    def _y_standardization(self):
        return self.fit_intercept, self.fit_weights  # w = 1, w0 = 0 are fixed in y's units

    def _lower_bounds(self, layout):
        if not self.fit_widths:
            return None
        lower = np.full(layout.size, -np.inf)
        lower[layout.slices["widths"]] = MIN_WIDTH
        return lower

    def _init_params(self, X, Y, sample_weight, rng, standardizer):
        K, m, X64 = self.n_centers, Y.shape[1], X.astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # X near float64's limit: b=inf, refused
            C = initial_centers(self.init, K, X64, sample_weight, rng, standardizer)
            b = float(self.width or default_width(C, X64, sample_weight))
            b_wide = WIDE_SPREAD * data_spread(X64, sample_weight)  # a unit spanning X (in dtype)
            b_wide = max(b, b_wide) if b_wide <= np.finfo(X.dtype).max else b
        self._check_width(b, X.dtype)
        params = {"centers": C, "widths": np.full(K, b), "coef": np.ones((K, m))}
        params.update(intercept=np.zeros(m), feature_scale=np.ones(X.shape[1]))
        given = self._init_values(K, m)
        blocks = [*given] + ([] if isinstance(self.init, str) else ["centers"])
        names = {k: f"{k}_init" if k in given else "init" for k in blocks}
        params = self._use_init_values(params, given, X, Y, names, standardizer)
        solve_w = self.fit_weights and "coef" not in given
        solve_w0 = self.fit_intercept and "intercept" not in given
        out = ("coef", "intercept")
        readout = partial(self._least_squares_readout, params, X, Y, sample_weight, out)
        n_rows = n_observations(X.shape[0], sample_weight)
        if self._width_from_data():
            b0, scores = params["widths"], []
            if n_rows < self._n_trained(X.shape[1], m):  # the widest b0 * factor of least GCV
                for factor in WIDTH_FACTORS:
                    params["widths"] = b0 * factor
                    scores.append(gcv(*readout(True, solve_w0), n_rows)[0])
                least = (1 + GCV_SLACK) * min(scores)
                params["widths"] = b0 * max(f for f, g in zip(WIDTH_FACTORS, scores) if g <= least)
            else:  # wide units span the data: they carry the trends that local units follow roughly
                params["widths"] = np.where(np.arange(1, K + 1) % WIDE_EVERY, b0, b_wide)
            self._check_width(float(np.max(params["widths"])), X.dtype)
        if solve_w or solve_w0:
            readout(solve_w, solve_w0)
        return params

    def _width_from_data(self):
        """width=None, w trained from its least-squares start: b from the data (see the guide)."""
        return self.width is None and self.fit_weights and self.coef_init is None

    def _check_width(self, b, dtype):
        """b is stored in X's dtype: 0 or inf would break ``u = ||x - c||^2 / b``."""
        finfo = np.finfo(dtype)
        if not float(finfo.tiny) <= b <= float(finfo.max):
            wider = "" if dtype == np.float64 else ", or pass X as float64"
            raise ValueError(
                f"width b={b:.4g} is not representable in {dtype}: pass width= between "
                f"{finfo.tiny:.3g} and {finfo.max:.3g}, or use standardize=True{wider}."
            )

    def _init_values(self, K, n_outputs):
        """``coef_init`` and ``intercept_init`` as ``(K, n_outputs)`` and ``(n_outputs,)``."""
        given, w, w0 = {}, self.coef_init, self.intercept_init
        if w is not None:
            shape = (K,) if n_outputs == 1 and np.ndim(w) == 1 else (n_outputs, K)
            given["coef"] = check_init_value(w, "coef_init", shape).reshape(n_outputs, K).T
        if w0 is not None:
            shape = () if n_outputs == 1 and np.ndim(w0) == 0 else (n_outputs,)
            given["intercept"] = check_init_value(w0, "intercept_init", shape).reshape(n_outputs)
        return given

    def _forward(self, params, X, kernel=None, derivative=False, keep_u=False, unit=False):
        """``(yhat, phi)``, or with ``derivative`` ``(yhat, phi, Phi'(u), u if keep_u)``."""
        profile = RADIAL_PROFILES[self.kernel if kernel is None else kernel]
        scale = _distance_unit(params) if unit is False else unit
        c, b = params["centers"], params["widths"]
        U = squared_distances(X, c, scale, b, profile.exact_near_centre)  # u = ||x - c||^2 / b
        keep_U = derivative and (keep_u or profile.uses_input)
        P = profile.phi(U, out=None if keep_U else U)  # phi = Phi(u)
        if derivative:
            U_free = keep_U and not keep_u  # Phi'(u) may overwrite u
            D = profile.dphi(U if keep_U else None, P, out=U if U_free else None)  # Phi'(u)
        Yhat = P @ params["coef"]  # yhat = phi w + w0
        Yhat += params["intercept"]
        return (Yhat, P, D, (U if keep_u else None)) if derivative else (Yhat, P)

    def _block_loss_grad(self, params, X, Y, s, grads):
        """The lecture's gradients (section 2) of one block, added to ``grads``; ``sum s e^2``."""
        C, b, w = params["centers"], params["widths"], params["coef"]
        f = _distance_unit(params)  # None: distances in training units, f = 1
        through_u = "centers" in grads or "widths" in grads  # are c or b trained?
        out = self._forward(params, X, derivative=through_u, keep_u="widths" in grads, unit=f)
        Yhat, P, dPhi, U = out if through_u else (*out, None, None)
        e = np.subtract(Y, Yhat, out=Yhat)  # e = y - yhat
        se = e if s is None else e * s[:, None]  # s o e: rows weighted by s
        sse = np.einsum("ij,ij->", se, e)  # sum s e^2
        if "coef" in grads:
            grads["coef"] -= P.T @ se  # grad_w = -phi^T e; slide: dJ/dw = -2 sum e phi
        if "intercept" in grads:  # grad_w0 = -sum e = -1^T e (slide: dJ/dw0 = -2 sum e)
            grads["intercept"] -= np.ones(len(se), se.dtype) @ se
        if through_u:
            ewphi = times_transposed(-se, w)  # the slides' e w phi: e_i w_k (-Phi'(u_ik)), n x K
            ewphi *= dPhi
            if "centers" in grads:
                # grad_c = -2 sum e w phi (x - c) / b; slide: dJ/dc = -4 sum e w phi (x - c) / b
                # sum_i ewphi_ik (x_i - c_k) = ewphi^T x - (sum_i ewphi_ik) c_k: no n x K x d array
                grad_c = ewphi.T @ X
                grad_c -= (np.ones(len(ewphi), ewphi.dtype) @ ewphi)[:, None] * C
                grad_c *= (-2.0 / b)[:, None]
                if f is not None:  # u = ||(x - c) / f||^2 / b
                    grad_c /= np.square(f)  # (a warm start in new units)
                grads["centers"] += grad_c
            if "widths" in grads:  # grad_b = -sum e w phi u / b (beyond the lecture's slides)
                grads["widths"] -= np.einsum("ik,ik->k", ewphi, U) / b
        return sse

    def _to_original(self, params, standardizer):
        dtype = params["centers"].dtype
        out = {
            "centers": params["centers"] * standardizer.x_scale + standardizer.x_mean,
            "widths": np.array(params["widths"], copy=True),
            "feature_scale": np.asarray(params["feature_scale"] * standardizer.x_scale, np.float64),
            "coef": params["coef"] * standardizer.y_scale,
            "intercept": params["intercept"] * standardizer.y_scale + standardizer.y_mean,
        }
        return {k: np.asarray(v, dtype=dtype) for k, v in out.items()}

    def _to_training(self, params, standardizer):
        return {
            "centers": (params["centers"] - standardizer.x_mean) / standardizer.x_scale,
            "widths": np.array(params["widths"], dtype=np.float64),
            # 1 (s / s), or after a warm start in new units the old unit in the new ones
            "feature_scale": np.asarray(params["feature_scale"], np.float64) / standardizer.x_scale,
            "coef": params["coef"] / standardizer.y_scale,
            "intercept": (params["intercept"] - standardizer.y_mean) / standardizer.y_scale,
        }

    def _fitted_params(self):
        w = self.coef_.reshape(-1, 1) if self.coef_.ndim == 1 else self.coef_.T
        params = {k: getattr(self, f"{k}_") for k in ("centers", "widths", "feature_scale")}
        return params | {"coef": w, "intercept": np.atleast_1d(self.intercept_)}

    def _fitted_attributes(self, params, y_2d):
        w, w0 = params["coef"], params["intercept"]  # (K, n_outputs), (n_outputs,)
        out = {f"{k}_": params[k] for k in ("centers", "widths", "feature_scale")}
        out["coef_"] = w.T.copy() if y_2d else w[:, 0].copy()
        out["intercept_"] = w0.copy() if y_2d else w0[0]
        return out
