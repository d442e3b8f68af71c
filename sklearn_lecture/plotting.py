"""Displays in scikit-learn's style: the lecture's J curve and its 1-D fits.

Like :class:`sklearn.metrics.PredictionErrorDisplay`, each display is built
with ``from_estimator``, drawn with ``plot``, and keeps the matplotlib objects
it drew in ``ax_``, ``figure_`` and ``line_``.  matplotlib is imported only when
something is drawn (see ``MATPLOTLIB_HINT`` for how to install it), so importing
this module, or :mod:`sklearn_lecture`, stays cheap.

The main job and the examples save their figures at ``SAVEFIG_DPI`` dots per
inch, with panels about 4.5 x 3.5 inches: matplotlib's 10-point text then reads
well on a laptop screen and on a slide.
"""

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted

__all__ = ["FitDisplay", "LossCurveDisplay", "plot_replays"]

# Resolution of every saved figure (dots per inch).
SAVEFIG_DPI = 150

# What to install for the figures.  sklearn_lecture is installed from its source
# checkout (it is not published on PyPI), so the "plot" extra works only there.
MATPLOTLIB_HINT = (
    'pip install matplotlib (or, in a checkout of sklearn_lecture, pip install -e ".[plot]")'
)


def _check_matplotlib(caller):
    """Import matplotlib or raise an ImportError that says what to install."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib. Install it with: {MATPLOTLIB_HINT}"
        ) from exc


def _new_axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(layout="constrained")  # the axis labels inside the figure
    return ax


def _standardized_target(estimator):
    """Whether the ``loss_curve_`` of ``estimator`` is in standardised units of y.

    True when the final model standardises y itself (``standardize=True``) or
    sits in a TransformedTargetRegressor with a StandardScaler; False for a
    model trained on y as given; None when a target transformer of another
    kind makes the units unknown.
    """
    from sklearn.preprocessing import StandardScaler

    estimator, _ = _pipeline_tail(estimator)
    if hasattr(estimator, "regressor_"):  # TransformedTargetRegressor
        scaler = estimator.transformer_
        return isinstance(scaler, StandardScaler) and scaler.with_std or None
    return bool(getattr(estimator, "standardize", False))


def _pipeline_tail(estimator):
    """A Pipeline's ``(last step, the steps before it or None)``; else ``(estimator, None)``."""
    if not hasattr(estimator, "steps"):
        return estimator, None
    head = estimator[:-1] if len(estimator.steps) > 1 else None
    return estimator.steps[-1][1], head


def _final_estimator(estimator):
    """The fitted model inside a Pipeline or a TransformedTargetRegressor."""
    while True:
        estimator, _ = _pipeline_tail(estimator)
        if not hasattr(estimator, "regressor_"):
            return estimator
        estimator = estimator.regressor_  # TransformedTargetRegressor


