"""``check_gradients``: the lecture's derivation checked against finite differences."""

import numpy as np
from sklearn.base import clone

__all__ = ["check_gradients"]


def check_gradients(estimator, X, y, sample_weight=None, *, eps=1e-6, max_entries=200,
                    random_state=0):
    """Compare the analytic gradient of J with central finite differences.

    For every trained parameter block (``coefs_0``, ``intercepts_0``, ... of
    :class:`SigmoidMLPRegressor`; ``centers``, ``widths``, ``coef``,
    ``intercept`` of :class:`RBFRegressor`) this evaluates
    ``(J(theta + eps) - J(theta - eps)) / (2 eps)`` entry by entry and compares it
    with the gradient the estimator trains with.

    The gradient is taken where training would take it: at the fitted
    parameters when ``estimator`` is fitted, otherwise at the initial ones of
    a clone (``estimator`` itself is never modified). Both are in the
    standardised units training uses.

    Parameters
    ----------
    estimator : RBFRegressor or SigmoidMLPRegressor
        The model whose gradient is checked.
    X : array-like of shape (n_samples, n_features)
        Data on which J is evaluated.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights s_i of the rows.
    eps : float, default=1e-6
        Finite-difference step.
    max_entries : int, default=200
        Largest number of entries checked per block (a random subset beyond it).
    random_state : int, default=0
        Chooses the subset.

    Returns
    -------
    errors : dict
        For each block, the largest error relative to the block's size,
        ``max_i |analytic_i - numeric_i| / max_i max(|analytic_i|, |numeric_i|)``
        (with a floor of ``1e-8 max(1, |J|)``, below which finite differences
        are rounding).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lecture import SigmoidMLPRegressor, check_gradients
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.randn(30, 2), rng.randn(30)
    >>> import warnings
    >>> warnings.simplefilter("ignore")  # max_iter=20 stops before convergence
    >>> net = SigmoidMLPRegressor(max_iter=20, random_state=0).fit(X, y)
    >>> errors = check_gradients(net, X, y)
    >>> sorted(errors)
    ['coefs_0', 'coefs_1', 'intercepts_0', 'intercepts_1']
    >>> bool(max(errors.values()) < 1e-6)
    True
    """
    fitted = hasattr(estimator, "n_iter_")
    est = estimator if fitted else clone(estimator)
    X = np.asarray(X, dtype=np.float64) if not hasattr(X, "dtype") else X
    prep = est._prepare(
        X, y, sample_weight, incremental=fitted, reset=not fitted
    )
    if fitted:  # evaluate at the fitted parameters, not at a re-initialisation
        prep.params = {
            k: np.asarray(v, dtype=np.float64)
            for k, v in est._to_training(est._fitted_params(), prep.stats).items()
        }
    params = {k: np.asarray(v, dtype=np.float64) for k, v in prep.params.items()}
    X64 = np.asarray(prep.X, dtype=np.float64)
    Y64 = np.asarray(prep.Y, dtype=np.float64)
    objective, layout = est._make_objective(params, X64, Y64, prep.sw, prep.stats)
    theta = layout.pack(params, np.float64)
    J, grad = objective(theta)
    # Gradients smaller than this are below finite-difference rounding.
    floor = 1e-8 * max(1.0, abs(J))
    rng = np.random.RandomState(random_state)
    errors = {}
    for name, sl in layout.slices.items():
        idx = np.arange(sl.start, sl.stop)
        if idx.size > max_entries:
            idx = np.sort(rng.choice(idx, max_entries, replace=False))
        numeric = np.empty(idx.size)
        for j, i in enumerate(idx):
            step = np.zeros_like(theta)
            step[i] = eps
            numeric[j] = (objective(theta + step)[0] - objective(theta - step)[0]) / (2 * eps)
        analytic = grad[idx]
        scale = max(np.max(np.abs(analytic)), np.max(np.abs(numeric)), floor)
        errors[name] = float(np.max(np.abs(analytic - numeric)) / scale)
    return errors
