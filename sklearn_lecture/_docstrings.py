"""The parameter and attribute descriptions both estimators share, written once.

A class decorated with :func:`shared_docstring` writes ``%(parameters)s`` and
``%(attributes)s`` in its docstring where the shared entries go.
"""

PARAMETERS = """\
solver : {"gd", "lbfgs"}, default="gd"
    ``"gd"`` is the lecture's full-batch update ``W <- W - alpha dJ/dW``;
    ``"lbfgs"`` minimises the same J with :func:`scipy.optimize.minimize`. See
    :ref:`step_rule`.
learning_rate : float or "auto", default="auto"
    alpha. A float keeps alpha fixed, the lecture's method; if J ends above
    where it started, ``fit`` raises :class:`~sklearn_lecture.DivergenceError`
    naming a safe alpha. ``"auto"`` chooses alpha at every iteration
    (Barzilai-Borwein steps under a nonmonotone Armijo test, from
    ``alpha0 = 1 / lambda_max`` of ``[Z 1]^T [Z 1] / n``; long steps when the
    rows outnumber the parameters enough), still one update of every trained
    parameter. Ignored by ``solver="lbfgs"``. See :ref:`step_rule`.
l2 : float or "auto", default="auto"
    lambda, the weight of the penalty ``(lambda / 2) ||W||^2`` on the weights
    (``coefs_`` or ``coef_``; not the intercepts, centres or widths), in
    standardised units. ``"auto"`` is ``1e-3`` with ``solver="gd",
    learning_rate="auto"`` and 0 otherwise (the lecture's J). Not ``alpha``:
    that is the learning rate. See :ref:`defaults_reasoning`.
max_iter : int, default=4000
    Maximum number of updates (L-BFGS iterations).
tol : float, default=1e-5
    Stop when J (the validation R^2 with ``early_stopping=True``) has not
    improved by more than ``tol`` for ``n_iter_no_change`` consecutive
    iterations; J is in standardised units. For L-BFGS, the gradient
    tolerance. See :ref:`defaults_reasoning`.
n_iter_no_change : int or None, default=10
    See ``tol``. ``None`` runs exactly ``max_iter`` updates (no stopping rule,
    no ConvergenceWarning), as the slides' replays do.
early_stopping : bool, default=False
    Hold out ``validation_fraction`` of the rows, stop when their R^2 stops
    improving and keep the parameters with the best validation score. See
    :ref:`early_stopping`.
validation_fraction : float, default=0.1
    Share of the rows held out when ``early_stopping=True``; at least 2 rows
    must be held out (the R^2 of one row is undefined) and 1 left.
standardize : bool, default=True
    Train on ``(X - mean) / std`` and ``(y - mean) / std`` (weighted by
    ``sample_weight``); the fitted parameters are reported in the units of X
    and y. ``False`` runs the lecture's update on the raw data. See
    :ref:`standardisation`.
random_state : int, RandomState instance or None, default=None
    Seeds the random start (the network's hidden weights, the RBF centres of
    ``init="kmeans++"`` or ``"random"``) and the early-stopping split.
verbose : int, default=0
    Print J at every iteration.
warm_start : bool, default=False
    Continue from the fitted parameters. The architecture and the number of
    features must not have changed: otherwise ``fit`` raises a ``ValueError``
    asking for ``warm_start=False`` and the fitted model is left usable."""

ATTRIBUTES = """\
loss_curve_ : list of float
    J at every iteration (in standardised units when ``standardize=True``).
loss_ : float
    The last entry of ``loss_curve_``.
learning_rate_ : float
    The last alpha used.
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
    Names of features seen during fit, when X has string column names."""


def shared_docstring(cls):
    """Put the shared entries, indented as the class docstring's, into ``cls.__doc__``."""
    indent = "\n    "
    if cls.__doc__:  # None under python -OO
        cls.__doc__ = cls.__doc__ % {
            "parameters": PARAMETERS.replace("\n", indent),
            "attributes": ATTRIBUTES.replace("\n", indent),
        }
    return cls
