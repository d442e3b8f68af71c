"""Full-batch training speed and memory: our two estimators against MLPRegressor.

Every estimator does the same work per iteration: one full-batch gradient step on
n rows, d = 8 features, 64 hidden units (or 64 RBF centres), one output:

* ``SigmoidMLPRegressor((64,), solver="gd", learning_rate=<fixed>, tol=0)``;
* ``RBFRegressor(64, solver="gd", learning_rate=<fixed>, tol=0)``;
* ``MLPRegressor(hidden_layer_sizes=(64,), activation="logistic", solver="sgd",
  batch_size=n, momentum=0, alpha=0, learning_rate_init=<fixed>, shuffle=False,
  tol=0, n_iter_no_change=<huge>, early_stopping=False)``.

**Per-iteration time** = ``(t(max_iter=k2) - t(max_iter=k1)) / (k2 - k1)``, where
``t`` is the wall time of one whole ``fit``: the difference removes the setup
(validation, standardisation, initialisation, RBF centre placement). The three
estimators are timed alternately in one process, ``--repeats`` times; the table
gives the medians and the ratios of the medians.

**Peak memory beyond X** is ``tracemalloc``'s peak during one ``fit(X, y)`` with
``max_iter=k1``, traced from just before the call (X and y already exist), in
separate, untimed runs. numpy reports its array allocations to tracemalloc.

Run ``python benchmarks/bench_fit.py`` (the README's table) or ``--quick``.  On
machines where ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` are set to work around old
OpenBLAS builds, unset both for the benchmark command only; the script prints
threadpoolctl's report of the BLAS it ran with.
"""

import argparse
import gc
import io
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from threadpoolctl import threadpool_info

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor

N_FEATURES = 8
N_UNITS = 64
LEARNING_RATE = 0.01
NEVER = 10**9  # n_iter_no_change: never stop early


def make_estimators(n):
    """name -> factory(max_iter), all doing one full-batch step per iteration."""
    return {
        "SigmoidMLPRegressor": lambda k: SigmoidMLPRegressor(
            (N_UNITS,), solver="gd", learning_rate=LEARNING_RATE, max_iter=k, tol=0,
            n_iter_no_change=NEVER, random_state=0,
        ),
        "RBFRegressor": lambda k: RBFRegressor(
            N_UNITS, solver="gd", learning_rate=LEARNING_RATE, max_iter=k, tol=0,
            n_iter_no_change=NEVER, random_state=0,
        ),
        "MLPRegressor": lambda k: MLPRegressor(
            hidden_layer_sizes=(N_UNITS,), activation="logistic", solver="sgd",
            batch_size=n, momentum=0.0, alpha=0.0, learning_rate="constant",
            learning_rate_init=LEARNING_RATE, shuffle=False, tol=0.0,
            n_iter_no_change=NEVER, early_stopping=False, max_iter=k, random_state=0,
        ),
    }


def make_data(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, N_FEATURES)).astype(dtype)
    y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.standard_normal(n)).astype(dtype)
    return X, y


def fit_seconds(factory, k, X, y):
    est = factory(k)
    gc.collect()
    start = time.perf_counter()
    est.fit(X, y)
    return time.perf_counter() - start


def peak_bytes(factory, k, X, y):
    est = factory(k)
    gc.collect()
    tracemalloc.start()
    try:
        est.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def default_iters(n):
    """(k1, k2): about the same total work at every n."""
    return (2, 8) if n >= 500_000 else (2, 12)  # (1, 4) at 1e6: setup noise exceeded the 3 steps


def run(sizes, dtypes, repeats, iters=None, memory=True, out=sys.stdout):
    rows = []
    for dtype in dtypes:
        for n in sizes:
            X, y = make_data(n, dtype)
            k1, k2 = iters or default_iters(n)
            factories = make_estimators(n)
            times = {name: [] for name in factories}
            for _ in range(repeats):  # alternate the estimators within each repeat
                for name, factory in factories.items():
                    t1 = fit_seconds(factory, k1, X, y)
                    t2 = fit_seconds(factory, k2, X, y)
                    times[name].append((t2 - t1) / (k2 - k1))
            med = {name: statistics.median(ts) for name, ts in times.items()}
            peaks = {}
            if memory:
                for name, factory in factories.items():
                    peaks[name] = peak_bytes(factory, k1, X, y)
            rows.append((np.dtype(dtype).name, n, med, peaks))
            print(f"done n={n} {np.dtype(dtype).name}", file=sys.stderr, flush=True)
    print_table(rows, repeats, out)
    return rows


