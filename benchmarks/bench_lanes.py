"""When do the lane threads pay? ms per pass of the objective, 2 threads vs 1.

For each estimator, number of hidden units and number of rows (friedman1, 10
features), one ``Objective`` (``training_problem``) is evaluated repeatedly at
its starting parameters with ``n_threads=1`` (every lane in the calling thread)
and ``n_threads=2`` (lane 1 on a thread of its own), under the fit's one-thread
BLAS; the best of two rounds is printed with the ratio. The thresholds
``THREADS_MIN_BLOCKS`` and ``THREADS_MIN_ROW_WIDTH`` in ``sklearn_lecture/_rows.py``
come from this table.

Run ``python benchmarks/bench_lanes.py --sizes 1600 8192 100000 --units 20 64``.
"""

import argparse
import time
import warnings

from sklearn.datasets import make_friedman1

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor, training_problem
from sklearn_lecture._rows import BLOCK_SIZE, one_blas_thread


def ms_per_pass(objective, theta, n_threads, reps):
    objective.n_threads = n_threads
    objective(theta)  # warm up
    start = time.perf_counter()
    for _ in range(reps):
        objective(theta)
    return (time.perf_counter() - start) / reps * 1e3


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1600, 4096, 8192, 1e5])
    parser.add_argument("--units", type=int, nargs="+", default=[20, 64, 256])
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"{'estimator':20s} {'units':>5s} {'rows':>7s} {'params':>6s} {'blocks':>6s} "
          f"{'1 thread ms':>11s} {'2 threads ms':>12s} {'ratio':>5s}")
    for cls in (SigmoidMLPRegressor, RBFRegressor):
        for units in args.units:
            for n in (int(s) for s in args.sizes):
                X, y = make_friedman1(n, noise=1.0, random_state=0)
                objective, layout, theta, _ = training_problem(cls(units, random_state=0), X, y)
                reps = max(5, int(3e5 / n))
                with one_blas_thread():
                    one = min(ms_per_pass(objective, theta, 1, reps) for _ in range(2))
                    two = min(ms_per_pass(objective, theta, 2, reps) for _ in range(2))
                print(f"{cls.__name__:20s} {units:5d} {n:7d} {layout.size:6d} "
                      f"{-(-n // BLOCK_SIZE):6d} {one:11.3f} {two:12.3f} {two / one:5.2f}", flush=True)


if __name__ == "__main__":
    main()
