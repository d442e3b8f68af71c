"""The one training loop, and everything it needs, knowing nothing about models.

A model hands the solvers an :class:`Objective`: a function of one flat
parameter vector ``theta`` that returns the lecture's cost ``J`` and its gradient.
Each estimator writes only ``block_loss_grad``, the sum over one block of rows;
:class:`Objective` adds the blocks up (the full-batch gradient of the lecture is a
sum over rows) and divides by the total weight.  The solvers then apply

* ``"gd"``: the lecture's gradient-descent method, ``W <- W - alpha * grad J``
  (:func:`gradient_descent`);
* ``"lbfgs"``: the same ``J`` and ``grad J`` handed to
  :func:`scipy.optimize.minimize` (:func:`lbfgs`).

Early stopping, divergence detection, the loss curve and verbose output live
here once, for both estimators.
"""

import os
import sys
import time
import warnings

import numpy as np
from scipy.optimize import minimize

from ._rows import one_blas_thread


class DivergenceError(ValueError):
    """Gradient descent blew up: the learning rate is too large for this data."""


def _divergence_message(iteration, J, J0, learning_rate):
    return (
        f"Gradient descent diverged at iteration {iteration}: the cost J went from "
        f"{J0:.4g} to {J:.4g}. The learning_rate={learning_rate:.4g} is too large "
        f"for this data; use a smaller one, e.g. learning_rate={learning_rate / 10:.4g}, "
        "or leave learning_rate='auto'."
    )


def _is_diverged(J, J0):
    return not np.isfinite(J) or J > 1e4 * max(J0, np.finfo(float).tiny)


class _Progress:
    """Loss curve, verbose printing, stopping on a stalled loss or on validation."""

    def __init__(self, *, tol, n_iter_no_change, monitor, verbose, on_iteration):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.monitor = monitor
        self.verbose = verbose
        self.on_iteration = on_iteration
        self.loss_curve = []
        self.validation_scores = []
        self.best_loss = np.inf
        self.best_score = -np.inf
        self.best_theta = None
        self.no_improvement = 0
        self.stopped = False
        self.n_iter = 0
        self.learning_rate = None

    def record(self, theta, J):
        """Record J at ``theta``; return True when training should stop."""
        self.loss_curve.append(J)
        it = len(self.loss_curve)
        if self.monitor is not None:
            score = float(self.monitor(theta))
            self.validation_scores.append(score)
            if score > self.best_score + self.tol:
                self.no_improvement = 0
            else:
                self.no_improvement += 1
            if score > self.best_score:
                self.best_score = score
                self.best_theta = theta.copy()
            if self.verbose:
                print(f"Iteration {it}, loss = {J:.8f}, validation score = {score:.6f}")
        else:
            if J > self.best_loss - self.tol:
                self.no_improvement += 1
            else:
                self.no_improvement = 0
            if self.verbose:
                print(f"Iteration {it}, loss = {J:.8f}")
        self.best_loss = min(self.best_loss, J)
        if self.on_iteration is not None:
            self.on_iteration(it, J)
        if self.no_improvement >= self.n_iter_no_change:
            self.stopped = True
            if self.verbose:
                what = "Validation score" if self.monitor is not None else "Training loss"
                print(
                    f"{what} did not improve more than tol={self.tol} for "
                    f"{self.n_iter_no_change} consecutive iterations. Stopping."
                )
        return self.stopped


