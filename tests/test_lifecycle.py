"""The estimators' lifecycle: before fit, after fit, pickling, warm_start, interrupts.

Also the defaults: on standardised X a smooth target is fitted well whatever the
scale and offset of y, for every kernel of both estimators.
"""

import copy
import pickle
import warnings

import numpy as np
import pytest
from _helpers import KERNELS, NAMES, SOLVERS, fit_quietly, make_estimator, smooth_data
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor, _optimizers


def _state(est):
    """A deep copy of everything fit stores on the estimator."""
    return copy.deepcopy({k: v for k, v in vars(est).items() if k.endswith("_")})


def _assert_same_state(a, b):
    assert a.keys() == b.keys()
    for key in a:
        u, v = a[key], b[key]
        if isinstance(u, list):
            assert len(u) == len(v), key
            for p, q in zip(u, v):
                np.testing.assert_array_equal(p, q, err_msg=key)
        elif isinstance(u, np.ndarray | float | int | np.generic) or u is None:
            np.testing.assert_array_equal(u, v, err_msg=key)


@pytest.mark.parametrize("name", NAMES)
def test_predict_before_fit_raises_not_fitted_error(name):
    X, _ = smooth_data(n=80)
    with pytest.raises(NotFittedError):
        make_estimator(name).predict(X)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_number_of_features_at_predict_is_sklearns_error(name):
    X, y = smooth_data(n=80)
    est = fit_quietly(make_estimator(name, max_iter=5, random_state=0), X, y)
    with pytest.raises(ValueError, match=r"X has 3 features, but \w+ is expecting 2 features"):
        est.predict(np.hstack([X, X[:, :1]]))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("name", NAMES)
def test_pickling_keeps_predictions_identical(name, kernel, solver):
    X, y = smooth_data(n=80)
    est = fit_quietly(make_estimator(name, kernel, solver, max_iter=20, random_state=0), X, y)
    again = pickle.loads(pickle.dumps(est))
    assert again.predict(X).tobytes() == est.predict(X).tobytes()
    X_new = smooth_data(n=25, seed=1)[0]
    assert again.predict(X_new).tobytes() == est.predict(X_new).tobytes()
    _assert_same_state(_state(est), _state(again))
    # and it keeps training from there, as the original does
    for model in (est, again):
        fit_quietly(model.set_params(warm_start=True, max_iter=5), X, y)
    _assert_same_state(_state(est), _state(again))
    if solver == "gd":  # n_iter_no_change=10: five more updates cannot stop early
        assert again.n_iter_ == 20 + 5


@pytest.mark.parametrize(
    "name, change",
    [
        ("mlp", {"hidden_layer_sizes": (7,)}),
        ("mlp", {"hidden_layer_sizes": (5, 4)}),
        ("rbf", {"n_centers": 7}),
    ],
)
def test_warm_start_after_an_architecture_change_is_a_clear_error(name, change):
    """Documented behaviour: ValueError asking for warm_start=False; old model kept."""
    X, y = smooth_data(n=80)
    est = fit_quietly(make_estimator(name, max_iter=10, random_state=0, warm_start=True), X, y)
    before, pred = _state(est), est.predict(X)
    est.set_params(**change)
    with pytest.raises(ValueError, match=r"warm_start=False"):
        est.fit(X, y)
    _assert_same_state(before, _state(est))
    np.testing.assert_array_equal(est.predict(X), pred)
    # and the advice works: a clean refit with the new architecture
    fit_quietly(est.set_params(warm_start=False), X, y)
    assert np.all(np.isfinite(est.predict(X)))
    # the docstring documents this behaviour
    assert "warm_start=False" in " ".join(type(est).__doc__.split())


@pytest.mark.parametrize("name", NAMES)
def test_warm_start_with_more_features_keeps_the_old_model(name):
    X, y = smooth_data(n=80)
    est = fit_quietly(make_estimator(name, max_iter=10, random_state=0, warm_start=True), X, y)
    before, pred = _state(est), est.predict(X)
    with pytest.raises(ValueError, match=r"warm_start=False"):
        est.fit(np.hstack([X, X]), y)
    _assert_same_state(before, _state(est))
    assert est.n_features_in_ == 2
    np.testing.assert_array_equal(est.predict(X), pred)


