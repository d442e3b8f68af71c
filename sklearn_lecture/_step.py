"""The step rule: the alpha of each update ``W <- W - alpha dJ/dW`` of gradient descent.

A fit asks one :class:`StepRule` for every update; the user guide ("How training works") says why.

Notes
-----
The rule starts at ``alpha0 = 1 / lambda_max(G + lambda I)``, ``G = [Z 1]^T S [Z 1] / sum s`` the
Hessian of J in the output layer's weights (``Z`` its features, ``S`` the row weights, ``lambda``
the L2 penalty): gradient descent on that quadratic part of J converges for ``alpha < 2 /
lambda_max``.

* A float ``learning_rate``: alpha stays as given (the lecture's method). J rising 10^4-fold, or
  ending above its start (at the parameters returned), is a :class:`DivergenceError`.
* ``"auto"``: with ``s = W_k - W_{k-1}`` and ``y = dJ/dW_k - dJ/dW_{k-1}``, the trial alpha is the
  Barzilai-Borwein step ``s.s / s.y`` after odd updates and ``s.y / y.y`` after even ones (twice
  the last alpha when ``s.y <= 0``: J curves down along s), kept within ``ALPHA_RANGE * alpha0``
  (up to ``SHORT_CAP alpha0`` on few rows: :func:`long_steps`). The trial ``W' = W - alpha dJ/dW``
  is accepted when ``J(W') <= max(last M values of J) + gamma dJ/dW . (W' - W)`` (nonmonotone
  Armijo test); otherwise alpha is halved. No accepted step: J is at its minimum.
"""

from dataclasses import dataclass

import numpy as np

NONMONOTONE_MEMORY = 10  # M
ARMIJO = 1e-4  # gamma
BACKTRACK = 0.5  # the factor alpha shrinks by while a trial fails the test
ALPHA_RANGE = (1e-10, 1e6)  # alpha within these multiples of alpha0
SHORT_CAP = 5.0  # the upper multiple while the rows do not determine the parameters
ROWS_PER_PARAMETER = 5  # rows per trained parameter from which steps may be long, l2="auto" 0
RISE_WARNING = 10.0  # a fixed alpha whose J rose this many-fold is warned about
MIN_ITER_CHECKED = 10  # shorter fixed-alpha runs are judged only by where J ends,
SHORT_RISE = 100.0  # ... an error when it ends this many times above its start
L2_AUTO = 1e-3  # lambda of l2="auto" where it is not chosen (standardised units)
L2_PATH = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1)  # the lambdas l2="auto" tries on few rows
L2_FEW_ROWS = 1e-2  # lambda when the rows are too few for GCV to judge a fit
GCV_MAX_DF = 0.5  # GCV judges a fit whose df is at most this share of the rows
GCV_SLACK = 0.05  # the largest lambda whose GCV is within this share of the least is kept
GCV_MAX_PARAMS = 1500  # larger models are not judged by GCV (A is p x p)
MAX_L2 = 1e100  # a larger lambda overflows J


class DivergenceError(ValueError):
    """Gradient descent blew up: the learning rate is too large for this data."""


def penalty(l2, learning_rate, solver):
    """lambda to start from: ``l2``; ``"auto"``: 0 for the lecture's fixed alpha, else L2_AUTO."""
    if l2 != "auto":
        if float(l2) > MAX_L2:
            raise ValueError(f"l2={float(l2):.3g} is too large: use a smaller l2 (<= {MAX_L2:g}).")
        return float(l2)
    return 0.0 if solver == "gd" and learning_rate != "auto" else L2_AUTO