def gradient_descent(
    objective,
    theta,
    *,
    learning_rate,
    max_iter,
    tol,
    n_iter_no_change=10,
    lower=None,
    monitor=None,
    verbose=0,
    on_iteration=None,
    adaptive=False,
    suggest_learning_rate=None,
):
    """The lecture's gradient-descent method, ``W <- W - alpha * grad J``.

    Every iteration is one update of every trainable parameter, so
    ``max_iter=k`` performs exactly ``k`` updates unless the loss stalls first.

    Parameters
    ----------
    objective : callable
        ``objective(theta) -> (J, grad)``.
    theta : ndarray
        Starting parameters; not modified.
    learning_rate : float
        alpha (with ``adaptive=True``, the first alpha tried).
    max_iter : int
        Number of updates at most.
    tol, n_iter_no_change : float, int
        Stop when J (or, with ``monitor``, the validation score) has not improved
        by more than ``tol`` for ``n_iter_no_change`` consecutive iterations.
    lower : ndarray or None
        Lower bounds; after each step ``theta`` is clipped to them (projected
        gradient descent, used to keep the RBF widths b positive).
    monitor : callable or None
        ``monitor(theta) -> score`` on held-out data (early stopping). The best
        parameters seen are returned.
    verbose : int
        Print one line per iteration.
    on_iteration : callable or None
        ``on_iteration(iteration, J)``, called after each iteration.
    adaptive : bool
        Choose alpha at every iteration by the Barzilai-Borwein rule with a
        nonmonotone line search (``_bb_descent``). ``False`` keeps alpha at
        ``learning_rate`` throughout: exactly the lecture's method, one pass
        over the data per update.
    suggest_learning_rate : callable or None
        ``suggest_learning_rate() -> float``: a safe fixed alpha, named in the
        error raised when a fixed alpha made J rise.

    Returns
    -------
    theta : ndarray
    progress : _Progress
        Also ``learning_rate``, the alpha of the last update.
        ``loss_curve`` (J before each update), ``validation_scores``, ``stopped``.

    Raises
    ------
    DivergenceError
        When J or the parameters stop being finite, J grows 10^4-fold, or (with
        a fixed alpha) J ends above where it started.
    """
    progress = _Progress(
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        monitor=monitor,
        verbose=verbose,
        on_iteration=on_iteration,
    )
    if adaptive:
        # s.s, s.y, y.y and grad.step of a diverging trial may overflow: inf is handled
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            theta = _bb_descent(objective, theta, learning_rate, max_iter, lower, progress)
    else:
        theta = _fixed_descent(objective, theta, learning_rate, max_iter, lower, progress)
        _check_fixed_descent(progress, learning_rate, suggest_learning_rate)
    if monitor is not None and progress.best_theta is not None:
        theta = progress.best_theta
    return theta, progress


def _initial_J(J, grad):
    if not (np.isfinite(J) and np.all(np.isfinite(grad))):
        raise DivergenceError(
            "The cost J is not finite at the initial parameters: the data are "
            "too large for float arithmetic. Use standardize=True, or scale X "
            "and y (StandardScaler)."
        )
    return J


def _fixed_descent(objective, theta, alpha, max_iter, lower, progress):
    """The lecture's method with a fixed alpha: one pass over the data per update."""
    theta = theta.copy()
    J0 = None
    for it in range(1, max_iter + 1):
        J, grad = objective(theta)
        if J0 is None:
            J0 = _initial_J(J, grad)
        elif not (np.isfinite(J) and np.all(np.isfinite(grad))) or _is_diverged(J, J0):
            raise DivergenceError(_divergence_message(it, J, J0, alpha))
        # The lecture's update: W <- W - alpha * dJ/dW, for every block at once.
        theta -= alpha * grad
        if lower is not None:
            np.maximum(theta, lower, out=theta)
        if not np.all(np.isfinite(theta)):
            raise DivergenceError(_divergence_message(it, np.inf, J0, alpha))
        progress.n_iter = it
        progress.learning_rate = alpha
        if progress.record(theta, J):
            break
    return theta


# A fixed alpha whose J rose this many times its starting value on the way is
# reported (J ending above its start is an error; see _check_fixed_descent).
RISE_WARNING = 10.0
MIN_ITER_CHECKED = 10  # fits of fewer iterations are not judged


def _check_fixed_descent(progress, alpha, suggest):
    """A fixed alpha that made J end above its start, or rise many-fold, must not pass quietly."""
    curve = progress.loss_curve
    if len(curve) < MIN_ITER_CHECKED:
        return  # a few updates (partial_fit, a replay of one slide): nothing to judge
    J0, J_end, J_peak = curve[0], curve[-1], max(curve)
    ended_higher = J_end > J0 * (1 + 1e-6) and J_end - J0 > 1e-12 * max(1.0, J0)
    rose = J_peak > RISE_WARNING * J0 and J_peak - J0 > 1e-12
    if not (ended_higher or rose):
        return
    safe = suggest() if suggest is not None else alpha / 10
    safe = min(safe, alpha / 2)
    what = (
        f"ended at {J_end:.4g}, above where it started ({J0:.4g})"
        if ended_higher
        else f"rose from {J0:.4g} to {J_peak:.4g} on the way (it ended at {J_end:.4g})"
    )
    message = (
        f"Gradient descent with the fixed learning_rate={alpha:.4g} did not descend: the "
        f"cost J {what}. That alpha is too large for this data; use "
        f"learning_rate={safe:.3g} (a safe step for the output layer, 1 / lambda_max "
        "of its Gauss-Newton matrix) or leave learning_rate='auto'."
    )
    if ended_higher:
        raise DivergenceError(message)
    from sklearn.exceptions import ConvergenceWarning

    warnings.warn(message, ConvergenceWarning, stacklevel=_user_stacklevel())


