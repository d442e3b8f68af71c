"""The lecture's figures, on ``fig`` (None: a new Figure), for the command line and the examples.

``fits`` are lists of ``(label, fitted estimator)``."""

import numpy as np

from ._kernels import ACTIVATIONS, RADIAL_PROFILES
from .lecture import SETTINGS
from .plotting import FitDisplay, plot_replays

__all__ = [
    "comparison_figure",
    "kernels_figure",
    "l3sig_figure",
    "l6rbf1_figure",
    "l6rbf2_l6rbf3_figure",
    "lecture_figures",
]


def lecture_figures(results):
    """``{file name: figure}`` for the results of :func:`.lecture.replay_lecture`."""
    bumps, l3sig = results["bumps"], results["l3sig_data"]
    return {
        "l6rbf1.png": l6rbf1_figure(results["l6rbf1"], *bumps),
        "l6rbf2_l6rbf3.png": l6rbf2_l6rbf3_figure(results["l6rbf2_l6rbf3"], *bumps),
        "l3sig.png": l3sig_figure(results["l3sig"], results["l3sig_defaults"], *l3sig),
        "kernels.png": kernels_figure(results["kernels_mlp"], results["kernels_rbf"], *bumps),
    }


def _figure(fig, width, height):
    """``fig``, or a new Figure, at this size and with constrained layout."""
    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure()
    fig.set_size_inches(width, height)
    fig.set_layout_engine("constrained")
    return fig


_STAND_INS = (  # under both l6rbf figures
    f"stand-ins, as the slides give none: the data, b = {SETTINGS['l6rbf']['b'].value:g}, "
    f"a = {SETTINGS['l6rbf']['a'].value:g} (learning_rate = 2 n a)"
)


def _n_iter(name):
    return SETTINGS[name]["n_iter"].value


def l6rbf1_figure(fits, X, y, fig=None):
    """l6rbf1 from each start c0: the fits and the slide's J."""
    fig = _figure(fig, 9, 3.5)
    ax_fit, ax_loss = fig.subplots(1, 2)
    plot_replays(fits, X, y, ax_fit=ax_fit, ax_loss=ax_loss, cost="sum")
    ax_fit.set_title("l6rbf1: yhat = exp(-(x - c)^2 / b)")
    ax_loss.set_title(f"l6rbf1: J per iteration ({_n_iter('l6rbf1')}, as on the slide)")
    fig.suptitle(f"The slide's starts c0 = 0, 0.5, 1; {_STAND_INS}", fontsize="small")
    return fig


def l6rbf2_l6rbf3_figure(fits, X, y, fig=None):
    """l6rbf1 vs l6rbf2 from c0 = 0 (``fits[:2]``), l6rbf2 vs l6rbf3 from c0 = 1 (``fits[2:]``)."""
    fig = _figure(fig, 9, 7)
    ax = fig.subplot_mosaic([["w", "w0"], ["J", "J"]])  # J of all four, under both fits
    for i, panel in enumerate(["w", "w0"]):
        kw = dict(ax_fit=ax[panel], ax_loss=ax["J"], cost="sum", first_color=2 * i + 1)
        plot_replays(fits[2 * i : 2 * i + 2], X, y, **kw)
    ax["w"].set_title("c0 = 0: w helps (l6rbf1 vs l6rbf2)")
    ax["w0"].set_title("c0 = 1: w0 helps (l6rbf2 vs l6rbf3)")
    ax["J"].set_title("J per iteration (ticks at the final values)")
    fig.suptitle(
        f"The slides' starts c0 and loop lengths (l6rbf1 {_n_iter('l6rbf1')}, l6rbf3 "
        f"{_n_iter('l6rbf3')});\n{_STAND_INS}, w starts at "
        f"{SETTINGS['l6rbf3']['w_start'].value:g}, w0 at "
        f"{SETTINGS['l6rbf3']['w0_start'].value:g}, l6rbf2 runs {_n_iter('l6rbf2')}",
        fontsize="small",
    )
    return fig