def gcv(mse, A, lam, n):
    """``(GCV, df)``: ``GCV = mse / (1 - df / n)^2`` on ``n`` rows, ``df = tr((A + lambda I)^-1 A)``
    at ``lam`` (a lambda, or one per parameter), ``A`` the Gauss-Newton matrix at the fit."""
    try:
        df = float(np.trace(np.linalg.solve(A + np.diag(np.broadcast_to(lam, len(A))), A)))
    except np.linalg.LinAlgError:  # lambda lost in the rounding of a huge A: df as large as can be
        df = float(len(A))
    return (mse / (1.0 - df / n) ** 2 if df < n else np.inf), df


def first_alpha(G, l2):
    """``alpha0 = 1 / lambda_max(G + l2 I)``; 1 if that is not positive or G not finite."""
    lam = float(np.linalg.eigvalsh(G)[-1]) + l2 if np.isfinite(G).all() else np.nan
    return 1.0 / lam if np.isfinite(lam) and lam > 0 else 1.0


def n_observations(n, sample_weight):
    """The rows, one of weight s counting ``s / (least positive weight)``: as repeats, any scale."""
    if sample_weight is None:
        return n  # (nan for a dask X whose chunk sizes are unknown)
    s = sample_weight[sample_weight > 0]
    with np.errstate(over="ignore"):  # weights 1e300 apart: inf, as good as many rows
        return float(s.sum() / s.min())


def long_steps(n_rows, n_params, judged=False):
    """Whether steps may be long: from ``ROWS_PER_PARAMETER`` rows per parameter (one when GCV
    chooses the penalty); on fewer rows long steps find J's valleys that fit the noise."""
    return n_rows >= (1 if judged else ROWS_PER_PARAMETER) * n_params


@dataclass
class Iterate:
    """A point of the descent: ``theta`` (W), and J and dJ/dW there once known."""

    theta: np.ndarray
    J: float | None = None
    grad: np.ndarray | None = None

    def evaluated(self, objective):
        if self.J is None:
            self.J, self.grad = objective(self.theta)
        return self


def _finite(J, grad):
    return np.isfinite(J) and np.isfinite(grad).all()