class LossCurveDisplay:
    """The cost J at every iteration, the lecture's "J during 2000 iterations".

    Build it with :meth:`from_estimator`; any estimator with a ``loss_curve_``
    (including :class:`~sklearn.neural_network.MLPRegressor`, and a Pipeline
    ending in one) can be shown.

    Parameters
    ----------
    loss_curve : array-like of shape (n_iter,)
        J before each update.
    estimator_name : str, default=None
        Name used in the legend.
    standardized : bool, default=None
        The units of J, written on the axis: True for J of the standardised
        y (``standardize=True``, the default of both lecture estimators), False
        for J in units of y squared, None to leave the units unsaid.
        :meth:`from_estimator` reads it from the estimator's settings.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The curve.
    ax_ : matplotlib Axes
        Axes with the curve.
    figure_ : matplotlib Figure
        Figure containing the curve.

    See Also
    --------
    FitDisplay : The data and the fitted curve of a 1-D regression.

    Examples
    --------
    >>> from sklearn_lecture import RBFRegressor
    >>> from sklearn_lecture.datasets import make_lecture_bumps
    >>> from sklearn_lecture.plotting import LossCurveDisplay
    >>> X, y = make_lecture_bumps()
    >>> rbf = RBFRegressor(n_centers=3, tol=1e-4, random_state=0).fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(rbf)
    >>> display.ax_.get_yscale()
    'log'
    >>> display.ax_.get_ylabel()
    'J = 1/(2n) sum e^2 (standardised units)'
    """

    def __init__(self, *, loss_curve, estimator_name=None, standardized=None):
        self.loss_curve = loss_curve
        self.estimator_name = estimator_name
        self.standardized = standardized

    def plot(self, ax=None, *, name=None, log_scale=True, **kwargs):
        """Draw the curve.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        name : str, default=None
            Legend label; defaults to ``estimator_name``.
        log_scale : bool, default=True
            Use a logarithmic J axis, on which the lecture's steady decrease is
            a straight line.
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : LossCurveDisplay
            The display, with ``line_``, ``ax_`` and ``figure_`` set.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        ax = _new_axes(ax)
        J = np.asarray(self.loss_curve, dtype=np.float64)
        name = self.estimator_name if name is None else name
        kwargs.setdefault("label", name)
        iterations = np.arange(1, J.size + 1)
        (self.line_,) = ax.plot(iterations, J, **kwargs)
        if log_scale and np.any(J > 0):
            _plain_log_scale(ax)
        ax.set_xlabel("iteration")
        units = {True: " (standardised units)", False: " (units of y^2)"}
        ax.set_ylabel("J = 1/(2n) sum e^2" + units.get(self.standardized, ""))
        if kwargs.get("label") is not None:
            ax.legend(fontsize="small")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, log_scale=True, **kwargs):
        """Draw the ``loss_curve_`` of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            A fitted estimator with ``loss_curve_``, or a Pipeline or
            TransformedTargetRegressor around one.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        name : str, default=None
            Legend label; defaults to the estimator's class name.
        log_scale : bool, default=True
            Use a logarithmic J axis.
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : LossCurveDisplay
            The display, drawn.
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        model = _final_estimator(estimator)
        if not hasattr(model, "loss_curve_"):
            raise ValueError(
                f"{type(model).__name__} has no loss_curve_: LossCurveDisplay needs an "
                "estimator trained iteratively, such as RBFRegressor or SigmoidMLPRegressor."
            )
        name = type(model).__name__ if name is None else name
        display = cls(
            loss_curve=list(model.loss_curve_),
            estimator_name=name,
            standardized=_standardized_target(estimator),
        )
        return display.plot(ax=ax, log_scale=log_scale, **kwargs)


