"""The main job, ``python -m sklearn_lecture`` or ``sklearn-lecture`` (see ``--help``)."""

import argparse
import itertools
import os
import sys
import time
import warnings

from ._csv import UsageError, read_csv  # numpy, scikit-learn and the models: imported on use

PROG = "sklearn-lecture"
DEFAULT_OUT = "sklearn_lecture_output"

__all__ = ["UsageError", "build_parser", "main", "read_csv"]

DESCRIPTION = (
    "Without --data: replay lecture 3's examples (l6rbf1-3, l3sig) and their settings, compare "
    "the kernels, write figures to --out, and cross-validate RBFRegressor and SigmoidMLPRegressor "
    "against LinearRegression and MLPRegressor on the diabetes data; with --data, on your CSV."
)
EPILOG = "Progress goes to stderr, results to stdout. Bad input exits with code 2."

HELP = {
    "data": "CSV file (header row, numeric columns) to compare the models on",
    "target": "column of --data to predict (default: the last one not dropped)",
    "features": "columns of --data to use as features (default: all but the target)",
    "drop": "columns of --data to leave out; '' drops unnamed columns (row names)",
    "out": f"folder for the PNG figures (default: ./{DEFAULT_OUT})",
    "cv": "number of cross-validation folds, at least 2 (default: 5; 3 with --quick)",
    "quick": "a fast smoke run: fewer iterations and 3 folds",
    "no_figures": "do not write figures (matplotlib is then not needed)",
    "random_state": "seed of the initial weights and the folds, 0 to 2**32 - 1 (default: 0)",
    "quiet": "do not print progress to stderr",
    "solver": "solver of the lecture's two estimators (default: gd)",
    "max_iter": "iterations of each network (default: 2000; 200 with --quick)",
    "tol": "stop a network when J improves by less than this (default: each estimator's)",
    "l2": "weight penalty of the lecture's two estimators (default: 'auto')",
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


def _number(kind, what, low, high=float("inf")):
    """An argparse type: ``kind(text)`` in ``[low, high)``, else a message that says ``what``."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            expected = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not low <= value < high:  # also refuses nan
            raise argparse.ArgumentTypeError(f"needs {what}, got {value if kind is int else text}")
        return value

    return parse


_seed = _number(int, "a seed from 0 to 2**32 - 1", 0, 2**32)  # numpy's RandomState seeds
_positive_int = _number(int, "at least 2 folds", 2)
_max_iter = _number(int, "at least 1 iteration", 1)
_nonnegative_float = _number(float, "a finite number >= 0", 0.0)


def main(argv=None):
    """Run the main job on ``argv`` (default: ``sys.argv[1:]``); return the exit code: 0 on
    success, 1 when every model failed or stdout failed (a full disk), 2 on bad input, 130
    when interrupted, 141 (128 + SIGPIPE) for a closed pipe."""
    args = build_parser().parse_args(argv)
    try:
        if sys.stdout is None:  # started with stdout closed (>&-)
            raise UsageError("standard output is closed; redirect it to a file (> results.txt)")
        code = _run(args)
        sys.stdout.flush()  # a closed pipe or a full disk shows here, not at exit
        return code
    except UsageError as exc:
        _error(exc)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _to_devnull(sys.stdout, sys.stderr)
        return 141
    except OSError as exc:
        try:  # can stdout take what is written to it (not e.g. /dev/full)? probe it
            sys.stdout.write("\n")
            sys.stdout.flush()
        except OSError:
            _error(f"cannot write the results to standard output: {exc.strerror or exc}")
            _to_devnull(sys.stdout)
            return 1
        raise


def _error(message):
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _to_devnull(*streams):
    """Point the streams at devnull so that the flush at exit cannot raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in streams:
        try:
            os.dup2(devnull, stream.fileno())
        except (AttributeError, OSError, ValueError):
            pass  # not a real file (e.g. captured by a test)
    os.close(devnull)


def _progress(n_steps, quiet):
    """A callable that prints one line per step on stderr, with the elapsed time."""
    start, steps = time.perf_counter(), itertools.count(1)
    width = len(str(n_steps))  # fixed width: the messages stay aligned

    def report(message):
        step, elapsed = next(steps), time.perf_counter() - start
        if not quiet:
            line = f"[{step:>{width}}/{n_steps} {elapsed:5.1f}s] {message}"
            print(line, file=sys.stderr, flush=True)

    return report


def _run(args):
    from .figures import comparison_figure, lecture_figures
    from .lecture import print_lecture_summary, replay_lecture

    for option in ("target", "features", "drop"):
        if getattr(args, option) is not None and args.data is None:
            raise UsageError(f"--{option} needs --data FILE.csv")
    n_folds = args.cv or (3 if args.quick else 5)
    X, y, title = _load_data(args, n_folds)
    figures = _figures_wanted(args)
    options = {o: getattr(args, o) for o in ("max_iter", "tol", "solver", "l2")}
    n_train, note = len(y) - -(-len(y) // n_folds), None  # the smallest training fold's rows
    if n_train < 20:  # early stopping holds out 10% of each training fold, at least 2 rows
        options["early_stopping"] = False
        note = f"Early stopping is off: the smallest training fold has {n_train} rows; 10% is < 2"
    models = comparison_models(args.random_state, args.quick, **options)
    lecture = args.data is None
    n_steps = len(models) + (5 + figures if lecture else 0) + figures
    progress = _progress(n_steps, args.quiet)
    written = []
    if lecture:
        results = replay_lecture(args.quick, args.random_state, progress)
        print_lecture_summary(results)
        if figures:
            progress(f"writing the lecture's figures to {args.out}")
            written += _save(lecture_figures(results), args.out)
    scores = cross_validate_models(models, X, y, n_folds, args.random_state, progress)
    max_iter = args.max_iter or (200 if args.quick else 2000)  # when a network runs out of it:
    advice = f"to let them run longer: --max-iter {2 * max_iter} (now {max_iter})"
    if args.solver != "lbfgs":
        advice += "; for RBFRegressor and SigmoidMLPRegressor, --solver lbfgs often gets further"
    print_table(scores, title, n_folds, advice)
    if note:
        print(f"  {note}")
    if figures:
        progress(f"writing the comparison figure to {args.out}")
        written += _save({"comparison.png": comparison_figure(scores, title, n_folds)}, args.out)
    if written:
        print(f"\nFigures written to {args.out}{os.sep}: " + ", ".join(written))
    if all("error" in s for s in scores.values()):
        _error(f"every model failed on {title}; see the table")
        return 1
    return 0


def _load_data(args, n_folds):
    """``(X, y, title)``: the user's --data, or scikit-learn's diabetes data."""
    if args.data is None:
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True)
        return X, y, f"scikit-learn's diabetes data ({X.shape[0]} rows, {X.shape[1]} features)"
    X, y, _, target = read_csv(args.data, args.target, features=args.features, drop=args.drop)
    if X.shape[0] < 2 * n_folds:  # a test fold of one row has no R^2 (the table printed nan)
        fix = f"use --cv {X.shape[0] // 2} or fewer" if X.shape[0] >= 4 else "add rows"
        raise UsageError(
            f"{args.data} has {X.shape[0]} data rows; {n_folds}-fold cross-validation needs "
            f"at least 2 rows per fold ({fix})"
        )
    s = "s" if X.shape[1] != 1 else ""
    return X, y, f"{args.data} (target {target!r}, {X.shape[0]} rows, {X.shape[1]} feature{s})"


def _figures_wanted(args):
    """Whether figures are written (not with --no-figures or without matplotlib)."""
    if args.no_figures:
        return False
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        from .plotting import MATPLOTLIB_HINT

        print(
            f"{PROG}: matplotlib is not installed, so no figures; to get them: {MATPLOTLIB_HINT}",
            file=sys.stderr,
        )
        return False
    out = args.out
    if not out:
        raise UsageError("--out needs a folder name")
    try:
        os.makedirs(out, exist_ok=True)
    except FileExistsError:  # and is not a folder
        raise UsageError(f"--out {out} exists and is not a folder") from None
    except OSError as exc:
        raise UsageError(f"cannot create the folder {out}: {exc.strerror}") from None
    return True


def comparison_models(random_state, quick=False, **options):
    """Name -> unfitted model. ``options`` not None set max_iter, tol and early_stopping of
    the three networks, and solver and l2 of the lecture's two."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ._mlp import SigmoidMLPRegressor
    from ._rbf import RBFRegressor

    given = {o: value for o, value in options.items() if value is not None}
    # the same early stopping for the three networks: 10% of each training fold held out
    common = dict(max_iter=200 if quick else 2000, early_stopping=True, random_state=random_state)
    common |= {o: value for o, value in given.items() if o not in ("solver", "l2")}
    ours = common | given
    return {
        "LinearRegression": LinearRegression(),
        "RBFRegressor(K=20)": make_pipeline(StandardScaler(), RBFRegressor(20, **ours)),
        "SigmoidMLPRegressor(h=20)": make_pipeline(
            StandardScaler(), SigmoidMLPRegressor((20,), **ours)
        ),
        # TransformedTargetRegressor standardises y, as our estimators do inside fit
        "MLPRegressor(h=20), reference": make_pipeline(
            StandardScaler(),
            TransformedTargetRegressor(
                MLPRegressor(hidden_layer_sizes=(20,), **common), transformer=StandardScaler()
            ),
        ),
    }


def cross_validate_models(models, X, y, n_folds, random_state, progress):
    """K-fold R^2 and fit times of each model; a failing model is reported, not raised."""
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
            except (ValueError, ArithmeticError) as exc:  # numpy's LinAlgError is a ValueError
                message = str(exc).strip().splitlines()
                scores[name] = {"error": message[0] if message else type(exc).__name__}
                continue
        n_warn = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        scores[name] = dict(r2=res["test_score"], fit_time=res["fit_time"], not_converged=n_warn)
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


def _save(figures, out):
    """Write ``{name: figure}`` to the folder ``out``; return the names."""
    from .plotting import SAVEFIG_DPI

    for name, fig in figures.items():
        path = os.path.join(out, name)
        try:
            fig.savefig(path, dpi=SAVEFIG_DPI)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    return list(figures)