def l3sig_figure(lecture, defaults, X, y, fig=None):
    """l3sig with h = 20 and 200 (in this order): the lecture's method (top), the defaults."""
    a = SETTINGS["l3sig"]["a"].value
    fig = _figure(fig, 10.8, 7.2)
    ax = fig.subplots(2, 2)
    n_iter = lecture[0][1].n_iter_
    labelled = [
        (f"{label}, learning_rate_ {est.learning_rate_:.3g}", est) for label, est in defaults
    ]
    steps = [
        f"the same step a = {a:g} for both (learning_rate = n a)",
        "standardised data, each h its own step (learning_rate='auto')",
    ]
    for row, (fits, cost) in enumerate([(lecture, "half_sum"), (labelled, None)]):
        plot_replays(fits, X, y, ax_fit=ax[row, 0], ax_loss=ax[row, 1], cost=cost)
        end = "below" if fits[1][1].loss_curve_[-1] < fits[0][1].loss_curve_[-1] else "above"
        ax[row, 1].set_title(f"{steps[row]}:\nh = 200 ends {end} h = 20", fontsize="medium")
    ax[0, 0].set_title(f"the lecture's method, {n_iter} updates")
    ax[1, 0].set_title(f"the defaults, {n_iter} updates")
    ax[1, 1].set_ylabel("J = 1/(2n) sum e^2 + (l2/2) ||W||^2\n(standardised y)")
    fig.suptitle(
        "l3sig, y = -0.1 (x - 2)^2. Top: the slide's data, h, iteration count and "
        "start W1 = randn(2, h), W2 = randn(h + 1, 1),\nwith the step "
        f"a = {a:g}, a stand-in (the slides give none). Bottom: the package's defaults",
        fontsize="medium",
    )
    return fig


def kernels_figure(mlp_fits, rbf_fits, X, y, fig=None):
    """``(kernel, fitted model)`` of both models: the fits (two rows), the RBF units (third)."""
    fig = _figure(fig, 13.5, 9)
    ax = fig.subplots(3, 3)
    for row, (fits, table) in enumerate([(mlp_fits, ACTIVATIONS), (rbf_fits, RADIAL_PROFILES)]):
        for col, (kernel, est) in enumerate(fits):
            units_ax = ax[2, col] if row else None
            disp = FitDisplay.from_estimator(
                est, X, y, ax=ax[row, col], units_ax=units_ax, data_kw={"markersize": 4}
            )
            ax[row, col].set_title(
                f"{type(est).__name__}(kernel={kernel!r})\nPhi = {table[kernel].formula}",
                fontsize="medium",
            )
            for axes in {disp.ax_, disp.units_ax_}:
                axes.get_legend().remove()
            if row:
                units_ax.set_title(
                    f"its {len(disp.unit_lines_)} units: their sum + w0 is the fit above"
                )
    w0 = [line for axes in ax[2] for line in axes.lines if line.get_label() == "w0"][:1]
    labels = ["data y", "fitted yhat", "unit w_k phi_k(x)", "bias w0"][: 3 + len(w0)]
    handles = [disp.data_, disp.line_, disp.unit_lines_[0], *w0]
    fig.legend(handles, labels, loc="outside lower center", ncols=4)
    fig.suptitle(
        "kernel is the activation Phi(a), a = [x 1] W1, in SigmoidMLPRegressor (top) and the "
        "radial profile Phi(u), u = ||x - c||^2 / b, in RBFRegressor (middle)",
        fontsize="small",
    )
    return fig


def comparison_figure(scores, title, n_folds):
    """R^2 of every fold (dots) and mean +- std (diamond), one row per model."""
    ok = {name: s for name, s in scores.items() if "error" not in s}
    ax = _figure(None, 7.5, 3.5).subplots()
    for i, s in enumerate(ok.values()):
        ax.plot(s["r2"], np.full(len(s["r2"]), i), "o", color="tab:gray", alpha=0.6)
        ax.errorbar(s["r2"].mean(), i, xerr=s["r2"].std(), fmt="D", color="tab:red", capsize=4)
    ax.set_yticks(range(len(ok)), list(ok))
    ax.invert_yaxis()
    ax.set_xlabel(
        f"R^2 on the held-out folds ({n_folds}-fold CV)\n"
        "dots: each fold; diamond and bar: mean +- std"
    )
    ax.set_title(title, fontsize="medium")
    return ax.figure
