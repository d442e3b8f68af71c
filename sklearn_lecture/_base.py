"""The shared core of both estimators: validation, standardisation, training, prediction.

An estimator subclass only describes its model, in the lecture's notation:

* ``_init_params(X, Y, sample_weight, rng)``: starting parameters, in training
  units;
* ``_trainable()``: the names of the parameters gradient descent updates;
* ``_forward(params, X)``: the prediction ``yhat`` and the features the output
  layer combines (``Z`` of the network, ``phi`` of the RBF model);
* ``_block_loss_grad(params, X, Y, s, grads)``: ``sum_i s_i ||e_i||^2`` over
  one block of rows, adding the gradient sums into ``grads``;
* ``_to_original`` / ``_to_training``: the exact change of units between the
  standardised problem that is trained and the fitted attributes.

Everything else, including the training loop (:mod:`._solvers`), is here once.
"""

import numbers
from abc import abstractmethod
from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

try:  # scikit-learn >= 1.9: progress bars and other callbacks (sklearn.callback)
    from sklearn.callback import CallbackSupportMixin

    _CALLBACK_MIXINS = (CallbackSupportMixin,)
except ImportError:  # older scikit-learn: the estimators work without callbacks
    _CALLBACK_MIXINS = ()

from ._solvers import (
    BLOCK_SIZE,
    Objective,
    ParamLayout,
    gradient_descent,
    lbfgs,
    warn_not_converged,
)

# Centre initialisation and other one-off statistics look at no more rows than this.
INIT_MAX_ROWS = 20_000


def _is_dask(X):
    """Whether X is a dask collection, checked without importing dask (see ``_dask.py``)."""
    return type(X).__module__.partition(".")[0] in {"dask", "dask_expr"}


def _dask():
    """The dask code path, imported only when a dask array is passed."""
    from . import _dask

    return _dask


def _iter_blocks(n, block_size=BLOCK_SIZE):
    for start in range(0, n, block_size):
        yield slice(start, start + block_size)


def weighted_mean_scale(A, sample_weight=None):
    """Column means and standard deviations of ``A``, weighted by ``s_i``.

    Computed in row blocks and relative to each column's largest magnitude, so
    that values near the limits of float64 neither overflow nor underflow.
    Columns without spread get the scale 1 (as :class:`~sklearn.preprocessing.StandardScaler`
    does), so that dividing by the scale is always safe.
    """
    if _is_dask(A):
        return _dask().weighted_mean_scale(A, sample_weight)
    A64 = A
    n, d = A64.shape
    s = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    total = float(n) if s is None else float(s.sum())
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        big = np.zeros(d)
        for rows in _iter_blocks(n):
            np.maximum(big, np.max(np.abs(A64[rows]), axis=0), out=big)
        big[big == 0] = 1.0
        acc = np.zeros(d)
        for rows in _iter_blocks(n):
            B = np.asarray(A64[rows], dtype=np.float64) / big
            acc += B.sum(axis=0) if s is None else s[rows] @ B
        mean = acc / total * big
        acc = np.zeros(d)
        for rows in _iter_blocks(n):
            B = (np.asarray(A64[rows], dtype=np.float64) - mean) / big
            acc += (B * B).sum(axis=0) if s is None else s[rows] @ (B * B)
        scale = np.sqrt(acc / total) * big
    return mean, _guard_scale(scale, big, A.dtype)


def _guard_scale(scale, big, dtype=np.float64):
    """Columns without spread (relative to their magnitude ``big``) get the scale 1.

    So do scales below the smallest normal number of the data's ``dtype``: cast
    to that dtype they would round to 0 (e.g. float32 data of size 1e-45).
    """
    tiny = float(np.finfo(dtype).tiny) if np.issubdtype(dtype, np.floating) else 0.0
    constant = ~np.isfinite(scale) | (scale <= 1e-12 * big) | (scale == 0) | (scale < tiny)
    scale[constant] = 1.0
    return scale


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
            A = A - np.asarray(mean, dtype=dtype)
            A /= np.asarray(scale, dtype=dtype)
            return A

        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            Xs = scaled(X, self.x_mean, self.x_scale)
            Ys = None
            if Y is not None:
                Ys = scaled(Y.astype(dtype, copy=False), self.y_mean, self.y_scale)
        return Xs, Ys