@pytest.mark.parametrize("name", NAMES)
def test_a_failed_refit_on_other_data_keeps_the_old_model(name):
    """A divergent fit on data with another number of features leaves self whole."""
    X, y = smooth_data(n=80)
    est = fit_quietly(make_estimator(name, max_iter=10, random_state=0), X, y)
    before, pred = _state(est), est.predict(X)
    est.set_params(learning_rate=1e6, standardize=False)
    X3 = np.hstack([X, X[:, :1]]) * 1e3
    with pytest.raises(ValueError, match="learning_rate"):
        est.fit(X3, 1e3 * y)
    _assert_same_state(before, _state(est))
    assert est.n_features_in_ == 2
    np.testing.assert_array_equal(est.predict(X), pred)


def _interrupt_at(monkeypatch, iteration):
    """Make the shared loop raise KeyboardInterrupt after ``iteration`` iterations."""
    record = _optimizers.TrainingRecord.record

    def interrupted(self, theta, J):
        stop = record(self, theta, J)
        if len(self.loss_curve) >= iteration:
            raise KeyboardInterrupt
        return stop

    monkeypatch.setattr(_optimizers.TrainingRecord, "record", interrupted)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("name", NAMES)
def test_keyboard_interrupt_leaves_the_previous_fit_untouched(name, solver, monkeypatch):
    X, y = smooth_data(n=80)
    est = fit_quietly(make_estimator(name, solver=solver, max_iter=15, random_state=0), X, y)
    before, pred = _state(est), est.predict(X)
    X3 = np.hstack([X, X[:, :1]])  # another number of features, so nothing may leak
    _interrupt_at(monkeypatch, 3)
    for warm_start in (False, True):
        est.set_params(warm_start=warm_start, max_iter=50)
        with pytest.raises(KeyboardInterrupt):
            est.fit(X if warm_start else X3, 2 * y)
        _assert_same_state(before, _state(est))
        assert est.n_features_in_ == 2
        np.testing.assert_array_equal(est.predict(X), pred)
    monkeypatch.undo()
    _interrupt_at(monkeypatch, 1)  # partial_fit is a single iteration
    with pytest.raises(KeyboardInterrupt):
        est.partial_fit(X, y)
    _assert_same_state(before, _state(est))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("name", NAMES)
