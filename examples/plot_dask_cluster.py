"""
===================================================================
The lecture's cost and gradient on a dask cluster (10 million rows)
===================================================================

The lecture's cost ``J = 1/(2n) sum_i ||e_i||^2`` and its gradient are sums over
rows, so one full-batch step ``W <- W - alpha * dJ/dW`` can be split over many
machines exactly: every worker adds up the gradient of its own rows, the client
adds the workers' sums and takes the step.  ``fit`` does this by itself when
``X`` is a dask array; the data never come to the client.

Here dask *generates* 10 million rows lazily, chunk by chunk, on a
:class:`~dask.distributed.LocalCluster` of two worker processes.  To use a real
cluster instead, replace the ``LocalCluster`` by
``Client("tcp://scheduler:8786")``; nothing else changes.

Set ``SKLEARN_LECTURE_QUICK=1`` for a quick run on 20,000 rows, and
``SKLEARN_LECTURE_FIGURES=DIR`` for where the figure goes.

The cluster's worker processes re-import this file, so the work runs under
``if __name__ == "__main__":`` (the last cell).
"""

# %%
# The data: 10 million rows that exist only as a recipe
# ------------------------------------------------------
# ``da.random`` builds a task graph; each worker creates its chunks when a
# computation needs them, and ``client.persist`` keeps them there (240 MB over
# the two workers for 10 million rows), so they are generated once.  The target
# is the lecture's kind of smooth surface plus noise.
import os
import time
from pathlib import Path

import dask.array as da
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster

from sklearn_lecture import SigmoidMLPRegressor

FIGURES = Path(os.environ.get("SKLEARN_LECTURE_FIGURES") or Path(__file__).parent / "figures")
QUICK = os.environ.get("SKLEARN_LECTURE_QUICK") == "1"
N_ROWS = 20_000 if QUICK else 10_000_000
CHUNK_ROWS = 10_000 if QUICK else 1_000_000
MAX_ITER = 100  # passes over the data, at most
TOL = 1e-3  # L-BFGS stops when the gradient is this flat


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
#
# Every pass over 10 million rows costs seconds, so the fit stops once the
# gradient is flat to ``tol=TOL`` (at most ``MAX_ITER`` passes): ``solver="lbfgs"``
# hands the same J and gradient sums to L-BFGS, which gets much further per pass
# than the lecture's update with ``learning_rate="auto"``. The output below gives
# the passes it took and the R^2 on new rows.


def train(client):
    X, y = make_data(N_ROWS, seed=0)
    X, y = client.persist([X, y])  # generated once, kept in the workers' memory
    net = SigmoidMLPRegressor(
        hidden_layer_sizes=(20,), solver="lbfgs", max_iter=MAX_ITER, tol=TOL, random_state=0
    )
    start = time.perf_counter()
    net.fit(X, y)
    seconds = time.perf_counter() - start
    print(
        f"{N_ROWS:,} rows in {X.npartitions} chunks on {len(client.scheduler_info()['workers'])} "
        f"workers: {net.n_iter_} iterations in {seconds:.1f} s "
        f"({seconds / net.n_iter_:.2f} s per iteration)"
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


def plot(net, r2):
    """J per iteration, and the fitted surface against the true one along x2 = 0."""
    fig, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    ax_loss.plot(range(1, len(net.loss_curve_) + 1), net.loss_curve_, marker="o")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("J (standardised units)")
    ax_loss.set_title(f"L-BFGS on {N_ROWS:,} rows (dask)")
    x1 = np.linspace(-3, 3, 200)
    for x2, style in ((0.0, "-"), (1.5, "--")):
        grid = np.column_stack([x1, np.full_like(x1, x2)])
        ax_fit.plot(x1, np.sin(x1) * np.cos(x2), "k" + style, lw=1,
                    label=f"sin(x1) cos(x2), x2 = {x2}")
        ax_fit.plot(x1, net.predict(grid), "C1" + style, label=f"network, x2 = {x2}")
    ax_fit.set_xlabel("x1")
    ax_fit.set_ylabel("y")
    ax_fit.set_title(f"Fitted surface (R^2 on new rows: {r2:.3f})")
    ax_fit.legend(fontsize=8)
    FIGURES.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURES / "dask_cluster.png", dpi=150)
    return fig


# %%
# Run it
# ------
if __name__ == "__main__":
    # dashboard_address=":0": any free port (with None the scheduler's web server still
    # takes dask's default 8787, and warns when another program holds it)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        net = train(client)
        r2 = evaluate(net)
    plot(net, r2)
