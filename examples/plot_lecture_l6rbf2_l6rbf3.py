"""
==========================================================
l6rbf2 and l6rbf3: the weight w, the bias w0, and K units
==========================================================

``ex/ml/l6rbf2`` adds a weight, ``yhat = w phi(x)``; ``ex/ml/l6rbf3`` adds a bias,
``yhat = w phi(x) + w0``, and updates c, w and w0 together for 500 iterations.
The slides compare l6rbf1 with l6rbf2 from the guess c = 0 ("weight w works for
the better estimation") and l6rbf2 with l6rbf3 from c = 1 ("both weight w and
bias w0 work").  The last section grows the model to K radial units, which is
what :class:`~sklearn_lecture.RBFRegressor` does by default.

From the slides: the models, ``J = sum e^2``, the guesses c = 0 and c = 1, and
l6rbf1's 100 and l6rbf3's 500 iterations. Stand-ins, because the slides give
none: the data, ``b = 0.5``, the step ``a = 1e-3``, the starting ``w = 1`` and
``w0 = 0``, and l6rbf2's 500 iterations (its loop is not shown).
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sklearn_lecture import FitDisplay, LossCurveDisplay, RBFRegressor
from sklearn_lecture.datasets import make_lecture_bumps
from sklearn_lecture.figures import l6rbf2_l6rbf3_figure
from sklearn_lecture.lecture import SETTINGS, l6rbf_estimator

FIGURES = Path(os.environ.get("SKLEARN_LECTURE_FIGURES") or Path(__file__).parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)

X, y = make_lecture_bumps()
n = len(y)
# ``l6rbf_estimator(example, c0, n_iter, n)`` is an RBFRegressor(n_centers=1, init=[[c0]])
# on the raw data (standardize=False) with the stand-ins b = 0.5 and a = 1e-3: the
# slides' J = sum e^2 is 2n times the estimators' J = 1/(2n) sum e^2, so the slides'
# step a is learning_rate = 2 n a. l6rbf1 fixes w = 1 and w0 = 0 (fit_weights=False,
# fit_intercept=False), l6rbf2 fits w from coef_init=[1.0] (fit_intercept=False),
# l6rbf3 also w0 from intercept_init=0.0; tol=0 and n_iter_no_change=n_iter run
# exactly n_iter updates, as the slide's ``for it in range(0, n_iter)``.
n_iter = {name: SETTINGS[name]["n_iter"].value for name in ("l6rbf1", "l6rbf2", "l6rbf3")}
models = {
    f"{name}, c0 = {c0:g}": l6rbf_estimator(name, c0, n_iter[name], n).fit(X, y)
    for name, c0 in [("l6rbf1", 0.0), ("l6rbf2", 0.0), ("l6rbf2", 1.0), ("l6rbf3", 1.0)]
}
for name, rbf in models.items():
    print(f"{name}: c = {rbf.centers_[0, 0]:.3f}, w = {rbf.coef_[0]:.3f}, "
          f"w0 = {rbf.intercept_:.3f}, the slide's J = {2 * n * rbf.loss_:.4f} "
          f"after {rbf.n_iter_} updates")

# %%
# The comparisons of the slides
# -----------------------------
# l6rbf1 vs l6rbf2 from c0 = 0 (left), l6rbf2 vs l6rbf3 from c0 = 1 (right), and the
# slides' J of all four; the command line (``python -m sklearn_lecture``) draws the same.
fig = l6rbf2_l6rbf3_figure(list(models.items()), X, y, fig=plt.figure())
fig.savefig(FIGURES / "l6rbf2_l6rbf3.png", dpi=150)

# %%
# From one unit to K units
# ------------------------
# One bump cannot follow both the peak and the dip. With K units,
# ``yhat = sum_k w_k phi_k(x) + w0``; the dashed lines (middle) are the units
# ``w_k phi_k(x)`` and the dotted line the bias w0, which add up to the red estimate.
fig, axes = plt.subplot_mosaic([["fit", "units"], ["J", "J"]], figsize=(10, 7),
                              layout="constrained")
rbf = RBFRegressor(n_centers=4, random_state=0).fit(X, y)  # it stops by tol, well before max_iter
print(f"K = 4 units: R^2 = {rbf.score(X, y):.4f} after {rbf.n_iter_} updates")
FitDisplay.from_estimator(rbf, X, y, ax=axes["fit"], units_ax=axes["units"])
LossCurveDisplay.from_estimator(rbf, ax=axes["J"])
axes["fit"].set_title("RBFRegressor(n_centers=4)")
axes["units"].set_title("its units w_k phi_k(x) and w0")
axes["J"].set_title("J per iteration")
fig.savefig(FIGURES / "rbf_units.png", dpi=150)