class FitDisplay:
    """A 1-D regression: the data, the fitted curve and, for RBFRegressor, its units.

    For :class:`~sklearn_lecture.RBFRegressor` (alone or at the end of a
    Pipeline) the display also draws each unit's contribution
    ``w_k phi_k(x)`` and the bias ``w0``, as the lecture draws them: the
    fitted curve is their sum.  A unit is drawn only where it is not exactly
    0, so a unit of compact support (``kernel="relu"``, the triangle
    ``max(0, 1 - u)``) appears only over its support instead of as a flat
    line at 0.

    Parameters
    ----------
    x_grid : ndarray of shape (n_grid,)
        Where the estimate is drawn.
    y_pred : ndarray of shape (n_grid,)
        The estimate ``yhat`` on ``x_grid``.
    x : ndarray of shape (n_samples,), default=None
        The data's inputs.
    y : ndarray of shape (n_samples,), default=None
        The data's targets.
    contributions : ndarray of shape (n_grid, K), default=None
        ``w_k phi_k(x)`` on ``x_grid``, one column per unit.
    intercept : float, default=None
        The bias w0 (drawn when ``contributions`` is given).
    estimator_name : str, default=None
        Name used in the legend.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The estimate.
    data_ : matplotlib Line2D or None
        The data points.
    unit_lines_ : list of matplotlib Line2D
        One line per unit contribution (empty when there are none).
    ax_ : matplotlib Axes
        Axes with the plot.
    units_ax_ : matplotlib Axes
        Axes with the units (``ax_`` unless ``units_ax`` was given).
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    LossCurveDisplay : J at every iteration.

    Examples
    --------
    >>> from sklearn_lecture import RBFRegressor
    >>> from sklearn_lecture.datasets import make_lecture_bumps
    >>> from sklearn_lecture.plotting import FitDisplay
    >>> X, y = make_lecture_bumps()
    >>> rbf = RBFRegressor(n_centers=3, tol=1e-4, random_state=0).fit(X, y)
    >>> display = FitDisplay.from_estimator(rbf, X, y)
    >>> len(display.unit_lines_)
    3
    """

    def __init__(
        self,
        *,
        x_grid,
        y_pred,
        x=None,
        y=None,
        contributions=None,
        intercept=None,
        estimator_name=None,
    ):
        self.x_grid = x_grid
        self.y_pred = y_pred
        self.x = x
        self.y = y
        self.contributions = contributions
        self.intercept = intercept
        self.estimator_name = estimator_name

    def plot(
        self,
        ax=None,
        *,
        name=None,
        show_data=True,
        show_units=True,
        line_kw=None,
        data_kw=None,
        unit_kw=None,
        units_ax=None,
    ):
        """Draw the data, the estimate and the unit contributions.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.
        name : str, default=None
            Legend label of the estimate; defaults to ``estimator_name``.
        show_data : bool, default=True
            Draw the data points (turn off when overlaying several fits).
        show_units : bool, default=True
            Draw ``w_k phi_k(x)`` and w0, when the display has them.
        line_kw : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.plot` for the estimate.
        data_kw : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.plot` for the data.
        unit_kw : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.plot` for each unit.
        units_ax : matplotlib Axes, default=None
            Separate axes for the units and w0 (for example a panel under
            ``ax``). When None they share ``ax``, whose y-limits then stay those
            of the data and the estimate (with a margin): units larger than
            the data are cut at the edge rather than squeezing the data.

        Returns
        -------
        display : FitDisplay
            The display, with ``line_``, ``data_``, ``unit_lines_``, ``ax_``,
            ``units_ax_`` and ``figure_`` set.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        ax = _new_axes(ax)
        name = self.estimator_name if name is None else name
        self.data_ = None
        if show_data and self.x is not None and self.y is not None:
            kw = {"marker": "o", "linestyle": "none", "color": "tab:blue", "label": "data y"}
            (self.data_,) = ax.plot(self.x, self.y, **{**kw, **(data_kw or {})})
        self.units_ax_ = ax if units_ax is None else units_ax
        units = show_units and self.contributions is not None
        self.unit_lines_ = self._plot_units(unit_kw, separate=units_ax is not None) if units else []
        kw = {"color": "tab:red", "label": name if name is not None else "estimate"}
        (self.line_,) = ax.plot(self.x_grid, self.y_pred, **{**kw, **(line_kw or {})})
        if units and units_ax is None:
            _limit_to_fit(ax)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend(fontsize="small")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _plot_units(self, unit_kw, separate):
        """Draw ``w_k phi_k(x)`` and w0 on ``units_ax_``; return the units' lines."""
        uax, lines = self.units_ax_, []
        for k in range(self.contributions.shape[1]):
            kw = {"linestyle": "--", "linewidth": 1, "color": "tab:gray", "label": "w_k phi_k(x)"}
            kw.update(unit_kw or {})
            if k > 0:
                kw["label"] = None  # one legend entry for all the units
            (line,) = uax.plot(self.x_grid, _on_support(self.contributions[:, k]), **kw)
            line.set_gid(_UNIT_GID)
            lines.append(line)
        if self.intercept is not None and self.intercept != 0:
            uax.axhline(self.intercept, linestyle=":", color="tab:gray", label="w0", gid=_UNIT_GID)
        if separate:
            uax.set_xlabel("x")
            uax.set_ylabel("w_k phi_k(x) and w0")
            uax.legend(fontsize="small")
        return lines

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, grid_resolution=200, name=None, **kwargs):
        """Draw a fitted 1-D regressor over the range of ``X``.

        Parameters
        ----------
        estimator : estimator instance
            A fitted regressor with one input feature and one output (or a
            Pipeline ending in one).
        X : array-like of shape (n_samples, 1)
            The inputs; their range sets the grid.
        y : array-like of shape (n_samples,), default=None
            The targets, drawn as points when given.
        grid_resolution : int, default=200
            Number of grid points between ``min(X)`` and ``max(X)``.
        name : str, default=None
            Legend label of the estimate; defaults to the class name.
        **kwargs : dict
            Passed to :meth:`plot`: ``ax``, ``show_data``, ``show_units`` (for
            RBFRegressor, draw each unit's ``w_k phi_k(x)`` and w0), ``line_kw``,
            ``data_kw``, ``unit_kw``, ``units_ax``.

        Returns
        -------
        display : FitDisplay
            The display, drawn.
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        x, y = _check_1d(X, y)
        x_grid = np.linspace(x.min(), x.max(), grid_resolution)
        grid = x_grid.reshape(-1, 1)
        if hasattr(X, "columns"):  # keep the feature name the estimator was fitted with
            import pandas as pd

            grid = pd.DataFrame(grid, columns=list(X.columns))
        y_pred = np.asarray(estimator.predict(grid), dtype=np.float64)
        if y_pred.ndim == 2:
            if y_pred.shape[1] != 1:
                raise ValueError("FitDisplay draws single-output regressions only.")
            y_pred = y_pred[:, 0]
        contributions, intercept = _rbf_units(estimator, grid)
        name = type(_final_estimator(estimator)).__name__ if name is None else name
        display = cls(
            x_grid=x_grid,
            y_pred=y_pred,
            x=x,
            y=y,
            contributions=contributions,
            intercept=intercept,
            estimator_name=name,
        )
        return display.plot(**kwargs)


def _check_1d(X, y):
    """The one column of ``X`` and ``y`` as 1-D float arrays, or a ValueError."""
    X_arr = check_array(X, ensure_2d=False, dtype=np.float64)
    if X_arr.ndim == 1:
        X_arr = X_arr.reshape(-1, 1)
    if X_arr.shape[1] != 1:
        raise ValueError(
            f"FitDisplay draws 1-D regressions, but X has {X_arr.shape[1]} features; "
            "pass a single column."
        )
    x = X_arr[:, 0]
    if y is not None:
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.shape != x.shape:
            raise ValueError(
                f"y has shape {y.shape}; FitDisplay needs one target value per row "
                f"of X, shape ({x.size},)."
            )
    return x, y


def plot_replays(fits, X, y, *, ax_fit, ax_loss, cost=None, first_color=1):
    """Fitted 1-D models over the data on ``ax_fit``, their J per iteration on ``ax_loss``.

    Parameters
    ----------
    fits : list of (str, estimator)
        Labels and fitted estimators, drawn in the colours ``C{first_color}``,
        ``C{first_color + 1}``, ...
    X, y : array-like of shape (n_samples, 1) and (n_samples,)
        The data the models were fitted to.
    ax_fit, ax_loss : matplotlib Axes
        Axes for the fits and for J.
    cost : {"sum", "half_sum"}, default=None
        Draw the slide's J (:func:`sklearn_lecture.lecture.slide_cost`) in the
        units of y; None draws the estimators' ``loss_curve_``.
    first_color : int, default=1
        The colour of the first fit.
    """
    from .lecture import slide_cost

    for i, (label, est) in enumerate(fits):
        color = f"C{first_color + i}"
        FitDisplay.from_estimator(
            est,
            X,
            y,
            ax=ax_fit,
            name=label,
            show_data=i == 0,
            show_units=False,
            line_kw={"color": color},
        )
        if cost is None:
            LossCurveDisplay.from_estimator(est, ax=ax_loss, name=label, color=color)
        else:
            curve = slide_cost(est.loss_curve_, len(y), cost)
            LossCurveDisplay(loss_curve=curve, estimator_name=label).plot(ax=ax_loss, color=color)
    _final_ticks(ax_loss)
    if cost is not None:
        what = "sum e^2" if cost == "sum" else "1/2 sum e^2"
        ax_loss.set_ylabel(f"the slide's J = {what} (units of y)")


_UNIT_GID = "sklearn_lecture-unit"  # marks the lines of units and w0


def _plain_log_scale(ax):
    """A log y-axis whose ticks read 2, 5, 0.02 rather than 2x10^0."""
    from matplotlib.ticker import LogFormatterSciNotation

    class PlainLogFormatter(LogFormatterSciNotation):
        """matplotlib's choice of which ticks to label, written as plain numbers."""

        def __call__(self, x, pos=None):
            return f"{x:g}" if super().__call__(x, pos) else ""

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(PlainLogFormatter())
    ax.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))


