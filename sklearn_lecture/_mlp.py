"""SigmoidMLPRegressor: the lecture's network ``Z = Phi([X 1] W1)``, ``Y = [Z 1] W2``."""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import LectureRegressorBase, check_init_value
from ._kernels import ACTIVATIONS


class SigmoidMLPRegressor(LectureRegressorBase):
    """The lecture's one-hidden-layer network, trained by gradient descent.

    ``Z = Phi([X 1] W1)`` and ``Yhat = [Z 1] W2`` (lecture 3, sections 3 to 5,
    example l3sig), fitted by full-batch gradient descent on
    ``J = 1/(2n) sum_i ||y_i - yhat_i||^2``.  Deeper ``hidden_layer_sizes``
    repeat ``Z = Phi([Z 1] W)`` layer by layer.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers,), default=(20,)
        Units h of each hidden layer; ``(20,)`` is the lecture's ``h = 20``.
    kernel : {"sigmoid", "rbf", "relu"}, default="sigmoid"
        The nonlinearity Phi, applied to ``a = [x 1] W1``: ``1/(1+exp(-a))``,
        ``exp(-a^2)`` or ``max(0, a)``. (In :class:`RBFRegressor` ``kernel`` is
        the radial profile of the distance to a centre instead.)
    solver : {"gd", "lbfgs"}, default="gd"
        ``"gd"`` is the lecture's update ``W <- W - alpha * grad J``;
        ``"lbfgs"`` minimises the same J with :func:`scipy.optimize.minimize`.
    learning_rate : float or "auto", default="auto"
        alpha. A float keeps alpha fixed: exactly the lecture's method (and, with
        ``l2="auto"``, the lecture's J without a penalty); if J ends above where
        it started, ``fit`` raises ``DivergenceError`` naming a safe alpha.
        ``"auto"`` chooses alpha at every iteration, still one update
        ``W <- W - alpha dJ/dW`` of every block at once: the Barzilai-Borwein
        steps ``s.s / s.y`` and ``s.y / y.y`` in turn (s and y the last change of
        the weights and of the gradient), halved until a nonmonotone Armijo
        test passes (Raydan 1997), and kept between ``1e-10`` and ``5`` times
        ``alpha0 = 1 / lambda_max`` of the output layer's Gauss-Newton matrix
        ``[Z 1]^T [Z 1] / n`` at the initial weights. The cap keeps the steps
        near the stable range, so rounding differences (weights versus repeated
        rows) shrink instead of growing. The last alpha used is
        ``learning_rate_``. Ignored by ``solver="lbfgs"``.
    l2 : float or "auto", default="auto"
        lambda, the weight of the L2 penalty on the weights (``coefs_``, not the
        intercepts), in standardised units:
        ``J = 1/(2n) sum_i ||e_i||^2 + (lambda / 2) sum ||W||^2``. ``"auto"`` is
        ``1e-3`` with ``solver="gd", learning_rate="auto"`` (measured in
        ``benchmarks/bench_convergence.py``: it keeps R^2 on data of 500 rows
        and more while the fit runs to convergence), 0 with a float
        ``learning_rate`` (the lecture's J) and 0 with ``solver="lbfgs"``
        (with a penalty, L-BFGS fits of 15 rows with integer weights and with
        repeated rows end 1e-2 apart; scikit-learn checks they agree). Not ``alpha``: that is the
        lecture's learning rate. Larger values (1e-2 to 1e-1) help on data of
        fewer than 100 rows.
    max_iter : int, default=4000
        Maximum number of gradient-descent updates (L-BFGS iterations).
        ``max_iter=k`` performs exactly k updates unless ``tol`` stops earlier.
        With the defaults, fits of 25 to 5,000 rows stop by ``tol`` after about
        200 to 3,000 updates (measured in ``benchmarks/bench_convergence.py``:
        the slowest fold, diabetes, needs 3,037).
    tol : float, default=1e-5
        Training stops when J (or the validation score, with early stopping)
        has not improved by more than ``tol`` for ``n_iter_no_change``
        consecutive iterations: J is in standardised units (it starts near 0.5),
        so the fit ends when J falls by less than 1e-6 per iteration. For
        L-BFGS it is the gradient tolerance. Measured: 1e-4 and 3e-5 stop the
        network on a plateau (R^2 0.82 and 0.78 instead of 0.92 on friedman1,
        n = 500), 1e-6 runs about twice as long for no better R^2.
    n_iter_no_change : int or None, default=10
        See ``tol``. ``None`` runs exactly ``max_iter`` updates (no stopping
        rule, no ConvergenceWarning), as the slides' replays do.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows, stop when their R^2 stops
        improving, and keep the weights with the best validation score.
    validation_fraction : float, default=0.1
        Share of the rows held out when ``early_stopping=True``; at least 2
        rows must be held out (the R^2 of one row is undefined) and 1 left.
    standardize : bool, default=True
        Train on ``(X - mean) / std`` and ``(y - mean) / std`` (weighted by
        ``sample_weight``), then fold the scaling back into W1 and W2 so that
        ``coefs_`` and ``intercepts_`` apply to the raw X and y. This makes the
        defaults work whatever the scale and offset of the data. ``False`` runs
        the lecture's update on the raw data.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights (and the early-stopping split).
    verbose : int, default=0
        Print J at every iteration.
    warm_start : bool, default=False
        Continue from the fitted weights instead of re-initialising. The
        architecture must not have changed: if ``set_params`` changed
        ``hidden_layer_sizes`` (or X has a different number of features),
        ``fit`` raises a ``ValueError`` asking for ``warm_start=False`` and the
        fitted model is left unchanged and usable.
    coefs_init : list of array-like or None, default=None
        Starting weights, shaped like ``coefs_`` (``coefs_init[i]`` of shape
        (units in, units out)), in the units of X and y; ``None`` keeps the
        default start (see Notes). The slide l3sig's ``W1 = randn(2, h)`` is
        ``coefs_init[0] = W1[:1]`` with ``intercepts_init[0] = W1[1]``, and
        ``W2 = randn(h + 1, 1)`` is ``coefs_init[1] = W2[:h]`` with
        ``intercepts_init[1] = W2[h]``. Converted to the standardised problem
        as ``warm_start`` converts fitted weights, so with ``standardize=False``
        they are used exactly. Used only by a fresh fit: a ``warm_start`` fit
        that continues, and ``partial_fit`` after its first call, start from the
        fitted weights instead. Wrong shapes, NaN, inf or complex values raise
        a ``ValueError`` at fit time.
    intercepts_init : list of array-like or None, default=None
        Starting bias rows, shaped like ``intercepts_`` (``intercepts_init[i]``
        of shape (units out,)); ``None`` keeps the default start. As
        ``coefs_init``, and independent of it.

    Attributes
    ----------
    coefs_ : list of ndarray
        ``coefs_[i]`` has shape (units in, units out). ``coefs_[0]`` is the
        lecture's W1 without its bias row; ``coefs_[-1]`` is W2 without its
        bias row.
    intercepts_ : list of ndarray
        The bias rows: ``intercepts_[0]`` is the last row of W1 and
        ``intercepts_[-1]`` the last row of W2. So
        ``W1 = vstack([coefs_[0], intercepts_[0]])``.
    loss_curve_ : list of float
        J at every iteration (in standardised units when ``standardize=True``),
        the lecture's "J during 2000 iterations".
    loss_ : float
        The last entry of ``loss_curve_``.
    learning_rate_ : float
        The alpha used.
    n_iter_ : int
        Number of iterations run (summed over warm-started fits).
    n_outputs_ : int
        Number of outputs.
    validation_scores_ : list of float or None
        Validation R^2 per iteration, with ``early_stopping=True``.
    best_validation_score_ : float or None
        The best of ``validation_scores_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    RBFRegressor : The lecture's RBF regression, section 2.
    sklearn.neural_network.MLPRegressor : scikit-learn's multi-layer perceptron.

    Notes
    -----
    With ``X1 = [X 1]`` (a column of ones appended):

    - forward: ``A = X1 W1``, ``Z = Phi(A)``, ``Yhat = [Z 1] W2``, ``e = y - Yhat``;
    - cost: ``J = 1/(2n) sum_i ||e_i||^2``;
    - gradients: ``dJ/dW2 = -[Z 1]^T e / n`` and
      ``dJ/dW1 = -X1^T ((e W2^T) o Phi'(A)) / n``, where W2 drops its bias row
      and ``o`` is the Hadamard product;
    - update: ``W <- W - alpha dJ/dW`` for W1 and W2 at once.

    With sample weights s_i, ``J = sum_i s_i ||e_i||^2 / (2 sum_i s_i)`` and each
    gradient weights its rows the same way.

    With the penalty ``l2`` = lambda, ``J`` gains ``(lambda / 2) sum ||W||^2`` over
    the weights (not the bias rows) and each ``dJ/dW`` gains ``lambda W``
    (``Objective.__call__`` in ``_objective.py``, the one place for both models).

    Unless ``coefs_init`` and ``intercepts_init`` give them, the initial hidden
    weights are drawn from ``N(0, 1 / fan_in)`` (and their bias rows from
    ``N(0, 1)``) so that A has unit variance on standardised data; W2 starts at
    zero, so the first prediction is the mean of y.

    ``predict`` evaluates the network in the units training used (X
    standardised with the fitted means and scales, the trained W1 and W2, the
    result mapped back to the units of y). ``coefs_`` and ``intercepts_`` are the
    same network with the standardisation folded in, for inspection: folding
    the mean into the bias row cancels digits when a feature is far from zero
    (a constant column of 1e16). ``predict`` uses the kernel and weights that
    were fitted, so ``set_params`` changes nothing until the next ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import SigmoidMLPRegressor
    >>> x = np.linspace(0, 10, 11).reshape(-1, 1)
    >>> y = -0.1 * (x.ravel() - 2) ** 2
    >>> net = SigmoidMLPRegressor(random_state=0).fit(x, y)
    >>> bool(net.score(x, y) > 0.99)
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

    # ------------------------------------------------------------- structure
    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = [sizes]
        sizes = list(np.ravel(np.asarray(sizes, dtype=object)))
        integral = [
            isinstance(h, numbers.Integral) and not isinstance(h, bool | np.bool_) for h in sizes
        ]
        if not sizes or not all(integral) or any(h < 1 for h in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a positive integer or a non-empty sequence of "
                f"positive integers (units per hidden layer), e.g. (20,); got "
                f"{self.hidden_layer_sizes!r}."
            )
        return [int(h) for h in sizes]

    def _check_params(self):
        self._hidden_sizes()

    def _architecture(self, n_features, n_outputs):
        return (n_features, *self._hidden_sizes(), n_outputs)

    def _n_layers(self):
        return len(self._hidden_sizes()) + 1

    def _penalized(self):
        return [f"coefs_{i}" for i in range(self._n_layers())]

    def _trainable(self):
        names = []
        for i in range(self._n_layers()):
            names += [f"coefs_{i}", f"intercepts_{i}"]
        return names

    def _init_params(self, X, Y, sample_weight, rng, standardizer):
        sizes = [X.shape[1], *self._hidden_sizes(), Y.shape[1]]
        params = {}
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            last = i == len(sizes) - 2
            if last:
                params[f"coefs_{i}"] = np.zeros((fan_in, fan_out))
                params[f"intercepts_{i}"] = np.zeros(fan_out)
            else:
                params[f"coefs_{i}"] = rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
                params[f"intercepts_{i}"] = rng.standard_normal(fan_out)
        given = self._init_values(sizes)
        if given:
            params = self._use_init_values(params, given, standardizer)
        return params

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

    # ----------------------------------------------------------- the lecture
    def _forward(self, params, X, keep=False, kernel=None):
        """``A = [X 1] W1``, ``Z = Phi(A)``, ..., ``Yhat = [Z 1] W2``.

        Returns ``(Yhat, Z)`` with Z the last hidden layer. With ``keep=True``
        returns ``(Yhat, tape)`` for backprop instead: ``tape[i] = (Z_in, A)``
        for hidden layer i, ``Z_in`` the input of the layer (``[X 1]``'s X for
        the first, then the Z below) and A its pre-activation, followed by
        ``(Z, None)`` for the output layer ``Yhat = [Z 1] W2``.
        ``kernel`` (default: the ``kernel`` parameter) names Phi; ``predict``
        passes the one that was fitted.
        When Phi' needs only Z (``Kernel.uses_input`` is False), Z is computed
        in A's memory and the tape holds ``None`` for A: one n_block x h array
        per layer.
        """
        kernel = ACTIVATIONS[self.kernel if kernel is None else kernel]
        keep_A = keep and kernel.uses_input
        # The depth of the weights given, not of hidden_layer_sizes: after a
        # set_params that changes the architecture the fitted model still predicts.
        n_layers = 1
        while f"coefs_{n_layers}" in params:
            n_layers += 1
        tape = []
        Z = X
        for i in range(n_layers - 1):
            A = _augmented_product(Z, params, i)  # A = [Z 1] W (W1 for the first layer)
            tape.append((Z, A if keep_A else None))
            Z = kernel.phi(A, out=None if keep_A else A)  # Z = Phi(A)
        Yhat = _augmented_product(Z, params, n_layers - 1)  # Yhat = [Z 1] W2
        if keep:
            tape.append((Z, None))
            return Yhat, tape
        return Yhat, Z

    def _block_loss_grad(self, params, X, Y, s, grads):
        """One block of the lecture's matrix backprop (section 5).

        Adds ``grad_W2 = -[Z 1]^T (s o e)`` and
        ``grad_W1 = -[X 1]^T ((s o e) W2^T o Phi'(A))`` to ``grads`` (the shared
        loop divides by ``sum s``) and returns ``sum_i s_i ||e_i||^2``. A deeper
        network repeats the W1 rule layer by layer, the layer above in W2's
        place. ``grads`` holds only the trained blocks; nothing else is read or
        kept, so the function can run on any thread or worker (see ``Objective``).
        """
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
            delta = np.matmul(delta, W2.T)  # -e W2^T
            delta *= dPhi  # -(e W2^T o Phi')
            _add_augmented_grad(grads, i, Z_in, delta)  # grad_W1 = -[x 1]^T (e W2^T o Phi')
        return sse

    # --------------------------------------------------------- change of units
    def _to_original(self, params, standardizer):
        """Fold the standardisation into W1 (input side) and W2 (output side).

        ``A = ((X - m) / s) W + b = X (W / s) + (b - (m / s) W)`` and
        ``Y = my + sy (Z W2 + b2)``: the same function of the raw X and y.
        """
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
        params = {}
        for i, (W, b) in enumerate(zip(self.coefs_, self.intercepts_)):
            params[f"coefs_{i}"] = W
            params[f"intercepts_{i}"] = b
        return params

    def _fitted_attributes(self, params, y_2d):
        n = self._n_layers()
        return {
            "coefs_": [params[f"coefs_{i}"] for i in range(n)],
            "intercepts_": [params[f"intercepts_{i}"] for i in range(n)],
        }


def _augmented_product(Z, params, i):
    """``[Z 1] W`` for layer ``i``: ``Z coefs_i + intercepts_i`` (the bias row is the intercept)."""
    A = Z @ params[f"coefs_{i}"]
    A += params[f"intercepts_{i}"]
    return A


def _add_augmented_grad(grads, i, Z, delta):
    """``grad_W += [Z 1]^T delta`` for layer ``i``: the coefs part and the bias row."""
    grads[f"coefs_{i}"] += Z.T @ delta
    grads[f"intercepts_{i}"] += delta.sum(axis=0)