def test_keyboard_interrupt_leaves_a_fresh_estimator_unfitted(name, solver, monkeypatch):
    X, y = smooth_data(n=80)
    est = make_estimator(name, solver=solver, max_iter=50, random_state=0)
    _interrupt_at(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    with pytest.raises(NotFittedError):
        est.predict(X)
    assert _state(est) == {}, "an interrupted fit left fitted attributes behind"
    monkeypatch.undo()
    fit_quietly(est, X, y)  # and it can still be fitted
    assert np.all(np.isfinite(est.predict(X)))


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("name", NAMES)
def test_defaults_fit_smooth_targets_at_any_scale_and_offset(name, kernel):
    """Default parameters after a StandardScaler: R^2 > 0.95 on y, 1e3 y + 1e4, 1e-6 y - 5."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(300, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2
    for target in (y, 1e3 * y + 1e4, 1e-6 * y - 5):
        model = make_pipeline(StandardScaler(), make_estimator(name, kernel, random_state=0))
        fit_quietly(model, X, target)
        assert model.score(X, target) > 0.95, (target[:2], model.score(X, target))


# ---------------------------------------------------------------------------
# Predict uses what was fitted; architecture parameters are validated (issue 11)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, change",
    [
        ("mlp", {"kernel": "relu"}),
        ("rbf", {"kernel": "relu"}),
        ("mlp", {"hidden_layer_sizes": (3, 3)}),
        ("rbf", {"n_centers": 3}),
        ("mlp", {"standardize": False}),
        ("rbf", {"standardize": False, "width": 1e-3}),
    ],
)
def test_set_params_after_fit_does_not_change_predict_without_a_refit(name, change):
    X, y = smooth_data(n=80)
    est = fit_quietly(make_estimator(name, max_iter=10, random_state=0), X, y)
    pred = est.predict(X)
    est.set_params(**change)
    np.testing.assert_array_equal(est.predict(X), pred)


@pytest.mark.parametrize("sizes", [(2.5,), ("3",), True, (True,), 0, (-1,), (), (3, 0), 2.0])
def test_hidden_layer_sizes_must_be_positive_integers(sizes):
    X, y = smooth_data(n=80)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        SigmoidMLPRegressor(hidden_layer_sizes=sizes, max_iter=2).fit(X, y)


@pytest.mark.parametrize("sizes", [3, np.int64(3), (np.int32(2), 3), [4], np.array([2, 2])])
def test_hidden_layer_sizes_accepts_integers_of_any_integer_type(sizes):
    X, y = smooth_data(n=80)
    est = fit_quietly(SigmoidMLPRegressor(hidden_layer_sizes=sizes, max_iter=2), X, y)
    assert [W.shape[1] for W in est.coefs_[:-1]] == list(np.ravel(sizes))


@pytest.mark.parametrize(
    "name, change", [("mlp", {"hidden_layer_sizes": (7,)}), ("rbf", {"n_centers": 7})]
)
def test_partial_fit_after_an_architecture_change_gives_advice_that_works(name, change):
    X, y = smooth_data(n=80)
    est = make_estimator(name, random_state=0)
    est.partial_fit(X, y)
    before = _state(est)
    est.set_params(**change)
    with pytest.raises(ValueError, match="partial_fit cannot continue.*; call fit") as info:
        est.partial_fit(X, y)
    assert "warm_start" not in str(info.value)
    _assert_same_state(before, _state(est))
    fit_quietly(est.set_params(max_iter=3), X, y)  # the advice: fit starts afresh
    est.partial_fit(X, y)


@pytest.mark.parametrize("name", NAMES)
def test_partial_fit_with_another_number_of_outputs_gives_advice_that_works(name):
    X, y = smooth_data(n=80)
    est = make_estimator(name, random_state=0)
    est.partial_fit(X, y)
    Y2 = np.column_stack([y, -y])
    with pytest.raises(ValueError, match="partial_fit cannot continue.*2 outputs.*call fit"):
        est.partial_fit(X, Y2)
    fit_quietly(est.set_params(max_iter=3), X, Y2)
    est.partial_fit(X, Y2)
    assert est.predict(X).shape == Y2.shape


@pytest.mark.parametrize("name", NAMES)
def test_an_interrupt_while_storing_leaves_every_attribute_as_before(name, monkeypatch):
    """The store phase of a refit with another number of features (issue 11)."""
    X, y = smooth_data(n=80)
    est = fit_quietly(make_estimator(name, max_iter=5, random_state=0), X, y)
    before, pred = copy.deepcopy(vars(est)), est.predict(X)
    X3 = np.hstack([X, X[:, :1]])
    # The last step before the state is stored: building the public attributes.
    original = type(est)._fitted_attributes

    def interrupted(self, params, y_2d):
        original(self, params, y_2d)
        raise KeyboardInterrupt

    monkeypatch.setattr(type(est), "_fitted_attributes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X3, y)
    monkeypatch.undo()
    assert vars(est).keys() == before.keys()
    assert pickle.dumps(vars(est)) == pickle.dumps(before)
    np.testing.assert_array_equal(est.predict(X), pred)


@pytest.mark.parametrize("Est", [RBFRegressor, SigmoidMLPRegressor])
def test_an_interrupt_in_the_convergence_warning_keeps_the_old_model(Est, monkeypatch):
    """Ctrl-C while the ConvergenceWarning is issued (the last step before the new state
    is stored) leaves the estimator as it was before ``fit``, like any other interrupt."""
    from sklearn_lecture import _fitplan

    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(80, 2))
    y = np.sin(X[:, 0]) + X[:, 1]
    est = Est(max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    before = est.predict(X).copy(), est.n_iter_, dict(vars(est))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_fitplan, "warn_not_converged", interrupted)
    with pytest.raises(KeyboardInterrupt):
        est.set_params(max_iter=5).fit(X, 2 * y)
    assert est.n_iter_ == before[1]
    np.testing.assert_array_equal(est.predict(X), before[0])
    assert set(vars(est)) == set(before[2])
