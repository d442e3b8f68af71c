"""The slides' examples: their settings, their estimators and their replay.

The slides' J is ``sum e^2`` (l6rbf1-3) or ``1/2 sum e^2`` (l3sig), the estimators'
``1/(2n) sum e^2``: the slide's step a is ``learning_rate = 2 n a`` or ``n a``.
"""

import warnings
from functools import partial
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._mlp import SigmoidMLPRegressor
from ._rbf import RBFRegressor
from .datasets import make_l3sig, make_lecture_bumps

__all__ = [
    "SETTINGS",
    "Setting",
    "l3sig_estimator",
    "l6rbf_estimator",
    "learning_rate_from_slide",
    "l3sig_final_costs",
    "replay_lecture",
    "slide_cost",
]

# J_slide = _J_FACTOR[cost] * n * J_package, and a = learning_rate / (_J_FACTOR[cost] * n)
_J_FACTOR = {"sum": 2.0, "half_sum": 1.0}


def _factor(cost, n_samples):
    if cost not in _J_FACTOR:
        raise ValueError(f"cost must be 'sum' (l6rbf) or 'half_sum' (l3sig); got {cost!r}.")
    return _J_FACTOR[cost] * n_samples


def learning_rate_from_slide(a, n_samples, cost):
    """The ``learning_rate`` (``2 n a`` or ``n a``) that takes the slide's step ``a``.

    Parameters
    ----------
    a : float
        The slide's step in ``W <- W - a dJ/dW``.
    n_samples : int
        n, the number of rows.
    cost : {"sum", "half_sum"}
        The slide's J: ``sum e^2`` (l6rbf1-3) or ``1/2 sum e^2`` (l3sig).
    """
    return _factor(cost, n_samples) * a


def slide_cost(loss_curve, n_samples, cost):
    """The slide's J, ``2 n J`` or ``n J``, from the estimators' J (e.g. ``loss_curve_``).

    Parameters
    ----------
    loss_curve : float or array-like
        The estimators' ``J = 1/(2n) sum e^2``, in the units of y (``standardize=False``).
    n_samples, cost
        As in :func:`learning_rate_from_slide`.
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
            "make_lecture_bumps(): 60 points on [0, 5]", "stand-in", "the slides show only a plot"
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
            "W1 = randn(2, h), W2 = randn(h + 1, 1)", "slide", "a stand-in draw: RandomState(seed)"
        ),
        "a": Setting(1e-3, "stand-in", "the slides give no a; learning_rate = n a for both h"),
        "n_iter": Setting(2000, "slide", "J during 2000 iterations"),
    },
}


KERNELS = ("sigmoid", "rbf", "relu")
# The models fitted with each kernel on the bumps data (keys of replay_lecture's results)
KERNEL_MODELS = {"kernels_mlp": "SigmoidMLPRegressor(h=20)", "kernels_rbf": "RBFRegressor(K=4)"}


def _exactly(n_iter):
    """Stop after exactly ``n_iter`` updates, as the slides' loops do."""
    return dict(max_iter=n_iter, tol=0.0, n_iter_no_change=n_iter)


def l6rbf_estimator(example, c0, n_iter, n_samples):
    """The slide l6rbf1, l6rbf2 or l6rbf3 from ``c0``: an unfitted one-unit RBFRegressor."""
    l6rbf, start = SETTINGS["l6rbf"], SETTINGS[example]
    if example == "l6rbf1":  # yhat = phi(x): w = 1 and w0 = 0 stay fixed
        flags = dict(fit_weights=False, fit_intercept=False)
    elif example == "l6rbf2":  # yhat = w phi(x)
        flags = dict(fit_intercept=False, coef_init=[start["w_start"].value])
    else:  # l6rbf3: yhat = w phi(x) + w0
        flags = dict(coef_init=[start["w_start"].value], intercept_init=start["w0_start"].value)
    return RBFRegressor(
        n_centers=1,
        init=[[c0]],
        width=l6rbf["b"].value,
        learning_rate=learning_rate_from_slide(l6rbf["a"].value, n_samples, "sum"),
        standardize=False,
        **_exactly(n_iter),
        **flags,
    )


def l3sig_estimator(h, n_iter, n_samples, random_state):
    """The slide l3sig (``W1 = randn(2, h)``, the step a): an unfitted SigmoidMLPRegressor."""
    rng = np.random.RandomState(random_state)
    W1, W2 = rng.randn(2, h), rng.randn(h + 1, 1)  # W1=randn(2,h); W2=randn(h+1,1)
    a = SETTINGS["l3sig"]["a"].value
    return SigmoidMLPRegressor(
        hidden_layer_sizes=(h,),
        coefs_init=[W1[:1], W2[:h]],  # W1's first row multiplies x, W2's first h rows Z
        intercepts_init=[W1[1], W2[h]],  # the rows that multiply the column of ones
        learning_rate=learning_rate_from_slide(a, n_samples, "half_sum"),
        standardize=False,
        **_exactly(n_iter),
    )


