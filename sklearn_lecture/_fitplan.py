"""What one call of ``fit`` or ``partial_fit`` is (:class:`FitPlan`), and its training steps on
the validated, standardised, initialised problem (:class:`FitSteps`)."""

import enum
from functools import partial
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state

try:  # sklearn.callback: scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin

    _CALLBACK_MIXINS = (CallbackSupportMixin,)
except ImportError:
    _CALLBACK_MIXINS = ()

from . import _step
from ._backend import SparseRowBlocks
from ._objective import Objective, ParamLayout
from ._optimizers import gradient_descent, lbfgs, warn_not_converged
from ._step import StepRule, first_alpha, gcv, long_steps, n_observations

# What validate_data records; a fit stores them with the rest.
_FEATURE_ATTRIBUTES = ("n_features_in_", "feature_names_in_")

# The rows the fitted model is checked on (ValueError if it predicts non-finite values).
N_PROBE_ROWS = 64


class FitPlan(enum.Enum):
    """What one call does: ``FRESH``/``WARM`` run ``solver``, the partial plans one update;
    ``WARM``/``PARTIAL`` continue the fitted model; ``PARTIAL`` keeps the first call's alpha."""

    FRESH = "fit"
    WARM = "fit with warm_start=True"
    FIRST_PARTIAL = "first partial_fit"
    PARTIAL = "partial_fit"

    @classmethod
    def of(cls, estimator, incremental):
        """The plan of ``fit`` (``incremental=False``) or ``partial_fit`` on ``estimator``."""
        fitted = estimator.__sklearn_is_fitted__()
        if incremental:
            return cls.PARTIAL if fitted else cls.FIRST_PARTIAL
        return cls.WARM if fitted and estimator.warm_start else cls.FRESH

    @property
    def continues(self):
        return self in (FitPlan.WARM, FitPlan.PARTIAL)

    @property
    def one_step(self):
        return self in (FitPlan.FIRST_PARTIAL, FitPlan.PARTIAL)

    @property
    def keeps_units(self):
        return self is FitPlan.PARTIAL

    def budget(self, estimator):
        """``(solver, max_iter, n_iter_no_change)`` of this call."""
        if self.one_step:
            return "gd", 1, np.inf
        patience = estimator.n_iter_no_change
        return estimator.solver, estimator.max_iter, np.inf if patience is None else patience


class _Data(NamedTuple):
    """The validated data: ``sample_weight`` as given, ``sw`` as trained."""

    X: object
    Y: object
    y_2d: bool
    sample_weight: object
    sw: object
    given: object = None  # the validated data, when the fit trains on its distinct rows


class _TrainRows(NamedTuple):
    """The rows the objective sums over (all of them, or those early stopping keeps)."""

    X: object
    Y: object
    sw: object


def _yhat(forward, params, X):
    return forward(params, X)[0]  # forward returns (yhat, the output layer's features)


def _features(forward, params, X):
    return forward(params, X)[1]


