"""The main job, ``python -m sklearn_lecture`` (console script ``sklearn-lecture``).

Without arguments it replays the lecture's examples with the lecture's method
(l6rbf1 from three initial guesses, l6rbf2, l6rbf3, l3sig with h = 20 and
h = 200; the settings the slides leave out are stand-ins, printed as such), shows
the three kernels side by side, writes their figures, and runs a cross-validated
comparison with LinearRegression and scikit-learn's MLPRegressor on the
diabetes data that ship with scikit-learn.  ``--data FILE.csv --target COLUMN``
runs the same comparison on the user's data.
"""

import argparse
import os
import sys
import time
import warnings

from ._csv import UsageError, read_csv  # numpy, scikit-learn and the models: imported on use

PROG = "sklearn-lecture"
DEFAULT_OUT = "sklearn_lecture_output"

__all__ = ["UsageError", "build_parser", "main", "read_csv"]


DESCRIPTION = (
    "Lecture 3 on neural networks, run end to end. Without --data: replay the lecture's "
    "examples with the lecture's method (l6rbf1 from c = 0, 0.5 and 1; l6rbf2; l6rbf3; l3sig "
    "with h = 20 and h = 200, also with the defaults), print which settings are the slides' "
    "and which are stand-ins, show the sigmoid, RBF and ReLU kernels side by side, write their "
    "figures (data with the fitted curve; J per iteration) to --out, and print a "
    "cross-validated comparison on scikit-learn's diabetes data: RBFRegressor and "
    "SigmoidMLPRegressor (each after StandardScaler) against LinearRegression, with "
    "scikit-learn's MLPRegressor as a reference. With --data: run the same comparison on "
    "your CSV file."
)
EPILOG = (
    "The table gives the mean +- standard deviation of R^2 over the held-out folds and the "
    "mean fit time per fold. Progress goes to stderr, results to stdout. The CSV may be "
    "separated by commas, semicolons or tabs. Bad input (missing file or column, non-numeric "
    "column, empty file) ends with a one-line message and exit code 2; a closed output pipe "
    "(| head) ends quietly with exit code 141."
)


HELP = {
    "data": "a CSV file with a header row and numeric columns; run the comparison on it "
    "instead of the lecture's examples and the diabetes data",
    "target": "the column of --data to predict (default: the last column not in --drop); "
    "every other column is a feature, unless --features or --drop says otherwise",
    "features": "the columns of --data to use as features, separated by commas (default: "
    "every column but the target)",
    "drop": "columns of --data to leave out, separated by commas, e.g. a text column "
    "(--drop Species); --drop '' drops unnamed columns such as row names",
    "out": f"folder for the PNG figures, created if needed (default: ./{DEFAULT_OUT})",
    "cv": "number of cross-validation folds, at least 2 (default: 5; 3 with --quick)",
    "quick": "a fast smoke run: fewer iterations and 3 folds (the numbers are rougher)",
    "no_figures": "do not write figures (matplotlib is then not needed)",
    "random_state": "seed for the initial weights, the folds and the early-stopping split, "
    "0 to 2**32 - 1 (default: 0)",
    "quiet": "do not print progress to stderr",
    "solver": "the solver of RBFRegressor and SigmoidMLPRegressor in the comparison: gd "
    "(gradient descent, the lecture's method; the default) or lbfgs (often further in less "
    "time on thousands of rows)",
    "max_iter": "iterations of each network in the comparison (default: 2000; 200 with "
    "--quick); raise it when the table notes that max_iter was reached",
    "tol": "stop a network when J improves by less than this (default: each estimator's)",
    "l2": "the weight penalty of RBFRegressor and SigmoidMLPRegressor (default: 'auto')",
}


