"""Would two threads pay? ms per pass over the row blocks, one thread vs two.

For each estimator, number of units and number of rows (friedman1, 10 features), the
objective of ``training_problem`` is summed over its row blocks at the starting
parameters in two ways: every block in the calling thread, and the blocks cut into two
halves ("lanes"), the second half on a thread started for the pass (as the package did
until it measured this table), both under one BLAS thread (``threadpool_limits``). The
two are interleaved round by round and the best round of each is printed with the ratio
(below 1: the threads pay). The package sums on one thread: this benchmark is the
evidence, and reruns it on any machine.

Run ``python benchmarks/bench_lanes.py --sizes 2000 10000 100000 --units 20 40 64``.
"""

import argparse
import threading
import time
import warnings

import numpy as np
from sklearn.datasets import make_friedman1
from threadpoolctl import threadpool_limits

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor, training_problem


def block_sums(objective, params, blocks):
    """``sum s e^2`` and the gradient sums over ``blocks`` (a list of (X, Y, s) blocks)."""
    grad = np.zeros(objective.layout.size)
    grads = objective.layout.unpack(grad)
    sse = 0.0
    for Xb, Yb, sb in blocks:
        sse += float(objective.block_loss_grad(params, Xb, Yb, sb, grads))
    return sse, grad


def one_thread(objective, params, blocks):
    return block_sums(objective, params, blocks)


def two_threads(objective, params, blocks):
    half = len(blocks) // 2
    out = [None]
    thread = threading.Thread(
        target=lambda: out.__setitem__(0, block_sums(objective, params, blocks[half:]))
    )
    thread.start()
    sse, grad = block_sums(objective, params, blocks[:half])
    thread.join()
    return sse + out[0][0], grad + out[0][1]


def ms_per_pass(run, objective, params, blocks, reps):
    start = time.perf_counter()
    for _ in range(reps):
        run(objective, params, blocks)
    return (time.perf_counter() - start) / reps * 1e3


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[2000, 10000, 1e5])
    parser.add_argument("--units", type=int, nargs="+", default=[20, 40, 64])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(
        f"{'estimator':20s} {'units':>5s} {'rows':>7s} {'params':>6s} "
        f"{'1 thread ms':>11s} {'2 threads ms':>12s} {'ratio':>5s}"
    )
    for cls in (SigmoidMLPRegressor, RBFRegressor):
        for units in args.units:
            for n in (int(s) for s in args.sizes):
                X, y = make_friedman1(n, noise=1.0, random_state=0)
                objective, layout, theta, _ = training_problem(cls(units, random_state=0), X, y)
                blocks = list(objective.rows.blocks())
                params = objective.params(theta)
                reps = max(3, int(1e5 / n))
                one, two = [], []
                with threadpool_limits(1, user_api="blas"):
                    for _ in range(args.rounds):  # interleaved: both see the same load
                        one.append(ms_per_pass(one_thread, objective, params, blocks, reps))
                        two.append(ms_per_pass(two_threads, objective, params, blocks, reps))
                print(
                    f"{cls.__name__:20s} {units:5d} {n:7d} {layout.size:6d} "
                    f"{min(one):11.3f} {min(two):12.3f} {min(two) / min(one):5.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