class FitSteps:
    """The training steps of a fit (``_train``) and storing their result (``_store``)."""

    def _train(self, plan, rows, X, y, sample_weight):
        """Every step of the fit; returns ``(the new state, what to do once it is stored)``."""
        rng = check_random_state(self.random_state)  # initialisation, then the split
        data, record, standardizer, params = self._problem(plan, rows, X, y, sample_weight, rng)
        # alpha0 of the auto rule; with a fixed alpha that made J rise, the alpha named instead
        alpha0 = partial(self._auto_learning_rate, rows, params, data.X, data.sw, standardizer)
        alpha = self._choose_alpha(plan, alpha0)
        train, validation = self._hold_out(plan, rows, data, standardizer, rng)
        objective = self._objective(rows, params, train, standardizer)
        callbacks = self._callback_context(plan, data.given or data)
        theta0 = objective.layout.pack(params, data.X.dtype)
        n_rows = train.X.shape[0]  # and n_eff, those of a positive weight
        n_eff = n_rows if train.sw is None else int(np.count_nonzero(train.sw))
        n_obs = n_observations(n_rows, train.sw) if self._width_from_data() else n_rows
        theta, progress = self._run_solver(
            plan, objective, theta0, alpha, validation, callbacks, alpha0, n_rows, n_eff, n_obs
        )
        trained = {k: np.array(v, copy=True) for k, v in objective.params(theta).items()}
        original = self._check_finite_model(trained, standardizer, rows.head(train.X, N_PROBE_ROWS))
        n_features, n_outputs = data.X.shape[1], data.Y.shape[1]
        state = {  # the public attributes (units of X and y), what predict uses, the history
            **{k: v for k, v in vars(record).items() if k in _FEATURE_ATTRIBUTES},
            "_y_2d": data.y_2d,
            "n_outputs_": n_outputs,
            **self._fitted_attributes(original, data.y_2d),
            "_params_": trained,
            "_kernel_": self.kernel,
            "_standardizer_": standardizer,
            "_architecture_": self._architecture(n_features, n_outputs),
            **self._history(plan, progress, alpha, validation is not None),
            "l2_": objective.l2,
        }
        return state, partial(self._finish, plan, progress.stopped, callbacks)

    def _choose_alpha(self, plan, alpha0):
        """alpha: the given one or ``alpha0()``; ``PARTIAL`` keeps ``learning_rate_`` (with
        ``"auto"``, at most ``alpha0()``: not a long step of the auto rule)."""
        if self.learning_rate != "auto":
            return self.learning_rate_ if plan.keeps_units else float(self.learning_rate)
        return min(self.learning_rate_, alpha0()) if plan.keeps_units else alpha0()

    def _auto_learning_rate(self, rows, params, X, s, standardizer):
        """alpha0 from the output layer's Gauss-Newton matrix (:func:`~._step.first_alpha`)."""
        G, total = rows.gram_sums(X, s, partial(_features, self._forward, params), standardizer)
        return first_alpha(G / total, self._l2())

    def _hold_out(self, plan, rows, data, standardizer, rng):
        """Early stopping: ``(the rows to train on, the validation R^2 of params or None)``."""
        if not self.early_stopping or plan.one_step:
            return _TrainRows(data.X, data.Y, data.sw), None
        predict = partial(_yhat, self._forward)
        *train, score = rows.split_validation(
            data.X, data.Y, data.sw, standardizer, rng, self.validation_fraction, predict
        )
        return _TrainRows(*train), score

    def _objective(self, rows, params, train, standardizer):
        """J and grad J over the rows ``train = (X, Y, sw)``, where those rows live."""
        trainable = self._trainable()
        layout = ParamLayout({name: params[name].shape for name in trainable})
        fixed = {k: v for k, v in params.items() if k not in trainable}
        transform = None if standardizer.is_identity() else standardizer.transform
        training = rows.training_rows(*train, transform=transform)
        l2, penalized = self._l2(), self._penalized()
        return Objective(self._block_loss_grad, layout, fixed, training, l2=l2, penalized=penalized)

    def _run_solver(
        self, plan, objective, theta, alpha, validation, callbacks, safe_alpha, n_rows, n_eff, n_obs
    ):
        """The plan's solver from ``theta``: ``(theta, progress)``."""
        solver, max_iter, n_iter_no_change = plan.budget(self)
        lower = self._lower_bounds(objective.layout)
        settings = dict(
            tol=self.tol,
            n_iter_no_change=n_iter_no_change,
            monitor=None if validation is None else lambda t: validation(objective.params(t)),
            verbose=self.verbose,
            on_iteration=None if callbacks is None else callbacks.on_iteration,
        )
        adaptive = self.learning_rate == "auto" and not plan.one_step
        lam = self._auto_penalty(plan, objective, validation, n_eff)
        few = n_obs < theta.size and self._width_from_data()
        long = long_steps(n_rows, theta.size, judged=lam is None) or few
        J_first = self.loss_curve_[0] if plan.one_step and plan.continues else None

        def run(theta, max_iter):
            if solver == "lbfgs":
                return lbfgs(objective, theta, lower=lower, max_iter=max_iter, **settings)
            rule = StepRule(alpha, adaptive, lower, safe_alpha, long_steps=long, J_first=J_first)
            return gradient_descent(objective, theta, rule=rule, max_iter=max_iter, **settings)

        if lam is None:
            return self._penalty_path(run, objective, theta, max_iter, n_eff)
        objective.l2 = lam
        return run(theta, max_iter)

    def _auto_penalty(self, plan, objective, validation, n_eff):
        """lambda of this fit: the given or starting one, 0 on many rows, ``None``: the path."""
        if self.l2 != "auto" or objective.l2 == 0.0:
            return objective.l2  # given, or 0 with a fixed alpha (the lecture's)
        if plan.continues:
            return self.l2_  # the fitted model's J
        if plan.one_step:
            return objective.l2
        p = objective.layout.size
        if n_eff >= _step.ROWS_PER_PARAMETER * p:
            return 0.0  # the rows determine the parameters: no penalty
        if n_eff < p:
            return _step.L2_FEW_ROWS  # too few rows for GCV to judge a fit
        in_memory = hasattr(objective.rows, "blocks")  # and A, p x p, of a size to solve:
        judged = validation is None and in_memory and p <= _step.GCV_MAX_PARAMS
        return None if judged else objective.l2

    def _penalty_path(self, run, objective, theta, max_iter, n_eff):
        """Train at the rising lambdas of ``L2_PATH``, each from the last, until one past the least
        GCV beyond ``GCV_SLACK`` of it, two past, or ``max_iter``; keep the last in the slack."""
        stages, scores, used = [], [], 0
        for lam in _step.L2_PATH:
            objective.l2 = lam
            theta, progress = run(theta, max_iter - used)
            used += progress.n_iter
            stages.append((theta.copy(), progress, lam))
            A, mse = objective.gauss_newton(theta, partial(_yhat, self._forward))
            score, df = gcv(mse, A, lam, n_eff)
            scores.append(score)
            if len(stages) == 1 and not df <= _step.GCV_MAX_DF * n_eff:
                break  # df near n: GCV cannot judge; keep the first lambda
            past_best = len(scores) - 1 - int(np.argmin(scores))
            beyond = not score <= (1 + _step.GCV_SLACK) * min(scores)  # not kept; GCV rising
            if past_best == 2 or beyond or used >= max_iter or not progress.stopped:
                break
        last = max(i for i, g in enumerate(scores) if g <= (1 + _step.GCV_SLACK) * min(scores))
        kept = stages[: last + 1]
        theta, progress, lam = kept[-1]
        objective.l2 = lam
        progress.loss_curve = [J for _, stage, _ in kept for J in stage.loss_curve]
        progress.n_iter = sum(stage.n_iter for _, stage, _ in kept)
        return theta, progress

    def _history(self, plan, progress, alpha, monitored):
        """The run: ``loss_curve_``, ``n_iter_`` (continuing the fitted ones), alpha, the scores."""
        curve, n_iter = progress.loss_curve, progress.n_iter
        if plan.continues:
            curve, n_iter = list(self.loss_curve_) + curve, self.n_iter_ + n_iter
        return {
            "learning_rate_": alpha if progress.learning_rate is None else progress.learning_rate,
            "loss_": progress.loss_curve[-1],
            "loss_curve_": curve,
            "n_iter_": n_iter,
            "validation_scores_": progress.validation_scores if monitored else None,
            "best_validation_score_": progress.best_score if monitored else None,
        }

    def _store(self, state):
        """Install every fitted attribute in one assignment; return the old ``__dict__``."""
        old = self.__dict__
        kept = {k: v for k, v in old.items() if k not in _FEATURE_ATTRIBUTES}
        self.__dict__ = {**kept, **state}
        return old

    def _finish(self, plan, converged, callbacks):
        """After storing: end the callbacks, then warn when ``fit`` ran out of iterations."""
        if callbacks is not None:
            callbacks.end()
        # exactly max_iter updates asked for (the slides' loop): running them all is no news
        exact = self.n_iter_no_change is None or (
            self.solver == "gd" and self.tol == 0 and self.n_iter_no_change == self.max_iter
        )
        if not plan.one_step and not converged and not exact:
            warn_not_converged(
                type(self).__name__, self.solver, self.max_iter, self.tol, self.n_iter_no_change
            )

    def _callback_context(self, plan, given):
        """Report this fit of ``given``, and each iteration as a subtask, to ``sklearn.callback``
        (``None``: no callbacks). Without them, nothing is written before the store."""
        if not _CALLBACK_MIXINS or not getattr(self, "_skl_callbacks", None):
            return None
        ctx = self._init_callback_context(task_name="fit", max_subtasks=plan.budget(self)[1])
        X = given.X.A if isinstance(given.X, SparseRowBlocks) else given.X
        sw = given.sample_weight
        data = dict(X=X, y=given.Y, metadata=None if sw is None else {"sample_weight": sw})
        ctx.call_on_fit_task_begin(estimator=self, **data)

        def on_iteration(it, J):
            sub = ctx.subcontext(task_name="iteration")
            sub.call_on_fit_task_begin(estimator=self, **data)
            sub.call_on_fit_task_end(estimator=self, **data)

        def end():
            ctx.call_on_fit_task_end(estimator=self, reconstruction_attributes={}, **data)

        return SimpleNamespace(on_iteration=on_iteration, end=end)

    def _check_finite_model(self, params, standardizer, X_probe):
        """``params`` in the units of X and y; a ValueError unless they, and the predictions on
        ``X_probe`` (training rows) in both units, are finite."""
        alpha = f"Use a smaller learning_rate{'' if self.standardize else ', or standardize=True'}."
        xs, ys = standardizer.x_scale, standardizer.y_scale
        units = (
            f"rescale X or y towards 1 (the spreads of X range from {np.min(xs):.3g} to "
            f"{np.max(xs):.3g}, that of y is up to {np.max(ys):.3g}), e.g. by 1e10."
        )
        with np.errstate(all="ignore"):
            yhat, _ = self._forward(params, standardizer.transform(X_probe, None)[0])
            yhat_y = standardizer.inverse_y(yhat.copy())
            original = self._to_original(params, standardizer)
        d = yhat.dtype
        in_y = f"Use a smaller learning_rate; if y nears the largest {d}, rescale y or use float64"
        checks = [
            (v, f"Training produced non-finite parameters ({k}). {alpha}")
            for k, v in params.items()
        ]
        checks += [
            (yhat, f"The fitted model predicts non-finite values on the training data. {alpha}"),
            (yhat_y, f"The fitted model's predictions overflow {d} in the units of y. {in_y}."),
        ]
        checks += [
            (v, f"The fitted {k} overflow {v.dtype} in the units of X and y: {units}")
            for k, v in original.items()
        ]
        for value, message in checks:
            if not np.all(np.isfinite(value)):
                raise ValueError(message)
        return original
