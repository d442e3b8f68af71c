"""LossCurveDisplay and FitDisplay, in the style of scikit-learn's displays."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from _helpers import fit_quietly
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import (
    FitDisplay,
    LossCurveDisplay,
    RBFRegressor,
    SigmoidMLPRegressor,
)
from sklearn_lecture.datasets import make_lecture_bumps

matplotlib = pytest.importorskip("matplotlib", reason="the displays need the plot extra")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def bumps():
    return make_lecture_bumps()


@pytest.fixture(scope="module")
def rbf(bumps):
    return fit_quietly(RBFRegressor(n_centers=4, max_iter=60, tol=0, random_state=0), *bumps)


def test_loss_curve_display_draws_the_loss_curve(rbf):
    disp = LossCurveDisplay.from_estimator(rbf)
    assert isinstance(disp, LossCurveDisplay)
    np.testing.assert_array_equal(disp.line_.get_ydata(), rbf.loss_curve_)
    np.testing.assert_array_equal(disp.line_.get_xdata(), np.arange(1, rbf.n_iter_ + 1))
    assert disp.ax_.get_yscale() == "log"
    assert disp.figure_ is disp.ax_.figure
    assert disp.line_.get_label() == "RBFRegressor"


def test_loss_curve_display_on_given_axes_linear_scale_and_name(rbf):
    fig, ax = plt.subplots()
    disp = LossCurveDisplay.from_estimator(rbf, ax=ax, name="mine", log_scale=False,
                                           color="tab:green")
    assert disp.ax_ is ax and disp.figure_ is fig
    assert ax.get_yscale() == "linear"
    assert disp.line_.get_label() == "mine"
    assert disp.line_.get_color() == "tab:green"
    # plot() draws again from the stored curve
    fig2, ax2 = plt.subplots()
    disp.plot(ax=ax2)
    assert disp.ax_ is ax2 and len(ax2.lines) == 1


@pytest.mark.parametrize(
    "wrap",
    [
        lambda est: make_pipeline(StandardScaler(), est),
        lambda est: TransformedTargetRegressor(est, transformer=StandardScaler()),
    ],
    ids=["pipeline", "transformed-target"],
)
def test_loss_curve_display_finds_the_model_inside_meta_estimators(bumps, wrap):
    model = fit_quietly(wrap(SigmoidMLPRegressor(hidden_layer_sizes=(5,), max_iter=30,
                                          random_state=0)), *bumps)
    disp = LossCurveDisplay.from_estimator(model)
    inner = model[-1] if hasattr(model, "steps") else model.regressor_
    np.testing.assert_array_equal(disp.line_.get_ydata(), inner.loss_curve_)
    assert disp.line_.get_label() == "SigmoidMLPRegressor"


def test_loss_curve_display_accepts_sklearn_mlp(bumps):
    mlp = fit_quietly(MLPRegressor(hidden_layer_sizes=(5,), max_iter=20, random_state=0), *bumps)
    disp = LossCurveDisplay.from_estimator(mlp)
    np.testing.assert_array_equal(disp.line_.get_ydata(), mlp.loss_curve_)


def test_loss_curve_display_errors(bumps):
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(RBFRegressor())
    with pytest.raises(ValueError, match="no loss_curve_"):
        LossCurveDisplay.from_estimator(LinearRegression().fit(*bumps))


def test_fit_display_draws_data_estimate_and_rbf_units(rbf, bumps):
    X, y = bumps
    disp = FitDisplay.from_estimator(rbf, X, y, grid_resolution=50)
    np.testing.assert_array_equal(disp.data_.get_xdata(), X.ravel())
    np.testing.assert_array_equal(disp.data_.get_ydata(), y)
    np.testing.assert_allclose(disp.line_.get_ydata(), rbf.predict(disp.x_grid.reshape(-1, 1)))
    assert disp.x_grid[0] == X.min() and disp.x_grid[-1] == X.max() and disp.x_grid.size == 50
    assert len(disp.unit_lines_) == rbf.n_centers == disp.contributions.shape[1]
    # the lecture's picture: the units w_k phi_k(x) and w0 add up to the estimate
    total = disp.contributions.sum(axis=1) + disp.intercept
    np.testing.assert_allclose(total, disp.y_pred, rtol=1e-12, atol=1e-12)
    assert disp.intercept == rbf.intercept_
    # each unit is w_k times a bump that peaks (at 1) at its centre c_k
    for k in range(rbf.n_centers):
        unit = disp.contributions[:, k] / rbf.coef_[k]
        assert unit.max() <= 1 + 1e-12 and unit.min() > 0
    assert disp.ax_.get_legend() is not None


def test_fit_display_units_inside_a_pipeline_sum_to_the_prediction(bumps):
    X, y = bumps
    X_shifted = X * 30 + 100  # the scaler must be applied before the units
    pipe = fit_quietly(make_pipeline(StandardScaler(),
                              RBFRegressor(3, max_iter=40, tol=0, random_state=0)),
                X_shifted, y)
    disp = FitDisplay.from_estimator(pipe, X_shifted, y, grid_resolution=40)
    np.testing.assert_allclose(disp.contributions.sum(axis=1) + disp.intercept,
                               pipe.predict(disp.x_grid.reshape(-1, 1)), atol=1e-12)
    assert len(disp.unit_lines_) == 3


def test_fit_display_for_the_network_has_no_units_and_respects_flags(bumps):
    X, y = bumps
    net = fit_quietly(SigmoidMLPRegressor((5,), max_iter=30, random_state=0), X, y)
    fig, ax = plt.subplots()
    disp = FitDisplay.from_estimator(net, X.ravel(), ax=ax, name="net", show_data=False,
                                     line_kw={"color": "black"})
    assert disp.contributions is None and disp.unit_lines_ == []
    assert disp.data_ is None and len(ax.lines) == 1
    assert disp.line_.get_label() == "net" and disp.ax_ is ax
    rbf = fit_quietly(RBFRegressor(3, max_iter=5, tol=0, random_state=0), X, y)
    disp = FitDisplay.from_estimator(rbf, X, y, show_units=False)
    assert disp.unit_lines_ == [] and disp.contributions is not None


def test_fit_display_keeps_dataframe_feature_names(bumps):
    pd = pytest.importorskip("pandas", reason="pandas is in the test extra")
    X, y = bumps
    df = pd.DataFrame({"x": X.ravel()})
    rbf = fit_quietly(RBFRegressor(3, max_iter=5, tol=0, random_state=0), df, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names"
        disp = FitDisplay.from_estimator(rbf, df, y)
    assert len(disp.unit_lines_) == 3


def test_fit_display_rejects_more_than_one_feature_or_mismatched_y(bumps):
    X, y = bumps
    X2 = np.hstack([X, X])
    est = fit_quietly(LinearRegression(), X2, y)
    with pytest.raises(ValueError, match="2 features"):
        FitDisplay.from_estimator(est, X2, y)
    est = fit_quietly(LinearRegression(), X, y)
    with pytest.raises(ValueError, match="one target value per row"):
        FitDisplay.from_estimator(est, X, y[:-1])
    with pytest.raises(NotFittedError):
        FitDisplay.from_estimator(RBFRegressor(), X, y)


@pytest.mark.parametrize("call", ["loss", "fit", "plot"])
def test_without_matplotlib_the_error_says_what_to_install(monkeypatch, rbf, bumps, call):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # "import matplotlib" fails
    hint = (r"pip install matplotlib \(or, in a checkout of sklearn_lecture, "
            r'pip install -e "\.\[plot\]"\)')
    with pytest.raises(ImportError, match=hint):
        if call == "loss":
            LossCurveDisplay.from_estimator(rbf)
        elif call == "fit":
            FitDisplay.from_estimator(rbf, *bumps)
        else:
            LossCurveDisplay(loss_curve=[1.0, 0.5]).plot()


def test_importing_the_package_does_not_import_matplotlib():
    code = "import sys, sklearn_lecture; print('matplotlib' in sys.modules)"
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


# ------------------------------------------------------------- issue 15: readable figures
def test_loss_curve_display_says_the_units_of_j(bumps):
    X, y = bumps
    standardized = fit_quietly(RBFRegressor(3, max_iter=5, tol=0, random_state=0), X, y)
    raw = fit_quietly(RBFRegressor(3, max_iter=5, tol=0, standardize=False, random_state=0), X, y)
    mlp = fit_quietly(MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0), X, y)
    scaled_mlp = fit_quietly(make_pipeline(StandardScaler(), TransformedTargetRegressor(
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0),
        transformer=StandardScaler())), X, y)
    labels = {
        est_id: LossCurveDisplay.from_estimator(est).ax_.get_ylabel()
        for est_id, est in [("std", standardized), ("raw", raw), ("mlp", mlp),
                            ("scaled-mlp", scaled_mlp)]
    }
    J = "J = 1/(2n) sum e^2 + (l2/2) ||W||^2"  # loss_curve_ holds the penalty too
    assert labels["std"] == J + " (standardised units)"
    assert labels["raw"] == J + " (units of y^2)"
    assert labels["mlp"].endswith("(units of y^2)")
    assert labels["scaled-mlp"].endswith("(standardised units)")
    assert LossCurveDisplay(loss_curve=[1.0]).plot().ax_.get_ylabel() == J


def test_fit_display_units_on_their_own_axes_leave_the_data_unsqueezed(bumps):
    X, y = bumps
    rbf = fit_quietly(RBFRegressor(4, max_iter=200, tol=0, random_state=0), X, y)
    fig, (ax, units_ax) = plt.subplots(2, 1)
    disp = FitDisplay.from_estimator(rbf, X, y, ax=ax, units_ax=units_ax)
    assert disp.units_ax_ is units_ax and len(disp.unit_lines_) == 4
    assert all(line.axes is units_ax for line in disp.unit_lines_)
    assert [line.get_label() for line in ax.lines] == ["data y", "RBFRegressor"]
    assert units_ax.get_ylabel() == "w_k phi_k(x) and w0"


def test_fit_display_shared_axes_keep_the_limits_of_the_data(bumps):
    """Units reaching far beyond the data are cut at the edge, not squeezing the data."""
    X, y = bumps
    # without a penalty the units reach far beyond the data (the case at hand)
    rbf = fit_quietly(RBFRegressor(4, max_iter=200, tol=0, l2=0.0, random_state=0), X, y)
    disp = FitDisplay.from_estimator(rbf, X, y)
    assert np.abs(disp.contributions).max() > 1.5 * np.abs(y).max()  # the case at hand
    low, high = disp.ax_.get_ylim()
    top = max(y.max(), disp.y_pred.max())
    bottom = min(y.min(), disp.y_pred.min())
    span = top - bottom
    np.testing.assert_allclose([low, high], [bottom - 0.15 * span, top + 0.15 * span])


def test_fit_display_draws_a_compact_unit_only_over_its_support(bumps):
    """A triangle unit (kernel="relu") is 0 beyond its width: no flat line at 0."""
    X, y = bumps
    rbf = fit_quietly(RBFRegressor(4, kernel="relu", max_iter=200, tol=0, random_state=0), X, y)
    disp = FitDisplay.from_estimator(rbf, X, y)
    zero = disp.contributions == 0
    assert zero.any(), "the triangle units of this fit end inside the range of x"
    for k, line in enumerate(disp.unit_lines_):
        drawn = np.asarray(line.get_ydata(), dtype=float)
        np.testing.assert_array_equal(np.isnan(drawn) | (drawn == disp.contributions[:, k]),
                                      True)
        # hidden: exactly the zero points whose neighbours are zero too
        inner = zero[:, k].copy()
        inner[1:] &= zero[:-1, k]
        inner[:-1] &= zero[1:, k]
        np.testing.assert_array_equal(np.isnan(drawn), inner)


def test_rbf_units_use_the_fitted_kernel_after_set_params():
    """The units drawn are the fitted model's: after set_params(kernel=...) without a
    refit they still sum (with w0) to predict, which also uses the fitted kernel."""
    from sklearn_lecture.plotting import _rbf_units

    x = np.linspace(0, 5, 40).reshape(-1, 1)
    y = np.sin(x.ravel())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = RBFRegressor(5, "relu", random_state=0).fit(x, y)
    y_pred = est.predict(x)
    est.set_params(kernel="rbf")
    contributions, w0 = _rbf_units(est, x)
    np.testing.assert_allclose(contributions.sum(axis=1) + w0, y_pred, atol=1e-10)


def _tick_labels(ax):
    """The y tick labels inside the view (older matplotlib also lists ticks beyond it)."""
    ax.figure.canvas.draw()
    low, high = ax.get_ylim()
    return [t.get_text() for minor in (False, True) for t in ax.get_yticklabels(minor=minor)
            if low <= t.get_position()[1] <= high]


def test_loss_curve_with_defaults_keeps_its_labels_inside_the_figure(rbf):
    """The default figure clipped the y-label's left edge."""
    disp = LossCurveDisplay.from_estimator(rbf)
    disp.figure_.canvas.draw()
    renderer = disp.figure_.canvas.get_renderer()
    figure_box = disp.figure_.bbox
    for label in (disp.ax_.yaxis.label, disp.ax_.xaxis.label):
        box = label.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0, (label.get_text(), box)
        assert box.x1 <= figure_box.x1 and box.y1 <= figure_box.y1


