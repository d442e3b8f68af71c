"""Data of the lecture's examples: the slide's l3sig data and two stand-ins."""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_lecture_bumps", "make_l3sig", "make_three_regions"]


def make_lecture_bumps(n_samples=60):
    """A bump and a dip (one radial unit finds either, by its start c0): l6rbf1-3's stand-in data.

    Parameters
    ----------
    n_samples : int, default=60
        Number of equally spaced points x on ``[0, 5]``.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)
        ``0.8 exp(-(x - 1.2)^2 / 0.5) - 0.5 exp(-(x - 3.5)^2 / 0.8) + 0.3``.
    """
    x = np.linspace(0.0, 5.0, n_samples)
    y = 0.8 * np.exp(-((x - 1.2) ** 2) / 0.5) - 0.5 * np.exp(-((x - 3.5) ** 2) / 0.8) + 0.3
    return x.reshape(-1, 1), y


def make_l3sig(n_samples=11):
    """The slide's data of l3sig: ``x = linspace(0, 10, n)`` and ``y = -0.1 (x - 2)^2``.

    Parameters
    ----------
    n_samples : int, default=11
        n (the slide's 11).

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)
    """
    x = np.linspace(0.0, 10.0, n_samples)
    y = -0.1 * (x - 2.0) ** 2
    return x.reshape(-1, 1), y


def make_three_regions(n_samples=120, *, breakpoints=(3.0, 7.0), noise=0.05, random_state=0):
    """Noisy data that needs three straight-line regions (a stand-in, the slides give none).

    Parameters
    ----------
    n_samples : int, default=120
        Number of points x, drawn uniformly on ``[0, 10]`` and sorted.
    breakpoints : tuple of two floats, default=(3.0, 7.0)
        The kinks: y rises up to the first, falls to the second, then rises again.
    noise : float, default=0.05
        Standard deviation of the Gaussian noise added to y.
    random_state : int, RandomState instance or None, default=0
        Seeds x and the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)
    """
    rng = check_random_state(random_state)
    b1, b2 = breakpoints
    x = np.sort(rng.uniform(0.0, 10.0, n_samples))
    y = np.minimum(x, 2 * b1 - x)  # slopes 1, -1, 1: continuous at both kinks
    y = np.where(x > b2, (2 * b1 - b2) + (x - b2), y)
    y = y + noise * rng.standard_normal(n_samples)
    return x.reshape(-1, 1), y
