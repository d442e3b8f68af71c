"""The lecture's gradient descent and L-BFGS: both minimise an ``objective(theta) -> (J, grad J)``
over one flat ``theta`` (W1, W2 or c, w, w0, b packed) and know nothing about models."""

import os
import sys
import warnings

import numpy as np
import sklearn
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from ._rows import one_blas_thread
from ._step import DivergenceError, Iterate

__all__ = ["DivergenceError", "TrainingRecord", "gradient_descent", "lbfgs"]

TREND_WINDOW = 10  # a stop needs J's fall over this many n_iter_no_change windows below tol


class TrainingRecord:
    """The run's record (J before each update, validation scores) and its stop: J (with ``monitor``,
    the held-out score) has not improved by ``tol`` for ``n_iter_no_change`` iterations and, with
    ``trend``, is not still falling (:meth:`_still_falling`). ``stopped``: this rule ended it."""

    def __init__(
        self, *, tol, n_iter_no_change=10, monitor=None, verbose=0, on_iteration=None, trend=False
    ):
        self.tol, self.trend, self.n_iter_no_change = tol, trend, n_iter_no_change
        self.monitor, self.verbose, self.on_iteration = monitor, verbose, on_iteration
        self.loss_curve, self.validation_scores = [], []
        self.best_loss, self.best_score, self.best_theta = np.inf, -np.inf, None
        self.no_improvement, self.stopped = 0, False
        self.n_iter, self.learning_rate = 0, None  # the last alpha

    def record(self, theta, J):
        """Record J, the cost before the update to ``theta``; True when training should stop."""
        self.loss_curve.append(J)
        it = len(self.loss_curve)
        if self.monitor is not None:  # score theta on the held-out rows
            score = float(self.monitor(theta))
            self.validation_scores.append(score)
            improved = score > self.best_score + self.tol
            if score > self.best_score:
                self.best_score, self.best_theta = score, theta.copy()
        else:
            improved = not J > self.best_loss - self.tol
        self.no_improvement = 0 if improved else self.no_improvement + 1
        if self.verbose:
            line = f"Iteration {it}, loss = {J:.8f}"
            if self.monitor is not None:
                line += f", validation score = {self.validation_scores[-1]:.6f}"
            print(line)
        self.best_loss = min(self.best_loss, J)
        if self.on_iteration is not None:
            self.on_iteration(it, J)
        if self.no_improvement >= self.n_iter_no_change and not self._still_falling():
            self.stopped = True
            if self.verbose:
                what = "Validation score" if self.monitor is not None else "Training loss"
                print(
                    f"{what} did not improve more than tol={self.tol} for "
                    f"{self.n_iter_no_change} consecutive iterations. Stopping."
                )
        return self.stopped

    def _still_falling(self):
        """J fell by more than ``tol`` per iteration over the last ``TREND_WINDOW n_iter_no_change``
        iterations: nonmonotone steps lower J in bursts, so a quiet stretch is not the end."""
        if self.monitor is not None or not self.trend:
            return False
        curve = self.loss_curve
        start = max(0, len(curve) - 1 - TREND_WINDOW * self.n_iter_no_change)
        falling = min(curve[: start + 1]) - self.best_loss > self.tol * (len(curve) - 1 - start)
        if falling:
            self.no_improvement = 0
        return falling


def gradient_descent(objective, theta, *, rule, max_iter, **stopping):
    """The lecture's gradient descent ``W <- W - alpha dJ/dW`` from ``theta``, alpha from ``rule``,
    at most ``max_iter`` updates; ``stopping``: :class:`TrainingRecord`'s arguments. Returns
    ``(theta, record)``; a :class:`~._step.DivergenceError` when the rule says so."""
    record = TrainingRecord(trend=rule.adaptive, **stopping)
    quiet = dict(over="ignore", invalid="ignore", divide="ignore") if rule.adaptive else {}
    with np.errstate(**quiet):
        current = Iterate(theta.copy(), *objective(theta))
        rule.start(current)
        for it in range(1, max_iter + 1):
            nxt = rule.step(objective, current.evaluated(objective), it)
            record.n_iter, record.learning_rate = it, rule.last_alpha
            if nxt is None:  # converged: this last iteration leaves theta as it is
                record.record(current.theta, current.J)
                record.stopped = True
                break
            stop = record.record(nxt.theta, current.J)
            current = nxt
            if stop:
                break
    if record.monitor is not None and record.best_theta is not None:
        current = Iterate(record.best_theta)
    if not rule.adaptive:  # a fixed alpha is judged by J at the parameters returned
        with np.errstate(over="ignore", invalid="ignore"):
            J_end = current.evaluated(objective).J
        warning = rule.judge(record.loss_curve, J_end)
        if warning is not None:
            warnings.warn(warning, ConvergenceWarning, stacklevel=_user_stacklevel())
    return current.theta, record


