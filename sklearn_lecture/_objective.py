"""The lecture's cost J over one flat parameter vector, knowing nothing about models.

A model hands the solvers an :class:`Objective`: a function of one flat
parameter vector ``theta`` (its blocks named by a :class:`ParamLayout`) that
returns the lecture's cost ``J`` and its gradient. Each estimator writes only
``block_loss_grad``, the sum over one block of rows; :class:`Objective` adds the
blocks up (the full-batch gradient of the lecture is a sum over rows), divides
by the total weight and adds the L2 penalty. Where the rows live is a subclass's
business: ``_dask.DaskObjective`` overrides ``Objective._sums`` (the body of
:meth:`Objective.sums`) and the total weight to add the same block sums on the
workers (and ``blocks``, which must not bring rows to the client); J, the
penalty and ``params`` are inherited.
"""

from contextlib import nullcontext

import numpy as np

from ._rows import BLOCK_SIZE, n_blocks, sum_lanes


class ParamLayout:
    """Named parameter blocks packed into one flat vector ``theta``.

    ``unpack`` returns views, so an update of ``theta`` updates every block.
    """

    def __init__(self, shapes):
        self.shapes = dict(shapes)
        self.slices = {}
        start = 0
        for name, shape in self.shapes.items():
            size = int(np.prod(shape, dtype=np.int64))
            self.slices[name] = slice(start, start + size)
            start += size
        self.size = start
        self._views = tuple((name, self.slices[name], shape) for name, shape in self.shapes.items())

    def pack(self, params, dtype):
        theta = np.empty(self.size, dtype=dtype)
        for name, sl in self.slices.items():
            theta[sl] = np.ravel(params[name])
        return theta

    def unpack(self, theta):
        return {name: theta[sl].reshape(shape) for name, sl, shape in self._views}