# The adaptive rule's constants (Raydan 1997; Grippo, Lampariello and Lucidi 1986).
NONMONOTONE_MEMORY = 10  # M: J may exceed the largest of the last M values only by the Armijo term
ARMIJO = 1e-4  # gamma: the sufficient-decrease constant
BACKTRACK = 0.5  # alpha is halved while the trial step fails the test
# alpha stays within these multiples of the starting alpha0 = 1 / lambda_max of the
# output layer. The upper one keeps every step near the stable range of gradient
# descent, where rounding differences shrink instead of growing: measured on
# scikit-learn's weighted-versus-repeated-rows check (15 rows, 30 features), caps of
# 3 and 5 give the same predictions to 1e-12, a cap of 10 (or none) differences of 1e-2.
ALPHA_RANGE = (1e-10, 5.0)


def _bb_descent(objective, theta, alpha0, max_iter, lower, progress):
    """Gradient descent with a Barzilai-Borwein step and a nonmonotone line search.

    Every iteration is one update ``theta <- theta - alpha_k grad J(theta)`` of
    every block at once (projected on ``lower``); only alpha_k changes:

    1. the trial alpha is a Barzilai-Borwein step (Barzilai and Borwein 1988),
       with ``s = theta_k - theta_{k-1}`` and ``y = grad_k - grad_{k-1}``: the long
       step ``s.s / s.y`` and the short step ``s.y / y.y`` in turn (the alternating
       BB method of Dai and Fletcher 2005; both are the inverse of a curvature J
       showed along the last step). ``alpha0``, the safe ``1 / lambda_max`` of the
       output layer, is used before the first step and when ``s.y <= 0``; alpha
       is kept within ``ALPHA_RANGE`` times ``alpha0``;
    2. the trial point is accepted when it passes the nonmonotone Armijo test of
       Grippo, Lampariello and Lucidi (1986), as in Raydan's (1997) global BB
       method: ``J_trial <= max(last M values of J) + gamma grad.(theta_trial -
       theta)``; otherwise alpha is halved and the trial repeated (each trial is
       one pass over the data, no update).

    Uncapped, the long BB steps (up to ``1 / lambda_min``) make the trajectory
    of a nonconvex J sensitive to rounding: fits of 15 rows with integer
    weights and with the rows repeated (sums added in another order, 1e-16
    apart) ended 1e-2 apart. Capped at ``5 alpha0`` the steps stay near the
    stable range of gradient descent and the two fits agree to 1e-12 (a cap of
    10 already did not); on a convex quadratic the cap limits the speed-up over
    the fixed step ``1 / L`` to at most 5 along the flattest direction. Every
    decision compares J values or ``s.y`` with 0; exact ties are broken the same
    way every time.
    """
    theta = theta.copy()
    J, grad = objective(theta)
    J0 = _initial_J(J, grad)
    lo, hi = alpha0 * ALPHA_RANGE[0], alpha0 * ALPHA_RANGE[1]
    alpha = alpha0
    recent = [J]
    for it in range(1, max_iter + 1):
        J_ref = max(recent)
        while True:
            # The lecture's update: W <- W - alpha * dJ/dW, for every block at once.
            trial = theta - alpha * grad
            if lower is not None:
                np.maximum(trial, lower, out=trial)
            step = trial - theta
            decrease = float(grad @ step)  # < 0 for any descent step
            if not decrease < 0:
                break  # the step vanished: nothing is left to descend
            J_trial, grad_trial = objective(trial)
            finite = np.isfinite(J_trial) and np.all(np.isfinite(grad_trial))
            if finite and J_trial <= J_ref + ARMIJO * decrease:
                break
            if alpha <= lo:
                decrease = 0.0  # no step passes the test: J is at its minimum to rounding
                break
            alpha = max(alpha * BACKTRACK, lo)
        progress.n_iter = it
        progress.learning_rate = alpha
        if not decrease < 0:  # converged: this last iteration leaves theta as it is
            progress.record(theta, J)
            progress.stopped = True
            break
        stop = progress.record(trial, J)
        # Barzilai-Borwein, alternating: the long step s.s / s.y after odd iterations,
        # the short step s.y / y.y after even ones.
        y = grad_trial - grad
        sy = float(step @ y)
        if sy > 0:
            bb = float(step @ step) / sy if it % 2 else sy / float(y @ y)
            alpha = min(max(bb, lo), hi)
        else:  # no positive curvature along the step: start again from alpha0
            alpha = alpha0
        theta, J, grad = trial, J_trial, grad_trial
        recent = (recent + [J])[-NONMONOTONE_MEMORY:]
        if stop:
            break
    return theta


