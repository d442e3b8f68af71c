"""
=========================================================
Three regions, without anyone choosing them: ReLU units
=========================================================

The lecture opens with a question: data that needs three straight lines,
``R = R1 + R2 + R3``, "but who determines three or more regions? Three regions
are correct?" A linear regression per region needs someone to choose the
breakpoints. A network with ReLU units, ``Phi(a) = max(0, a)``, is itself a
piecewise-linear function whose kinks sit at ``x = -b_k / w_k`` for each hidden
unit k: training moves the kinks to where the data bend.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression

from sklearn_lecture import FitDisplay, SigmoidMLPRegressor
from sklearn_lecture.datasets import make_three_regions

FIGURES = Path(os.environ.get("SKLEARN_LECTURE_FIGURES") or Path(__file__).parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)

X, y = make_three_regions(breakpoints=(3.0, 7.0))

# %%
# A few ReLU units
# ----------------
# Six hidden units, gradient descent with the lecture's fixed step
# (``learning_rate=0.2`` on the standardised data) for 2000 updates. The
# breakpoints 3 and 7 are never given to the model.
n_updates = 2000  # tol=0 and n_iter_no_change=n_updates: exactly n_updates updates
net = SigmoidMLPRegressor(hidden_layer_sizes=(6,), kernel="relu", learning_rate=0.2,
                          max_iter=n_updates, tol=0, n_iter_no_change=n_updates,
                          random_state=0).fit(X, y)
line = LinearRegression().fit(X, y)
print(f"ReLU network R^2 = {net.score(X, y):.4f}; one straight line R^2 = {line.score(X, y):.4f}")

# %%
# Where did the units put their kinks?
# ------------------------------------
# Unit k is ``W2_k max(0, W1_k x + b_k)``: its kink is at ``x = -b_k / W1_k`` and
# the slope of the fit changes there by ``W2_k |W1_k|``. Units whose kinks
# coincide act as one; a pair whose slope changes cancel leaves no visible kink.
W1, b1, W2 = net.coefs_[0][0], net.intercepts_[0], net.coefs_[1][:, 0]
with np.errstate(divide="ignore"):
    kinks = -b1 / W1
slope_change = W2 * np.abs(W1)
for k in np.argsort(kinks):
    where = "inside" if X.min() < kinks[k] < X.max() else "outside"
    print(f"unit {k}: kink at x = {kinks[k]:7.2f} ({where} the data), "
          f"slope change {slope_change[k]:+.2f}")

# %%
# The fit and its slope
# ---------------------
# Between two neighbouring kinks the fit is a straight line. Its slope there,
# measured on the fitted curve:
inside = np.sort(kinks[(kinks > X.min()) & (kinks < X.max())])
edges = np.concatenate([[X.min()], inside, [X.max()]])
for lo, hi in zip(edges[:-1], edges[1:]):
    ends = np.array([[lo], [hi]])
    slope = np.diff(net.predict(ends))[0] / (hi - lo) if hi > lo else np.nan
    print(f"x from {lo:5.2f} to {hi:5.2f} ({hi - lo:4.2f} wide): slope {slope:+.2f}")

# %%
# The data's slopes are +1, -1, +1. The segments wider than 1 in x carry the fit
# (printed below); six units are more than three regions need, and the spare ones
# put their kinks near the breakpoints 3 and 7, where they shape the bends.
long = [(lo, hi) for lo, hi in zip(edges[:-1], edges[1:]) if hi - lo > 1]
print("long segments: " + ", ".join(
    f"{lo:.2f} to {hi:.2f} (slope {np.diff(net.predict([[lo], [hi]]))[0] / (hi - lo):+.2f})"
    for lo, hi in long))
near = [f"{x:.2f}" for x in inside if min(abs(x - 3), abs(x - 7)) < 0.5]
print(f"kinks within 0.5 of a breakpoint: {', '.join(near)}")
fig, (ax_fit, ax_slope) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
FitDisplay.from_estimator(net, X, y, ax=ax_fit, name="ReLU network, h = 6",
                          data_kw={"markersize": 3})
FitDisplay.from_estimator(line, X, ax=ax_fit, name="LinearRegression", show_data=False,
                          line_kw={"color": "tab:gray", "linestyle": "--"})
grid = np.linspace(X.min(), X.max(), 400).reshape(-1, 1)
ax_slope.plot(grid[:-1, 0], np.diff(net.predict(grid)) / np.diff(grid[:, 0]), color="tab:red")
for k in range(len(kinks)):
    if X.min() < kinks[k] < X.max():
        ax_fit.axvline(kinks[k], color="tab:green", alpha=0.4,
                       linewidth=1 + 2 * min(abs(slope_change[k]), 2))
        ax_slope.axvline(kinks[k], color="tab:green", alpha=0.4)
ax_slope.set_xlabel("x")
ax_slope.set_ylabel("slope of the fit, d yhat / dx")
ax_fit.set_title("three regions, found by the units (green: kinks)")
fig.savefig(FIGURES / "three_regions.png", dpi=150)