class _ScipyAdapter:
    """``fun`` and ``callback`` for :func:`scipy.optimize.minimize`; ``fun`` remembers its last
    point, so the callback records J there without another pass."""

    def __init__(self, objective, record, dtype):
        self.objective, self.record, self.dtype = objective, record, dtype
        self.last_theta, self.last_J, self.last_accepted = None, None, None

    def fun(self, theta):
        J, grad = self.objective(theta)
        if not (np.isfinite(J) and np.all(np.isfinite(grad))):
            return np.inf, np.zeros_like(theta)  # unusable: the line search steps back
        self.last_theta, self.last_J = theta.copy(), J
        return J, grad.astype(np.float64)

    def callback(self, xk, *args):
        known = self.last_theta is not None and np.array_equal(xk, self.last_theta)
        J = self.last_J if known else self.objective(xk)[0]  # J at xk, computed once
        self.record.n_iter += 1
        self.last_accepted = np.array(xk, copy=True)
        if self.record.record(np.asarray(xk, dtype=self.dtype), J):
            raise StopIteration


def lbfgs(objective, theta, *, max_iter, tol, lower=None, **stopping):
    """Minimise the same J by scipy's L-BFGS-B from ``theta``, bounded below by ``lower``, until its
    gradient test (``gtol=tol``) or :class:`TrainingRecord`'s rule; as :func:`gradient_descent`."""
    record = TrainingRecord(tol=tol, **stopping)
    adapter = _ScipyAdapter(objective, record, theta.dtype)
    bounds = None if lower is None else [(lo if np.isfinite(lo) else None, None) for lo in lower]
    options = {"maxiter": max_iter, "maxfun": max(15000, 2 * max_iter), "gtol": tol}
    try:
        with one_blas_thread():  # scipy >= 1.15's L-BFGS-B: slow on many threads (scipy#22438)
            result = minimize(
                adapter.fun,
                theta.astype(np.float64),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                callback=adapter.callback,
                options=options,
            )
        theta_out = result.x
        record.stopped = record.stopped or result.status != 1  # 1: out of iterations
    except StopIteration:  # scipy < 1.11 lets the callback's StopIteration through
        theta_out = adapter.last_accepted
    if record.best_theta is not None:
        theta_out = record.best_theta
    theta_out = np.asarray(theta_out, dtype=theta.dtype)
    if not record.loss_curve:  # converged before the first iteration
        record.loss_curve.append(objective(theta_out)[0])
    if not np.all(np.isfinite(theta_out)):
        l2 = float(getattr(objective, "l2", 0.0))
        large = f" l2={l2:.3g} overflows the first steps: use a smaller l2 (or solver='gd')."
        raise DivergenceError(
            "L-BFGS produced non-finite parameters: the data or the start are too extreme. Use "
            "standardize=True, or scale X and y towards 1, or start afresh (warm_start=False)."
            + (large if l2 > 1.0 else "")
        )
    return theta_out, record


def _user_stacklevel():
    """The ``stacklevel`` that skips this package's and scikit-learn's frames: the user's line."""
    inside = tuple(
        os.path.dirname(os.path.abspath(f)) + os.sep for f in (__file__, sklearn.__file__)
    )
    frame, level = sys._getframe(1), 1  # the function that calls warnings.warn
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(inside):
        frame = frame.f_back
        level += 1
    return level


def warn_not_converged(name, solver, max_iter, tol, n_iter_no_change):
    """The ConvergenceWarning of a fit out of iterations, with advice for its solver (never a larger
    alpha: that is not what ends a fit that still improves)."""
    if solver == "lbfgs":
        what = (
            f"L-BFGS used all max_iter={max_iter} iterations before its gradient test tol={tol:g}"
        )
        falling = "raise max_iter"
    else:
        what = (
            f"gradient descent used all max_iter={max_iter} updates while J still improved by "
            f"more than tol={tol:g} within n_iter_no_change={n_iter_no_change} iterations"
        )
        falling = "raise max_iter or, on thousands of rows, use solver='lbfgs' (much faster)"
    warnings.warn(
        f"{name}: {what}. The fitted model is usable. If loss_curve_ has flattened, a larger tol "
        f"ends the fit sooner; if it still falls, {falling}. On small or noisy data a larger l2 "
        "or early_stopping=True usually predicts better than more iterations.",
        ConvergenceWarning,
        stacklevel=_user_stacklevel(),
    )
