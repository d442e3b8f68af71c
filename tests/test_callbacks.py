"""Progress bars and other ``sklearn.callback`` callbacks (scikit-learn >= 1.9).

The shared loop reports each iteration of both solvers as a subtask of the
``fit`` task, so a callback sees exactly ``n_iter_`` iterations, also when the
estimator sits inside a Pipeline or GridSearchCV. On older scikit-learn the
estimators have no ``set_callbacks`` and everything else works as before.
"""

import warnings

import numpy as np
import pytest
from _helpers import smooth_data
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor

try:
    import sklearn.callback as skl_callback
except ImportError:  # scikit-learn < 1.9
    skl_callback = None

needs_callbacks = pytest.mark.skipif(
    skl_callback is None,
    reason="sklearn.callback (progress bars) exists from scikit-learn 1.9 on; "
    "this scikit-learn is older, and the estimators correctly run without it",
)

ESTIMATORS = [RBFRegressor, SigmoidMLPRegressor]


class Recorder:
    """A minimal ``FitCallback`` that records every hook call, in order."""

    def __init__(self):
        self.events = []

    def setup(self, estimator, context):
        self.events.append(("setup", type(estimator).__name__))

    def on_fit_task_begin(self, estimator, context, *, metadata=None):
        self.events.append(("begin", context.estimator_name, context.task_name, metadata))

    def on_fit_task_end(self, estimator, context, *, metadata=None):
        self.events.append(("end", context.estimator_name, context.task_name, metadata))

    def teardown(self, estimator, context):
        self.events.append(("teardown", type(estimator).__name__))

    def count(self, kind, estimator_name=None, task_name=None):
        return sum(
            1
            for event in self.events
            if event[0] == kind
            and (estimator_name is None or event[1] == estimator_name)
            and (task_name is None or event[2] == task_name)
        )


class PropagatedRecorder(Recorder):
    """The same, auto-propagated from a meta-estimator to its sub-estimators."""

    max_propagation_depth = None


def test_set_callbacks_exists_exactly_when_sklearn_callback_does():
    for Est in ESTIMATORS:
        assert hasattr(Est(), "set_callbacks") == (skl_callback is not None)


@needs_callbacks
@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_each_iteration_is_one_subtask(Est, solver):
    X, y = smooth_data()
    sw = np.linspace(0.5, 2.0, X.shape[0])
    rec = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = Est(solver=solver, max_iter=25, random_state=0).set_callbacks(rec)
        est.fit(X, y, sample_weight=sw)
        n_iter = est.n_iter_
        est.fit(X, y)  # a second fit reports again: the callbacks stay set
    name = type(est).__name__
    first = rec.events[: rec.events.index(("teardown", name)) + 1]
    assert n_iter >= 1
    assert sum(e[:3] == ("begin", name, "iteration") for e in first) == n_iter
    assert sum(e[:3] == ("end", name, "iteration") for e in first) == n_iter
    assert first[0] == ("setup", name)
    assert first[1][:3] == ("begin", name, "fit")
    assert first[-2][:3] == ("end", name, "fit")
    np.testing.assert_array_equal(first[1][3]["sample_weight"], sw)
    assert rec.count("end", name, "iteration") == n_iter + est.n_iter_
    assert rec.count("begin", name, "fit") == rec.count("end", name, "fit") == 2
    assert rec.count("setup") == rec.count("teardown") == 2
    assert rec.events[-1] == ("teardown", name)
    # the per-fit context is removed again after each fit
    assert not hasattr(est, "_callback_fit_ctx")


@needs_callbacks
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_partial_fit_is_one_subtask(Est):
    X, y = smooth_data()
    rec = Recorder()
    est = Est(random_state=0).set_callbacks(rec)
    for start in (0, 20, 40):
        est.partial_fit(X[start : start + 20], y[start : start + 20])
    assert est.n_iter_ == 3
    assert rec.count("end", type(est).__name__, "iteration") == 3
    assert rec.count("teardown") == 3


@needs_callbacks
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_teardown_runs_when_fit_fails(Est):
    X, y = smooth_data()
    rec = Recorder()
    est = Est(learning_rate=1e6, standardize=False, max_iter=50).set_callbacks(rec)
    with pytest.raises(ValueError, match="learning_rate"):
        est.fit(X, 1e3 * y)
    assert rec.count("setup") == rec.count("teardown") == 1
    assert rec.count("end", task_name="fit") == 0
    assert not hasattr(est, "_callback_fit_ctx")


@needs_callbacks
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_iterations_reported_inside_pipeline(Est):
    X, y = smooth_data()
    rec = PropagatedRecorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(StandardScaler(), Est(max_iter=15, random_state=0))
        pipe.set_callbacks(rec).fit(X, y)
    name = Est.__name__
    assert rec.count("end", name, "iteration") == pipe[-1].n_iter_ > 0
    assert rec.count("end", "Pipeline", "fit") == 1


@needs_callbacks
def test_iterations_reported_inside_grid_search():
    # A fixed alpha, tol=0 and few iterations: every fit runs exactly max_iter
    # updates (J falls at every step), so the count is known in advance.
    X, y = smooth_data()
    max_iter, cv = 4, 2
    grid = {"sigmoidmlpregressor__hidden_layer_sizes": [(3,), (5,)]}
    pipe = make_pipeline(
        StandardScaler(),
        SigmoidMLPRegressor(learning_rate=0.05, tol=0.0, max_iter=max_iter, random_state=0),
    )
    rec = PropagatedRecorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(pipe, grid, cv=cv).set_callbacks(rec).fit(X, y)
    n_fits = len(grid["sigmoidmlpregressor__hidden_layer_sizes"]) * cv + 1  # + refit
    assert search.best_estimator_[-1].n_iter_ == max_iter
    assert rec.count("end", "SigmoidMLPRegressor", "iteration") == n_fits * max_iter
    assert rec.count("end", "SigmoidMLPRegressor", "fit") == n_fits


@needs_callbacks
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_progress_bar(Est, capsys):
    from sklearn.callback import ProgressBar

    X, y = smooth_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = Est(max_iter=10, random_state=0).set_callbacks(ProgressBar()).fit(X, y)
        search = GridSearchCV(
            make_pipeline(StandardScaler(), Est(max_iter=5, random_state=0)),
            {f"{Est.__name__.lower()}__solver": ["gd", "lbfgs"]},
            cv=2,
        )
        search.set_callbacks(ProgressBar(max_propagation_depth=None)).fit(X, y)
    out = capsys.readouterr().out
    assert f"{Est.__name__} - fit" in out
    assert f"fit-final-estimator | {Est.__name__} - fit" in out
    assert est.n_iter_ == 10
