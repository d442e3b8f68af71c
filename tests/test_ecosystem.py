"""Both estimators with the rest of scikit-learn: search, CV, clone, pandas, TTR."""

import warnings

import numpy as np
import pytest
from _helpers import assert_bit_identical
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor
from sklearn_lecture.datasets import make_lecture_bumps

ESTIMATORS = [
    pytest.param(lambda **kw: RBFRegressor(n_centers=5, random_state=0, **kw), id="rbf"),
    pytest.param(
        lambda **kw: SigmoidMLPRegressor(hidden_layer_sizes=(8,), random_state=0, **kw),
        id="mlp",
    ),
]


@pytest.fixture(autouse=True)
def _no_convergence_noise():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _data(n=80, d=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, d))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2]
    return X, y


def test_grid_search_with_two_jobs_over_both_estimators():
    X, y = make_lecture_bumps(60)
    pipe = Pipeline([("scale", StandardScaler()), ("model", RBFRegressor())])
    grid = [
        {"model": [RBFRegressor(max_iter=200, random_state=0)], "model__n_centers": [1, 6]},
        {
            "model": [SigmoidMLPRegressor(max_iter=200, random_state=0)],
            "model__kernel": ["sigmoid", "relu"],
            "model__learning_rate": ["auto", 0.01],  # 0.3 and 0.1 make relu J rise: DivergenceError
        },
    ]
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, grid, cv=cv, n_jobs=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 2 + 4
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores))
    # one radial unit cannot follow the bump and the dip; six can
    by_k = {p.get("model__n_centers"): s for p, s in zip(search.cv_results_["params"], scores)}
    assert by_k[6] > by_k[1]
    # the refitted best model is the one with the best mean score, fitted on all rows
    assert search.best_score_ == scores.max()
    assert search.best_estimator_[-1].n_features_in_ == 1
    assert search.score(X, y) > 0.9
    # the same search in one process: the same scores. Not bit for bit: the fitted
    # parameters are (checked below), but scoring runs predict's matrix products, whose
    # last bits the BLAS thread count can change (seen with the OpenBLAS bundled with
    # numpy 1.24: 2 threads in this process, 1 in a worker).
    serial = GridSearchCV(pipe, grid, cv=cv, n_jobs=1).fit(X, y)
    np.testing.assert_allclose(scores, serial.cv_results_["mean_test_score"], rtol=1e-12)
    assert search.best_params_ == serial.best_params_
    # the refit is a fit with the best parameters, bit for bit
    direct = clone(pipe).set_params(**search.best_params_).fit(X, y)
    assert_bit_identical(search.best_estimator_[-1], direct[-1])


@pytest.mark.parametrize("make", ESTIMATORS)
def test_cross_val_score_matches_a_manual_loop(make):
    X, y = _data()
    cv = KFold(4, shuffle=True, random_state=0)
    est = make_pipeline(StandardScaler(), make(max_iter=100))
    scores = cross_val_score(est, X, y, cv=cv)
    manual = [
        clone(est).fit(X[train], y[train]).score(X[test], y[test])
        for train, test in cv.split(X)
    ]
    np.testing.assert_allclose(scores, manual, rtol=1e-12)
    assert scores.mean() > 0.5


@pytest.mark.parametrize("make", ESTIMATORS)
def test_clone_copies_parameters_not_fitted_state(make):
    X, y = _data()
    est = make(max_iter=30, learning_rate=0.2).fit(X, y)
    twin = clone(est)
    assert twin.get_params() == est.get_params()
    assert not hasattr(twin, "n_iter_") and not hasattr(twin, "loss_curve_")
    # same parameters and seed: refitting the clone gives the same model
    np.testing.assert_array_equal(twin.fit(X, y).predict(X), est.predict(X))


@pytest.mark.parametrize("make", ESTIMATORS)
def test_pandas_dataframe_sets_feature_names_in(make):
    pd = pytest.importorskip("pandas", reason="pandas is in the test extra")
    X, y = _data()
    names = ["age", "dose", "weight"]
    df = pd.DataFrame(X, columns=names)
    est = make(max_iter=30).fit(df, pd.Series(y, name="response"))
    np.testing.assert_array_equal(est.feature_names_in_, names)
    assert est.n_features_in_ == 3
    # the same numbers give the same model, whatever the container (up to rounding:
    # a DataFrame hands over a Fortran-ordered array, which changes the order of the sums)
    np.testing.assert_allclose(est.predict(df), make(max_iter=30).fit(X, y).predict(X),
                               rtol=1e-6, atol=1e-8)
    with pytest.warns(UserWarning, match="feature names"):
        est.predict(X)  # fitted with names, asked without: sklearn's usual warning
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df[["dose", "age", "weight"]])  # wrong column order
    # a Pipeline passes the names on
    pipe = make_pipeline(StandardScaler(), make(max_iter=30)).fit(df, y)
    np.testing.assert_array_equal(pipe.feature_names_in_, names)


@pytest.mark.parametrize("make", ESTIMATORS)
def test_transformed_target_regressor(make):
    X, y = _data()
    y_pos = np.exp(y / 3)  # a positive target, modelled on the log scale
    ttr = TransformedTargetRegressor(
        regressor=make(max_iter=1000), func=np.log, inverse_func=np.exp
    ).fit(X, y_pos)
    inner = make(max_iter=1000).fit(X, np.log(y_pos))
    np.testing.assert_allclose(ttr.predict(X), np.exp(inner.predict(X)), rtol=1e-10)
    assert ttr.regressor_.n_iter_ == inner.n_iter_
    assert ttr.score(X, y_pos) > 0.8
    # with a scaler as the transformer (the target standardised outside the model)
    ttr = TransformedTargetRegressor(regressor=make(max_iter=200, standardize=False),
                                     transformer=StandardScaler()).fit(X, y * 100 + 5)
    assert ttr.score(X, y * 100 + 5) > 0.8
