"""What the default RBF widths buy: one width for all units against every third unit spanning X.

``RBFRegressor(width=None)`` starts every unit at b, twice the mean squared distance from each
initial centre to its nearest other, and every third unit at ``max(b, 6 S)``, S the mean squared
distance of the (standardised) rows from their mean (``_rbf.WIDE_EVERY``, ``_rbf.WIDE_SPREAD``).
This script cross-validates the defaults (``Pipeline(StandardScaler(),
RBFRegressor(random_state=0))``, 5-fold, 3 from 10,000 rows) so and with one width for all units
(``WIDE_SPREAD = 0``), in the same run, on the sets of ``bench_convergence.py`` and on linear,
partly linear, smooth nonlinear and heavy-tailed ones, with ``LinearRegression`` on the same
folds. Held-out R^2 only; times are in bench_convergence.

Run ``python benchmarks/bench_widths.py`` (about a minute on an idle machine; ``--large`` adds
the two 20,000-row sets, about two minutes more; ``--datasets`` picks some).
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import make_friedman1, make_friedman3, make_regression
from sklearn.linear_model import LinearRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_convergence import LARGE, cross_validate, datasets  # noqa: E402

import sklearn_lecture._rbf as rbf_module  # noqa: E402
from sklearn_lecture import RBFRegressor  # noqa: E402


def _partly_linear(n, d, rs):
    X = rs.standard_normal((n, d))
    return X, X @ rs.standard_normal(d) + np.sin(2 * X[:, 0]) + 0.3 * rs.standard_normal(n)


def _smooth_3d(n, rs):
    X = rs.uniform(-2, 2, (n, 3))
    y = np.sin(X[:, 0]) + np.cos(2 * X[:, 1]) + X[:, 2] ** 2
    return X, y + 0.2 * rs.standard_normal(n)


def _tanh_ridge(n, d, rs):
    X = rs.standard_normal((n, d))
    return X, np.tanh(X @ rs.standard_normal(d) / 2) + 0.1 * rs.standard_normal(n)


def _lognormal(n, d, rs):
    X = rs.lognormal(0.0, 1.0, (n, d))
    X[:, 0] = rs.uniform(-3, 3, n)
    y = np.log1p(X[:, 1]) * np.sin(X[:, 0]) + 0.3 * np.sqrt(X[:, 2])
    return X, y + 0.2 * rs.standard_normal(n)


def _student_t(n, d, rs):
    X = rs.standard_t(2, (n, d))
    y = np.tanh(X[:, 0]) + 0.5 * np.tanh(X[:, 1] * X[:, 2])
    return X, y + 0.1 * rs.standard_normal(n)


def _linear(n, d, noise):
    return make_regression(n, d, n_informative=min(d, 10), noise=noise, random_state=0)


def more_datasets():
    """name -> (X, y): linear (make_regression), partly linear, smooth and heavy-tailed sets."""
    rs = np.random.RandomState
    return {
        "linear_1000x20": lambda: _linear(1000, 20, 10.0),
        "linear_300x5": lambda: _linear(300, 5, 20.0),
        "linear_2000x10": lambda: _linear(2000, 10, 50.0),
        "linear_500x50": lambda: _linear(500, 50, 10.0),
        "linear_5000x8": lambda: make_regression(5000, 8, noise=5.0, random_state=0),
        "linear_sine_800x8": lambda: _partly_linear(800, 8, rs(10)),
        "tanh_ridge_1000x6": lambda: _tanh_ridge(1000, 6, rs(9)),
        "smooth_1500x3": lambda: _smooth_3d(1500, rs(8)),
        "friedman1_1000": lambda: make_friedman1(1000, noise=1.0, random_state=7),
        "friedman3_1000": lambda: make_friedman3(1000, noise=0.1, random_state=7),
        "lognormal_800x4": lambda: _lognormal(800, 4, rs(10)),
        "lognormal_1500x5": lambda: _lognormal(1500, 5, rs(10)),
        "lognormal_3000x6": lambda: _lognormal(3000, 6, rs(10)),
        "student_t_2000x5": lambda: _student_t(2000, 5, rs(2)),
    }


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="*", help="names of data sets (default: all)")
    parser.add_argument("--large", action="store_true", help="add the 20,000-row sets")
    args = parser.parse_args(argv)
    data = {**datasets(), **more_datasets()}
    skip = set(LARGE) - ({"friedman1_20k", "interactions_20k"} if args.large else set())
    names = args.datasets or [name for name in data if name not in skip]
    spread = rbf_module.WIDE_SPREAD
    print("| data set | n x d | LinearRegression | one width | default | default - one |", file=out)
    print("|---|---|---:|---:|---:|---:|", file=out)
    diffs = {}
    for name in names:
        X, y = data[name]()
        folds = 3 if X.shape[0] >= 10_000 else 5
        scores = []
        for wide in (0.0, spread):  # 0: every unit b
            rbf_module.WIDE_SPREAD = wide
            scores.append(cross_validate(RBFRegressor(random_state=0), X, y, folds)[0])
        rbf_module.WIDE_SPREAD = spread
        lr = cross_validate(LinearRegression(), X, y, folds)[0]
        diffs[name] = scores[1] - scores[0]
        shape = f"{X.shape[0]} x {X.shape[1]}"
        print(f"| {name} | {shape} | {lr:.3f} | {scores[0]:.3f} | {scores[1]:.3f} | "
              f"{diffs[name]:+.3f} |", file=out, flush=True)
    values = np.array(list(diffs.values()))
    print(f"\n{len(values)} sets: mean {values.mean():+.4f}, least {values.min():+.4f} "
          f"({min(diffs, key=diffs.get)}), most {values.max():+.4f}", file=out)


if __name__ == "__main__":
    main()