def print_table(rows, repeats, out):
    def ms(t):
        return f"{1e3 * t:.2f}"

    def mb(b):
        return f"{b / 1e6:.0f}" if b is not None else "-"

    print(
        f"Median of {repeats} per-iteration times (ms); d = {N_FEATURES}, "
        f"{N_UNITS} units/centres; peak fit memory beyond X (MB, tracemalloc).\n",
        file=out,
    )
    print(
        "| dtype | n | SigmoidMLP ms/it | RBF ms/it | MLPRegressor ms/it "
        "| SigmoidMLP / MLPRegressor | RBF / SigmoidMLP "
        "| SigmoidMLP MB | RBF MB | MLPRegressor MB |",
        file=out,
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|", file=out)
    for dtype, n, med, peaks in rows:
        ours, rbf, sk = med["SigmoidMLPRegressor"], med["RBFRegressor"], med["MLPRegressor"]
        print(
            f"| {dtype} | {n:.0e} | {ms(ours)} | {ms(rbf)} | {ms(sk)} "
            f"| {ours / sk:.2f} | {rbf / ours:.2f} "
            f"| {mb(peaks.get('SigmoidMLPRegressor'))} | {mb(peaks.get('RBFRegressor'))} "
            f"| {mb(peaks.get('MLPRegressor'))} |",
            file=out,
        )


DOCS = Path(__file__).resolve().parents[1] / "doc" / "benchmarks" / "bench_fit.rst"


def write_docs(path, rows, repeats, command):
    """The table of :func:`print_table` as reStructuredText, for the performance page."""
    table = io.StringIO()
    print_table(rows, repeats, table)
    lines = table.getvalue().splitlines()
    title, cells = lines[0], [line.strip("|").split("|") for line in lines[2:] if line]
    cells = [row for row in cells if not set("".join(row)) <= set("-: ")]
    out = [".. Written by benchmarks/bench_fit.py --write-docs; do not edit.", "",
           f"``{command}``: {title} The 1-minute load average was "
           f"{os.getloadavg()[0]:.1f} at the end (other work on the machine slows a "
           "multithreaded BLAS, as MLPRegressor's, most).", "",
           ".. list-table::", "   :header-rows: 1", ""]
    for row in cells:
        out += [f"   * - {row[0].strip()}"] + [f"     - {c.strip()}" for c in row[1:]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def describe_machine(out):
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{os.cpu_count()} cpus, load average {os.getloadavg()}", file=out)
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        print(f"{var}={os.environ.get(var, '(unset)')}", file=out)
    for lib in threadpool_info():
        print(
            f"{lib.get('user_api')}: {lib.get('internal_api')} {lib.get('version')} "
            f"architecture={lib.get('architecture')} threads={lib.get('num_threads')}",
            file=out,
        )
    print(file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e4, 1e5, 1e6],
                        help="numbers of rows n (default: 1e4 1e5 1e6)")
    parser.add_argument("--dtypes", nargs="+", default=["float64", "float32"],
                        choices=["float64", "float32"])
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed (k1, k2) pairs per estimator (default: 3)")
    parser.add_argument("--iters", type=int, nargs=2, metavar=("K1", "K2"), default=None,
                        help="max_iter of the two fits (default: 2 12, or 1 4 from n = 5e5)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument("--quick", action="store_true",
                        help="n in {1e4, 1e5}, 1 repeat: a first look in under a minute")
    parser.add_argument("--write-docs", action="store_true",
                        help=f"also write the table as reStructuredText to {DOCS}")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes]
    repeats = args.repeats
    if args.quick:
        sizes, repeats = [10_000, 100_000], 1
    describe_machine(sys.stdout)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rows = run(sizes, args.dtypes, repeats, args.iters, memory=not args.no_memory)
    if args.write_docs:
        command = "python benchmarks/bench_fit.py " + " ".join(
            a for a in (argv if argv is not None else sys.argv[1:]) if a != "--write-docs"
        )
        write_docs(DOCS, rows, repeats, command.strip())
    return rows


if __name__ == "__main__":
    main()
