"""The shared core of both estimators: a fit decides once what it is (:class:`FitPlan`) and where
its rows live, then runs short named steps; nothing of ``self`` changes until the last one stores
the whole new state at once."""

import numbers
from functools import partial

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._backend import InMemoryRows, rows_backend, scaled_weights
from ._fitplan import _CALLBACK_MIXINS, FitPlan, FitSteps, _Data, _features, _TrainRows, _yhat
from ._rows import ArrayRows, SparseRowBlocks, one_blas_thread
from ._standardize import Standardizer, predict_original_units, r2_in_range
from ._step import ROWS_PER_PARAMETER, penalty

# Centre initialisation and other one-off statistics look at no more rows than this.
INIT_MAX_ROWS = 20_000
DISTINCT_MAX_ROWS = 10_000  # a penalised fit on at most this many rows: the distinct ones


class LectureRegressorBase(FitSteps, *_CALLBACK_MIXINS, RegressorMixin, BaseEstimator):
    """The fit/predict machinery shared by both estimators.

    A subclass writes its model in the lecture's notation through these hooks: ``_init_params``
    (the start, in training units), ``_trainable`` and ``_penalized`` (the trained blocks, and the
    weights among them), ``_forward(params, X) -> (yhat, features)``, ``_block_loss_grad`` (see
    :class:`~._objective.Objective`), ``_to_original`` and its inverse ``_to_training`` (training
    units to those of X and y), ``_fitted_params`` and ``_fitted_attributes`` (the public
    attributes to a dict and back), ``_architecture`` (the shapes a warm start checks) and
    ``_n_trained`` (the number of trained parameters, before they exist).
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

    def _long_steps_on_few_rows(self):
        """Whether the auto step rule may take long steps on fewer rows than parameters."""
        return False

    def _y_standardization(self):
        """Whether to centre and scale y: ``(centre, scale)``."""
        return True, True

    def _l2(self):
        """lambda of the L2 penalty (:func:`~._step.penalty`)."""
        return penalty(self.l2, self.learning_rate, self.solver)

    def _least_squares_readout(self, params, X, Y, s, names, solve_w=True, solve_w0=True):
        """Set the output layer's w (``solve_w``) and w0 (``solve_w0``), named ``names``, to
        the minimum of J given the features it combines, penalty included (a ridge solve);
        return that minimum's ``(mse, G, ridge)`` for :func:`~._step.gcv`."""
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
        """Replace ``params`` by the user's ``given`` ones (units of X and y, converted as a warm
        start); refuse a start (``names``: block -> parameter) that overflows X's dtype or J."""
        if given:
            merged = {**self._to_original(params, standardizer), **given}
            converted = self._to_training(merged, standardizer)
            params.update({name: converted[name] for name in given})
        if not names:
            return params
        top = float(np.finfo(X.dtype).max)
        for block, name in names.items():
            if not np.max(np.abs(params[block]), initial=0.0) <= top:
                raise ValueError(
                    f"{name} has values beyond the range of {X.dtype}, the dtype of X in which "
                    "the model is trained: pass smaller starting values, or X as float64."
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
        tags.input_tags.sparse = True  # read in dense row blocks (_rows.SparseRowBlocks)
        return tags

    def _fit(self, X, y, sample_weight, incremental):
        """Train, then store the whole new state at once (a fit that raises changes nothing)."""
        plan = FitPlan.of(self, incremental)
        rows = rows_backend(X)
        with one_blas_thread():
            state, finish = self._train(plan, rows, X, y, sample_weight)
        old = self._store(state)
        try:
            finish()  # the callbacks see the fitted model; then the ConvergenceWarning
        except BaseException:  # Ctrl-C there (or a failing callback) keeps the old model,
            self.__dict__ = old  # as any exception before the store does
            raise
        return self

    def _problem(self, plan, rows, X, y, sample_weight, rng, caller=None):
        """Validate, standardise, initialise: ``(data, record, standardizer, params)``."""
        self._check_params()
        if issparse(y):
            raise ValueError(
                f"y is a sparse {type(y).__name__}; {type(self).__name__} needs dense "
                "targets: pass y.toarray()."
            )
        record = object.__new__(type(self))  # receives what validate_data records
        record.__dict__.update(self.__dict__)
        data = _Data(*rows.validate(record, X, y, sample_weight, reset=not plan.keeps_units))
        if self._may_choose_penalty(plan, rows):
            distinct = _distinct_rows(data)  # l2="auto" penalises fewer than 5 per parameter:
            p = self._n_trained(data.X.shape[1], data.Y.shape[1])  # those train on the
            if distinct.X.shape[0] < ROWS_PER_PARAMETER * p:  # distinct rows, counted so
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
        if self.n_outputs_ != n_outputs:
            raise ValueError(
                f"{what} cannot continue: y has {n_outputs} outputs but the model was "
                f"fitted with {self.n_outputs_}; {how}."
            )
        old, new = self._architecture_, self._architecture(data.X.shape[1], n_outputs)
        if old != new:
            raise ValueError(
                f"{what} cannot continue: the parameter shapes changed from {old} to {new} "
                "(set_params changed the architecture, or X has a different number of "
                f"features). {how[0].upper() + how[1:]}."
            )

    def _standardize(self, plan, rows, data):
        """The means and scales training runs in (those of the first call for ``PARTIAL``)."""
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
            params = self._to_training(self._fitted_params(), standardizer)
        else:
            Xi, Yi, si = rows.init_rows(data.X, data.Y, data.sw, rng, INIT_MAX_ROWS)
            Xi, Yi = standardizer.transform(Xi, Yi)
            params = self._init_params(Xi, Yi, si, rng, standardizer)
        return {k: np.asarray(v, dtype=data.X.dtype) for k, v in params.items()}

    def _training_problem(self, plan, X, y, sample_weight, dtype):
        """The fit's steps up to the objective, on all the rows (see :func:`training_problem`)."""
        rows = rows_backend(X)
        rng = check_random_state(self.random_state)
        with one_blas_thread():  # as in fit: some BLAS builds round by their thread count
            data, _, standardizer, params = self._problem(
                plan, rows, X, y, sample_weight, rng, caller="training_problem"
            )
        X, Y, dtype = data.X, data.Y, data.X.dtype if dtype is None else dtype
        if dtype != data.X.dtype:
            X, Y = X.astype(dtype), Y.astype(dtype)  # numpy or dask, where the rows live
            params = {k: np.asarray(v, dtype=dtype) for k, v in params.items()}
        objective = self._objective(rows, params, _TrainRows(X, Y, data.sw), standardizer)
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
        """Take one gradient-descent step on the batch ``(X, y)``.

        The first call initialises the model and fixes the standardisation from
        that batch; every call is one update ``W <- W - alpha * grad J``.

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
            The updated estimator.
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
        """R^2 of ``predict(X)`` against y, weighted by ``sample_weight``.

        As :meth:`sklearn.base.RegressorMixin.score`, with y scaled by a power of two near
        float64's limits (R^2 is unchanged, the squared errors do not overflow).

        Returns
        -------
        score : float
            R^2 of ``self.predict(X)`` with respect to y.
        """
        return r2_in_range(y, self.predict(X), sample_weight)

    def hidden_features(self, X):
        """The features the output layer combines: Z of the last hidden layer, or phi.

        Computed as :meth:`predict` computes them, so ``predict(X) =
        hidden_features(X) @ coefs_[-1] + intercepts_[-1]`` for the network and
        ``hidden_features(X) @ coef_.T + intercept_`` for the RBF model, up to rounding.

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
        return np.asarray(F)  # a dask array: computed

    def __sklearn_is_fitted__(self):
        return hasattr(self, "n_iter_")


def times_transposed(A, W):
    """``A W^T``; with one column (one output) by broadcasting, as numpy's ``n x 1`` by
    ``1 x K`` matmul is slower and gives the same products."""
    return A * W.T if W.shape[1] == 1 else A @ W.T


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


def _distinct_rows(data):
    """The distinct rows of few ``data`` (as many as ``ArrayRows`` caches), sorted, each weighted by
    the sum of its weights: repeating a row and weighting it are then the same data, bit for bit,
    whatever the order (a penalised fit on few rows can hang on the rounding of J's sums)."""
    n = data.X.shape[0]
    sparse = isinstance(data.X, SparseRowBlocks)  # rows are compared dense, as cached
    limit = ArrayRows.SPARSE_CACHE_BYTES if sparse else ArrayRows.CACHE_BYTES
    if n > DISTINCT_MAX_ROWS or data.X.nbytes > limit:
        return data
    s = np.ones(n) if data.sample_weight is None else np.asarray(data.sample_weight, float)
    kept = np.flatnonzero(s > 0)
    rows = np.hstack([data.X[kept], data.Y[kept]])
    order = np.lexsort(rows.T[::-1])  # stable, first column first (np.unique(axis=0) compares
    rows = rows[order]  # structured views, which numpy 1.24 may turn a Ctrl-C into TypeError)
    starts = np.r_[True, np.any(rows[1:] != rows[:-1], axis=1)]  # the first of each group
    weights = np.bincount(np.cumsum(starts) - 1, weights=s[kept][order])
    idx = kept[order[starts]]
    X = data.X.subset(idx) if sparse else data.X[idx]
    return type(data)(X, data.Y[idx], data.y_2d, weights, scaled_weights(weights, X.dtype), data)
