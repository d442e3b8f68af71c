"""The lecture's cost J over one flat parameter vector ``theta``, knowing nothing about models."""

from functools import partial
from typing import Protocol

import numpy as np


class ParamLayout:
    """Named parameter blocks packed into one flat ``theta``; ``unpack`` returns views."""

    def __init__(self, shapes):
        self.shapes = dict(shapes)
        ends = np.cumsum([0] + [int(np.prod(s, dtype=np.int64)) for s in self.shapes.values()])
        self.slices = {k: slice(int(a), int(b)) for k, a, b in zip(self.shapes, ends, ends[1:])}
        self.size = int(ends[-1])
        self._views = tuple((name, self.slices[name], shape) for name, shape in self.shapes.items())

    def pack(self, params, dtype):
        theta = np.empty(self.size, dtype=dtype)
        for name, sl in self.slices.items():
            theta[sl] = np.ravel(params[name])
        return theta

    def unpack(self, theta):
        return {name: theta[sl].reshape(shape) for name, sl, shape in self._views}


class Rows(Protocol):
    """Where the training rows live, as an :class:`Objective` sees them."""

    def total_weight(self) -> float:
        """``sum_i s_i`` over the rows (their number without weights)."""

    def sum_blocks(self, block_sums, theta):
        """``(sse, grad)``: ``block_sums(theta, blocks)`` over all the row blocks, added."""


def block_sums(block_loss_grad, layout, fixed, theta, blocks):
    """``(sum_i s_i ||e_i||^2, the gradient sums)`` over ``blocks``, added in order."""
    params = {**fixed, **layout.unpack(theta)}
    grad = np.zeros(layout.size, dtype=theta.dtype)
    grads, sse = layout.unpack(grad), 0.0
    for Xb, Yb, sb in blocks:
        sse += float(block_loss_grad(params, Xb, Yb, sb, grads))
    return sse, grad


class Objective:
    """The lecture's cost ``J = sum_i s_i ||e_i||^2 / (2 sum_i s_i)`` (+ L2) and grad J.

    ``block_loss_grad(params, X, Y, s, grads) -> sse`` is all a model gives the solvers: on one
    block of rows (training units) it returns ``sum_i s_i ||e_i||^2`` and *adds* the gradient sums
    into ``grads``, writing nothing else (any thread or worker may run it). ``l2`` is lambda of
    ``(lambda / 2) sum ||W||^2`` on the blocks named ``penalized``.
    """

    def __init__(self, block_loss_grad, layout, fixed, rows, l2=0.0, penalized=()):
        self.block_loss_grad, self.layout = block_loss_grad, layout
        self.fixed, self.rows = fixed, rows
        self.l2 = float(l2)  # a fit choosing lambda sets it here
        self.penalized = [layout.slices[n] for n in penalized if n in layout.slices]
        self.total_weight = rows.total_weight()
        # one object for every pass: a dask backend sends it to the workers once
        self._block_sums = partial(block_sums, block_loss_grad, layout, fixed)

    def params(self, theta):
        return {**self.fixed, **self.layout.unpack(theta)}

    def sums(self, theta):
        """``(sum_i s_i ||e_i||^2, the gradient sums)`` at ``theta`` (no RuntimeWarning)."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self.rows.sum_blocks(self._block_sums, theta)

    def gauss_newton(self, theta, predict):
        """``(A, mse)``: ``A = sum_i s_i j_i j_i^T / sum s``, ``mse = sum_i s_i ||e_i||^2 / sum s``,
        ``j_i = dyhat_i / dtheta`` by backprop at ``y_i = yhat_i + 1`` (in memory only)."""
        params, p = self.params(theta), self.layout.size
        A, sse = np.zeros((p, p)), 0.0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for Xb, Yb, sb in self.rows.blocks():
                s = np.ones(Xb.shape[0]) if sb is None else np.asarray(sb, dtype=np.float64)
                Yhat = predict(params, Xb)
                sse += float(s @ ((Yb - Yhat) ** 2).sum(axis=1))
                jac = np.zeros((Yb.size, p), dtype=theta.dtype)  # row i, output k: i * K + k
                for row, (i, k) in enumerate(np.ndindex(Yb.shape)):
                    Y_1 = Yhat[i : i + 1].copy()
                    Y_1[0, k] += 1  # e = 1 on output k, 0 on the others
                    self.block_loss_grad(
                        params, Xb[i : i + 1], Y_1, None, self.layout.unpack(jac[row])
                    )
                jac = -jac.astype(np.float64)
                A += jac.T @ (jac * np.repeat(s, Yb.shape[1])[:, None])
        return A / self.total_weight, sse / self.total_weight

    def __call__(self, theta):
        """``(J, grad J)`` at ``theta``: one pass over the rows."""
        sse, grad = self.sums(theta)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            J = sse / (2.0 * self.total_weight)
            grad /= self.total_weight
            if self.l2 > 0:  # the L2 penalty on W: J += (lambda / 2) ||W||^2, dJ/dW += lambda W
                for sl in self.penalized:  # W = theta[sl]
                    J += 0.5 * self.l2 * float(theta[sl] @ theta[sl])
                    grad[sl] += self.l2 * theta[sl]
        return J, grad
