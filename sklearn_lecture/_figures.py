"""The main job's figures of the lecture's replays and of the comparison."""

import numpy as np

from .lecture import SETTINGS, l3sig_final_costs
from .plotting import FitDisplay, plot_replays


def _figure(ncols, nrows=1, width=4.5, height=3.5):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    return fig, fig.subplots(nrows, ncols, squeeze=False)


def lecture_figures(results):
    """``{file name: figure}`` for the results of :func:`.lecture.replay_lecture`."""
    return {
        "l6rbf1.png": _l6rbf1_figure(results),
        "l6rbf2_l6rbf3.png": _l6rbf2_l6rbf3_figure(results),
        "l3sig.png": _l3sig_figure(results),
        "kernels.png": _kernels_figure(results),
    }


def _stand_ins():
    l6rbf = SETTINGS["l6rbf"]
    return (
        f"stand-ins, as the slides give none: the data, b = {l6rbf['b'].value:g}, "
        f"a = {l6rbf['a'].value:g} (learning_rate = 2 n a)"
    )


def _n_iter(name):
    return SETTINGS[name]["n_iter"].value


def _l6rbf1_figure(results):
    Xb, yb = results["bumps"]
    fig, ax = _figure(2)
    plot_replays(results["l6rbf1"], Xb, yb, ax_fit=ax[0, 0], ax_loss=ax[0, 1], cost="sum")
    ax[0, 0].set_title("l6rbf1: yhat = exp(-(x - c)^2 / b)")
    ax[0, 1].set_title(f"l6rbf1: J per iteration ({_n_iter('l6rbf1')}, as on the slide)")
    fig.suptitle(f"The slide's starts c0 = 0, 0.5, 1; {_stand_ins()}", fontsize="small")
    return fig


def _l6rbf2_l6rbf3_figure(results):
    Xb, yb = results["bumps"]
    fig, ax = _figure(2, 2)
    fits = results["l6rbf2_l6rbf3"]
    gs = ax[1, 0].get_subplotspec().get_gridspec()
    for empty in ax[1]:
        empty.remove()
    ax_loss = fig.add_subplot(gs[1, :])  # J of all four fits, under both fit panels
    for panel, pair in enumerate([fits[:2], fits[2:]]):
        plot_replays(
            pair,
            Xb,
            yb,
            ax_fit=ax[0, panel],
            ax_loss=ax_loss,
            cost="sum",
            first_color=2 * panel + 1,
        )
    ax[0, 0].set_title("c0 = 0: w helps (l6rbf1 vs l6rbf2)")
    ax[0, 1].set_title("c0 = 1: w0 helps (l6rbf2 vs l6rbf3)")
    ax_loss.set_title("J per iteration (ticks at the final values)")
    l6rbf3 = SETTINGS["l6rbf3"]
    fig.suptitle(
        f"The slides' starts c0 and loop lengths (l6rbf1 {_n_iter('l6rbf1')}, l6rbf3 "
        f"{_n_iter('l6rbf3')});\n{_stand_ins()}, w starts at {l6rbf3['w_start'].value:g}, "
        f"w0 at {l6rbf3['w0_start'].value:g}, l6rbf2 runs {_n_iter('l6rbf2')}",
        fontsize="small",
    )
    return fig


def _kernels_figure(results):
    """The three kernels of both models: the fits (two rows), RBFRegressor's units (third)."""
    from ._kernels import ACTIVATIONS, RADIAL_PROFILES

    Xb, yb = results["bumps"]
    fig, ax = _figure(3, 3, height=3.0)
    for row, key in enumerate(["kernels_mlp", "kernels_rbf"]):
        table = RADIAL_PROFILES if row else ACTIVATIONS
        for col, (kernel, est) in enumerate(results[key]):
            units_ax = ax[2, col] if row else None
            disp = FitDisplay.from_estimator(
                est, Xb, yb, ax=ax[row, col], units_ax=units_ax, data_kw={"markersize": 4}
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
    w0 = [line for axes in ax[2] for line in axes.lines if line.get_label() == "w0"]
    legend = {
        "data y": disp.data_,
        "fitted yhat": disp.line_,
        "unit w_k phi_k(x)": disp.unit_lines_[0],
        "bias w0": (w0 or [None])[0],
    }
    legend = {label: line for label, line in legend.items() if line is not None}
    fig.legend(legend.values(), legend.keys(), loc="outside lower center", ncols=4)
    fig.suptitle(
        "kernel is the activation Phi(a), a = [x 1] W1, in SigmoidMLPRegressor "
        "(top) and the radial profile Phi(u), u = ||x - c||^2 / b, in RBFRegressor "
        "(middle)",
        fontsize="small",
    )
    return fig


def _l3sig_figure(results):
    """l3sig, h = 20 and h = 200: the lecture's method (top), the defaults (bottom)."""
    Xs, ys = results["l3sig_data"]
    a = SETTINGS["l3sig"]["a"].value
    final = l3sig_final_costs(results)
    verdict = {m: "below" if f[200] < f[20] else "above" for m, f in final.items()}
    fig, ax = _figure(2, 2, width=5.4, height=3.6)
    plot_replays(results["l3sig"], Xs, ys, ax_fit=ax[0, 0], ax_loss=ax[0, 1], cost="half_sum")
    defaults = [
        (f"{label}, learning_rate_ {est.learning_rate_:.3g}", est)
        for label, est in results["l3sig_defaults"]
    ]
    plot_replays(defaults, Xs, ys, ax_fit=ax[1, 0], ax_loss=ax[1, 1])
    n_iter = results["l3sig"][0][1].n_iter_
    ax[0, 0].set_title(f"the lecture's method, {n_iter} updates")
    ax[0, 1].set_title(
        f"the same step a = {a:g} for both (learning_rate = n a):\n"
        f"h = 200 ends {verdict['lecture']} h = 20",
        fontsize="medium",
    )
    ax[1, 0].set_title(f"the defaults, {n_iter} updates")
    ax[1, 1].set_title(
        "standardised data, each h its own step (learning_rate='auto'):\n"
        f"h = 200 ends {verdict['defaults']} h = 20",
        fontsize="medium",
    )
    ax[1, 1].set_ylabel("J = 1/(2n) sum e^2 + (l2/2) ||W||^2\n(standardised y)")
    fig.suptitle(
        "l3sig, y = -0.1 (x - 2)^2. Top: the slide's data, h, iteration count and "
        "start W1 = randn(2, h), W2 = randn(h + 1, 1),\nwith the step "
        f"a = {a:g}, a stand-in (the slides give none). Bottom: the package's "
        "defaults",
        fontsize="medium",
    )
    return fig


def comparison_figure(scores, title, n_folds):
    """R^2 of every fold (dots) and mean +- std (diamond), one row per model."""
    ok = {name: s for name, s in scores.items() if "error" not in s}
    fig, ax = _figure(1, width=7.5)
    ax = ax[0, 0]
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
    return fig
