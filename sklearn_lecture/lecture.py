"""The slides' examples as settings, and the slides' step a as ``learning_rate``.

The slides minimise ``J = sum e^2`` (section 2: l6rbf1, l6rbf2, l6rbf3) and
``J = 1/2 sum e^2`` (section 3: l3sig) with the update ``W <- W - a dJ/dW``.
Both estimators minimise ``J = 1/(2n) sum e^2``, whose gradient is the slides'
divided by ``2n`` (section 2) or ``n`` (section 3). The same update therefore
needs ``learning_rate = 2 n a`` (section 2) or ``n a`` (section 3):
:func:`learning_rate_from_slide` converts, and :func:`slide_cost` turns
``loss_curve_`` back into the slide's J.

The slides give some of each example's settings and leave others out (no data,
no b and no a for l6rbf1-3; no a for l3sig). :data:`SETTINGS` lists every value
the package uses to replay them, and says which come from the slides
(``"slide"``) and which are the package's stand-ins (``"stand-in"``).

Examples
--------
>>> from sklearn_lecture.lecture import learning_rate_from_slide, slide_cost
>>> learning_rate_from_slide(1e-3, n_samples=60, cost="sum")  # l6rbf: 2 n a
0.12
>>> learning_rate_from_slide(1e-3, n_samples=11, cost="half_sum")  # l3sig: n a
0.011
>>> float(slide_cost([0.5], n_samples=60, cost="sum")[0])  # sum e^2 = 2n J
60.0
"""

from typing import NamedTuple

import numpy as np

__all__ = ["SETTINGS", "Setting", "learning_rate_from_slide", "slide_cost"]

# J_slide = _J_FACTOR[cost] * n * J_package, and a = learning_rate / (_J_FACTOR[cost] * n)
_J_FACTOR = {"sum": 2.0, "half_sum": 1.0}


def _factor(cost, n_samples):
    if cost not in _J_FACTOR:
        raise ValueError(
            f"cost must be 'sum' (J = sum e^2, section 2) or 'half_sum' "
            f"(J = 1/2 sum e^2, section 3); got {cost!r}."
        )
    return _J_FACTOR[cost] * n_samples


def learning_rate_from_slide(a, n_samples, cost):
    """The ``learning_rate`` that makes the estimators take the slide's step ``a``.

    Parameters
    ----------
    a : float
        The slide's step in ``W <- W - a dJ/dW``.
    n_samples : int
        n, the number of rows the slide's J sums over.
    cost : {"sum", "half_sum"}
        The slide's J: ``"sum"`` for ``J = sum e^2`` (section 2, l6rbf1-3),
        ``"half_sum"`` for ``J = 1/2 sum e^2`` (section 3, l3sig).

    Returns
    -------
    learning_rate : float
        ``2 n a`` for ``"sum"``, ``n a`` for ``"half_sum"``: the estimators'
        ``J = 1/(2n) sum e^2`` has the slide's gradient divided by that factor.
    """
    return _factor(cost, n_samples) * a


def slide_cost(loss_curve, n_samples, cost):
    """The slide's J from the estimators' ``J = 1/(2n) sum e^2`` (e.g. ``loss_curve_``).

    Parameters
    ----------
    loss_curve : float or array-like
        Values of the estimators' J, in the units of y (``standardize=False``).
    n_samples : int
        n, the number of rows.
    cost : {"sum", "half_sum"}
        As in :func:`learning_rate_from_slide`.

    Returns
    -------
    J : ndarray
        ``2 n J`` (``sum e^2``) or ``n J`` (``1/2 sum e^2``).
    """
    return _factor(cost, n_samples) * np.asarray(loss_curve, dtype=np.float64)


class Setting(NamedTuple):
    """One value used to replay a slide, and where it comes from."""

    value: object
    source: str  # "slide" or "stand-in"
    note: str


# Every value the main job, the examples and the tests use to replay the slides.
SETTINGS = {
    "l6rbf": {
        "data": Setting(
            "make_lecture_bumps(): 60 points on [0, 5]",
            "stand-in",
            "the slides show a plot, but give no data",
        ),
        "J": Setting("sum e^2", "slide", "J = sum_i (y_i - phi(x_i))^2"),
        "b": Setting(0.5, "stand-in", "the slides give no b"),
        "a": Setting(1e-3, "stand-in", "the slides give no a; learning_rate = 2 n a"),
    },
    "l6rbf1": {
        "c0": Setting((0.0, 0.5, 1.0), "slide", "Guess C = 0, 0.5, 1"),
        "n_iter": Setting(100, "slide", "for it in range(0,100)"),
    },
    "l6rbf2": {
        "c0": Setting((0.0, 1.0), "slide", "Use guess c = 0 (vs l6rbf1); c = 1 (vs l6rbf3)"),
        "w_start": Setting(1.0, "stand-in", "the slides give none (1: l6rbf1's fixed w)"),
        "n_iter": Setting(500, "stand-in", "the slides do not show l6rbf2's loop"),
    },
    "l6rbf3": {
        "c0": Setting(1.0, "slide", "Use guess c = 1"),
        "w_start": Setting(1.0, "stand-in", "the slides give none"),
        "w0_start": Setting(0.0, "stand-in", "the slides give none"),
        "n_iter": Setting(500, "slide", "for it in range(0,500)"),
    },
    "l3sig": {
        "data": Setting(
            "x = linspace(0, 10, 11), y = -0.1 (x - 2)^2", "slide", "n=11; y= -0.1*pow(x-2,2)"
        ),
        "J": Setting("1/2 sum e^2", "slide", "J = 1/2 sum_i e_i^2"),
        "h": Setting((20, 200), "slide", "h = 20 -> h = 200"),
        "W": Setting(
            "W1 = randn(2, h), W2 = randn(h + 1, 1)",
            "slide",
            "the draw itself: numpy's RandomState(seed), a stand-in",
        ),
        "a": Setting(
            1e-3, "stand-in", "the slides give no a; learning_rate = n a; the same for both h"
        ),
        "n_iter": Setting(2000, "slide", "J during 2000 iterations"),
    },
}
