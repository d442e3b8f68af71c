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
QUICK = os.environ.get("SKLEARN_LECTURE_QUICK") == "1"
warnings.simplefilter("ignore", ConvergenceWarning)  # fixed-length loops, as on the slides

X, y = make_lecture_bumps()
n = len(y)
b, a = 0.5, 1e-3  # stand-ins: the slides give no b and no a
# The slides' J = sum e^2 is 2n times the estimators' J = 1/(2n) sum e^2, so the
# slides' step a is learning_rate = 2 n a (lecture.learning_rate_from_slide).
lecture = dict(n_centers=1, width=b, learning_rate=2 * n * a, tol=0, standardize=False)


def steps(k):
    """Exactly k updates, as the slide's ``for it in range(0, k)``."""
    return dict(max_iter=k, n_iter_no_change=k)


models = {
    # yhat = phi(x): c only (w = 1 and w0 = 0 stay fixed), 100 iterations as on the slide
    "l6rbf1, c0 = 0": RBFRegressor(init=[[0.0]], fit_weights=False, fit_intercept=False,
                                   **lecture, **steps(100)),
    # yhat = w phi(x): c and w from w = 1 (a stand-in start), 500 iterations (a stand-in)
    "l6rbf2, c0 = 0": RBFRegressor(init=[[0.0]], coef_init=[1.0], fit_intercept=False,
                                   **lecture, **steps(500)),
    "l6rbf2, c0 = 1": RBFRegressor(init=[[1.0]], coef_init=[1.0], fit_intercept=False,
                                   **lecture, **steps(500)),
    # yhat = w phi(x) + w0: from w = 1, w0 = 0 (stand-ins), 500 iterations as on the slide
    "l6rbf3, c0 = 1": RBFRegressor(init=[[1.0]], coef_init=[1.0], intercept_init=0.0,
                                   **lecture, **steps(500)),
}
for name, rbf in models.items():
    rbf.fit(X, y)
    print(f"{name}: c = {rbf.centers_[0, 0]:.3f}, w = {rbf.coef_[0]:.3f}, "
          f"w0 = {rbf.intercept_:.3f}, the slide's J = {2 * n * rbf.loss_:.4f} "
          f"after {rbf.n_iter_} updates")

# %%
# The comparisons of the slides
# -----------------------------
fig, axes = plt.subplots(1, 3, figsize=(15, 4), layout="constrained")
names = list(models)
for panel, pair in enumerate([names[:2], names[2:]]):
    for i, name in enumerate(pair):
        FitDisplay.from_estimator(models[name], X, y, ax=axes[panel], name=name,
                                  show_data=i == 0, show_units=False,
                                  line_kw={"color": f"C{2 * panel + i + 1}"})
for i, name in enumerate(names):
    J = 2 * n * np.array(models[name].loss_curve_)  # the slide's J = sum e^2
    LossCurveDisplay(loss_curve=J).plot(ax=axes[2], name=name, color=f"C{i + 1}")
axes[0].set_title("c0 = 0: adding w")
axes[1].set_title("c0 = 1: adding w0")
axes[2].set_title("J per iteration")
axes[2].set_ylabel("the slide's J = sum e^2 (units of y)")
fig.savefig(FIGURES / "l6rbf2_l6rbf3.png", dpi=150)

# %%
# From one unit to K units
# ------------------------
# One bump cannot follow both the peak and the dip. With K units,
# ``yhat = sum_k w_k phi_k(x) + w0``; the dashed lines (middle) are the units
# ``w_k phi_k(x)`` and the dotted line the bias w0, which add up to the red estimate.
fig, axes = plt.subplots(1, 3, figsize=(13.5, 3.8), layout="constrained")
rbf = RBFRegressor(n_centers=4, max_iter=200 if QUICK else 2000, random_state=0).fit(X, y)
print(f"K = 4 units: R^2 = {rbf.score(X, y):.4f}")
FitDisplay.from_estimator(rbf, X, y, ax=axes[0], units_ax=axes[1])
LossCurveDisplay.from_estimator(rbf, ax=axes[2])
axes[0].set_title("RBFRegressor(n_centers=4)")
axes[1].set_title("its units w_k phi_k(x) and w0")
axes[2].set_title("J per iteration")
fig.savefig(FIGURES / "rbf_units.png", dpi=150)