def build_parser():
    """The command line's options; ``--help`` shows them."""
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG)
    add = parser.add_argument
    add("--data", metavar="FILE.csv", help=HELP["data"])
    add("--target", metavar="COLUMN", help=HELP["target"])
    columns = parser.add_mutually_exclusive_group()
    for name in ("features", "drop"):
        columns.add_argument(f"--{name}", metavar="COL,COL,...", type=_column_list, help=HELP[name])
    add("--out", metavar="DIR", default=DEFAULT_OUT, help=HELP["out"])
    add("--cv", metavar="K", type=_positive_int, default=None, help=HELP["cv"])
    add("--quick", action="store_true", help=HELP["quick"])
    add("--no-figures", action="store_true", help=HELP["no_figures"])
    add("--random-state", metavar="N", type=_seed, default=0, help=HELP["random_state"])
    add("-q", "--quiet", action="store_true", help=HELP["quiet"])
    add("--solver", choices=("gd", "lbfgs"), default=None, help=HELP["solver"])
    add("--max-iter", metavar="N", type=_max_iter, default=None, help=HELP["max_iter"])
    add("--tol", metavar="TOL", type=_nonnegative_float, default=None, help=HELP["tol"])
    add("--l2", metavar="L2", type=_nonnegative_float, default=None, help=HELP["l2"])
    return parser


def _column_list(text):
    return [name.strip() for name in text.split(",")]


def _integer(text, low, what):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"needs {what}, got {value}")
    return value


def _seed(text):
    value = _integer(text, 0, "a seed from 0 to 2**32 - 1")
    if value >= 2**32:  # numpy's RandomState seeds
        raise argparse.ArgumentTypeError(f"needs a seed from 0 to 2**32 - 1, got {value}")
    return value


def _positive_int(text):
    return _integer(text, 2, "at least 2 folds")


def _max_iter(text):
    return _integer(text, 1, "at least 1 iteration")


def _nonnegative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"needs a finite number >= 0, got {text}")
    return value


def main(argv=None):
    """Run the main job; return the exit code.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    code : int
        0 on success; 1 when every model failed or the results could not be
        written (a full disk); 2 on bad input; 130 when interrupted; 141
        (128 + SIGPIPE, as for other Unix tools) when the reader of the output
        went away, as in ``sklearn-lecture | head -1``.
    """
    args = build_parser().parse_args(argv)
    try:
        if sys.stdout is None:  # started with stdout closed (>&-)
            raise UsageError(
                "standard output is closed; send the results to a file (> results.txt)"
            )
        code = _run(args)
        sys.stdout.flush()  # a closed pipe or a full disk shows here, not at exit
        return code
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _to_devnull(sys.stdout, sys.stderr)
        return 141
    except OSError as exc:
        if not _stdout_failed():
            raise
        print(
            f"{PROG}: error: cannot write the results to standard output: {exc.strerror or exc}",
            file=sys.stderr,
        )
        _to_devnull(sys.stdout)
        return 1


