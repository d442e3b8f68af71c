"""Displays in scikit-learn's style of the lecture's J curve and 1-D fits (matplotlib on use)."""

import numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d

from ._rbf import RBFRegressor
from .lecture import slide_cost

__all__ = ["FitDisplay", "LossCurveDisplay", "plot_replays"]

SAVEFIG_DPI = 150  # of every saved figure

# What to install for the figures (the "plot" extra works in a source checkout only).
MATPLOTLIB_HINT = (
    'pip install matplotlib (or, in a checkout of sklearn_lecture, pip install -e ".[plot]")'
)


def _check_matplotlib(caller):
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"{caller} requires matplotlib: {MATPLOTLIB_HINT}") from exc


def _new_axes(ax, caller):
    _check_matplotlib(caller)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(layout="constrained")  # the axis labels inside the figure
    return ax


def _last_step(estimator):
    return estimator[-1] if hasattr(estimator, "steps") else estimator


def _fitted_model(display, estimator, name):
    """``from_estimator``'s checks; the fitted model inside meta-estimators, its legend name."""
    _check_matplotlib(f"{display.__name__}.from_estimator")
    check_is_fitted(estimator)
    model = _last_step(estimator)
    while hasattr(model, "regressor_"):
        model = _last_step(model.regressor_)
    return model, type(model).__name__ if name is None else name


class LossCurveDisplay:
    """The cost J at every iteration, as the lecture plots it; build it with ``from_estimator``.

    Parameters
    ----------
    loss_curve : array-like of shape (n_iter,)
        J before each update.
    estimator_name : str, default=None
        Name used in the legend.
    standardized : bool, default=None
        Units of J: True standardised, False units of y squared, None unsaid.

    Attributes
    ----------
    line_ : matplotlib Line2D
    ax_, figure_ : matplotlib Axes and Figure
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
            Axes to draw on; None: a new figure.
        name : str, default=None
            Legend label; None: ``estimator_name``.
        log_scale : bool, default=True
            Use a logarithmic J axis.
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : LossCurveDisplay
        """
        ax = _new_axes(ax, f"{type(self).__name__}.plot")
        J = np.asarray(self.loss_curve, dtype=np.float64)
        kwargs.setdefault("label", self.estimator_name if name is None else name)
        (self.line_,) = ax.plot(np.arange(1, J.size + 1), J, **kwargs)
        if log_scale and np.any(J > 0):
            _plain_log_scale(ax)
        ax.set_xlabel("iteration")
        units = {True: " (standardised units)", False: " (units of y^2)"}
        ax.set_ylabel("J = 1/(2n) sum e^2 + (l2/2) ||W||^2" + units.get(self.standardized, ""))
        if kwargs["label"] is not None:
            ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, log_scale=True, **kwargs):
        """Draw the ``loss_curve_`` of a fitted estimator (or of a Pipeline around one).

        Parameters
        ----------
        estimator : estimator instance
            A fitted estimator with ``loss_curve_``.
        ax, name, log_scale, **kwargs
            As in :meth:`LossCurveDisplay.plot`; ``name`` defaults to the class name.

        Returns
        -------
        display : LossCurveDisplay
        """
        model, name = _fitted_model(cls, estimator, name)
        if not hasattr(model, "loss_curve_"):
            raise ValueError(
                f"{type(model).__name__} has no loss_curve_; pass an iteratively trained model."
            )
        tail = _last_step(estimator)  # is loss_curve_ in standardised units of y?
        units = bool(getattr(tail, "standardize", False))
        if hasattr(tail, "regressor_"):  # a TransformedTargetRegressor: None if unknown
            scaler = tail.transformer_
            units = isinstance(scaler, StandardScaler) and scaler.with_std or None
        display = cls(loss_curve=list(model.loss_curve_), estimator_name=name, standardized=units)
        return display.plot(ax=ax, log_scale=log_scale, **kwargs)


