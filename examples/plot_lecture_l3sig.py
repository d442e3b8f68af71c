"""
===================================================
l3sig: a sigmoid network with h = 20 and h = 200
===================================================

The lecture's network ``Z = Phi([x 1] W1)``, ``Y = [Z 1] W2`` with the sigmoid
``Phi``, fitted to ``y = -0.1 (x - 2)^2`` on ``x = linspace(0, 10, 11)`` for the
slide's iterations ("J during 2000 iterations"; the output below says how many this
run took), then with the hidden space grown from
h = 20 to h = 200. The slide's claim: "hidden space increases estimation
performance". The output below says whether the lecture's method (the slide's random
start, the raw data and the same fixed step for both h) and the defaults show it, and
the last section says why they can differ.

From the slide: the data, ``W1 = randn(2, h)``, ``W2 = randn(h + 1, 1)``, h and
the 2000 iterations. A stand-in: the step ``a = 1e-3`` (the slides give none).
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sklearn_lecture import SigmoidMLPRegressor
from sklearn_lecture.datasets import make_l3sig
from sklearn_lecture.figures import l3sig_figure
from sklearn_lecture.lecture import SETTINGS, l3sig_estimator

FIGURES = Path(os.environ.get("SKLEARN_LECTURE_FIGURES") or Path(__file__).parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
QUICK = os.environ.get("SKLEARN_LECTURE_QUICK") == "1"
n_iter = 200 if QUICK else SETTINGS["l3sig"]["n_iter"].value  # the slide's 2000

X, y = make_l3sig()
n = len(y)  # n = 11

# %%
# The lecture's method
# --------------------
# The slide minimises ``J = 1/2 sum e^2`` with ``W <- W - a dJ/dW``; the estimator
# minimises ``J = 1/(2n) sum e^2``, whose gradient is n times smaller, so the
# slide's step a is ``learning_rate = n a`` (also
# ``sklearn_lecture.lecture.learning_rate_from_slide(a, n, "half_sum")``).
# ``standardize=False`` trains on the raw data as the slide does, and the slide's
# random start goes in through ``coefs_init`` and ``intercepts_init``: the first
# row of ``W1 = randn(2, h)`` multiplies x and its second row is the bias; the
# first h rows of ``W2 = randn(h + 1, 1)`` multiply Z and its last row is the bias.
# ``l3sig_estimator(h, n_iter, n, seed)`` builds that SigmoidMLPRegressor with
# ``hidden_layer_sizes=(h,), coefs_init=[W1[:1], W2[:h]], intercepts_init=[W1[1], W2[h]],
# learning_rate=n * a, standardize=False, max_iter=n_iter, tol=0, n_iter_no_change=n_iter``.


def lecture_l3sig(h, seed):
    return l3sig_estimator(h, n_iter, n, random_state=seed).fit(X, y)


lecture = {h: lecture_l3sig(h, seed=0) for h in (20, 200)}
for h, net in lecture.items():
    # loss_curve_ is J before each update; n times it is the slide's 1/2 sum e^2
    print(f"lecture's method, h = {h}: the slide's J = {n * net.loss_curve_[-1]:.4f} after "
          f"{net.n_iter_} updates, R^2 = {net.score(X, y):.4f}")

# %%
# Is it the seed?
# ---------------
# ``randn`` draws a different start every run; the claim must not depend on it.
seeds = range(2 if QUICK else 5)
wins = sum(lecture_l3sig(200, s).loss_curve_[-1] < lecture_l3sig(20, s).loss_curve_[-1]
           for s in seeds)
print(f"lecture's method: h = 200 ends below h = 20 for {wins} of {len(seeds)} seeds")

# %%
# The defaults do something else
# ------------------------------
# ``SigmoidMLPRegressor``'s defaults train on standardised x and y, start W2 at
# 0, and choose the step for each network: ``learning_rate="auto"`` starts from
# ``1 / lambda_max`` of the output layer's ``[Z 1]^T [Z 1] / n``, which grows
# with the number of hidden units. So h = 200 gets a much smaller step than
# h = 20, and in the same number of updates it may not get as far: a statement
# about the step size, not about the hidden space. ``learning_rate_`` is the last
# alpha used.
defaults = {h: SigmoidMLPRegressor(hidden_layer_sizes=(h,), max_iter=n_iter, tol=0,
                                   n_iter_no_change=n_iter, random_state=0).fit(X, y)
            for h in (20, 200)}
for h, net in defaults.items():
    print(f"defaults, h = {h}: J = {net.loss_:.2e} (standardised y), "
          f"learning_rate_ = {net.learning_rate_:.3g}, R^2 = {net.score(X, y):.4f}")
for method, nets in [("the lecture's method", lecture), ("the defaults", defaults)]:
    verdict = "below" if nets[200].loss_curve_[-1] < nets[20].loss_curve_[-1] else "above"
    print(f"{method}: after {nets[200].n_iter_} updates, h = 200 ends {verdict} h = 20")

# %%
# The figure
# ----------
# The lecture's method (top) and the defaults (bottom): the fits and J per iteration.
# The command line (``python -m sklearn_lecture``) draws the same figure.
fig = l3sig_figure([(f"h = {h}", net) for h, net in lecture.items()],
                   [(f"h = {h}", net) for h, net in defaults.items()], X, y, fig=plt.figure())
fig.savefig(FIGURES / "l3sig.png", dpi=150)