@pytest.mark.parametrize("curve", [[8.0, 7.0, 6.5, 6.0], [500.0, 20.0, 0.3], [0.031, 0.028]])
def test_log_axes_label_ticks_as_plain_numbers(curve):
    """Not "6x10^0" (matplotlib's default on a log axis spanning less than a decade)."""
    disp = LossCurveDisplay(loss_curve=curve).plot()
    labels = [text for text in _tick_labels(disp.ax_) if text]
    assert labels, "the axis has labelled ticks"
    for text in labels:
        assert "10^" not in text and "times" not in text and "e" not in text, labels
        float(text.replace("\N{MINUS SIGN}", "-"))


def test_replays_put_labelled_ticks_at_the_final_values(bumps):
    """The l6rbf2/l6rbf3 J panel had no tick near its final values (1.36, 1.18)."""
    from sklearn_lecture.lecture import SETTINGS, l6rbf_estimator, slide_cost
    from sklearn_lecture.plotting import plot_replays

    X, y = bumps
    fits = [
        (f"{name}, c0 = {c0:g}", fit_quietly(l6rbf_estimator(name, c0, 500, len(y)), X, y))
        for name, c0 in [("l6rbf2", 0.0), ("l6rbf3", 1.0)]
    ]
    fig, (ax_fit, ax_loss) = plt.subplots(1, 2)
    plot_replays(fits[:1], X, y, ax_fit=ax_fit, ax_loss=ax_loss, cost="sum")
    plot_replays(fits[1:], X, y, ax_fit=ax_fit, ax_loss=ax_loss, cost="sum", first_color=2)
    finals = [float(slide_cost(est.loss_, len(y), "sum")) for _, est in fits]
    labels = _tick_labels(ax_loss)
    assert sorted(f"{J:.3g}" for J in finals) == sorted(
        t for t in labels if t and float(t) not in (1, 10, 100)
    ), labels
    assert SETTINGS["l6rbf2"]["n_iter"].value == 500
    assert ax_loss.get_ylabel() == "the slide's J = sum e^2 (units of y)"