class FitDisplay:
    """A 1-D regression: the data, the fitted curve and, for RBFRegressor, its units.

    The units ``w_k phi_k(x)`` (drawn where not 0) and the bias ``w0`` add up to the curve.

    Parameters
    ----------
    x_grid, y_pred : ndarray of shape (n_grid,)
        The grid and the estimate ``yhat`` on it.
    x, y : ndarray of shape (n_samples,), default=None
        The data's inputs and targets.
    contributions : ndarray of shape (n_grid, K), default=None
        ``w_k phi_k(x)`` on ``x_grid``, one column per unit.
    intercept : float, default=None
        The bias w0 (drawn when ``contributions`` is given).
    estimator_name : str, default=None
        Name used in the legend.

    Attributes
    ----------
    line_, data_ : matplotlib Line2D
        The estimate and the data points (None when not drawn).
    unit_lines_ : list of matplotlib Line2D
    ax_, units_ax_, figure_ : matplotlib Axes, Axes and Figure
        ``units_ax_`` is ``ax_`` unless ``units_ax`` was given.
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
        ax, name
            As in :meth:`LossCurveDisplay.plot`: axes to draw on, legend label of the estimate.
        show_data, show_units : bool, default=True
            Draw the data points; draw ``w_k phi_k(x)`` and w0, when the display has them.
        line_kw, data_kw, unit_kw : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.plot` for the estimate, the data, each unit.
        units_ax : matplotlib Axes, default=None
            Axes for the units and w0; None: ``ax``, whose y-limits then fit the data and estimate.

        Returns
        -------
        display : FitDisplay
        """
        ax = _new_axes(ax, f"{type(self).__name__}.plot")
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
        if units and units_ax is None:  # the y-limits of the data and the estimate, plus 15%
            values = np.concatenate([self.y_pred, [] if self.data_ is None else self.y])
            values = values[np.isfinite(values)]
            if values.size:
                low, high = values.min(), values.max()
                margin = 0.15 * (high - low) or 0.5 * max(abs(low), 1.0)
                ax.set_ylim(low - margin, high + margin)
        ax.set(xlabel="x", ylabel="y")
        ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _plot_units(self, unit_kw, separate):
        """Draw ``w_k phi_k(x)`` and w0 on ``units_ax_``; return the units' lines."""
        uax, units = self.units_ax_, np.asarray(self.contributions)
        keep = units != 0  # NaN (not drawn) where a unit is 0, except next to where it is not
        keep[1:] |= units[:-1] != 0
        keep[:-1] |= units[1:] != 0
        kw = {"linestyle": "--", "linewidth": 1, "color": "tab:gray", "label": "w_k phi_k(x)"}
        lines = uax.plot(self.x_grid, np.where(keep, units, np.nan), **{**kw, **(unit_kw or {})})
        for line in lines[1:]:
            line.set_label("_nolegend_")  # one legend entry for all the units
        if self.intercept is not None and self.intercept != 0:
            uax.axhline(self.intercept, linestyle=":", color="tab:gray", label="w0")
        if separate:
            uax.set(xlabel="x", ylabel="w_k phi_k(x) and w0")
            uax.legend(fontsize="small")
        return lines

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, grid_resolution=200, name=None, **kwargs):
        """Draw a fitted 1-D regressor over the range of ``X``.

        Parameters
        ----------
        estimator : estimator instance
            A fitted 1-D, single-output regressor (or a Pipeline ending in one).
        X : array-like of shape (n_samples, 1)
            The inputs; their range sets the grid.
        y : array-like of shape (n_samples,), default=None
            The targets, drawn as points when given.
        grid_resolution : int, default=200
            Number of grid points between ``min(X)`` and ``max(X)``.
        name, **kwargs
            Legend label (default: the class name), and :meth:`FitDisplay.plot`'s arguments.

        Returns
        -------
        display : FitDisplay
        """
        _, name = _fitted_model(cls, estimator, name)
        X_arr = check_array(X, ensure_2d=False, dtype=np.float64)
        X_arr = X_arr.reshape(X_arr.shape[0], -1)  # a 1-D X is one column
        if X_arr.shape[1] != 1:
            raise ValueError(f"X has {X_arr.shape[1]} features; FitDisplay needs a single column.")
        x = X_arr[:, 0]
        if y is not None:
            y = column_or_1d(y, dtype=np.float64)
            if y.shape != x.shape:
                raise ValueError(f"y has shape {y.shape}; pass one target value per row of X.")
        xs = np.linspace(x.min(), x.max(), grid_resolution)
        grid = xs.reshape(-1, 1)
        if hasattr(X, "columns"):  # keep the feature name the estimator was fitted with
            import pandas as pd

            grid = pd.DataFrame(grid, columns=list(X.columns))
        yhat = np.asarray(estimator.predict(grid), dtype=np.float64)
        if yhat.ndim == 2 and yhat.shape[1] != 1:
            raise ValueError("FitDisplay draws single-output regressions only.")
        yhat = yhat.reshape(-1)
        units, w0 = _rbf_units(estimator, grid)
        display = cls(
            x_grid=xs, y_pred=yhat, x=x, y=y, contributions=units, intercept=w0, estimator_name=name
        )
        return display.plot(**kwargs)


def _plain_log_scale(ax):
    """A log y-axis whose ticks read 2, 5, 0.02 rather than 2x10^0."""
    from matplotlib.ticker import LogFormatterSciNotation

    class PlainLogFormatter(LogFormatterSciNotation):  # matplotlib's ticks, plain numbers
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


def _rbf_units(estimator, grid):
    """``w_k phi_k(x)`` on the grid and w0, for an RBFRegressor (else ``None, None``)."""
    model = _last_step(estimator)
    if not isinstance(model, RBFRegressor) or model.n_outputs_ != 1:
        return None, None
    if model is not estimator and len(estimator) > 1:  # a Pipeline's steps before the model
        grid = estimator[:-1].transform(grid)
    contributions = model.hidden_features(grid) * np.ravel(model.coef_)  # column k: w_k phi_k(x)
    return contributions.astype(np.float64), float(np.ravel(model.intercept_)[0])


def plot_replays(fits, X, y, *, ax_fit, ax_loss, cost=None, first_color=1):
    """``fits``, ``[(label, fitted 1-D model)]``, on ``ax_fit`` in colours ``C{first_color}``, ...;
    their J on ``ax_loss``: the slide's (``cost``="sum" or "half_sum") or ``loss_curve_`` (None)."""
    for i, (label, est) in enumerate(fits):
        color = f"C{first_color + i}"
        kw = dict(ax=ax_fit, name=label, show_data=i == 0, show_units=False)
        FitDisplay.from_estimator(est, X, y, line_kw={"color": color}, **kw)
        if cost is None:
            LossCurveDisplay.from_estimator(est, ax=ax_loss, name=label, color=color)
        else:
            curve = slide_cost(est.loss_curve_, len(y), cost)
            LossCurveDisplay(loss_curve=curve, estimator_name=label).plot(ax=ax_loss, color=color)
    _final_ticks(ax_loss)
    if cost is not None:
        what = "sum e^2" if cost == "sum" else "1/2 sum e^2"
        ax_loss.set_ylabel(f"the slide's J = {what} (units of y)")