class Objective:
    """The lecture's cost ``J = sum_i s_i ||e_i||^2 / (2 sum_i s_i)`` (plus an L2 penalty) and its gradient.

    Parameters
    ----------
    block_loss_grad : callable
        ``block_loss_grad(params, X, Y, s, grads) -> sse``. For one block of
        rows it returns ``sum_i s_i ||e_i||^2`` and *adds* the matching
        gradient sums (``dJ/dW`` times ``sum_i s_i``) into ``grads``, a dict
        of arrays keyed like the trainable parameters.
    layout : ParamLayout
        The trainable blocks, in a fixed order.
    fixed : dict
        The parameters that are not trained (held constant).
    X, Y : ndarray
        The data, in the units the model trains in (see ``transform``).
    sample_weight : ndarray or None
        ``s_i``; ``None`` means every ``s_i = 1``.
    transform : callable or None
        Maps a raw block ``(X, Y)`` to training units (standardisation), so that
        no standardised copy of a large data set is ever made. The blocks of data
        up to ``CACHE_BYTES`` are transformed once, on the first pass, and kept, so
        X, Y and ``transform`` are fixed for the object's life (build a new one for
        other data, as every fit does).
    block_size : int
        Rows per block.
    n_threads : int or None
        Threads that sum the lanes of blocks at once (see ``sums``); ``None``
        uses every core when called from the main thread with enough rows per
        lane to pay for the threads (``_rows.sum_lanes``), else 1 (no nested
        parallelism inside a dask or joblib worker).
    l2 : float
        lambda, the weight of the penalty ``(lambda / 2) sum ||W||^2``.
    penalized : sequence of str
        The trained blocks W the penalty applies to (the weights, not the biases).
    keep_blocks : bool
        Keep the standardised blocks of small data between passes (see
        ``transform``); ``False`` for an object used for one pass only.

    Notes
    -----
    ``block_loss_grad(params, X, Y, s, grads) -> sse`` is the contract between
    the models and every backend (in memory, threads, dask workers), and is kept
    stable: ``params`` is a dict of arrays (trained and fixed, in training
    units, never written), ``X`` (n_block, n_features) and ``Y`` (n_block,
    n_outputs) one block in training units and in the parameters' dtype, ``s``
    (n_block,) or ``None`` its sample weights, and ``grads`` a dict holding a
    gradient accumulator for each *trained* parameter only. It adds the block's
    sums into ``grads`` in place and returns ``sum_i s_i ||e_i||^2``. It keeps
    no state between calls and reads nothing but its arguments, so it may run
    on any thread or worker; it may overwrite nothing but its own temporaries.
    """

    # Data of at most this many bytes (X and Y) keep their blocks in training units
    # between passes instead of standardising every block on every pass: that
    # took 9-18% of a pass (CPU time) on friedman1 (1600 rows) and diabetes, 20 units.
    # A constant, so memory still does not grow with n; 256 kB (e.g. 3,000 rows of 10
    # float64 features) keeps the small data sets that gain and leaves the peak memory
    # of benchmarks/bench_fit.py (n >= 1e4 rows of 8 features) as it was.
    CACHE_BYTES = 2**18

    def __init__(
        self,
        block_loss_grad,
        layout,
        fixed,
        X,
        Y,
        sample_weight=None,
        transform=None,
        block_size=BLOCK_SIZE,
        n_threads=None,
        l2=0.0,
        penalized=(),
        keep_blocks=True,
    ):
        self.block_loss_grad = block_loss_grad
        self.layout = layout
        self.fixed = fixed
        self.X = X
        self.Y = Y
        self.sample_weight = sample_weight
        self.transform = transform
        self.block_size = block_size
        self.n_threads = n_threads
        self.set_penalty(l2, penalized)
        self.total_weight = self._total_weight()
        small = keep_blocks and transform is not None and X.nbytes + Y.nbytes <= self.CACHE_BYTES
        self._transformed = {} if small else None  # (block, block_size) -> (X_block, Y_block)

    def _total_weight(self):
        """``sum_i s_i`` (the number of rows without weights)."""
        if self.sample_weight is None:
            return float(self.X.shape[0])
        return float(np.sum(self.sample_weight))

    def set_penalty(self, l2, penalized):
        """Penalise the blocks ``penalized`` (names in ``layout``) by ``(l2 / 2) ||W||^2``."""
        self.l2 = float(l2)
        self.penalized = [
            self.layout.slices[name] for name in penalized if name in self.layout.slices
        ]

    def blocks(self, first=0, stop=None):
        """Yield ``(X_block, Y_block, s_block)`` in training units (blocks ``first:stop``)."""
        stop = n_blocks(self.X.shape[0], self.block_size) if stop is None else stop
        for k in range(first, stop):
            rows = slice(k * self.block_size, (k + 1) * self.block_size)
            if self._transformed is not None and (k, self.block_size) in self._transformed:
                Xb, Yb = self._transformed[k, self.block_size]
            else:
                Xb, Yb = self.X[rows], self.Y[rows]
                if self.transform is not None:
                    Xb, Yb = self.transform(Xb, Yb)
                if self._transformed is not None:
                    self._transformed[k, self.block_size] = Xb, Yb
            sb = None if self.sample_weight is None else self.sample_weight[rows]
            yield Xb, Yb, sb

    def params(self, theta):
        params = dict(self.fixed)
        params.update(self.layout.unpack(theta))
        return params

    def sums(self, theta):
        """``(sum_i s_i ||e_i||^2, the gradient sums)`` at ``theta``, before dividing by ``sum s``.

        The sums over rows that the dask path (``_dask.DaskObjective``) also
        computes, chunk by chunk, on the workers.  The blocks are summed in
        ``N_LANES`` lanes by ``_rows.sum_lanes`` (threads owned by this
        call when ``n_threads > 1``); either way the lanes are added in the
        same order.
        """
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._sums(theta)

    def _sums(self, theta):
        """:meth:`sums`, for a caller that has silenced overflow (``np.errstate``) in this thread.

        A blown-up J is the optimisers' to judge, not a RuntimeWarning's. The
        lanes run in this thread inherit the caller's ``np.errstate``; a lane
        on its own thread sets it (``_lane_sums``). One context per pass
        instead of three: each costs 2-4 us, a tenth of a pass on 160 rows.
        """
        params = self.params(theta)

        def lane_sums(first, stop, interrupted):
            return self._lane_sums(params, theta.dtype, first, stop, interrupted)

        parts = sum_lanes(
            lane_sums,
            n_blocks(self.X.shape[0], self.block_size),
            self.n_threads,
            row_width=self.layout.size,
        )
        if not parts:  # no rows (an empty dask chunk)
            return 0.0, np.zeros(self.layout.size, dtype=theta.dtype)
        sse, grad = parts[0]
        for lane_sse, lane_grad in parts[1:]:
            sse += lane_sse
            grad += lane_grad
        return sse, grad

    def _lane_sums(self, params, dtype, first, stop, interrupted=None):
        """Sums over the blocks ``first, ..., stop - 1``, added in order into one gradient.

        Stops early (its result is then discarded) once ``interrupted`` is set.
        """
        grad = np.zeros(self.layout.size, dtype=dtype)
        grads = self.layout.unpack(grad)
        sse = 0.0
        # A lane on a thread of its own (``interrupted`` given) does not see the
        # caller's np.errstate: it sets its own.
        with (
            np.errstate(over="ignore", invalid="ignore", divide="ignore")
            if (interrupted is not None)
            else nullcontext()
        ):
            for Xb, Yb, sb in self.blocks(first, stop):
                if interrupted is not None and interrupted.is_set():
                    break
                sse += float(self.block_loss_grad(params, Xb, Yb, sb, grads))
        return sse, grad

    def __call__(self, theta):
        """Return ``(J, grad J)`` at ``theta``: one full pass over the rows."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            sse, grad = self._sums(theta)
            J = sse / (2.0 * self.total_weight)
            grad /= self.total_weight
            if self.l2 > 0:
                # The L2 penalty on the weights W (not the biases):
                # J += (lambda / 2) ||W||^2 and dJ/dW += lambda W.
                for sl in self.penalized:
                    W = theta[sl]
                    J += 0.5 * self.l2 * float(W @ W)
                    grad[sl] += self.l2 * W
        return J, grad
