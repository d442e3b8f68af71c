"""``training_problem``, the problem ``fit`` solves, and ``check_gradients`` against it."""

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ._base import FitPlan, LectureRegressorBase
from ._objective import ParamLayout
from ._standardize import Standardizer


class TrainingProblem(NamedTuple):
    """``objective(theta) -> (J, grad J)`` from ``theta0``, in training units."""

    objective: object
    layout: ParamLayout
    theta0: np.ndarray
    standardizer: Standardizer


def training_problem(estimator, X, y, sample_weight=None, *, dtype=None):
    """The problem ``fit`` solves (from the fitted parameters, else a clone's start).

    Parameters
    ----------
    estimator : RBFRegressor or SigmoidMLPRegressor, or a Pipeline ending in one
        A Pipeline's earlier steps transform X first.
    X, y, sample_weight
        As in ``fit``.
    dtype : {None, float32, float64}, default=None
        None: the dtype ``fit`` trains in.

    Returns
    -------
    problem : TrainingProblem
        ``(objective, layout, theta0, standardizer)``.
    """
    if isinstance(estimator, Pipeline) and isinstance(estimator[-1], LectureRegressorBase):
        before = estimator[:-1]  # its earlier steps transform X
        if estimator[-1].__sklearn_is_fitted__():
            estimator, X = estimator[-1], before.transform(X)
        else:
            estimator, X = estimator[-1], clone(before).fit_transform(X, y)
    elif not isinstance(estimator, LectureRegressorBase):
        raise TypeError(
            "training_problem and check_gradients need an RBFRegressor or a SigmoidMLPRegressor, "
            f"or a Pipeline ending in one; got {type(estimator).__name__}."
        )
    if dtype is not None and np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be None, np.float32 or np.float64; got {dtype!r}.")
    if estimator.__sklearn_is_fitted__():
        plan = FitPlan.PARTIAL
    else:
        estimator, plan = clone(estimator), FitPlan.FRESH
    return TrainingProblem(*estimator._training_problem(plan, X, y, sample_weight, dtype))


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "sample_weight": ["array-like", None],
        "eps": [Interval(Real, np.finfo(np.float64).eps, 1, closed="both")],
        "max_entries": [Interval(Integral, 1, None, closed="left")],
        "perturbation": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def check_gradients(
    estimator,
    X,
    y,
    sample_weight=None,
    *,
    eps=1e-6,
    max_entries=200,
    perturbation=0.1,
    random_state=0,
):
    """Compare the analytic gradient of J with central finite differences.

    ``(J(theta + h_i) - J(theta - h_i)) / (2 h_i)`` per trained block, in float64, at
    theta0 of :func:`training_problem` moved at random.

    Parameters
    ----------
    estimator, X, y, sample_weight
        As in :func:`training_problem`.
    eps : float, default=1e-6
        Relative step: ``h_i = eps * max(1, |theta_i|)``.
    max_entries : int, default=200
        Most entries checked per block (a random subset).
    perturbation : float, default=0.1
        Relative size of the random move from theta0 (``theta0 z``, z ~ N(0, 1)).
    random_state : int, RandomState instance or None, default=0
        Seeds the move and the subset.

    Returns
    -------
    errors : dict
        Per block, the largest ``|analytic - numeric|`` over the largest entry of either
        (at least ``1e-8 max(1, |J|)``).
    """
    rng = check_random_state(random_state)
    objective, layout, theta = _objective_at_check_point(
        estimator, X, y, sample_weight, perturbation, rng
    )
    J, grad = objective(theta)
    floor = 1e-8 * max(1.0, abs(J))
    errors = {}
    for name, sl in layout.slices.items():
        idx = np.arange(sl.start, sl.stop)
        if idx.size > max_entries:
            idx = np.sort(rng.choice(idx, max_entries, replace=False))
        numeric = np.empty(idx.size)
        for j, i in enumerate(idx):
            step = np.zeros_like(theta)
            step[i] = (theta[i] + eps * max(1.0, abs(theta[i]))) - theta[i]  # h_i, as stored
            numeric[j] = (objective(theta + step)[0] - objective(theta - step)[0]) / (2 * step[i])
        analytic = grad[idx]
        scale = np.max([np.max(np.abs(analytic)), np.max(np.abs(numeric)), floor])
        if not (np.isfinite(scale) and np.isfinite(J)):
            raise ValueError("J is not finite at the check point: pass a smaller perturbation.")
        errors[name] = float(np.max(np.abs(analytic - numeric)) / scale)
    return errors


def _objective_at_check_point(estimator, X, y, sample_weight, perturbation, rng):
    """The float64 objective, its layout, and the point theta to check."""
    problem = training_problem(estimator, X, y, sample_weight, dtype=np.float64)
    theta0, z = problem.theta0, rng.standard_normal(problem.theta0.size)
    theta = theta0 + perturbation * z * np.where(theta0 != 0, np.abs(theta0), 1.0)
    return problem.objective, problem.layout, theta
