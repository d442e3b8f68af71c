"""
The lecture's gradient descent on a dask cluster (10 million rows)
==================================================================

The lecture's cost ``J = 1/(2n) sum_i ||e_i||^2`` and its gradient are sums over
rows, so one full-batch step ``W <- W - alpha * dJ/dW`` can be split over many
machines exactly: every worker adds up the gradient of its own rows, the client
adds the workers' sums and takes the step.  ``fit`` does this by itself when
``X`` is a dask array; the data never come to the client.

Here dask *generates* 10 million rows lazily, chunk by chunk, on a
:class:`~dask.distributed.LocalCluster` of two worker processes.  To use a real
cluster instead, replace the ``LocalCluster`` by
``Client("tcp://scheduler:8786")``; nothing else changes.

Set ``SKLEARN_LECTURE_QUICK=1`` for a quick run on 20,000 rows.

The cluster's worker processes re-import this file, so the work runs under
``if __name__ == "__main__":`` (the last cell).
"""

# %%
# The data: 10 million rows that exist only as a recipe
# ------------------------------------------------------
# ``da.random`` builds a task graph; each worker creates its chunks when a
# computation needs them.  The target is the lecture's kind of smooth surface
# plus noise.
import os
import time
import warnings

import dask.array as da
import matplotlib.pyplot as plt
from dask.distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning

from sklearn_lecture import SigmoidMLPRegressor

QUICK = os.environ.get("SKLEARN_LECTURE_QUICK") == "1"
N_ROWS = 20_000 if QUICK else 10_000_000
CHUNK_ROWS = 5_000 if QUICK else 1_000_000
MAX_ITER = 3 if QUICK else 30


def make_data(n, seed):
    """``x`` uniform on [-3, 3]^2 and ``y = sin(x1) cos(x2) + noise``, lazily."""
    rs = da.random.RandomState(seed)
    X = rs.uniform(-3, 3, size=(n, 2), chunks=(CHUNK_ROWS, 2))
    y = da.sin(X[:, 0]) * da.cos(X[:, 1]) + 0.1 * rs.standard_normal(n, chunks=CHUNK_ROWS)
    return X, y


# %%
# Training on the cluster
# -----------------------
# ``fit`` checks the data and computes the standardisation with dask
# reductions, draws at most 20,000 rows for the initialisation, and then runs the
# lecture's loop: each iteration sends the current parameters to the workers
# once, each worker calls the model's own ``_block_loss_grad`` on its chunks, and
# the client adds the sums and steps.  The fitted estimator is an ordinary one:
# ``predict`` on a dask array is lazy, on a numpy array it returns numpy.


def train(client):
    X, y = make_data(N_ROWS, seed=0)
    net = SigmoidMLPRegressor(hidden_layer_sizes=(20,), max_iter=MAX_ITER, random_state=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a few iterations only
        net.fit(X, y)
    seconds = time.perf_counter() - start
    print(
        f"{N_ROWS:,} rows in {X.npartitions} chunks on {len(client.scheduler_info()['workers'])} "
        f"workers: {net.n_iter_} iterations in {seconds:.1f} s "
        f"({seconds / net.n_iter_:.2f} s per iteration, data generated afresh each time)"
    )
    return net


def evaluate(net):
    """R^2 on fresh rows, computed on the workers from the lazy predictions."""
    X_test, y_test = make_data(N_ROWS // 10, seed=1)
    y_hat = net.predict(X_test)  # a lazy dask array: map_blocks of the model's _forward
    ss_res = ((y_test - y_hat) ** 2).sum()
    ss_tot = ((y_test - y_test.mean()) ** 2).sum()
    r2 = float(1 - ss_res / ss_tot)
    print(f"R^2 on {N_ROWS // 10:,} new rows: {r2:.3f}")
    return r2


def plot(net):
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(range(1, len(net.loss_curve_) + 1), net.loss_curve_, marker="o")
    ax.set_xlabel("iteration")
    ax.set_ylabel("J (standardised units)")
    ax.set_title(f"Full-batch gradient descent on {N_ROWS:,} rows (dask)")
    fig.tight_layout()
    return fig


# %%
# Run it
# ------
if __name__ == "__main__":
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        net = train(client)
        evaluate(net)
    plot(net)