class LectureRegressorBase(*_CALLBACK_MIXINS, RegressorMixin, BaseEstimator):
    """Base class: the fit/predict machinery shared by both estimators."""

    _parameter_constraints = {
        "kernel": [StrOptions({"sigmoid", "rbf", "relu"})],
        "solver": [StrOptions({"gd", "lbfgs"})],
        "learning_rate": [
            Interval(numbers.Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _init_params(self, X, Y, sample_weight, rng, stats):
        """Starting parameters in training units; X and Y are standardised by stats."""

    @abstractmethod
    def _trainable(self):
        """Names of the parameters that gradient descent updates, in order."""

    @abstractmethod
    def _forward(self, params, X):
        """Return ``(yhat, features)`` for a block of rows."""

    @abstractmethod
    def _block_loss_grad(self, params, X, Y, s, grads):
        """``sum_i s_i ||e_i||^2`` on a block; add the gradient sums to ``grads``."""

    @abstractmethod
    def _to_original(self, params, stats):
        """Map trained parameters to the units of the user's X and y."""

    @abstractmethod
    def _to_training(self, params, stats):
        """Inverse of ``_to_original``: used by ``warm_start`` and ``partial_fit``."""

    @abstractmethod
    def _fitted_params(self):
        """The fitted parameters, in original units, as a dict."""

    @abstractmethod
    def _set_fitted_params(self, params):
        """Store parameters in original units as public attributes."""

    @abstractmethod
    def _architecture(self, n_features, n_outputs):
        """A hashable description of the parameter shapes; warm_start checks it."""

    def _use_init_values(self, params, given, stats):
        """Replace starting ``params`` (training units) by ``given`` ones (units of X and y).

        The user-given starts (``coef_init``, ``coefs_init``, ...) are converted
        exactly as ``warm_start`` converts fitted parameters (``_to_training``),
        so with ``standardize=False`` they are used as given, bit for bit.
        """
        merged = {**self._to_original(params, stats), **given}
        converted = self._to_training(merged, stats)
        params.update({name: converted[name] for name in given})
        return params

    def _lower_bounds(self, layout):
        """Lower bounds on ``theta`` (``None``: unbounded)."""
        return None

    def _y_standardization(self):
        """Whether to centre and scale y: ``(centre, scale)``."""
        return True, True

    def _x_scale_kind(self):
        """``"per_feature"`` or ``"isotropic"`` scaling of X."""
        return "per_feature"

    # ---------------------------------------------------------------- helpers
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.input_tags.allow_nan = False
        return tags

    def _validate_sample_weight(self, sample_weight, X):
        if sample_weight is None:
            return None
        sw = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        if np.any(sw < 0):
            raise ValueError("sample_weight must be non-negative; got negative values.")
        if not np.any(sw > 0):
            raise ValueError("sample_weight must have at least one positive value.")
        return sw

    def _compute_standardizer(self, X, Y, sw):
        n_features, n_outputs = X.shape[1], Y.shape[1]
        if not self.standardize:
            return Standardizer.identity(n_features, n_outputs)
        x_mean, x_scale = weighted_mean_scale(X, sw)
        if self._x_scale_kind() == "isotropic":
            x_scale = np.full(n_features, np.sqrt(np.mean(x_scale**2)))
        centre_y, scale_y = self._y_standardization()
        y_mean, y_scale = weighted_mean_scale(Y, sw)
        if not centre_y:
            y_mean = np.zeros(n_outputs)
        if not scale_y:
            y_scale = np.ones(n_outputs)
        return Standardizer(x_mean, x_scale, y_mean, y_scale)

    def _auto_learning_rate(self, params, X, s, stats):
        """alpha = 1 / lambda_max of the output layer's Gauss-Newton matrix.

        For the output weights (W2 of the network, w and w0 of the RBF model) J
        is quadratic with Hessian ``G = [Z 1]^T S [Z 1] / sum s``; gradient descent
        on it converges for ``alpha < 2 / lambda_max(G)``. ``1 / lambda_max``
        is the classic safe choice, measured at the initial parameters.
        """
        if _is_dask(X):
            G, total = _dask().gram_sums(self, params, X, s, stats)
        else:
            G, total = self._gram_sums(params, X, s, stats)
        lam = float(np.linalg.eigvalsh(G / total)[-1])
        if not np.isfinite(lam) or lam <= 0:
            return 1.0
        return 1.0 / lam

    def _gram_sums(self, params, X, s, stats):
        """``[Z 1]^T S [Z 1]`` and ``sum s`` over the rows of X, in row blocks."""
        G = None
        total = 0.0
        for rows in _iter_blocks(X.shape[0]):
            Xb, _ = stats.transform(X[rows], None)
            _, F = self._forward(params, Xb)
            F1 = np.hstack([F, np.ones((F.shape[0], 1), dtype=F.dtype)]).astype(np.float64)
            if s is not None:
                Gb = F1.T @ (F1 * s[rows, None])
                total += float(s[rows].sum())
            else:
                Gb = F1.T @ F1
                total += F1.shape[0]
            G = Gb if G is None else G + Gb
        return G, total

    def _make_objective(self, params, X, Y, sw, stats):
        trainable = self._trainable()
        layout = ParamLayout({name: params[name].shape for name in trainable})
        fixed = {k: v for k, v in params.items() if k not in trainable}
        transform = None if stats.is_identity() else stats.transform
        objective_class = _dask().DaskObjective if _is_dask(X) else Objective
        objective = objective_class(
            self._block_loss_grad, layout, fixed, X, Y, sw, transform=transform
        )
        return objective, layout

    # -------------------------------------------------------------- fit core
    def _prepare(self, X, y, sample_weight, *, incremental, reset=True):
        """Validate the data and choose the starting parameters (training units).

        Touches nothing on ``self`` but what ``validate_data`` records
        (``n_features_in_``, ``feature_names_in_``) when ``reset`` is true.
        """
        fitted = hasattr(self, "n_iter_")
        continuing = fitted and (incremental or self.warm_start)
        if _is_dask(X):
            X, Y, y_2d, sw = _dask().validate(
                self, X, y, sample_weight, reset=reset and not (incremental and fitted)
            )
        else:
            X, y = validate_data(
                self,
                X,
                y,
                reset=reset and not (incremental and fitted),
                multi_output=True,
                y_numeric=True,
                dtype=[np.float64, np.float32],
            )
            Y = np.asarray(y, dtype=X.dtype).reshape(X.shape[0], -1)
            if not np.all(np.isfinite(Y)):
                raise ValueError("Input y contains NaN or infinity.")
            sw = self._validate_sample_weight(sample_weight, X)
            y_2d = y.ndim == 2
        dtype = X.dtype
        n_features, n_outputs = X.shape[1], Y.shape[1]
        rng = check_random_state(self.random_state)

        if continuing:
            if self.n_outputs_ != n_outputs:
                raise ValueError(
                    f"y has {n_outputs} outputs but the model was fitted with "
                    f"{self.n_outputs_}; set warm_start=False to refit from scratch."
                )
            old = self._architecture_
            new = self._architecture(n_features, n_outputs)
            if old != new:
                raise ValueError(
                    f"warm_start=True cannot continue: the parameter shapes changed from "
                    f"{old} to {new} (set_params changed the architecture, or X has a "
                    "different number of features). Set warm_start=False to refit from "
                    "scratch."
                )
        if incremental and fitted:
            stats = self._standardizer_
        else:
            stats = self._compute_standardizer(X, Y, sw)

        if continuing:
            params = self._to_training(self._fitted_params(), stats)
        else:
            Xi, Yi, si = self._init_rows(X, Y, sw, rng)
            Xi, Yi = stats.transform(Xi, Yi)
            params = self._init_params(Xi, Yi, si, rng, stats)
        params = {k: np.asarray(v, dtype=dtype) for k, v in params.items()}
        return SimpleNamespace(
            X=X,
            Y=Y,
            y_2d=y_2d,
            sw=sw,
            stats=stats,
            params=params,
            dtype=dtype,
            rng=rng,
            fitted=fitted,
            continuing=continuing,
            n_features=n_features,
            n_outputs=n_outputs,
        )

    def _fit(self, X, y, sample_weight, incremental):
        """``_fit_and_store``, leaving ``self`` as it was if that fails or is interrupted.

        ``validate_data`` records ``n_features_in_`` (and ``feature_names_in_``)
        before training starts; a fit that then raises (a ``DivergenceError``, a
        ``KeyboardInterrupt``) must not leave those describing the new X while the
        fitted parameters still describe the old one.
        """
        recorded = ("n_features_in_", "feature_names_in_")
        before = {k: self.__dict__[k] for k in recorded if k in self.__dict__}
        old_loss_curve = self.__dict__.get("loss_curve_")
        try:
            return self._fit_and_store(X, y, sample_weight, incremental)
        except BaseException:
            # loss_curve_ is replaced by a new list when the fitted state is stored:
            # if it was, the fit is complete (e.g. a ConvergenceWarning raised as an
            # error) and the new state is consistent; otherwise roll back.
            if self.__dict__.get("loss_curve_") is old_loss_curve:
                for k in recorded:
                    self.__dict__.pop(k, None)
                self.__dict__.update(before)
            raise

    def _fit_and_store(self, X, y, sample_weight, incremental):
        prep = self._prepare(X, y, sample_weight, incremental=incremental)
        X, Y, sw, stats, params = prep.X, prep.Y, prep.sw, prep.stats, prep.params
        dtype, rng, fitted, continuing = prep.dtype, prep.rng, prep.fitted, prep.continuing
        y_2d, n_features, n_outputs = prep.y_2d, prep.n_features, prep.n_outputs

        if incremental and fitted:
            alpha = self.learning_rate_
        elif self.learning_rate == "auto":
            alpha = self._auto_learning_rate(params, X, sw, stats)
        else:
            alpha = float(self.learning_rate)

        # Early stopping: hold out validation_fraction of the rows.
        monitor = None
        if self.early_stopping and not incremental:
            X, Y, sw, monitor = self._split_validation(X, Y, sw, stats, rng)

        objective, layout = self._make_objective(params, X, Y, sw, stats)
        theta = layout.pack(params, dtype)
        lower = self._lower_bounds(layout)
        if monitor is not None:
            val = monitor

            def monitor(th):  # noqa: F811 - bind the objective's unpacking
                return val(objective.params(th))

        if incremental:
            max_iter, n_iter_no_change, solver = 1, np.inf, "gd"
        else:
            max_iter, n_iter_no_change, solver = (
                self.max_iter,
                self.n_iter_no_change,
                self.solver,
            )
        kwargs = dict(
            max_iter=max_iter,
            tol=self.tol,
            n_iter_no_change=n_iter_no_change,
            lower=lower,
            monitor=monitor,
            verbose=self.verbose,
            on_iteration=None,
        )
        callbacks = self._callback_context(prep.X, prep.Y, prep.sw, max_iter)
        if callbacks is not None:
            kwargs["on_iteration"] = callbacks.on_iteration
        if solver == "gd":
            theta, progress = gradient_descent(
                objective,
                theta,
                learning_rate=alpha,
                adaptive=self.learning_rate == "auto" and not incremental,
                **kwargs,
            )
            if progress.learning_rate is not None:
                alpha = progress.learning_rate
        else:
            theta, progress = lbfgs(objective, theta, **kwargs)

        # Nothing above touched self: an error or a KeyboardInterrupt leaves the
        # previous fitted state as it was.  Now store everything at once.
        params = objective.params(theta)
        original = self._to_original(params, stats)
        probe = _dask().head(X, 64) if _is_dask(X) else X[: min(len(X), 64)]
        self._check_finite_model(original, probe)
        self._y_2d = y_2d
        self.n_outputs_ = n_outputs
        self._set_fitted_params(original)
        self._standardizer_ = stats
        self._architecture_ = self._architecture(n_features, n_outputs)
        self.learning_rate_ = alpha
        if continuing:
            self.loss_curve_ = list(self.loss_curve_) + progress.loss_curve
            self.n_iter_ = self.n_iter_ + progress.n_iter
        else:
            self.loss_curve_ = progress.loss_curve
            self.n_iter_ = progress.n_iter
        self.loss_ = progress.loss_curve[-1]
        if monitor is not None:
            self.validation_scores_ = progress.validation_scores
            self.best_validation_score_ = progress.best_score
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
        if callbacks is not None:
            callbacks.end()
        if not incremental and not progress.stopped:
            warn_not_converged(type(self).__name__, self.max_iter)
        return self

    def _callback_context(self, X, Y, sw, max_iter):
        """Report this fit to ``sklearn.callback`` (scikit-learn >= 1.9).

        The fit is one task whose subtasks are the iterations of the shared loop
        (at most ``max_iter``; one for ``partial_fit``), so ``ProgressBar`` and
        any other callback see both solvers and both estimators alike, also
        inside ``Pipeline`` and ``GridSearchCV``. Each iteration is reported
        when it has finished, through the loop's ``on_iteration(it, J)`` hook.
        ``_fit_context`` tears the callbacks down, whether ``fit`` succeeds or
        not. Returns ``None`` on older scikit-learn.
        """
        if not _CALLBACK_MIXINS:
            return None
        ctx = self._init_callback_context(task_name="fit", max_subtasks=max_iter)
        data = dict(X=X, y=Y, metadata=None if sw is None else {"sample_weight": sw})
        ctx.call_on_fit_task_begin(estimator=self, **data)

        def on_iteration(it, J):
            sub = ctx.subcontext(task_name="iteration")
            sub.call_on_fit_task_begin(estimator=self, **data)
            sub.call_on_fit_task_end(estimator=self, **data)

        def end():
            ctx.call_on_fit_task_end(estimator=self, reconstruction_attributes={}, **data)

        return SimpleNamespace(on_iteration=on_iteration, end=end)

    def _init_rows(self, X, Y, sw, rng):
        """The rows the initialisation may look at: all, or a weighted sample."""
        if _is_dask(X):
            return _dask().init_rows(X, Y, sw, rng, INIT_MAX_ROWS)
        n = X.shape[0]
        if n <= INIT_MAX_ROWS:
            return X, Y, sw
        p = None if sw is None else sw / sw.sum()
        idx = np.sort(rng.choice(n, INIT_MAX_ROWS, replace=False, p=p))
        return X[idx], Y[idx], None

    def _split_validation(self, X, Y, sw, stats, rng):
        if _is_dask(X):
            return _dask().split_validation(self, X, Y, sw, stats, rng)
        n = X.shape[0]
        n_val = _n_validation(n, self.validation_fraction)
        train, val = train_test_split(
            np.arange(n), test_size=n_val, random_state=rng
        )
        train, val = np.sort(train), np.sort(val)
        if sw is not None and not (sw[train].sum() > 0 and sw[val].sum() > 0):
            # J and the validation R^2 divide by the sum of the weights.
            raise ValueError(
                "early_stopping=True held out rows so that the training rows or the "
                "validation rows all have sample_weight 0. Set early_stopping=False, "
                "or give more rows a positive sample_weight."
            )
        Xv, Yv = stats.transform(X[val], Y[val])
        sv = None if sw is None else sw[val]

        def monitor(params):
            yhat = self._predict_blocks(params, Xv)
            return _r2(Yv, yhat, sv)

        return X[train], Y[train], None if sw is None else sw[train], monitor

    def _check_finite_model(self, params, X_probe):
        for name, value in params.items():
            if not np.all(np.isfinite(value)):
                raise ValueError(
                    f"Training produced non-finite parameters ({name}). Use a smaller "
                    "learning_rate, or standardize=True."
                )
        with np.errstate(all="ignore"):
            yhat, _ = self._forward(params, X_probe)
        if not np.all(np.isfinite(yhat)):
            raise ValueError(
                "The fitted model predicts non-finite values on the training data. "
                "Use a smaller learning_rate, or standardize=True."
            )

    def _predict_blocks(self, params, X):
        n = X.shape[0]
        out = None
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            for rows in _iter_blocks(n):
                yhat, _ = self._forward(params, X[rows])
                if out is None:
                    out = np.empty((n, yhat.shape[1]), dtype=yhat.dtype)
                out[rows] = yhat
        return out

    # ------------------------------------------------------------ public API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by the lecture's gradient descent (or L-BFGS).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights ``s_i``; the cost becomes
            ``J = sum_i s_i ||e_i||^2 / (2 sum_i s_i)``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Take one gradient-descent step on the batch ``(X, y)``.

        The first call initialises the model and fixes the standardisation from
        that batch; every call is one update ``W <- W - alpha * grad J``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights ``s_i`` of the batch's rows.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict with the fitted model, in row blocks.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, in the dtype of the fitted parameters.
        """
        check_is_fitted(self)
        if _is_dask(X):
            return _dask().predict(self, X)  # a lazy dask array
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        params = self._fitted_params()
        dtype = next(iter(params.values())).dtype
        yhat = self._predict_blocks(params, X.astype(dtype, copy=False))
        if not self._y_2d:
            yhat = yhat.ravel()
        return yhat

    def __sklearn_is_fitted__(self):
        return hasattr(self, "n_iter_")


def check_init_value(value, name, shape):
    """A user-given starting value as a float64 array of ``shape``; else a ValueError naming it."""
    try:
        A = np.asarray(value)
    except (TypeError, ValueError) as exc:  # e.g. a ragged nested list
        raise ValueError(f"{name} must be an array of shape {shape}: {exc}") from None
    if A.dtype.kind == "c":
        raise ValueError(f"{name} must be real; got complex values. Pass its real part.")
    if A.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric; got an array of dtype {A.dtype}.")
    if A.shape != tuple(shape):
        raise ValueError(f"{name} has shape {A.shape}; pass an array of shape {tuple(shape)}.")
    A = A.astype(np.float64)
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} contains NaN or infinity; pass finite starting values.")
    return A


def _n_validation(n, validation_fraction):
    """Rows held out by early stopping; a clear error when too few remain."""
    n_val = int(np.ceil(validation_fraction * n))
    if n_val < 1 or n - n_val < 1:
        raise ValueError(
            f"early_stopping=True needs at least 2 samples to hold out "
            f"validation_fraction={validation_fraction}; got {n} samples. "
            "Set early_stopping=False."
        )
    return n_val


def _r2(Y, Yhat, s):
    """Weighted R^2, averaged over outputs (as ``r2_score``'s default)."""
    w = np.ones(Y.shape[0]) if s is None else np.asarray(s, dtype=np.float64)
    W = w.sum()
    mean = (w @ Y) / W
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging yhat scores -inf
        return _r2_from_sums(w @ (Y - Yhat) ** 2, w @ (Y - mean) ** 2)


def _r2_from_sums(ss_res, ss_tot):
    """R^2 from the per-output sums of squares, averaged over outputs."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1 - ss_res / ss_tot, np.where(ss_res > 0, 0.0, 1.0))
    return float(np.mean(r2))