def lbfgs(
    objective,
    theta,
    *,
    max_iter,
    tol,
    n_iter_no_change=10,
    lower=None,
    monitor=None,
    verbose=0,
    on_iteration=None,
):
    """Minimise the same J with :func:`scipy.optimize.minimize` (L-BFGS-B).

    ``max_iter`` bounds the L-BFGS iterations and J is recorded once per
    iteration, at the accepted point, so ``loss_curve`` means what it means for
    gradient descent. It stops at scipy's gradient test (``gtol=tol``) or by the
    rule of gradient descent: J (or the validation score) not improved by
    ``tol`` for ``n_iter_no_change`` iterations.
    """
    progress = _Progress(
        # The same stopping rule as gradient descent (J, or the validation score,
        # not improved by tol for n_iter_no_change iterations), besides scipy's
        # own gradient test: without it L-BFGS fits noise until max_iter.
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        monitor=monitor,
        verbose=verbose,
        on_iteration=on_iteration,
    )
    last = {}

    def fun(th):
        J, grad = objective(th)
        if not (np.isfinite(J) and np.all(np.isfinite(grad))):
            # Tell the line search this point is unusable; it will step back.
            return np.inf, np.zeros_like(th)
        last["theta"], last["J"] = th.copy(), J
        return J, grad.astype(np.float64)

    def callback(xk, *args):
        if "theta" in last and np.array_equal(xk, last["theta"]):
            J = last["J"]
        else:
            J = objective(xk)[0]
        progress.n_iter += 1
        last["xk"] = np.array(xk, copy=True)
        if progress.record(np.asarray(xk, dtype=theta.dtype), J):
            raise StopIteration

    bounds = None
    if lower is not None:
        bounds = [(lo if np.isfinite(lo) else None, None) for lo in lower]
    try:
        # scipy >= 1.15's L-BFGS-B is many times slower with a multithreaded BLAS
        # (scipy issue 22438): run it, and our block sums, on one BLAS thread.
        with one_blas_thread():
            result = minimize(
                fun,
                theta.astype(np.float64),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                callback=callback,
                options={"maxiter": max_iter, "maxfun": max(15000, 2 * max_iter), "gtol": tol},
            )
        theta_out = result.x
        # status 1: max_iter (or maxfun) reached before scipy's own tests passed
        progress.stopped = progress.stopped or result.status != 1
    except StopIteration:  # scipy < 1.11 lets the callback's StopIteration through
        theta_out = last["xk"]
    if monitor is not None and progress.best_theta is not None:
        theta_out = progress.best_theta
    theta_out = np.asarray(theta_out, dtype=theta.dtype)
    if not progress.loss_curve:  # converged before the first iteration
        progress.loss_curve.append(objective(theta_out)[0])
    if not np.all(np.isfinite(theta_out)):
        raise DivergenceError(
            "L-BFGS produced non-finite parameters. Check the input for extreme "
            "values, or use standardize=True."
        )
    return theta_out, progress


def _user_stacklevel():
    """``stacklevel`` for :func:`warnings.warn` that points at the user's own call.

    Counts the frames, from the function that calls ``warnings.warn`` outwards,
    that belong to this package or to scikit-learn (``fit`` wrappers,
    ``Pipeline``, ``cross_validate``), so the warning names the user's line.
    """
    import sklearn

    inside = (
        os.path.dirname(os.path.abspath(__file__)) + os.sep,
        os.path.dirname(os.path.abspath(sklearn.__file__)) + os.sep,
    )
    frame = sys._getframe(1)  # the function that calls warnings.warn
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(inside):
        frame = frame.f_back
        level += 1
    return level


def warn_not_converged(name, solver, max_iter, tol, n_iter_no_change):
    """The ConvergenceWarning of a fit that ran out of iterations, with advice for its solver."""
    from sklearn.exceptions import ConvergenceWarning

    if solver == "lbfgs":
        what = (
            f"L-BFGS used all max_iter={max_iter} iterations before its gradient "
            f"tolerance tol={tol:g} was met"
        )
    else:
        what = (
            f"gradient descent used all max_iter={max_iter} updates while J still "
            f"improved by more than tol={tol:g} within n_iter_no_change={n_iter_no_change} "
            "iterations"
        )
    warnings.warn(
        f"{name}: {what}. The fitted model is usable. If loss_curve_ has flattened, a "
        "larger tol ends the fit sooner; if it still falls, raise max_iter. On small or "
        "noisy data more iterations can fit the noise: a larger l2 (the weight penalty) "
        "or early_stopping=True usually predicts better.",
        ConvergenceWarning,
        stacklevel=_user_stacklevel(),
    )


def timer():
    return time.perf_counter()
