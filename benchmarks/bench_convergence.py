"""Do the defaults converge, how good are they, and how long do they take?

For every data set below, each estimator x solver with its defaults, inside
``Pipeline(StandardScaler(), est)``, is cross-validated (5-fold, shuffled,
``random_state=0``) in one process, one after the other; scikit-learn's
``MLPRegressor()`` with its defaults is the reference row, measured in the same run.
For each it prints the mean held-out R^2, the total wall time of the 5 fits, the
mean number of iterations (``n_iter_``) and how many of the 5 fits raised a
``ConvergenceWarning``.  A summary row adds up the fit times over all data sets,
with the ratios the project targets (``gd`` at most half of ``MLPRegressor``'s time,
``lbfgs`` at most 3x ``gd``'s).

The data sets (what a user would try first):

* ``friedman1/2/3`` at n = 500 and 2000 (``make_friedman*``, noise 1, 125 and 0.1:
  Breiman's 1996 signal-to-noise ratio of about 3:1 for friedman2 and friedman3);
* ``diabetes`` (442 rows, 10 features);
* ``sine``: a noisy 1-D sine, 200 rows, ``y = sin(x) + 0.3 noise`` on [0, 2 pi];
* ``surface5k``: 5,000 rows, 2 features, ``sin(x1) cos(x2) + 0.1 noise`` (the dask
  example's data);
* ``two_outputs``: 1,000 rows, 3 features, two targets;
* small data: ``diabetes32``, ``diabetes64`` (random subsamples of diabetes) and
  ``friedman1_25`` (25 rows, 10 features);
* with ``--large`` (or by name) only: ``friedman1_20k``, ``interactions_20k``
  (20,000 rows of 8 features, ``sin(2 x1) x2 + cos(x3 x4) + |x5| / 2 + 0.3 x6^2``
  and noise 0.1) and ``friedman1_100k`` (100,000 rows).

Sets of 10,000 rows or more are cross-validated with 3 folds. ``LinearRegression``'s
R^2 on the same folds is printed in a second table. The ratios to ``MLPRegressor``
add up the sets of at most 20,000 rows. ``--write-docs`` also writes the tables as
reStructuredText to ``doc/benchmarks/bench_convergence.rst`` (the performance page).

Run ``python benchmarks/bench_convergence.py`` (a few minutes on an idle machine)
or ``--quick`` (tiny data, 2 folds, for the smoke test).  ``--datasets`` picks
some; ``--estimators`` picks rows by name.  Extra keyword arguments for our
estimators can be given as ``--set name=value`` (e.g. ``--set l2=0``) to measure
a parameter's effect.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_diabetes, make_friedman1, make_friedman2, make_friedman3
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor


def _sine(n, rs):
    x = rs.uniform(0, 2 * np.pi, size=(n, 1))
    return x, np.sin(x[:, 0]) + 0.3 * rs.standard_normal(n)


def _surface(n, rs):
    X = rs.uniform(-3, 3, size=(n, 2))
    return X, np.sin(X[:, 0]) * np.cos(X[:, 1]) + 0.1 * rs.standard_normal(n)


def _two_outputs(n, rs):
    X = rs.uniform(-2, 2, size=(n, 3))
    y1 = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    y2 = np.exp(-X[:, 0] ** 2) - 0.5 * X[:, 2]
    return X, np.column_stack([y1, y2]) + 0.1 * rs.standard_normal((n, 2))


def _interactions(n, rs):
    X = rs.uniform(-2, 2, size=(n, 8))
    y = (np.sin(2 * X[:, 0]) * X[:, 1] + np.cos(X[:, 2] * X[:, 3]) + 0.5 * np.abs(X[:, 4])
         + 0.3 * X[:, 5] ** 2)
    return X, y + 0.1 * rs.standard_normal(n)


# Larger sets, left out of the default run (minutes each): --large, or name them.
LARGE = ("friedman1_20k", "interactions_20k", "friedman1_100k")
DOCS = Path(__file__).resolve().parents[1] / "doc" / "benchmarks" / "bench_convergence.rst"


def _diabetes_subsample(n, rs):
    X, y = load_diabetes(return_X_y=True)
    rows = rs.choice(len(X), n, replace=False)
    return X[rows], y[rows]


def datasets(quick=False):
    """name -> (X, y), each drawn with its own fixed seed."""
    f = 0.1 if quick else 1.0  # --quick: a tenth of the rows

    def n(k):
        return max(20, int(k * f))

    def rs(seed):
        return np.random.RandomState(seed)

    return {
        "friedman1_500": lambda: make_friedman1(n(500), noise=1.0, random_state=0),
        "friedman1_2000": lambda: make_friedman1(n(2000), noise=1.0, random_state=0),
        "friedman2_500": lambda: make_friedman2(n(500), noise=125.0, random_state=0),
        "friedman2_2000": lambda: make_friedman2(n(2000), noise=125.0, random_state=0),
        "friedman3_500": lambda: make_friedman3(n(500), noise=0.1, random_state=0),
        "friedman3_2000": lambda: make_friedman3(n(2000), noise=0.1, random_state=0),
        "diabetes": lambda: load_diabetes(return_X_y=True),
        "sine": lambda: _sine(n(200), rs(1)),
        "surface5k": lambda: _surface(n(5000), rs(2)),
        "two_outputs": lambda: _two_outputs(n(1000), rs(3)),
        "diabetes32": lambda: _diabetes_subsample(32, rs(4)),
        "diabetes64": lambda: _diabetes_subsample(64, rs(5)),
        "friedman1_25": lambda: make_friedman1(25, noise=1.0, random_state=6),
        "friedman1_20k": lambda: make_friedman1(n(20000), noise=1.0, random_state=0),
        "interactions_20k": lambda: _interactions(n(20000), rs(0)),
        "friedman1_100k": lambda: make_friedman1(n(100000), noise=1.0, random_state=0),
    }


def estimators(extra=None):
    """Row name -> unfitted estimator; defaults, ``random_state=0``."""
    extra = dict(extra or {})
    return {
        "SigmoidMLP gd": SigmoidMLPRegressor(random_state=0, **extra),
        "SigmoidMLP lbfgs": SigmoidMLPRegressor(solver="lbfgs", random_state=0, **extra),
        "RBF gd": RBFRegressor(random_state=0, **extra),
        "RBF lbfgs": RBFRegressor(solver="lbfgs", random_state=0, **extra),
        "MLPRegressor": MLPRegressor(random_state=0),
    }


def cross_validate(est, X, y, n_splits):
    """``(mean R^2, total fit seconds, mean n_iter_, fits that warned)``."""
    scores, seconds, iters, warned = [], 0.0, [], 0
    for train, test in KFold(n_splits, shuffle=True, random_state=0).split(X):
        pipe = make_pipeline(StandardScaler(), clone(est))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            pipe.fit(X[train], y[train])
            seconds += time.perf_counter() - start
        warned += any(issubclass(w.category, ConvergenceWarning) for w in caught)
        scores.append(r2_score(y[test], pipe.predict(X[test])))
        iters.append(getattr(pipe[-1], "n_iter_", 0))
    return float(np.mean(scores)), seconds, float(np.mean(iters)), warned


def _rst_table(header, rows):
    """A reStructuredText grid ("simple") table of strings."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    rule = "  ".join("=" * w for w in widths)
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([rule, line(header), rule, *map(line, rows), rule])