def _stdout_failed():
    """Whether stdout cannot take what is written to it (e.g. /dev/full): probe it."""
    try:
        sys.stdout.write("\n")
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _to_devnull(*streams):
    """The recipe of the Python docs (signal module, "Note on SIGPIPE"): point the
    streams at devnull so that the flush at exit cannot raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in streams:
        try:
            os.dup2(devnull, stream.fileno())
        except (AttributeError, OSError, ValueError):
            pass  # not a real file (e.g. captured by a test)
    os.close(devnull)


class _Progress:
    """One line per step on stderr, with the elapsed time."""

    def __init__(self, n_steps, quiet):
        self.n_steps, self.quiet = n_steps, quiet
        self.step = 0
        self.start = time.perf_counter()

    def __call__(self, message):
        self.step += 1
        if not self.quiet:
            elapsed = time.perf_counter() - self.start
            width = len(str(self.n_steps))  # fixed width: the messages stay aligned
            print(
                f"[{self.step:>{width}}/{self.n_steps} {elapsed:5.1f}s] {message}",
                file=sys.stderr,
                flush=True,
            )


def _run(args):
    for option in ("target", "features", "drop"):
        if getattr(args, option) is not None and args.data is None:
            raise UsageError(f"--{option} needs --data FILE.csv")
    n_folds = args.cv or (3 if args.quick else 5)
    X, y, title = _load_data(args, n_folds)
    figures = _figures_wanted(args)
    models = comparison_models(args.random_state, quick=args.quick)
    _apply_options(models, args, n_train=len(y) - -(-len(y) // n_folds))
    lecture = args.data is None
    n_steps = len(models) + (5 + figures if lecture else 0) + figures
    progress = _Progress(n_steps, args.quiet)
    written = []
    if lecture:
        from .lecture import replay_lecture

        results = replay_lecture(args.quick, args.random_state, progress)
        print_lecture_summary(results)
        if figures:
            progress(f"writing the lecture's figures to {args.out}")
            written += save_lecture_figures(results, args.out)
    scores = cross_validate_models(models, X, y, n_folds, args.random_state, progress)
    print_table(scores, title, n_folds, _advice(args))
    if not args.early_stopping:
        print(f"  Early stopping is off: {args.early_stopping_off}")
    if figures:
        progress(f"writing the comparison figure to {args.out}")
        written.append(save_comparison_figure(scores, title, n_folds, args.out))
    if written:
        print(f"\nFigures written to {args.out}{os.sep}: " + ", ".join(written))
    if all("error" in s for s in scores.values()):
        print(f"{PROG}: error: every model failed on {title}; see the table", file=sys.stderr)
        return 1
    return 0


def _advice(args):
    """What to change when a network runs out of iterations: the options of this command."""
    max_iter = args.max_iter or (200 if args.quick else 2000)
    advice = f"to let them run longer: --max-iter {2 * max_iter} (now {max_iter})"
    if args.solver != "lbfgs":
        advice += "; for RBFRegressor and SigmoidMLPRegressor, --solver lbfgs often gets further"
    return advice


def _apply_options(models, args, n_train=None):
    """--max-iter and --tol for the three networks, --solver and --l2 for the lecture's two.

    Early stopping holds out 10% of each training fold; below 20 rows (2 held out) it
    is turned off for the three networks, and ``args.early_stopping_off`` says why.
    """
    options = {o: getattr(args, o) for o in ("max_iter", "tol", "solver", "l2")}
    options = {o: value for o, value in options.items() if value is not None}
    args.early_stopping = n_train is None or n_train >= 20
    if not args.early_stopping:
        options["early_stopping"] = False
        args.early_stopping_off = (
            f"the smallest training fold has {n_train} rows, too few to hold out 10% "
            "(at least 2 rows) for validation"
        )
    for model in models.values():
        if not hasattr(model, "steps"):
            continue  # LinearRegression
        net = model.steps[-1][1]
        net = getattr(net, "regressor", net)  # MLPRegressor in a TransformedTargetRegressor
        ours = type(net).__module__.startswith(__package__)
        shared = ("max_iter", "tol", "early_stopping")
        net.set_params(**{o: v for o, v in options.items() if ours or o in shared})


def _load_data(args, n_folds):
    """``(X, y, title)``: the user's --data, or scikit-learn's diabetes data."""
    if args.data is None:
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True)
        return X, y, f"scikit-learn's diabetes data ({X.shape[0]} rows, {X.shape[1]} features)"
    X, y, features, target = read_csv(
        args.data, args.target, features=args.features, drop=args.drop
    )
    if X.shape[0] < 2 * n_folds:
        # a test fold of one row has no R^2 (the table printed nan +- nan)
        raise UsageError(
            f"{args.data} has {X.shape[0]} data rows; {n_folds}-fold cross-validation "
            "needs at least 2 rows per fold, so that each fold's R^2 is defined "
            f"(use --cv {X.shape[0] // 2} or fewer)"
            if X.shape[0] >= 4
            else f"{args.data} has {X.shape[0]} data rows; the cross-validated comparison "
            "needs at least 4 (2 folds of 2 rows)"
        )
    title = (
        f"{args.data} (target {target!r}, {X.shape[0]} rows, {X.shape[1]} "
        f"feature{'s' if X.shape[1] != 1 else ''})"
    )
    return X, y, title


def _figures_wanted(args):
    """Whether figures are written (not with --no-figures or without matplotlib)."""
    if args.no_figures:
        return False
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        from .plotting import MATPLOTLIB_HINT

        print(
            f"{PROG}: matplotlib is not installed, so no figures are written; "
            f"to get them: {MATPLOTLIB_HINT}",
            file=sys.stderr,
        )
        return False
    _make_out_dir(args.out)
    return True


def _make_out_dir(out):
    if not out:
        raise UsageError("--out needs a folder name")
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out} exists and is not a folder")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder {out}: {exc.strerror}") from None


def print_settings():
    """Every setting of the slides' replays, and whether it is the slides' or a stand-in."""
    from .lecture import SETTINGS

    print(
        "Settings of the slides' examples (slide: from the slides; stand-in: the slides "
        "give none, so the package chose one):"
    )
    for example, settings in SETTINGS.items():
        for name, s in settings.items():
            value = s.value if isinstance(s.value, str) else repr(s.value)
            print(f"  {example:<7} {name:<9} {value:<44} {s.source:<9} {s.note}")


def print_lecture_summary(results):
    """What every replay ended with, after the settings; a blank line ends it."""
    Xb, yb = results["bumps"]
    print_settings()
    print(
        "\nThe slides' loops (J is the slides' J: sum e^2 in section 2, 1/2 sum e^2 in "
        "section 3, in the units of y; the estimators' J = 1/(2n) sum e^2 is 2n or n "
        "times smaller):"
    )
    _print_l6rbf(results)
    _print_l3sig(results)
    for key, title in [
        ("kernels_mlp", "SigmoidMLPRegressor(h=20)"),
        ("kernels_rbf", "RBFRegressor(K=4)"),
    ]:
        scores = ", ".join(f"{k} {est.score(Xb, yb):.4f}" for k, est in results[key])
        print(f"  kernels {title}: R^2 {scores}")
    print()


def _print_l6rbf(results):
    from .lecture import slide_cost

    nb = len(results["bumps"][1])
    for label, est in results["l6rbf1"]:
        J = float(slide_cost(est.loss_, nb, "sum"))
        print(
            f"  l6rbf1  {label:<16} -> c = {est.centers_[0, 0]:.3f}"
            f"{'':24} J = {J:.4f} after {est.n_iter_} updates"
        )
    for label, est in results["l6rbf2_l6rbf3"][1:]:
        name, start = label.split(", ")
        J = float(slide_cost(est.loss_, nb, "sum"))
        print(
            f"  {name}  {start:<16} -> c = {est.centers_[0, 0]:.3f}, w = {est.coef_[0]:.3f}, "
            f"w0 = {est.intercept_:+.3f}  J = {J:.4f} after {est.n_iter_} updates"
        )


def _print_l3sig(results):
    from .lecture import l3sig_final_costs

    Xs, ys = results["l3sig_data"]
    final = l3sig_final_costs(results)
    for (label, est), (_, dflt) in zip(results["l3sig"], results["l3sig_defaults"]):
        h = int(label.split()[-1])
        print(
            f"  l3sig   {label:<16} -> the lecture's method: R^2 = {est.score(Xs, ys):.4f}, "
            f"J = {final['lecture'][h]:.4f} after {est.n_iter_} updates "
            f"(alpha = n a = {est.learning_rate_:.3g})"
        )
        print(
            f"  l3sig   {label:<16} -> the defaults:         R^2 = {dflt.score(Xs, ys):.4f}, "
            f"J = {dflt.loss_:.2e} (1/(2n) sum e^2 of standardised y) "
            f"after {dflt.n_iter_} updates (learning_rate_ = {dflt.learning_rate_:.3g})"
        )
    for method, text in [
        ("lecture", "the lecture's method (the same a for both)"),
        ("defaults", "the defaults (each h its own automatic step)"),
    ]:
        verdict = "below" if final[method][200] < final[method][20] else "above"
        print(f"  l3sig: with {text}, h = 200 ends {verdict} h = 20")


# ----------------------------------------------------------------- comparison
def comparison_models(random_state, quick=False):
    """The compared models: name -> unfitted estimator."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ._mlp import SigmoidMLPRegressor
    from ._rbf import RBFRegressor

    max_iter = 200 if quick else 2000
    # The three networks hold out 10% of each training fold and keep the weights
    # with the best validation R^2 (early_stopping): the same rule for all three.
    common = dict(max_iter=max_iter, early_stopping=True, random_state=random_state)
    return {
        "LinearRegression": LinearRegression(),
        "RBFRegressor(K=20)": make_pipeline(StandardScaler(), RBFRegressor(20, **common)),
        "SigmoidMLPRegressor(h=20)": make_pipeline(
            StandardScaler(), SigmoidMLPRegressor((20,), **common)
        ),
        # Our estimators standardise y inside fit; TransformedTargetRegressor does the
        # same for scikit-learn's MLPRegressor.
        "MLPRegressor(h=20), reference": make_pipeline(
            StandardScaler(),
            TransformedTargetRegressor(
                MLPRegressor(hidden_layer_sizes=(20,), **common), transformer=StandardScaler()
            ),
        ),
    }