def _fit(estimator, X, y):
    """Fit; a ConvergenceWarning is expected, as the slides' loops run a fixed count."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def replay_lecture(quick=False, random_state=0, progress=None):
    """Fit every example of the lecture.

    Parameters
    ----------
    quick : bool, default=False
        300 updates instead of 2000 for l3sig and the kernels.
    random_state : int, default=0
        Seed of l3sig's start and of the other networks' initial weights.
    progress : callable, default=None
        Called with a one-line message before each step (e.g. ``print``).

    Returns
    -------
    results : dict
        ``"bumps"``, ``"l3sig_data"``: ``(X, y)``; the others: ``[(label, fitted estimator)]``.
    """
    progress = progress or (lambda message: None)
    (Xb, yb), (Xs, ys) = make_lecture_bumps(), make_l3sig()
    out = {"bumps": (Xb, yb), "l3sig_data": (Xs, ys)}
    n_iter = {name: SETTINGS[name]["n_iter"].value for name in ("l6rbf1", "l6rbf2", "l6rbf3")}

    def l6rbf(label, name, c0):
        return label, _fit(l6rbf_estimator(name, c0, n_iter[name], len(yb)), Xb, yb)

    progress(f"l6rbf1: yhat = exp(-(x - c)^2 / b) from c = 0, 0.5, 1 ({n_iter['l6rbf1']} updates)")
    out["l6rbf1"] = [l6rbf(f"c0 = {c0:g}", "l6rbf1", c0) for c0 in SETTINGS["l6rbf1"]["c0"].value]
    progress(f"l6rbf2, l6rbf3 ({n_iter['l6rbf2']}, {n_iter['l6rbf3']} updates): adding w, then w0")
    starts = [("l6rbf1", 0.0), ("l6rbf2", 0.0), ("l6rbf2", 1.0), ("l6rbf3", 1.0)]
    out["l6rbf2_l6rbf3"] = [l6rbf(f"{name}, c0 = {c0:g}", name, c0) for name, c0 in starts]
    n_l3sig = 300 if quick else SETTINGS["l3sig"]["n_iter"].value
    progress(f"l3sig: h = 20 and 200 ({n_l3sig} updates), the lecture's method and the defaults")
    hs = SETTINGS["l3sig"]["h"].value
    lecture = [l3sig_estimator(h, n_l3sig, len(ys), random_state) for h in hs]
    defaults = [
        SigmoidMLPRegressor((h,), random_state=random_state, **_exactly(n_l3sig)) for h in hs
    ]
    for key, models in [("l3sig", lecture), ("l3sig_defaults", defaults)]:
        out[key] = [(f"h = {h}", _fit(model, Xs, ys)) for h, model in zip(hs, models)]
    common = dict(max_iter=300 if quick else 2000, random_state=random_state)
    models = [SigmoidMLPRegressor, partial(RBFRegressor, n_centers=4)]  # as KERNEL_MODELS says
    for (key, text), model in zip(KERNEL_MODELS.items(), models):
        progress(f"the three kernels side by side: {text} on the bumps data")
        out[key] = [(k, _fit(model(kernel=k, **common), Xb, yb)) for k in KERNELS]
    return out


def l3sig_final_costs(results):
    """l3sig's last J, ``{"lecture": {h: J}, "defaults": {h: J}}`` (the slide's J for "lecture")."""
    n_samples = len(results["l3sig_data"][1])
    return {
        method: {int(label.split()[-1]): scale(est.loss_curve_[-1]) for label, est in results[key]}
        for method, key, scale in [
            ("lecture", "l3sig", lambda J: float(slide_cost(J, n_samples, "half_sum"))),
            ("defaults", "l3sig_defaults", lambda J: J),
        ]
    }


def print_lecture_summary(results):
    """Print the settings and what every replay of ``results`` ended with, then a blank line."""
    print("Settings of the slides' examples (stand-in: the slides give none, the package chose):")
    for example, settings in SETTINGS.items():
        for name, s in settings.items():
            print(f"  {example:<7} {name:<9} {s.value!s:<44} {s.source:<9} {s.note}")
    print("\nThe slides' loops (J: the slides' sum e^2 or 1/2 sum e^2, 2n or n times loss_):")
    nb = len(results["bumps"][1])
    fits = [("l6rbf1", c0, est) for c0, est in results["l6rbf1"]]
    fits += [(*label.split(", "), est) for label, est in results["l6rbf2_l6rbf3"][1:]]
    for name, start, est in fits:
        J = float(slide_cost(est.loss_, nb, "sum"))
        weights = f", w = {est.coef_[0]:.3f}, w0 = {est.intercept_:+.3f} "
        weights = " " * 24 if name == "l6rbf1" else weights  # l6rbf1: w and w0 fixed
        print(
            f"  {name}  {start:<16} -> c = {est.centers_[0, 0]:.3f}{weights}"
            f" J = {J:.4f} after {est.n_iter_} updates"
        )
    Xs, ys = results["l3sig_data"]
    for (label, est), (_, dflt) in zip(results["l3sig"], results["l3sig_defaults"]):
        J = float(slide_cost(est.loss_, len(ys), "half_sum"))
        print(
            f"  l3sig   {label:<16} -> the lecture's method: R^2 = {est.score(Xs, ys):.4f}, "
            f"J = {J:.4f} after {est.n_iter_} updates (alpha = n a = {est.learning_rate_:.3g})"
        )
        print(
            f"  l3sig   {label:<16} -> the defaults:         R^2 = {dflt.score(Xs, ys):.4f}, "
            f"J = {dflt.loss_:.2e} (standardised y) after {dflt.n_iter_} updates "
            f"(learning_rate_ = {dflt.learning_rate_:.3g})"
        )
    final = l3sig_final_costs(results)
    for method, text in [
        ("lecture", "the lecture's method (the same a for both)"),
        ("defaults", "the defaults (each h its own automatic step)"),
    ]:
        verdict = "below" if final[method][200] < final[method][20] else "above"
        print(f"  l3sig: with {text}, h = 200 ends {verdict} h = 20")
    Xb, yb = results["bumps"]
    for key, title in KERNEL_MODELS.items():
        scores = ", ".join(f"{k} {est.score(Xb, yb):.4f}" for k, est in results[key])
        print(f"  kernels {title}: R^2 {scores}")
    print()
