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
import csv
import io
import math
import os
import shlex
import sys
import time
import warnings

import numpy as np

from .lecture import SETTINGS, learning_rate_from_slide, slide_cost

PROG = "sklearn-lecture"
DEFAULT_OUT = "sklearn_lecture_output"

# The slides' loops, replayed with the lecture's method: a fixed step and a fixed number
# of updates on the raw data (standardize=False), from the slides' starting values.
# Which settings are the slides' and which are stand-ins: sklearn_lecture.lecture.SETTINGS.
# Our J is the slides' J divided by 2n (sections 2) or n (section 3), so
# learning_rate = 2 n a or n a (sklearn_lecture.lecture.learning_rate_from_slide).
L6RBF1_ITER = SETTINGS["l6rbf1"]["n_iter"].value  # "for it in range(0,100)"
L6RBF2_ITER = SETTINGS["l6rbf2"]["n_iter"].value  # a stand-in: the slides show no loop
L6RBF3_ITER = SETTINGS["l6rbf3"]["n_iter"].value  # "for it in range(0,500)"
L3SIG_ITER = SETTINGS["l3sig"]["n_iter"].value  # "J during 2000 iterations"
L3SIG_HIDDEN = SETTINGS["l3sig"]["h"].value  # "h = 20 -> h = 200"
KERNELS = ("sigmoid", "rbf", "relu")


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit code 2."""


# --------------------------------------------------------------------------- CLI
def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Lecture 3 on neural networks, run end to end. Without --data: replay the "
            "lecture's examples with the lecture's method (l6rbf1 from c = 0, 0.5 and 1; "
            "l6rbf2; l6rbf3; l3sig with h = 20 and h = 200, also with the defaults), print "
            "which settings are the slides' and which are stand-ins, show the sigmoid, RBF "
            "and ReLU kernels side by side, write "
            "their figures (data with the fitted curve; J per iteration) to --out, and "
            "print a cross-validated comparison on scikit-learn's diabetes data: "
            "RBFRegressor and SigmoidMLPRegressor (each after StandardScaler) against "
            "LinearRegression, with scikit-learn's MLPRegressor as a reference. "
            "With --data: run the same comparison on your CSV file."
        ),
        epilog=(
            "The table gives the mean +- standard deviation of R^2 over the held-out folds "
            "and the mean fit time per fold. Progress goes to stderr, results to stdout. "
            "The CSV may be separated by commas, semicolons or tabs. Bad input (missing "
            "file or column, non-numeric column, empty file) ends with a one-line message "
            "and exit code 2; a closed output pipe (| head) ends quietly with exit code 141."
        ),
    )
    parser.add_argument(
        "--data",
        metavar="FILE.csv",
        help="a CSV file with a header row and numeric columns; run the comparison on it "
        "instead of the lecture's examples and the diabetes data",
    )
    parser.add_argument(
        "--target",
        metavar="COLUMN",
        help="the column of --data to predict (default: the last column not in --drop); "
        "every other "
        "column is a feature, unless --features or --drop says otherwise",
    )
    columns = parser.add_mutually_exclusive_group()
    columns.add_argument(
        "--features",
        metavar="COL,COL,...",
        type=_column_list,
        help="the columns of --data to use as features, separated by commas (default: "
        "every column but the target)",
    )
    columns.add_argument(
        "--drop",
        metavar="COL,COL,...",
        type=_column_list,
        help="columns of --data to leave out, separated by commas, e.g. a text column "
        "(--drop Species); --drop '' drops unnamed columns such as row names",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        default=DEFAULT_OUT,
        help=f"folder for the PNG figures, created if needed (default: ./{DEFAULT_OUT})",
    )
    parser.add_argument(
        "--cv",
        metavar="K",
        type=_positive_int,
        default=None,
        help="number of cross-validation folds, at least 2 (default: 5; 3 with --quick)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a fast smoke run: fewer iterations and 3 folds (the numbers are rougher)",
    )
    parser.add_argument(
        "--no-figures",
        action="store_true",
        help="do not write figures (matplotlib is then not needed)",
    )
    parser.add_argument(
        "--random-state",
        metavar="N",
        type=_seed,
        default=0,
        help="seed for the initial weights, the folds and the early-stopping split, "
        "0 to 2**32 - 1 (default: 0)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="do not print progress to stderr"
    )
    return parser


def _column_list(text):
    return [name.strip() for name in text.split(",")]


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not 0 <= value < 2**32:  # numpy's RandomState seeds
        raise argparse.ArgumentTypeError(f"needs a seed from 0 to 2**32 - 1, got {value}")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"needs at least 2 folds, got {value}")
    return value


def main(argv=None):
    """Run the main job; return the exit code (0, or 2 for bad input).

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    code : int
        0 on success, 2 on bad input, 130 when interrupted, 141 (128 + SIGPIPE,
        as for other Unix tools) when the reader of the output went away, as
        in ``sklearn-lecture | head -1``.
    """
    args = build_parser().parse_args(argv)
    try:
        code = _run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The recipe of the Python docs (signal module, "Note on SIGPIPE"): point the
        # streams at devnull so that the flush at exit cannot raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            try:
                os.dup2(devnull, stream.fileno())
            except (AttributeError, OSError, ValueError):
                pass  # not a real file (e.g. captured by a test)
        os.close(devnull)
        return 141


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
    if args.data is not None:
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
    else:
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True)
        title = f"scikit-learn's diabetes data ({X.shape[0]} rows, {X.shape[1]} features)"

    figures = not args.no_figures
    if figures:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            from .plotting import MATPLOTLIB_HINT

            print(
                f"{PROG}: matplotlib is not installed, so no figures are written; "
                f"to get them: {MATPLOTLIB_HINT}",
                file=sys.stderr,
            )
            figures = False
    if figures:
        _make_out_dir(args.out)

    models = comparison_models(args.random_state, quick=args.quick)
    lecture = args.data is None
    n_steps = len(models) + (5 + figures if lecture else 0) + figures
    progress = _Progress(n_steps, args.quiet)
    written = []
    if lecture:
        results = run_lecture_examples(args.quick, args.random_state, progress)
        print_lecture_summary(results)
        if figures:
            progress(f"writing the lecture's figures to {args.out}")
            written += save_lecture_figures(results, args.out)
    scores = cross_validate_models(models, X, y, n_folds, args.random_state, progress)
    print_table(scores, title, n_folds)
    if figures:
        progress(f"writing the comparison figure to {args.out}")
        written.append(save_comparison_figure(scores, title, n_folds, args.out))
    if written:
        print(f"\nFigures written to {args.out}{os.sep}: " + ", ".join(written))
    return 0


def _make_out_dir(out):
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out} exists and is not a folder")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder {out}: {exc.strerror}") from None


# ------------------------------------------------------------------------ CSV
def read_csv(path, target=None, features=None, drop=None):
    """Read a numeric CSV file with a header row.

    Parameters
    ----------
    path : str
        The file, separated by commas, semicolons or tabs (whichever the
        header row uses).
    target : str, default=None
        The column to predict; the last column not in ``drop`` when None.
    features : list of str, default=None
        The feature columns; every column but the target (and ``drop``) when
        None.
    drop : list of str, default=None
        Columns to leave out; ``""`` leaves out the unnamed ones (row names).

    Returns
    -------
    X : ndarray of shape (n_rows, n_features)
        The feature columns.
    y : ndarray of shape (n_rows,)
        The target column.
    features : list of str
        The names of the columns of X.
    target : str
        The name of the target column.

    Raises
    ------
    UsageError
        With a one-line message, for a missing or unreadable file, an empty
        file, a missing, duplicated or unnamed column, or a non-numeric or
        incomplete column.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            text = f.read()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a UTF-8 text file; save it as CSV") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    delimiter = _delimiter(text)
    try:
        rows = [
            row
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if not rows:
        raise UsageError(f"{path} is empty; it needs a header row and data rows")
    header = [name.strip() for name in rows[0]]
    data = rows[1:]
    if not data:
        raise UsageError(f"{path} has a header row but no data rows")
    target, features = _choose_columns(path, header, target, features, drop)
    used = [header.index(name) for name in [*features, target]]
    values = np.empty((len(data), len(used)))
    for i, row in enumerate(data, start=2):  # line 1 is the header
        if len(row) != len(header):
            raise UsageError(
                f"{path}, line {i}: {len(row)} fields, but the header has {len(header)}"
            )
        for out, j in enumerate(used):
            values[i - 2, out] = _number(
                row[j].strip(), header[j], path, i, is_target=out == len(used) - 1
            )
    return values[:, :-1], values[:, -1], features, target


def _delimiter(text):
    """The header row's separator: a comma, or else a semicolon or a tab if it has one."""
    header = text.lstrip("\r\n").split("\n", 1)[0]
    if "," not in header:
        for candidate in (";", "\t"):
            if candidate in header:
                return candidate
    return ","


def _choose_columns(path, header, target, features, drop):
    """Check the header and the user's column choices; return ``(target, features)``."""
    names = ", ".join(repr(name) for name in header)
    drop = set(drop or ())
    for option, chosen in (("--features", features or ()), ("--drop", drop - {""})):
        for name in chosen:
            if name not in header:
                raise UsageError(
                    f"{option}: {path} has no column {name!r}; its columns are: {names}"
                )
    if target is None:  # the last column that is not dropped
        kept = [name for name in header if name not in drop]
        if not kept:
            raise UsageError("--drop leaves no columns")
        target = kept[-1]
    if target not in header:
        raise UsageError(f"{path} has no column {target!r}; its columns are: {names}")
    if target in drop or target in (features or ()):
        option = "--drop" if target in drop else "--features"
        raise UsageError(f"{option} names the target column {target!r}; leave it out")
    if features is None:
        features = [name for name in header if name != target and name not in drop]
    used = [*features, target]
    for j, name in enumerate(header):
        if name == "" and "" in used:
            where = (
                "the first column has no name: it is likely row names (pandas "
                "writes them unless to_csv(index=False))"
                if j == 0
                else f"column {j + 1} has no name in the header"
            )
            raise UsageError(f"{path}: {where}; leave it out with --drop '' or name it")
        if name in used and header.count(name) > 1:
            columns = [str(k + 1) for k, other in enumerate(header) if other == name]
            raise UsageError(
                f"{path} has the column name {name!r} more than once "
                f"(columns {' and '.join(columns)}); rename all but one"
            )
    if len(set(features)) != len(features):
        raise UsageError("--features names a column more than once")
    if not features:
        if len(header) == 1:
            hint = ""
            if ";" in header[0] or "\t" in header[0]:
                hint = " (if it is separated by semicolons or tabs, the header must be too)"
            raise UsageError(
                f"{path} has only the column {target!r}; it needs feature columns too{hint}"
            )
        raise UsageError("no feature columns are left; keep some out of --drop")
    return target, features


def _number(text, column, path, line, is_target=False):
    """One cell as a finite float, or a UsageError that says what to do."""
    try:
        value = float(text)
    except ValueError:
        if not text:
            raise UsageError(
                f"column {column!r} has a missing value ({path}, line {line}); "
                "fill in or drop that row"
            ) from None
        hint = f"leave it out with --drop {shlex.quote(column)}, or encode it"
        if is_target:
            hint = (
                f"the target must be numeric: choose another with --target and leave "
                f"this one out with --drop {shlex.quote(column)}"
            )
        try:
            float(text.replace(",", "."))
            hint = "write decimal points, not decimal commas"
        except ValueError:
            pass
        raise UsageError(
            f"column {column!r} is not numeric ({path}, line {line}: {text!r}); {hint}"
        ) from None
    if not math.isfinite(value):
        raise UsageError(
            f"column {column!r} has a non-finite value ({path}, line {line}: "
            f"{text!r}); fill in or drop that row"
        )
    return value


# ------------------------------------------------------------------- lecture
def _quiet_fit(estimator, X, y):
    """Fit, ignoring ConvergenceWarning: the lecture's loops run a fixed count."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def l6rbf_estimator(example, c0, n_iter, n_samples):
    """The slide l6rbf1, l6rbf2 or l6rbf3 as an RBFRegressor with one unit.

    The slide's start c0 (and the stand-in starts of w and w0), the stand-ins b and
    a, ``learning_rate = 2 n a`` (the slides' J = sum e^2), exactly ``n_iter`` updates.
    """
    from ._rbf import RBFRegressor

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
        learning_rate=learning_rate_from_slide(l6rbf["a"].value, n_samples, "sum"),  # 2 n a
        max_iter=n_iter,
        tol=0.0,
        n_iter_no_change=n_iter,  # never stop early: the slide's loop runs n_iter times
        standardize=False,
        **flags,
    )


def l3sig_estimator(h, n_iter, n_samples, random_state):
    """The slide l3sig with the lecture's method, as a SigmoidMLPRegressor.

    The slide's start ``W1 = randn(2, h)``, ``W2 = randn(h + 1, 1)`` (drawn from
    ``RandomState(random_state)``), the raw data, the same fixed step a for every h
    (``learning_rate = n a``: the slide's J = 1/2 sum e^2), exactly ``n_iter`` updates.
    """
    from ._mlp import SigmoidMLPRegressor

    rng = np.random.RandomState(random_state)
    W1, W2 = rng.randn(2, h), rng.randn(h + 1, 1)  # W1=randn(2,h); W2=randn(h+1,1)
    return SigmoidMLPRegressor(
        hidden_layer_sizes=(h,),
        coefs_init=[W1[:1], W2[:h]],  # W1's first row multiplies x, W2's first h rows Z
        intercepts_init=[W1[1], W2[h]],  # the rows that multiply the column of ones
        learning_rate=learning_rate_from_slide(
            SETTINGS["l3sig"]["a"].value, n_samples, "half_sum"
        ),  # n a
        max_iter=n_iter,
        tol=0.0,
        n_iter_no_change=n_iter,
        standardize=False,
    )


def run_lecture_examples(quick, random_state, progress):
    """Fit every lecture example; return ``{name: [(label, estimator), ...], "data": ...}``."""
    from ._mlp import SigmoidMLPRegressor
    from ._rbf import RBFRegressor
    from .datasets import make_l3sig, make_lecture_bumps

    Xb, yb = make_lecture_bumps()
    Xs, ys = make_l3sig()
    out = {"bumps": (Xb, yb), "l3sig_data": (Xs, ys)}
    nb, ns = len(yb), len(ys)

    progress(f"l6rbf1: yhat = exp(-(x - c)^2 / b) from c = 0, 0.5 and 1 ({L6RBF1_ITER} updates)")
    out["l6rbf1"] = [
        (f"c0 = {c0:g}", _quiet_fit(l6rbf_estimator("l6rbf1", c0, L6RBF1_ITER, nb), Xb, yb))
        for c0 in SETTINGS["l6rbf1"]["c0"].value
    ]
    progress(
        f"l6rbf2 (from c = 0 and 1, {L6RBF2_ITER} updates) and l6rbf3 (from c = 1, "
        f"{L6RBF3_ITER} updates): adding w, then w0"
    )
    out["l6rbf2_l6rbf3"] = [
        (f"{name}, c0 = {c0:g}", _quiet_fit(l6rbf_estimator(name, c0, n_iter, nb), Xb, yb))
        for name, c0, n_iter in [
            ("l6rbf1", 0.0, L6RBF1_ITER),
            ("l6rbf2", 0.0, L6RBF2_ITER),
            ("l6rbf2", 1.0, L6RBF2_ITER),
            ("l6rbf3", 1.0, L6RBF3_ITER),
        ]
    ]
    n_iter = 300 if quick else L3SIG_ITER
    progress(
        f"l3sig: y = -0.1 (x - 2)^2 with h = 20 and h = 200 ({n_iter} updates), the "
        "lecture's method and the defaults"
    )
    out["l3sig"] = [
        (f"h = {h}", _quiet_fit(l3sig_estimator(h, n_iter, ns, random_state), Xs, ys))
        for h in L3SIG_HIDDEN
    ]
    out["l3sig_defaults"] = [
        (
            f"h = {h}",
            _quiet_fit(
                SigmoidMLPRegressor(
                    hidden_layer_sizes=(h,),
                    max_iter=n_iter,
                    tol=0.0,
                    n_iter_no_change=n_iter,
                    random_state=random_state,
                ),
                Xs,
                ys,
            ),
        )
        for h in L3SIG_HIDDEN
    ]
    n_iter = 300 if quick else 2000
    progress("the three kernels side by side: SigmoidMLPRegressor(h=20) on the bumps data")
    out["kernels_mlp"] = [
        (
            k,
            _quiet_fit(
                SigmoidMLPRegressor(kernel=k, max_iter=n_iter, random_state=random_state), Xb, yb
            ),
        )
        for k in KERNELS
    ]
    progress("the three kernels side by side: RBFRegressor(K=4) on the bumps data")
    out["kernels_rbf"] = [
        (
            k,
            _quiet_fit(
                RBFRegressor(n_centers=4, kernel=k, max_iter=n_iter, random_state=random_state),
                Xb,
                yb,
            ),
        )
        for k in KERNELS
    ]
    return out


def print_settings():
    """Every setting of the slides' replays, and whether it is the slides' or a stand-in."""
    print(
        "Settings of the slides' examples (slide: from the slides; stand-in: the slides "
        "give none, so the package chose one):"
    )
    for example, settings in SETTINGS.items():
        for name, s in settings.items():
            value = s.value if isinstance(s.value, str) else repr(s.value)
            print(f"  {example:<7} {name:<9} {value:<44} {s.source:<9} {s.note}")


def l3sig_comparison(results, n_samples):
    """The slides' J at the end of l3sig, ``{h: J}``, per method, and the claim's verdict."""
    final = {
        method: {int(label.split()[-1]): est.loss_curve_[-1] for label, est in results[key]}
        for method, key in [("lecture", "l3sig"), ("defaults", "l3sig_defaults")]
    }
    final["lecture"] = {
        h: float(slide_cost(J, n_samples, "half_sum")) for h, J in final["lecture"].items()
    }
    return final


def print_lecture_summary(results):
    Xb, yb = results["bumps"]
    Xs, ys = results["l3sig_data"]
    print_settings()
    print(
        "\nThe slides' loops (J is the slides' J: sum e^2 in section 2, 1/2 sum e^2 in "
        "section 3, in the units of y; the estimators' J = 1/(2n) sum e^2 is 2n or n "
        "times smaller):"
    )
    nb, ns = len(yb), len(ys)
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
    final = l3sig_comparison(results, ns)
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
    for key, title in [
        ("kernels_mlp", "SigmoidMLPRegressor(h=20)"),
        ("kernels_rbf", "RBFRegressor(K=4)"),
    ]:
        scores = ", ".join(f"{k} {est.score(Xb, yb):.4f}" for k, est in results[key])
        print(f"  kernels {title}: R^2 {scores}")


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
            except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
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


def print_table(scores, title, n_folds):
    width = max(len(name) for name in scores) + 2
    print(f"\n{n_folds}-fold cross-validated R^2 on {title}:\n")
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


def _slide_loss_curve(est, ax, label, color, n_samples, cost):
    """The slide's J per iteration (``sum e^2`` or ``1/2 sum e^2``, raw units)."""
    from .plotting import LossCurveDisplay

    curve = slide_cost(est.loss_curve_, n_samples, cost)
    LossCurveDisplay(loss_curve=curve, estimator_name=label).plot(ax=ax, color=color)
    what = "sum e^2" if cost == "sum" else "1/2 sum e^2"
    ax.set_ylabel(f"the slide's J = {what} (units of y)")


def save_lecture_figures(results, out):
    """Data with the fitted curves, and J per iteration, for every lecture example."""
    from ._kernels import ACTIVATIONS, RADIAL_PROFILES
    from .plotting import FitDisplay

    Xb, yb = results["bumps"]
    Xs, ys = results["l3sig_data"]
    nb, ns = len(yb), len(ys)
    l6rbf = SETTINGS["l6rbf"]
    stand_ins = (
        f"stand-ins, as the slides give none: the data, b = {l6rbf['b'].value:g}, "
        f"a = {l6rbf['a'].value:g} (learning_rate = 2 n a)"
    )
    written = []

    fig, ax = _figure(2)
    for i, (label, est) in enumerate(results["l6rbf1"]):
        FitDisplay.from_estimator(
            est,
            Xb,
            yb,
            ax=ax[0, 0],
            name=label,
            show_data=i == 0,
            show_units=False,
            line_kw={"color": f"C{i + 1}"},
        )
        _slide_loss_curve(est, ax[0, 1], label, f"C{i + 1}", nb, "sum")
    ax[0, 0].set_title("l6rbf1: yhat = exp(-(x - c)^2 / b)")
    ax[0, 1].set_title(f"l6rbf1: J per iteration ({L6RBF1_ITER}, as on the slide)")
    fig.suptitle(f"The slide's starts c0 = 0, 0.5, 1; {stand_ins}", fontsize="small")
    written.append(_save(fig, out, "l6rbf1.png"))

    fig, ax = _figure(3)
    fits = results["l6rbf2_l6rbf3"]
    for panel, pair in enumerate([fits[:2], fits[2:]]):
        for i, (label, est) in enumerate(pair):
            FitDisplay.from_estimator(
                est,
                Xb,
                yb,
                ax=ax[0, panel],
                name=label,
                show_data=i == 0,
                show_units=False,
                line_kw={"color": f"C{2 * panel + i + 1}"},
            )
    for i, (label, est) in enumerate(fits):
        _slide_loss_curve(est, ax[0, 2], f"{label} ({est.n_iter_})", f"C{i + 1}", nb, "sum")
    ax[0, 0].set_title("c0 = 0: w helps (l6rbf1 vs l6rbf2)")
    ax[0, 1].set_title("c0 = 1: w0 helps (l6rbf2 vs l6rbf3)")
    ax[0, 2].set_title("J per iteration")
    w_start = SETTINGS["l6rbf3"]["w_start"].value
    w0_start = SETTINGS["l6rbf3"]["w0_start"].value
    fig.suptitle(
        f"The slides' starts c0 and loop lengths (l6rbf1 {L6RBF1_ITER}, l6rbf3 "
        f"{L6RBF3_ITER}); {stand_ins}, w starts at {w_start:g}, w0 at "
        f"{w0_start:g}, l6rbf2 runs {L6RBF2_ITER}",
        fontsize="small",
    )
    written.append(_save(fig, out, "l6rbf2_l6rbf3.png"))

    written.append(_save(l3sig_figure(results), out, "l3sig.png"))

    # Rows: the network's fits, RBFRegressor's fits, and (under each) its units
    # w_k phi_k(x) and w0, on their own axes so that they do not squeeze the data.
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
    written.append(_save(fig, out, "kernels.png"))
    return written


def l3sig_figure(results):
    """l3sig, h = 20 and h = 200: the lecture's method (top), the defaults (bottom)."""
    from .plotting import FitDisplay, LossCurveDisplay

    Xs, ys = results["l3sig_data"]
    ns = len(ys)
    a = SETTINGS["l3sig"]["a"].value
    final = l3sig_comparison(results, ns)
    verdict = {m: "below" if f[200] < f[20] else "above" for m, f in final.items()}
    fig, ax = _figure(2, 2, width=5.4, height=3.6)
    for i, ((label, est), (_, dflt)) in enumerate(zip(results["l3sig"], results["l3sig_defaults"])):
        color = f"C{i + 1}"
        FitDisplay.from_estimator(
            est, Xs, ys, ax=ax[0, 0], name=label, show_data=i == 0, line_kw={"color": color}
        )
        _slide_loss_curve(est, ax[0, 1], label, color, ns, "half_sum")
        FitDisplay.from_estimator(
            dflt, Xs, ys, ax=ax[1, 0], name=label, show_data=i == 0, line_kw={"color": color}
        )
        LossCurveDisplay.from_estimator(
            dflt,
            ax=ax[1, 1],
            name=f"{label}, learning_rate_ {dflt.learning_rate_:.3g}",
            color=color,
        )
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