def _final_ticks(ax):
    """Labelled minor ticks at the last values of the curves on ``ax`` (one per 5% of J)."""
    if not ax.lines or ax.get_yscale() != "log":
        return
    from matplotlib.ticker import FixedLocator, FuncFormatter

    finals = [line.get_ydata()[-1] for line in ax.lines]  # with earlier calls' curves
    ticks = []
    for J in sorted({float(f"{J:.3g}") for J in finals if J > 0}):
        if not ticks or J > 1.05 * ticks[-1]:
            ticks.append(J)
    ax.yaxis.set_minor_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    major = ax.yaxis.get_major_formatter()

    def decade(v, pos):  # no decade label over a final value's (within a factor 1.26)
        return "" if any(abs(np.log10(v / t)) < 0.1 for t in ticks) else major(v, pos)

    ax.yaxis.set_major_formatter(FuncFormatter(decade))


def _on_support(values):
    """``values`` with NaN where a unit is exactly 0, except next to where it is not.

    matplotlib leaves NaN points out, so a unit of compact support is drawn only
    over its support (reaching 0 at its edges), not as a flat line at 0.
    """
    nonzero = values != 0
    keep = nonzero.copy()
    keep[1:] |= nonzero[:-1]
    keep[:-1] |= nonzero[1:]
    return np.where(keep, values, np.nan)


