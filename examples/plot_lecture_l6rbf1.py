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
"""

# %%
import os
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_lecture import FitDisplay, LossCurveDisplay, RBFRegressor
from sklearn_lecture.datasets import make_lecture_bumps

FIGURES = Path(os.environ.get("SKLEARN_LECTURE_FIGURES") or Path(__file__).parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
# A fixed number of updates is the lecture's loop, not a failure to converge.
warnings.simplefilter("ignore", ConvergenceWarning)

X, y = make_lecture_bumps()
b, alpha, n_updates = 0.5, 0.1, 100

# %%
# One update is the slide's update
# --------------------------------
# The slides write ``J = sum e^2``; the estimators minimise ``J = 1/(2n) sum e^2``,
# so the slide's step size ``a`` is our ``alpha / (2n)``. One update from c = 0.5:
x = X.ravel()
c = 0.5
p = np.exp(-(x - c) * (x - c) / b)  # p = exp(-(x-c).mul(x-c)/b)
e = y - p  # e = y-p
dJ_dc = -4 * np.sum(e * p * (x - c) / b)  # dJ_dc = -4*sum(e.mul(p).mul(x-c)/b)
c_slide = c - alpha / (2 * len(x)) * dJ_dc  # c = c - a*dJ_dc

one_step = RBFRegressor(n_centers=1, fit_weights=False, fit_intercept=False, init=[[0.5]],
                        width=b, learning_rate=alpha, max_iter=1, tol=0,
                        standardize=False).fit(X, y)
print(f"slide: c = {c_slide:.12f}   RBFRegressor: c = {one_step.centers_[0, 0]:.12f}")

# %%
# Three initial guesses
# ---------------------
fig, (ax_fit, ax_loss) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for i, c0 in enumerate([0.0, 0.5, 1.0]):
    rbf = RBFRegressor(n_centers=1, fit_weights=False, fit_intercept=False, init=[[c0]],
                       width=b, learning_rate=alpha, max_iter=n_updates, tol=0,
                       standardize=False).fit(X, y)
    print(f"c0 = {c0:.1f} -> c = {rbf.centers_[0, 0]:.3f}, J = {rbf.loss_:.4f}")
    FitDisplay.from_estimator(rbf, X, y, ax=ax_fit, name=f"c0 = {c0}", show_data=i == 0,
                              show_units=False, line_kw={"color": f"C{i + 1}"})
    LossCurveDisplay.from_estimator(rbf, ax=ax_loss, name=f"c0 = {c0}", color=f"C{i + 1}")
ax_fit.set_title("yhat = exp(-(x - c)^2 / b)")
ax_loss.set_title("J per iteration")
fig.savefig(FIGURES / "l6rbf1.png", dpi=80)

# %%
# After 100 updates the three guesses give three different centres: the
# further the guess from the bump near x = 1.2, the slower c travels, because
# ``dJ/dc`` carries the factor ``phi(x)``, which is small far from c.  A lone
# kernel without weight and bias also cannot reach the offset of the data or
# the dip near x = 3.5: the next examples add w, w0 and more units.