def cross_validate_models(models, X, y, n_folds, random_state, progress):
    """K-fold R^2 and fit times of each model; a failing model is reported, not raised."""
    from numpy.linalg import LinAlgError
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, cross_validate

    cv = KFold(n_splits=n_folds, shuffle=True, random_state=random_state)
    scores = {}
    for name, model in models.items():
        progress(f"{n_folds}-fold cross-validation: {name}")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            try:
                res = cross_validate(model, X, y, cv=cv, error_score="raise")
            except (ValueError, ArithmeticError, LinAlgError) as exc:
                message = str(exc).strip().splitlines()
                scores[name] = {"error": message[0] if message else type(exc).__name__}
                continue
        n_warn = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        scores[name] = {
            "r2": res["test_score"],
            "fit_time": res["fit_time"],
            "not_converged": n_warn,
        }
    return scores


def print_table(scores, title, n_folds, advice=""):
    width = max(len(name) for name in scores) + 2
    print(f"{n_folds}-fold cross-validated R^2 on {title}:\n")
    print(f"{'model':<{width}}{'R^2 mean +- std':>18}{'fit time (s)':>15}")
    print("-" * (width + 33))
    notes = []
    for name, s in scores.items():
        if "error" in s:
            print(f"{name:<{width}}  failed: {s['error']}")
            continue
        mark = ""
        if s["not_converged"]:
            mark = " *"
            notes.append(f"{name}: max_iter reached in {s['not_converged']} of {n_folds} folds")
        r2 = f"{s['r2'].mean():.3f} +- {s['r2'].std():.3f}"
        print(f"{name:<{width}}{r2:>18}{s['fit_time'].mean():>15.3f}{mark}")
    for note in notes:
        print(f"  * {note}")
    if notes and advice:
        print(f"    {advice}")