class StepRule:
    """The alpha of every update: fixed, or (``adaptive``) Barzilai-Borwein with a line search.

    Updates are projected on ``lower``; ``safe_alpha()`` is the alpha a divergence error advises;
    ``J_first`` is J where a run of ``partial_fit`` calls started.
    """

    def __init__(
        self, alpha0, adaptive, lower=None, safe_alpha=None, long_steps=True, J_first=None
    ):
        self.alpha0, self.adaptive, self.lower, self.J_first = alpha0, adaptive, lower, J_first
        self.safe_alpha, self.alpha, self.used = safe_alpha, alpha0, alpha0  # next trial, last
        hi = ALPHA_RANGE[1] if long_steps else SHORT_CAP
        self.lo, self.hi = alpha0 * ALPHA_RANGE[0], alpha0 * hi
        self.J0, self.recent = None, []  # J at the start; the last M values of J

    def start(self, current):
        """Take the starting point; a DivergenceError when J or dJ/dW is not finite there."""
        if not _finite(current.J, current.grad):
            raise DivergenceError(
                "The cost J is not finite at the initial parameters: the data are too large. "
                "Use standardize=True, or scale X and y (StandardScaler)."
            )
        self.J0, self.recent = current.J, [current.J]

    def update(self, current, alpha):
        """The lecture's update ``W <- W - alpha dJ/dW`` of every block at once, projected."""
        theta = current.theta - alpha * current.grad
        if self.lower is not None:
            np.maximum(theta, self.lower, out=theta)
        return theta

    def step(self, objective, current, iteration):
        """The next point from ``current`` (J known there); None when no step lowers J."""
        if not self.adaptive:
            blew_up = current.J > 1e4 * max(self.J0, np.finfo(float).tiny)
            if iteration > 1 and (not _finite(current.J, current.grad) or blew_up):
                raise DivergenceError(self._diverged(iteration, current.J))
            theta = self.update(current, self.alpha)
            if not np.isfinite(theta).all():
                raise DivergenceError(self._diverged(iteration, np.inf))
            return Iterate(theta)
        accepted, step = self._search(objective, current)
        if accepted is not None:
            self.alpha = self._barzilai_borwein(step, accepted.grad - current.grad, iteration)
            self.recent = (self.recent + [accepted.J])[-NONMONOTONE_MEMORY:]
        return accepted

    def _search(self, objective, current):
        """Halve alpha from the trial one until the update passes the nonmonotone Armijo test."""
        J_ref = max(self.recent)
        while True:
            self.used = self.alpha
            trial = self.update(current, self.alpha)
            step = trial - current.theta
            decrease = float(current.grad @ step)  # < 0 for any descent step
            if not decrease < 0:
                return None, step  # the step vanished
            J_trial, grad_trial = objective(trial)
            if _finite(J_trial, grad_trial) and J_trial <= J_ref + ARMIJO * decrease:
                return Iterate(trial, J_trial, grad_trial), step
            if self.alpha <= self.lo:
                return None, step  # no step passes: J is at its minimum
            self.alpha = max(self.alpha * BACKTRACK, self.lo)

    def _barzilai_borwein(self, s, y, iteration):
        """The BB step in range; where J curved down along s (``s.y <= 0``) twice the last alpha."""
        sy, yy = float(s @ y), float(y @ y)
        if not (sy > 0 and yy > 0):  # y.y may underflow to 0 where s.y does not
            return min(2.0 * self.used, self.hi) if sy <= 0 else self.alpha0
        bb = float(s @ s) / sy if iteration % 2 else sy / yy
        return min(max(bb, self.lo), self.hi)

    @property
    def last_alpha(self):
        """The alpha of the last update (or last trial)."""
        return self.used if self.adaptive else self.alpha

    def _advice(self):
        """The alpha to use instead: ``1 / lambda_max`` of the output layer, below ``alpha / 2``."""
        safe = self.safe_alpha() if self.safe_alpha is not None else self.alpha / 10
        alpha = min(safe, self.alpha / 2)
        return f"use learning_rate={alpha:.3g} (a safe step) or leave learning_rate='auto'."

    def _diverged(self, iteration, J):
        return (
            f"Gradient descent diverged at iteration {iteration}: J went from {self.J0:.4g} to "
            f"{J:.4g}. The learning_rate={self.alpha:.4g} is too large; {self._advice()}"
        )

    def judge(self, curve, J_end):
        """A fixed alpha's run to ``J_end``: a DivergenceError if J ended above its start
        (``SHORT_RISE``-fold on short runs), a warning's text if it rose ``RISE_WARNING``-fold."""
        if self.adaptive:
            return None
        rising = not J_end <= min(curve)  # the run raised J (or made it NaN)
        J0, J_peak, J_end = curve[0], max(curve), max(J_end, curve[-1])
        long_run = len(curve) >= MIN_ITER_CHECKED  # a few updates may rise a little
        J0 = J0 if self.J_first is None else self.J_first  # partial_fit: the first call's
        limit = J0 * (1 + 1e-6) if long_run else (SHORT_RISE * J0 if rising else np.inf)
        ended_higher = not np.isfinite(J_end) or (
            J_end > limit and J_end - J0 > 1e-12 * max(1.0, J0)
        )
        rose = long_run and J_peak > RISE_WARNING * J0 and J_peak - J0 > 1e-12
        if not (ended_higher or rose):
            return None
        what = (
            f"ended at {J_end:.4g}, above where it started ({J0:.4g})"
            if ended_higher
            else f"rose from {J0:.4g} to {J_peak:.4g} on the way (it ended at {J_end:.4g})"
        )
        message = (
            f"Gradient descent with the fixed learning_rate={self.alpha:.4g} did not descend: the "
            f"cost J {what}. That alpha is too large for this data; {self._advice()}"
        )
        if ended_higher:
            raise DivergenceError(message)
        return message
