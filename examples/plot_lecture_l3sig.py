"""
===================================================
l3sig: a sigmoid network with h = 20 and h = 200
===================================================

The lecture's network ``Z = Phi([x 1] W1)``, ``Y = [Z 1] W2`` with the sigmoid
``Phi``, fitted to ``y = -0.1 (x - 2)^2`` on ``x = linspace(0, 10, 11)`` for 2000
iterations ("J during 2000 iterations"), then with the hidden space grown from
h = 20 to h = 200 ("hidden layer increases the DOF of estimation results").
"""

# %%
import os
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from sklearn_lecture import FitDisplay, LossCurveDisplay, SigmoidMLPRegressor
from sklearn_lecture.datasets import make_l3sig

FIGURES = Path(os.environ.get("SKLEARN_LECTURE_FIGURES") or Path(__file__).parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
QUICK = os.environ.get("SKLEARN_LECTURE_QUICK") == "1"
warnings.simplefilter("ignore", ConvergenceWarning)  # 2000 updates, as on the slide
n_iter = 200 if QUICK else 2000

X, y = make_l3sig()

# %%
# h = 20 and h = 200
# ------------------
# ``tol=0`` runs all 2000 updates, as the lecture's loop does. With the default
# ``standardize=True`` the network trains on standardised x and y and folds the
# scaling back into W1 and W2; ``learning_rate="auto"`` picks alpha.
fig, (ax_fit, ax_loss) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for i, h in enumerate([20, 200]):
    net = SigmoidMLPRegressor(hidden_layer_sizes=(h,), max_iter=n_iter, tol=0,
                              random_state=0).fit(X, y)
    W1 = [net.coefs_[0], net.intercepts_[0]]  # the lecture's W1 is their vstack
    print(f"h = {h}: W1 is {W1[0].shape[0] + 1} x {W1[0].shape[1]}, "
          f"R^2 = {net.score(X, y):.4f}, J = {net.loss_:.2e}")
    FitDisplay.from_estimator(net, X, y, ax=ax_fit, name=f"h = {h}", show_data=i == 0,
                              line_kw={"color": f"C{i + 1}"})
    LossCurveDisplay.from_estimator(net, ax=ax_loss, name=f"h = {h}", color=f"C{i + 1}")
ax_fit.set_title("y = -0.1 (x - 2)^2")
ax_loss.set_title("J during the iterations")
fig.savefig(FIGURES / "l3sig.png", dpi=80)

# %%
# The slide's raw update
# ----------------------
# ``standardize=False`` with a fixed ``learning_rate`` is the lecture's loop on
# the raw data, ``W <- W - alpha dJ/dW``. It works too, but with y between -6.4
# and 0 and x up to 10 it needs a small alpha and many more updates.
raw = SigmoidMLPRegressor(hidden_layer_sizes=(20,), standardize=False, learning_rate=0.01,
                          max_iter=n_iter, tol=0, random_state=0).fit(X, y)
print(f"raw data, alpha = 0.01: R^2 = {raw.score(X, y):.4f} after {raw.n_iter_} updates")