# -------------------------------------------------------------------- figures
def _figure(ncols, nrows=1, width=4.5, height=3.5):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _save(fig, out, name):
    from .plotting import SAVEFIG_DPI

    path = os.path.join(out, name)
    try:
        fig.savefig(path, dpi=SAVEFIG_DPI)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    return name


def save_lecture_figures(results, out):
    """Data with the fitted curves, and J per iteration, for every lecture example."""
    from .lecture import SETTINGS
    from .plotting import plot_replays

    L6RBF_ITER = {name: SETTINGS[name]["n_iter"].value for name in ("l6rbf1", "l6rbf2", "l6rbf3")}
    Xb, yb = results["bumps"]
    l6rbf = SETTINGS["l6rbf"]
    stand_ins = (
        f"stand-ins, as the slides give none: the data, b = {l6rbf['b'].value:g}, "
        f"a = {l6rbf['a'].value:g} (learning_rate = 2 n a)"
    )
    fig, ax = _figure(2)
    plot_replays(results["l6rbf1"], Xb, yb, ax_fit=ax[0, 0], ax_loss=ax[0, 1], cost="sum")
    ax[0, 0].set_title("l6rbf1: yhat = exp(-(x - c)^2 / b)")
    ax[0, 1].set_title(f"l6rbf1: J per iteration ({L6RBF_ITER['l6rbf1']}, as on the slide)")
    fig.suptitle(f"The slide's starts c0 = 0, 0.5, 1; {stand_ins}", fontsize="small")
    written = [_save(fig, out, "l6rbf1.png")]

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
    w_start = SETTINGS["l6rbf3"]["w_start"].value
    w0_start = SETTINGS["l6rbf3"]["w0_start"].value
    fig.suptitle(
        f"The slides' starts c0 and loop lengths (l6rbf1 {L6RBF_ITER['l6rbf1']}, l6rbf3 "
        f"{L6RBF_ITER['l6rbf3']});\n{stand_ins}, w starts at {w_start:g}, w0 at "
        f"{w0_start:g}, l6rbf2 runs {L6RBF_ITER['l6rbf2']}",
        fontsize="small",
    )
    written.append(_save(fig, out, "l6rbf2_l6rbf3.png"))
    written.append(_save(l3sig_figure(results), out, "l3sig.png"))
    written.append(_save(kernels_figure(results), out, "kernels.png"))
    return written