def _limit_to_fit(ax):
    """Set the y-limits of ``ax`` to the range of its data and estimate, plus 15%."""
    values = [
        np.asarray(line.get_ydata(), dtype=np.float64)
        for line in ax.lines
        if line.get_gid() != _UNIT_GID
    ]
    values = np.concatenate([v[np.isfinite(v)] for v in values] or [np.zeros(0)])
    if values.size:
        low, high = float(values.min()), float(values.max())
        margin = 0.15 * (high - low) or 0.5 * max(abs(low), 1.0)
        ax.set_ylim(low - margin, high + margin)


def _rbf_units(estimator, grid):
    """``w_k phi_k(x)`` on the grid and w0, for an RBFRegressor (else ``None, None``).

    The basis is the model's public :meth:`~RBFRegressor.hidden_features`,
    after any preceding Pipeline steps, computed as ``predict`` computes it, so
    the units always sum (with w0) to the prediction.
    """
    from ._rbf import RBFRegressor

    model, head = _pipeline_tail(estimator)
    if not isinstance(model, RBFRegressor) or model.n_outputs_ != 1:
        return None, None
    Xt = grid if head is None else head.transform(grid)
    phi = model.hidden_features(Xt)  # phi_k(x), (n_grid, K)
    w = np.ravel(model.coef_)
    contributions = phi * w  # column k is w_k phi_k(x)
    return contributions.astype(np.float64), float(np.ravel(model.intercept_)[0])
