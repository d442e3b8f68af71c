"""The shared core of both estimators: a fit decides what it is (:class:`FitPlan`) and where its
rows live, runs short named steps, and stores the whole new state at once in the last one."""

import numbers
from functools import partial

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._backend import InMemoryRows, rows_backend
from ._fitplan import _CALLBACK_MIXINS, FitPlan, FitSteps, _Data, _features, _TrainRows, _yhat
from ._rows import ArrayRows, SparseRowBlocks, one_blas_thread, scaled_weights
from ._standardize import Standardizer, predict_original_units, r2_in_range
from ._step import L2_PATH, ROWS_PER_PARAMETER, penalty

INIT_MAX_ROWS = 20_000  # the most rows the initialisation looks at
DISTINCT_MAX_ROWS = 10_000  # a penalised fit on at most this many rows: the distinct ones


class LectureRegressorBase(FitSteps, *_CALLBACK_MIXINS, RegressorMixin, BaseEstimator):
    """The fit/predict machinery shared by both estimators.

    A subclass writes its model in the lecture's notation through hooks: ``_init_params``,
    ``_trainable``, ``_penalized``, ``_forward(params, X) -> (yhat, features)``,
    ``_block_loss_grad`` (:class:`~._objective.Objective`), ``_to_original``, ``_to_training``,
    ``_fitted_params``, ``_fitted_attributes``, ``_architecture`` and ``_n_trained``.
    """

    _parameter_constraints = {
        "kernel": [StrOptions({"sigmoid", "rbf", "relu"})],
        "solver": [StrOptions({"gd", "lbfgs"})],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "l2": [Interval(numbers.Real, 0, None, closed="left"), StrOptions({"auto"})],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    def _check_params(self):
        """Checks of parameters beyond ``_parameter_constraints``, run first by ``fit``."""

    def _lower_bounds(self, layout):
        """Lower bounds on ``theta`` (``None``: unbounded)."""
        return None

    def _width_from_data(self):
        """Whether the model's width comes from the data (then long steps on few rows are safe)."""
        return False

    def _y_standardization(self):
        """Whether to centre and scale y: ``(centre, scale)``."""
        return True, True

    def _l2(self):
        """lambda of the L2 penalty (:func:`~._step.penalty`)."""
        return penalty(self.l2, self.learning_rate, self.solver)

    def _least_squares_readout(self, params, X, Y, s, names, solve_w=True, solve_w0=True):
        """Set w and/or w0 (``names``) to the least J given the features; ``(mse, G, ridge)``."""
        w_name, w0_name = names
        _, P = self._forward(params, X.astype(np.float64))
        F = np.hstack([P] * solve_w + [np.ones((P.shape[0], 1))] * solve_w0)
        target = Y.astype(np.float64).copy()
        if not solve_w:
            target -= P @ params[w_name]
        if not solve_w0:
            target -= params[w0_name]
        w = np.ones(F.shape[0]) if s is None else np.asarray(s, dtype=np.float64)
        G = F.T @ (F * w[:, None]) / w.sum()
        r = F.T @ (target * w[:, None]) / w.sum()
        ridge = np.full(G.shape[0], 1e-3 * (np.trace(G) / G.shape[0] + 1e-12))  # stabiliser
        if solve_w:
            ridge[: P.shape[1]] += self._l2()  # (lambda / 2) ||w||^2 adds lambda to G's w block
        sol = np.linalg.solve(G + np.diag(ridge), r)
        if solve_w:
            params[w_name] = sol[: P.shape[1]]
        if solve_w0:
            params[w0_name] = sol[-1]
        e = target - F @ sol
        return np.einsum("ij,ij,i->", e, e, w) / w.sum(), G, ridge

    def _use_init_values(self, params, given, X, Y, names, standardizer):
        """``params`` with the user's ``given`` ones (units of X and y); a ValueError for a start
        (``names``: block -> parameter) that overflows X's dtype or J."""
        with np.errstate(over="ignore"):  # beyond X's dtype: refused below
            merged = {**self._to_original(params, standardizer), **given} if given else {}
            params.update({k: self._to_training(merged, standardizer)[k] for k in given})
        if not names:
            return params
        top = float(np.finfo(X.dtype).max)
        for block, name in names.items():
            if not np.max(np.abs(params[block]), initial=0.0) <= top:
                raise ValueError(
                    f"{name} has values beyond the range of {X.dtype} (X's): pass smaller "
                    "starting values, or X as float64."
                )
        with np.errstate(all="ignore"):
            start = {k: np.asarray(v, dtype=X.dtype) for k, v in params.items()}
            e = Y - self._forward(start, X)[0]
            J = np.einsum("ij,ij->", e, e)
        if not np.isfinite(J):
            raise ValueError(
                f"{' or '.join(sorted(set(names.values())))} is so large that J overflows "
                f"{X.dtype} at the start: pass smaller starting values."
            )
        return params

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags

    def _fit(self, X, y, sample_weight, incremental):
        """Train, then store the whole new state at once (a fit that raises changes nothing)."""
        plan = FitPlan.of(self, incremental)
        with one_blas_thread():
            state, finish = self._train(plan, rows_backend(X), X, y, sample_weight)
        old = self._store(state)
        try:
            finish()  # the callbacks, then the ConvergenceWarning
        except BaseException:  # Ctrl-C or a failing callback: keep the old model
            self.__dict__ = old
            raise
        return self

    def _problem(self, plan, rows, X, y, sample_weight, rng, caller=None):
        """Validate, standardise, initialise: ``(data, record, standardizer, params)``."""
        self._check_params()
        if issparse(y):
            raise ValueError(f"y is a sparse {type(y).__name__}; pass dense y, e.g. y.toarray().")
        record = object.__new__(type(self))  # what validate_data records
        record.__dict__.update(self.__dict__)
        data = _Data(*rows.validate(record, X, y, sample_weight, reset=not plan.keeps_units))
        if self._may_choose_penalty(plan, rows):  # few distinct rows: train on them, counted so
            distinct = _distinct_rows(data)
            p = self._n_trained(data.X.shape[1], data.Y.shape[1])
            if distinct.X.shape[0] < ROWS_PER_PARAMETER * p:
                data = distinct
        self._check_continuation(plan, data, caller)
        standardizer = self._standardize(plan, rows, data)
        params = self._initialise(plan, rows, data, standardizer, rng)
        return data, record, standardizer, params

    def _may_choose_penalty(self, plan, rows):
        """Whether ``l2="auto"`` may penalise this fit (see :ref:`penalty_choice`)."""
        fixed = self.solver == "gd" and self.learning_rate != "auto"  # the lecture's, unpenalised
        one_step_or_held_out = plan.one_step or self.early_stopping
        return self.l2 == "auto" and not fixed and not one_step_or_held_out and rows is InMemoryRows

    def _check_continuation(self, plan, data, caller=None):
        """A plan that continues needs the fitted outputs and parameter shapes."""
        if not plan.continues:
            return
        if caller is not None:
            what = f"{caller} (from the fitted parameters)"
            how = "pass sklearn.base.clone(estimator) for the problem a new fit solves"
        elif plan.one_step:
            what, how = "partial_fit", "call fit (not partial_fit) to start afresh"
        else:
            what, how = "warm_start=True", "set warm_start=False to refit from scratch"
        n_outputs = data.Y.shape[1]
        old, new = self._architecture_, self._architecture(data.X.shape[1], n_outputs)
        if self.n_outputs_ != n_outputs:
            why = f"y has {n_outputs} outputs but the model was fitted with {self.n_outputs_}"
        elif old != new:
            why = f"the parameter shapes changed from {old} to {new} (set_params or X changed)"
        else:
            return
        raise ValueError(f"{what} cannot continue: {why}; {how}.")

    def _standardize(self, plan, rows, data):
        """The means and scales training runs in."""
        if plan.keeps_units:
            return self._standardizer_
        n_features, n_outputs = data.X.shape[1], data.Y.shape[1]
        if not self.standardize:
            return Standardizer.identity(n_features, n_outputs)
        x_mean, x_scale = rows.weighted_mean_scale(data.X, data.sw)
        y_mean, y_scale = rows.weighted_mean_scale(data.Y, data.sw)
        centre_y, scale_y = self._y_standardization()
        y_mean = y_mean if centre_y else np.zeros(n_outputs)
        return Standardizer(x_mean, x_scale, y_mean, y_scale if scale_y else np.ones(n_outputs))

    def _initialise(self, plan, rows, data, standardizer, rng):
        """Starting parameters in training units: the fitted ones, or the model's own start."""
        if plan.continues:
            with np.errstate(all="ignore"):  # beyond the new data's units: refused below
                params = self._to_training(self._fitted_params(), standardizer)
            if not all(np.isfinite(v).all() for v in params.values()):
                raise ValueError(
                    "warm_start=True cannot continue: the fitted parameters overflow in the units "
                    "of this data (y or X on another scale); set warm_start=False to refit."
                )
        else:
            Xi, Yi, si = rows.init_rows(data.X, data.Y, data.sw, rng, INIT_MAX_ROWS)
            Xi, Yi = standardizer.transform(Xi, Yi)
            params = self._init_params(Xi, Yi, si, rng, standardizer)
        return {k: np.asarray(v, dtype=data.X.dtype) for k, v in params.items()}

    def _training_problem(self, plan, X, y, sample_weight, dtype):
        """The fit's steps up to the objective, on all the rows (see :func:`training_problem`)."""
        rows = rows_backend(X)
        rng = check_random_state(self.random_state)
        with one_blas_thread():  # as in fit
            data, _, standardizer, params = self._problem(
                plan, rows, X, y, sample_weight, rng, caller="training_problem"
            )
        X, Y, dtype = data.X, data.Y, data.X.dtype if dtype is None else dtype
        if dtype != data.X.dtype:
            X, Y = X.astype(dtype), Y.astype(dtype)  # numpy or dask, where the rows live
            params = {k: np.asarray(v, dtype=dtype) for k, v in params.items()}
        objective = self._objective(rows, params, _TrainRows(X, Y, data.sw), standardizer)
        n_eff = X.shape[0] if data.sw is None else int(np.count_nonzero(data.sw))
        lam = self._auto_penalty(plan, objective, None, n_eff)  # None: the path's first lambda
        objective.l2 = L2_PATH[0] if lam is None else lam
        theta0 = objective.layout.pack(params, dtype)
        return objective, objective.layout, theta0, standardizer

    def _fitted_model(self, output):
        """``(output(forward, params, X_block), dtype)`` of the fitted model (its own kernel)."""
        check_is_fitted(self)
        forward = partial(self._forward, kernel=self._kernel_)
        return partial(output, forward, self._params_), next(iter(self._params_.values())).dtype

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by the lecture's gradient descent (or L-BFGS).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights ``s_i``: ``J = sum_i s_i ||e_i||^2 / (2 sum_i s_i)``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One update ``W <- W - alpha * grad J`` on the batch; the first call fixes the units.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights ``s_i`` of the batch's rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()  # _fit_context checks only a first call; set_params may follow
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict with the fitted model, in row blocks (a dask array gives a lazy dask array).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, in the dtype of the fitted parameters.
        """
        yhat, dtype = self._fitted_model(_yhat)
        m = self.n_outputs_
        rows = partial(predict_original_units, yhat, self._standardizer_, m, dtype)
        return rows_backend(X).predict(self, X, rows, n_outputs=m, y_2d=self._y_2d, dtype=dtype)

    def score(self, X, y, sample_weight=None):
        """R^2 of ``predict(X)``, as :meth:`sklearn.base.RegressorMixin.score` (no overflow).

        Returns
        -------
        score : float
            R^2 of ``self.predict(X)`` with respect to y.
        """
        return r2_in_range(y, self.predict(X), sample_weight)

    def hidden_features(self, X):
        """The features the output layer combines: Z of the last hidden layer, or phi.

        ``predict(X) = hidden_features(X) @ coefs_[-1] + intercepts_[-1]`` (network) or
        ``hidden_features(X) @ coef_.T + intercept_`` (RBF model), up to rounding.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data (a dask array is computed).

        Returns
        -------
        features : ndarray of shape (n_samples, n_units)
            One column per hidden unit (or RBF centre).
        """
        features, dtype = self._fitted_model(_features)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            n_units = features(np.zeros((0, self.n_features_in_), dtype)).shape[1]
        standardizer = self._standardizer_
        rows = partial(predict_original_units, features, standardizer, n_units, dtype, to_y=False)
        F = rows_backend(X).predict(self, X, rows, n_outputs=n_units, y_2d=True, dtype=dtype)
        return np.asarray(F)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "n_iter_")


def times_transposed(A, W):
    """``A W^T``; for one output as an outer product (the n x 1 by 1 x K matmul and broadcasting
    are slower, with the same products)."""
    return np.einsum("i,k->ik", A[:, 0], W[:, 0]) if W.shape[1] == 1 else A @ W.T


def check_init_value(value, name, shape):
    """A starting value as a float64 array of ``shape``; else a ValueError naming it."""
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


def _distinct_rows(data):
    """The distinct rows of few ``data``, sorted, each weighted by the sum of its weights: repeating
    a row and weighting it give the same fit, bit for bit, whatever the order (sums of scaled s)."""
    n = data.X.shape[0]
    sparse = isinstance(data.X, SparseRowBlocks)  # rows are compared dense, as cached
    limit = ArrayRows.SPARSE_CACHE_BYTES if sparse else ArrayRows.CACHE_BYTES
    if n > DISTINCT_MAX_ROWS or data.X.nbytes > limit:
        return data
    s = np.ones(n) if data.sample_weight is None else np.asarray(data.sample_weight, float)
    kept = np.flatnonzero(s > 0)
    rows = np.hstack([data.X[kept], data.Y[kept]])
    order = np.lexsort(rows.T[::-1])  # not np.unique(axis=0): see _centers._distinct_rows
    rows = rows[order]
    starts = np.r_[True, np.any(rows[1:] != rows[:-1], axis=1)]  # the first of each group
    weights = np.bincount(np.cumsum(starts) - 1, weights=scaled_weights(s[kept][order], float))
    idx = kept[order[starts]]
    X = data.X.subset(idx) if sparse else data.X[idx]
    return type(data)(X, data.Y[idx], data.y_2d, weights, scaled_weights(weights, X.dtype), data)
