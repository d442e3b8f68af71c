"""Data of the lecture's examples: the slide's l3sig data and two stand-ins."""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_lecture_bumps", "make_l3sig", "make_three_regions"]


def make_lecture_bumps(n_samples=60):
    """A stand-in for the 1-D data of l6rbf1-3 (the slides show only a plot).

    A bump and a dip: one radial unit captures one of them, which one depends on
    the initial guess of c.

    Parameters
    ----------
    n_samples : int, default=60
        Number of equally spaced points on ``[0, 5]``.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
        The inputs x.
    y : ndarray of shape (n_samples,)
        ``0.8 exp(-(x - 1.2)^2 / 0.5) - 0.5 exp(-(x - 3.5)^2 / 0.8) + 0.3``.

    Examples
    --------
    >>> from sklearn_lecture.datasets import make_lecture_bumps
    >>> X, y = make_lecture_bumps()
    >>> X.shape, y.shape
    ((60, 1), (60,))
    """
    x = np.linspace(0.0, 5.0, n_samples)
    y = 0.8 * np.exp(-((x - 1.2) ** 2) / 0.5) - 0.5 * np.exp(-((x - 3.5) ** 2) / 0.8) + 0.3
    return x.reshape(-1, 1), y


def make_l3sig(n_samples=11):
    """The slide's data of example l3sig: ``x = linspace(0, 10, n)``, ``y = -0.1 (x - 2)^2``.

    Parameters
    ----------
    n_samples : int, default=11
        n, the number of points (the lecture's ``n = 11``).

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
        The inputs x.
    y : ndarray of shape (n_samples,)
        The targets ``-0.1 (x - 2)^2``.

    Examples
    --------
    >>> from sklearn_lecture.datasets import make_l3sig
    >>> X, y = make_l3sig()
    >>> float(X[2, 0]), float(y[2])
    (2.0, -0.0)
    """
    x = np.linspace(0.0, 10.0, n_samples)
    y = -0.1 * (x - 2.0) ** 2
    return x.reshape(-1, 1), y


def make_three_regions(n_samples=120, *, breakpoints=(3.0, 7.0), noise=0.05, random_state=0):
    """Noisy data that needs three straight-line regions (a stand-in, the slides give none).

    Piecewise linear on ``[0, 10]``: rising, falling, rising, kinks at ``breakpoints``.

    Parameters
    ----------
    n_samples : int, default=120
        Number of points, drawn uniformly on ``[0, 10]`` and sorted.
    breakpoints : tuple of two floats, default=(3.0, 7.0)
        Where R1 ends and R3 begins.
    noise : float, default=0.05
        Standard deviation of the Gaussian noise added to y.
    random_state : int, RandomState instance or None, default=0
        Seeds x and the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
        The inputs x, sorted.
    y : ndarray of shape (n_samples,)
        The target.

    Examples
    --------
    >>> from sklearn_lecture.datasets import make_three_regions
    >>> X, y = make_three_regions(30)
    >>> X.shape, y.shape
    ((30, 1), (30,))
    """
    rng = check_random_state(random_state)
    b1, b2 = breakpoints
    x = np.sort(rng.uniform(0.0, 10.0, n_samples))
    # slopes 1, -1, 1: y = x on R1, then down to b2, then up again (continuous).
    y = np.minimum(x, 2 * b1 - x)
    y = np.where(x > b2, (2 * b1 - b2) + (x - b2), y)
    y = y + noise * rng.standard_normal(n_samples)
    return x.reshape(-1, 1), y
