"""SigmoidMLPRegressor: the lecture's network ``Z = Phi([X 1] W1)``, ``Y = [Z 1] W2``."""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import LectureRegressorBase, check_init_value, times_transposed
from ._docstrings import shared_docstring
from ._kernels import ACTIVATIONS

_BLOCKS = ("coefs", "intercepts")  # layer i's weights and bias row: coefs_i, intercepts_i


@shared_docstring
class SigmoidMLPRegressor(LectureRegressorBase):
    """The lecture's one-hidden-layer network, trained by gradient descent.

    ``Z = Phi([X 1] W1)`` and ``Yhat = [Z 1] W2`` (lecture 3, sections 3 to 5, example l3sig),
    trained on ``J = 1/(2n) sum_i ||y_i - yhat_i||^2``. Read more in the :ref:`user_guide`.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers,), default=(20,)
        Units h of each hidden layer; ``(20,)`` is the lecture's ``h = 20``.
    kernel : {"sigmoid", "rbf", "relu"}, default="sigmoid"
        Phi of ``a = [x 1] W1``: ``1/(1+exp(-a))``, ``exp(-a^2)`` or ``max(0, a)``.
        See :ref:`model_and_kernel`.
    %(parameters)s
    coefs_init : list of array-like or None, default=None
        Starting weights, shaped like ``coefs_``, in the units of X and y (l3sig's
        ``W1[:1]``); ``None``: the default start (see Notes).
    intercepts_init : list of array-like or None, default=None
        Starting bias rows (l3sig's ``W1[1]``); as ``coefs_init``.

    Attributes
    ----------
    coefs_ : list of ndarray
        ``coefs_[i]`` of shape (units in, units out): W1, ..., W2 without bias rows.
    intercepts_ : list of ndarray
        The bias rows: ``W1 = vstack([coefs_[0], intercepts_[0]])``.
    %(attributes)s

    See Also
    --------
    RBFRegressor : The lecture's RBF regression, section 2.
    sklearn.neural_network.MLPRegressor : scikit-learn's multi-layer perceptron.

    Notes
    -----
    With ``A = [X 1] W1``, ``Z = Phi(A)`` and ``e = y - Yhat``: ``dJ/dW2 = -[Z 1]^T e / n``,
    ``dJ/dW1 = -[X 1]^T ((e W2^T) o Phi'(A)) / n`` (W2 without its bias row). Hidden weights
    start from ``N(0, 1 / fan_in)``; W2 at 0 (the lecture's start) or, for gradient descent with
    ``learning_rate="auto"`` on at least as many rows as parameters, at the minimum of J given Z.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import SigmoidMLPRegressor
    >>> x = np.linspace(0, 10, 101).reshape(-1, 1)
    >>> y = -0.1 * (x.ravel() - 2) ** 2
    >>> est = SigmoidMLPRegressor(random_state=0).fit(x, y)
    >>> bool(est.score(x, y) > 0.99)
    True
    """

    _parameter_constraints = {
        **LectureRegressorBase._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "coefs_init": [list, tuple, None],
        "intercepts_init": [list, tuple, None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(20,),
        kernel="sigmoid",
        *,
        solver="gd",
        learning_rate="auto",
        l2="auto",
        max_iter=4000,
        tol=1e-5,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        standardize=True,
        random_state=None,
        verbose=0,
        warm_start=False,
        coefs_init=None,
        intercepts_init=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.kernel = kernel
        self.solver = solver
        self.learning_rate = learning_rate
        self.l2 = l2
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.standardize = standardize
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.coefs_init = coefs_init
        self.intercepts_init = intercepts_init

    def _hidden_sizes(self):
        sizes = list(np.ravel(np.asarray(self.hidden_layer_sizes, dtype=object)))
        ok = [isinstance(h, numbers.Integral) and not isinstance(h, bool | np.bool_) for h in sizes]
        if not sizes or not all(ok) or any(h < 1 for h in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a positive integer or a non-empty sequence of "
                f"positive integers, e.g. (20,); got {self.hidden_layer_sizes!r}."
            )
        return [int(h) for h in sizes]

    def _check_params(self):
        self._hidden_sizes()

    def _architecture(self, n_features, n_outputs):
        return (n_features, *self._hidden_sizes(), n_outputs)

    def _n_trained(self, n_features, n_outputs):
        sizes = self._architecture(n_features, n_outputs)
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))  # W1, W2 with bias rows

    def _n_layers(self):
        return len(self._hidden_sizes()) + 1

    def _penalized(self):
        return [f"coefs_{i}" for i in range(self._n_layers())]

    def _trainable(self):
        return [f"{k}_{i}" for i in range(self._n_layers()) for k in _BLOCKS]

    def _init_params(self, X, Y, sample_weight, rng, standardizer):
        sizes = [X.shape[1], *self._hidden_sizes(), Y.shape[1]]
        params = {}
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            if i == len(sizes) - 2:  # W2 = 0 (with "auto", read out below)
                params[f"coefs_{i}"] = np.zeros((fan_in, fan_out))
                params[f"intercepts_{i}"] = np.zeros(fan_out)
            else:
                params[f"coefs_{i}"] = rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
                params[f"intercepts_{i}"] = rng.standard_normal(fan_out)
        given_start = self.coefs_init is not None or self.intercepts_init is not None
        n_rows = len(X) if sample_weight is None else np.count_nonzero(sample_weight)
        enough_rows = n_rows >= self._n_trained(sizes[0], sizes[-1])  # else W2 fits the noise
        auto_gd = self.solver == "gd" and self.learning_rate == "auto"
        if auto_gd and not given_start and enough_rows:  # W2: the least-squares read-out
            names = [f"{k}_{len(sizes) - 2}" for k in _BLOCKS]
            self._least_squares_readout(params, X, Y, sample_weight, names)
        given = self._init_values(sizes)
        names = {k: k.split("_")[0] + "_init" for k in given}  # coefs_0 -> coefs_init
        return self._use_init_values(params, given, X, Y, names, standardizer)

    def _init_values(self, sizes):
        """``coefs_init`` and ``intercepts_init``, checked against the layer ``sizes``."""
        given = {}
        for name, key, shapes in [
            ("coefs_init", "coefs", list(zip(sizes[:-1], sizes[1:]))),
            ("intercepts_init", "intercepts", [(fan_out,) for fan_out in sizes[1:]]),
        ]:
            values = getattr(self, name)
            if values is None:
                continue
            if len(values) != len(shapes):
                raise ValueError(
                    f"{name} has {len(values)} arrays, but the network has {len(shapes)} "
                    f"layers of weights: pass arrays of shapes {shapes}."
                )
            for i, (value, shape) in enumerate(zip(values, shapes)):
                given[f"{key}_{i}"] = check_init_value(value, f"{name}[{i}]", shape)
        return given

    def _forward(self, params, X, keep=False, kernel=None):
        """``(Yhat, Z)``, or with ``keep`` ``(Yhat, tape)``: ``(Z_in, A or None)`` per layer."""
        kernel = ACTIVATIONS[self.kernel if kernel is None else kernel]
        keep_A = keep and kernel.uses_input
        # the depth of the weights given, not of hidden_layer_sizes (set_params after fit)
        n_layers = sum(k.startswith("coefs_") for k in params)
        tape, Z = [], X
        for i in range(n_layers - 1):
            A = _augmented_product(Z, params, i)  # A = [Z 1] W (W1 for the first layer)
            tape.append((Z, A if keep_A else None))
            Z = kernel.phi(A, out=None if keep_A else A)  # Z = Phi(A)
        Yhat = _augmented_product(Z, params, n_layers - 1)  # Yhat = [Z 1] W2
        return Yhat, (tape + [(Z, None)] if keep else Z)  # the output layer's input: Z, no A

    def _block_loss_grad(self, params, X, Y, s, grads):
        """The lecture's backprop (section 5) of one block, added to ``grads``; ``sum s e^2``."""
        dphi = ACTIVATIONS[self.kernel].dphi
        Yhat, tape = self._forward(params, X, keep=True)
        e = np.subtract(Y, Yhat, out=Yhat)  # e = y - Yhat
        se = e if s is None else e * s[:, None]  # s o e: rows weighted by s
        sse = np.einsum("ij,ij->", se, e)  # sum s ||e||^2
        # delta = dJ/dYhat = -e (times s): the error each layer's gradient multiplies
        delta = np.negative(se, out=se if s is not None else None)
        out = len(tape) - 1  # the output layer, W2
        Z, _ = tape[out]
        _add_augmented_grad(grads, out, Z, delta)  # grad_W2 = [Z 1]^T delta = -[Z 1]^T e
        for i in range(out - 1, -1, -1):  # one hidden layer: i = 0 only, W1
            Z_in, A = tape[i]
            W2 = params[f"coefs_{i + 1}"]  # the layer above, without its bias row
            dPhi = dphi(A, tape[i + 1][0], out=A)  # Phi'(A) (in A's memory when the tape kept A)
            delta = times_transposed(delta, W2)  # -e W2^T
            delta *= dPhi  # -(e W2^T o Phi')
            _add_augmented_grad(grads, i, Z_in, delta)  # grad_W1 = -[x 1]^T (e W2^T o Phi')
        return sse

    def _to_original(self, params, standardizer):
        """Fold the standardisation in: ``((X - m) / s) W + b = X (W / s) + b - (m / s) W``."""
        out = {k: np.array(v, copy=True) for k, v in params.items()}
        last = self._n_layers() - 1
        dtype = params["coefs_0"].dtype
        xm, xs = standardizer.x_mean, standardizer.x_scale
        ym, ys = standardizer.y_mean, standardizer.y_scale
        W = params["coefs_0"].astype(np.float64)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            out["coefs_0"] = W / xs[:, None]
            out["intercepts_0"] = params["intercepts_0"] - (xm / xs) @ W
            out[f"coefs_{last}"] = params[f"coefs_{last}"] * ys
            out[f"intercepts_{last}"] = params[f"intercepts_{last}"] * ys + ym
        return {k: np.asarray(v, dtype=dtype) for k, v in out.items()}

    def _to_training(self, params, standardizer):
        out = {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}
        last = self._n_layers() - 1
        xm, xs = standardizer.x_mean, standardizer.x_scale
        ym, ys = standardizer.y_mean, standardizer.y_scale
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            W = out["coefs_0"] * xs[:, None]
            out["intercepts_0"] = out["intercepts_0"] + (xm / xs) @ W
            out["coefs_0"] = W
            out[f"intercepts_{last}"] = (out[f"intercepts_{last}"] - ym) / ys
            out[f"coefs_{last}"] = out[f"coefs_{last}"] / ys
        return out

    def _fitted_params(self):
        return {f"{k}_{i}": v for k in _BLOCKS for i, v in enumerate(getattr(self, f"{k}_"))}

    def _fitted_attributes(self, params, y_2d):
        return {f"{k}_": [params[f"{k}_{i}"] for i in range(self._n_layers())] for k in _BLOCKS}


def _augmented_product(Z, params, i):
    """``[Z 1] W`` for layer ``i``: ``Z coefs_i + intercepts_i`` (the bias row is the intercept)."""
    A = Z @ params[f"coefs_{i}"]
    return np.add(A, params[f"intercepts_{i}"], out=A)


def _add_augmented_grad(grads, i, Z, delta):
    """``grad_W += [Z 1]^T delta`` for layer ``i``: the coefs part and the bias row."""
    grads[f"coefs_{i}"] += Z.T @ delta
    grads[f"intercepts_{i}"] += np.ones(len(delta), delta.dtype) @ delta  # 1^T delta (BLAS)
