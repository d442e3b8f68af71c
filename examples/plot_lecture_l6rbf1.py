"""
==============================================================
l6rbf1: one radial unit, and the initial guess of its centre c
==============================================================

The lecture's first RBF regression (example ``ex/ml/l6rbf1``) fits
``yhat = phi(x) = exp(-(x - c)^2 / b)`` to data that looks like a sine but is not,
by gradient descent on the centre c alone: ``c <- c - a dJ/dc``, 100 times.
The slide's point: "the result differs with various initial guess of c; guess
c = 0, 0.5, 1, and so on".

In scikit-learn terms this is ``RBFRegressor(n_centers=1, fit_weights=False,
fit_intercept=False, init=[[c0]])``, trained on the raw data
(``standardize=False``) with a fixed learning rate, for a fixed number of updates
(``max_iter=100, tol=0``).

From the slide: the model, ``J = sum e^2``, the guesses c = 0, 0.5, 1 and the 100
iterations. Stand-ins, because the slides give none: the data
(:func:`~sklearn_lecture.datasets.make_lecture_bumps`), the width ``b = 0.5`` and
the step ``a = 1e-3``.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sklearn_lecture.datasets import make_lecture_bumps
from sklearn_lecture.figures import l6rbf1_figure
from sklearn_lecture.lecture import SETTINGS, l6rbf_estimator

FIGURES = Path(os.environ.get("SKLEARN_LECTURE_FIGURES") or Path(__file__).parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)

X, y = make_lecture_bumps()
x, n = X.ravel(), len(y)
b, a = SETTINGS["l6rbf"]["b"].value, SETTINGS["l6rbf"]["a"].value  # stand-ins
n_updates = SETTINGS["l6rbf1"]["n_iter"].value  # the slide's 100

# %%
# The slide's loop is the estimator's loop
# ----------------------------------------
# The slide writes ``J = sum e^2``; the estimators minimise ``J = 1/(2n) sum e^2``,
# whose gradient is 2n times smaller, so the slide's step a is
# ``learning_rate = 2 n a`` (also
# ``sklearn_lecture.lecture.learning_rate_from_slide(a, n, "sum")``), and the
# slide's J is 2n times ``loss_curve_`` (which holds J before each update).
# The slide's 100 iterations from c = 0.5, typed from the slide:
c = 0.5
J_slide = []
for it in range(0, n_updates):
    p = np.exp(-(x - c) * (x - c) / b)  # p = exp(-(x-c).mul(x-c)/b)
    e = y - p  # e = y-p
    dJ_dc = -4 * np.sum(e * p * (x - c) / b)  # dJ_dc= -4*sum(e.mul(p).mul(x-c)/b)
    c = c - a * dJ_dc  # c = c -a*dJ_dc
    J_slide.append(e @ e)  # e2= e*e.T()

# ``l6rbf_estimator`` is RBFRegressor(n_centers=1, fit_weights=False,
# fit_intercept=False, init=[[c0]], width=b, learning_rate=2 * n * a,
# standardize=False, max_iter=100, tol=0, n_iter_no_change=100)
rbf = l6rbf_estimator("l6rbf1", 0.5, n_updates, n).fit(X, y)
J_ours = 2 * n * np.array(rbf.loss_curve_)
print(f"slide: c = {c:.12f}   RBFRegressor: c = {rbf.centers_[0, 0]:.12f} "
      f"after {rbf.n_iter_} updates; largest relative difference of J over the "
      f"{len(J_slide)} iterations: {np.max(np.abs(J_ours / J_slide - 1)):.1e}")

# %%
# Three initial guesses
# ---------------------
fits = [(f"c0 = {c0:g}", l6rbf_estimator("l6rbf1", c0, n_updates, n).fit(X, y))
        for c0 in SETTINGS["l6rbf1"]["c0"].value]
for label, rbf in fits:
    print(f"{label} -> c = {rbf.centers_[0, 0]:.3f}, the slide's J = {2 * n * rbf.loss_:.4f}")
# The command line (``python -m sklearn_lecture``) draws the same figure.
fig = l6rbf1_figure(fits, X, y, fig=plt.figure())
fig.savefig(FIGURES / "l6rbf1.png", dpi=150)

# %%
# After 100 updates the three guesses give three different centres: the
# further the guess from the bump near x = 1.2, the slower c travels, because
# ``dJ/dc`` carries the factor ``phi(x)``, which is small far from c.  A lone
# kernel without weight and bias also cannot reach the offset of the data or
# the dip near x = 3.5: the next examples add w, w0 and more units.