def write_docs(path, title, results, linear, summary):
    """Write the run's tables as reStructuredText (included by the performance page)."""
    header = ("data set", "n x d", "estimator", "R^2", "fit s", "mean iters", "warned")
    rows = [(d, shape, e, f"{r2:.3f}", f"{sec:.2f}", f"{it:.0f}", w)
            for d, shape, e, r2, sec, it, w in results]
    lin = [(d, shape, f"{r2:.3f}") for d, shape, r2 in linear]
    text = "\n\n".join([
        ".. Written by benchmarks/bench_convergence.py --write-docs; do not edit.",
        title,
        _rst_table(header, rows),
        "``LinearRegression`` on the same folds:",
        _rst_table(("data set", "n x d", "R^2"), lin),
        "Totals over the sets of at most 20,000 rows:",
        "\n".join(f"- {line}" for line in summary),
    ])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def _folds(args, n_rows):
    if args.folds:
        return args.folds
    return 2 if args.quick else (3 if n_rows >= 10_000 else 5)


def _summary(totals, results, ref_name="MLPRegressor"):
    """The lines of the totals: seconds per row name, ratios, warnings of the gd defaults."""
    lines = [f"{ename}: {sec:.1f} s" for ename, sec in totals.items()]
    ref = totals.get(ref_name)
    for model in ("SigmoidMLP", "RBF"):
        gd, lb = totals.get(f"{model} gd"), totals.get(f"{model} lbfgs")
        if gd and ref:
            lines.append(f"{model} gd / MLPRegressor: {gd / ref:.2f}")
        if gd and lb:
            lines.append(f"{model} lbfgs / {model} gd: {lb / gd:.2f}")
    n_warned = sum(int(r[6].split("/")[0]) for r in results if r[2].endswith(" gd"))
    lines.append(f"ConvergenceWarnings of the gd defaults: {n_warned}")
    return lines


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny data, 2 folds")
    parser.add_argument("--datasets", nargs="*",
                        help="names of data sets (default: all but the --large ones)")
    parser.add_argument("--large", action="store_true",
                        help="add the large sets " + ", ".join(LARGE))
    parser.add_argument("--estimators", nargs="*", help="row names (default: all)")
    parser.add_argument("--folds", type=int, default=None)
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                        help="extra parameters for our estimators")
    parser.add_argument("--write-docs", action="store_true",
                        help=f"write the tables as reStructuredText to {DOCS}")
    args = parser.parse_args(argv)
    extra = {}
    for item in args.set:
        key, value = item.split("=", 1)
        try:
            extra[key] = float(value) if "." in value or "e" in value else int(value)
        except ValueError:
            extra[key] = value
    data = datasets(args.quick)
    names = args.datasets or [d for d in data if args.large or d not in LARGE]
    ests = estimators(extra)
    rows_wanted = args.estimators or list(ests)
    title = ("Pipeline(StandardScaler(), est) with the defaults"
             + (f" and {extra}" if extra else "") + ", random_state=0; k-fold CV (5 folds, "
             "3 from 10,000 rows); fit s is the sum of the folds' fit times")
    print(title, file=out)
    print("\n| data set | n x d | estimator | R^2 | fit s | mean iters | warned |", file=out)
    print("|---|---|---|---:|---:|---:|---:|", file=out)
    results, linear = [], []
    totals = {name: 0.0 for name in rows_wanted}
    for dname in names:
        X, y = data[dname]()
        folds, shape = _folds(args, X.shape[0]), f"{X.shape[0]} x {X.shape[1]}"
        for ename in rows_wanted:
            r2, sec, it, warned = cross_validate(ests[ename], X, y, folds)
            if X.shape[0] <= 20_000:
                totals[ename] += sec
            results.append((dname, shape, ename, r2, sec, it, f"{warned}/{folds}"))
            print(f"| {dname} | {shape} | {ename} | {r2:.3f} | {sec:.2f} "
                  f"| {it:.0f} | {warned}/{folds} |", file=out, flush=True)
        linear.append((dname, shape, cross_validate(LinearRegression(), X, y, folds)[0]))
    print("\n| data set | n x d | LinearRegression R^2 |\n|---|---|---:|", file=out)
    for dname, shape, r2 in linear:
        print(f"| {dname} | {shape} | {r2:.3f} |", file=out)
    summary = _summary(totals, results)
    print("\nTotals over the sets of at most 20,000 rows:", file=out)
    for line in summary:
        print(f"- {line}", file=out)
    if args.write_docs:
        write_docs(DOCS, title, results, linear, summary)
    return [(d, e, r2, sec, it, int(w.split("/")[0])) for d, _, e, r2, sec, it, w in results]


if __name__ == "__main__":
    main()
