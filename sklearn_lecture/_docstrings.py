"""The parameter and attribute descriptions both estimators share (``%(parameters)s``)."""

PARAMETERS = """\
solver : {"gd", "lbfgs"}, default="gd"
    ``"gd"``: the lecture's update ``W <- W - alpha dJ/dW``; ``"lbfgs"``:
    :func:`scipy.optimize.minimize` on the same J. See :ref:`step_rule`.
learning_rate : float or "auto", default="auto"
    alpha: a float keeps it fixed (the lecture's method; divergence raises
    :class:`~sklearn_lecture.DivergenceError`), ``"auto"`` chooses it at every iteration.
    Ignored by ``solver="lbfgs"``. See :ref:`step_rule`.
l2 : float or "auto", default="auto"
    lambda of the penalty ``(lambda / 2) ||W||^2`` on the weights, in standardised
    units. ``"auto"``: 0 with a float ``learning_rate``; else, with n distinct rows
    and p trained parameters, 0 from ``n >= 5p``, ``1e-2`` below ``n = p``, and in
    between the lambda generalised cross-validation picks. See :ref:`penalty_choice`.
max_iter : int, default=4000
    Maximum number of updates (L-BFGS iterations).
tol : float, default=1e-5
    Stop when J (the validation R^2 with ``early_stopping``) has not improved by
    ``tol`` for ``n_iter_no_change`` iterations (nor, J, by ``tol`` per iteration over
    the last ``10 n_iter_no_change``). See :ref:`defaults_reasoning`.
n_iter_no_change : int or None, default=10
    See ``tol``. ``None`` runs exactly ``max_iter`` updates, with no warning (the slides' loops).
early_stopping : bool, default=False
    Hold out ``validation_fraction`` of the rows and keep the parameters of the
    best validation R^2. See :ref:`early_stopping`.
validation_fraction : float, default=0.1
    Share of the rows held out by ``early_stopping`` (at least 2 rows).
standardize : bool, default=True
    Train on standardised X and y (weighted by ``sample_weight``); ``False`` runs
    the lecture's update on the raw data. See :ref:`standardisation`.
random_state : int, RandomState instance or None, default=None
    Seeds the random start and the early-stopping split.
verbose : int, default=0
    Print J at every iteration.
warm_start : bool, default=False
    Continue from the fitted parameters; a changed architecture or number of
    features raises a ``ValueError`` asking for ``warm_start=False``."""

ATTRIBUTES = """\
loss_curve_ : list of float
    J at every iteration (in standardised units when ``standardize=True``).
loss_ : float
    The last entry of ``loss_curve_``.
learning_rate_ : float
    The last alpha used.
l2_ : float
    The lambda of the penalty the fit used (``l2``, or the one ``"auto"`` chose).
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