def kernels_figure(results):
    """The three kernels of both models: the fits (two rows), RBFRegressor's units (third)."""
    from ._kernels import ACTIVATIONS, RADIAL_PROFILES
    from .plotting import FitDisplay

    Xb, yb = results["bumps"]
    fig, ax = _figure(3, 3, height=3.0)
    for row, key in enumerate(["kernels_mlp", "kernels_rbf"]):
        for col, (kernel, est) in enumerate(results[key]):
            disp = FitDisplay.from_estimator(
                est,
                Xb,
                yb,
                ax=ax[row, col],
                units_ax=ax[2, col] if row else None,
                data_kw={"markersize": 4},
            )
            table = RADIAL_PROFILES if row else ACTIVATIONS
            ax[row, col].set_title(
                f"{type(est).__name__}(kernel={kernel!r})\nPhi = {table[kernel].formula}",
                fontsize="medium",
            )
            for axes in {disp.ax_, disp.units_ax_}:
                axes.get_legend().remove()
            if row:
                ax[2, col].set_title(
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


def l3sig_figure(results):
    """l3sig, h = 20 and h = 200: the lecture's method (top), the defaults (bottom)."""
    from .lecture import SETTINGS, l3sig_final_costs
    from .plotting import plot_replays

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
    ax[1, 1].set_ylabel("J = 1/(2n) sum e^2 (standardised y)")
    fig.suptitle(
        "l3sig, y = -0.1 (x - 2)^2. Top: the slide's data, h, iteration count and "
        "start W1 = randn(2, h), W2 = randn(h + 1, 1),\nwith the step "
        f"a = {a:g}, a stand-in (the slides give none). Bottom: the package's "
        "defaults",
        fontsize="medium",
    )
    return fig


def save_comparison_figure(scores, title, n_folds, out):
    """R^2 of every fold (dots) and mean +- std (diamond), one row per model."""
    import numpy as np

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
    return _save(fig, out, "comparison.png")
