"""Early stopping: the best validation weights are kept, and loss_curve_ is the training J."""

import numpy as np
import pytest
from _helpers import ESTIMATORS, documented_J, fit_quietly, small_estimator

import sklearn_lecture._rows as backend_module  # where the split is drawn
from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor


def _noisy(n=80, seed=1):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 1))
    return X, np.sin(2 * X[:, 0]) + 0.6 * rng.randn(n)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize(
    "params",
    [
        dict(solver="gd", learning_rate=0.2),  # 0.5 raises J: a DivergenceError now
        dict(solver="gd", learning_rate="auto"),
        dict(solver="lbfgs"),
    ],
    ids=["gd-fixed", "gd-auto", "lbfgs"],
)
def test_early_stopping_keeps_the_best_validation_weights(Est, params):
    """The held-out rows and the trajectory are the same in a refit with
    ``max_iter = argmax(validation_scores_) + 1`` (the same random_state draws
    the same initial weights, then the same split), and that refit's last
    iterate is its best one. So both predict bit for bit the same."""
    X, y = _noisy()
    kw = dict(early_stopping=True, validation_fraction=0.25, n_iter_no_change=10,
              tol=1e-4, max_iter=300, **params)
    est = fit_quietly(small_estimator(Est, **kw), X, y)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ == len(est.loss_curve_)
    assert est.n_iter_ < 300, "early stopping should have stopped this noisy fit"
    best = int(np.argmax(scores))
    assert est.best_validation_score_ == max(scores)
    assert best + 1 < est.n_iter_, "the best iterate should not be the last one here"
    refit = fit_quietly(small_estimator(Est, **{**kw, "max_iter": best + 1}), X, y)
    assert refit.validation_scores_ == scores[: best + 1]
    np.testing.assert_array_equal(refit.predict(X), est.predict(X))


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_early_stopping_loss_curve_is_the_training_loss(Est, monkeypatch):
    """loss_curve_ holds J on the training rows only (issue 18507 asks for
    both curves: validation_scores_ holds the other)."""
    X, y = _noisy()
    split = {}
    real_split = backend_module.train_test_split

    def spy(*args, **kwargs):
        train, val = real_split(*args, **kwargs)
        split["train"], split["val"] = np.sort(train), np.sort(val)
        return train, val

    monkeypatch.setattr(backend_module, "train_test_split", spy)
    # One step from the initial weights: J is recorded before the step. A step of
    # alpha = 1e-300 leaves the same initial weights (and split) unchanged.
    kw = dict(early_stopping=True, validation_fraction=0.25, standardize=False, max_iter=1)
    est = fit_quietly(small_estimator(Est, learning_rate=0.1, **kw), X, y)
    start = fit_quietly(small_estimator(Est, learning_rate=1e-300, **kw), X, y)
    train, val = split["train"], split["val"]
    assert len(val) == 20 and len(train) == 60
    J_train = documented_J(start, X[train], y[train])
    J_val = documented_J(start, X[val], y[val])
    assert abs(J_train - J_val) > 1e-3  # the check below can tell them apart
    assert est.loss_curve_ == [pytest.approx(J_train, rel=1e-12)]




def test_verbose_with_early_stopping_also_prints_the_validation_score(capsys):
    X, y = _noisy()
    est = fit_quietly(SigmoidMLPRegressor(5, early_stopping=True, max_iter=6, verbose=1,
                                   random_state=0), X, y)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Iteration")]
    assert len(lines) == est.n_iter_
    last = float(lines[-1].rsplit("validation score = ", 1)[1])
    assert last == pytest.approx(est.validation_scores_[-1], abs=1e-6)


@pytest.mark.parametrize("Est", [SigmoidMLPRegressor, RBFRegressor])
def test_held_out_rows_with_one_y_value_are_a_clear_error(Est):
    # their R^2 is undefined: every score was 0 and the fit kept its start
    rng = np.random.RandomState(0)
    X = rng.randn(40, 2)
    y = np.r_[np.zeros(36), np.ones(4)]  # held out (10%: 4 rows), mostly zeros
    for seed in range(20):
        est = Est(early_stopping=True, random_state=seed)
        try:
            fit_quietly(est, X, y)
        except ValueError as exc:
            assert "y are all equal" in str(exc) and "early_stopping=False" in str(exc)
            break
        assert len(set(est.validation_scores_)) > 1  # the scores move
    else:
        pytest.fail("no seed held out four zeros")


def test_the_validation_r2_scores_every_output_with_the_sample_weights():
    """Early stopping's score is scikit-learn's weighted R^2 averaged over all outputs
    (a score of the first output only, or one that ignores the weights, fails here)."""
    from sklearn.metrics import r2_score

    from sklearn_lecture._backend import InMemoryRows
    from sklearn_lecture._rows import held_out
    from sklearn_lecture._standardize import Standardizer

    rng = np.random.RandomState(0)
    X = rng.standard_normal((200, 3))
    Y = np.c_[X[:, 0] + 0.3 * rng.standard_normal(200), X[:, 1] ** 2]
    sw = rng.uniform(0.1, 5.0, 200)
    predict = lambda scale, Xb: Xb[:, :2] * scale  # noqa: E731  (yhat of "params" = scale)
    *_, monitor = InMemoryRows.split_validation(
        X, Y, sw, Standardizer.identity(3, 2), np.random.RandomState(1), 0.25, predict
    )
    val = held_out(200, 0.25, np.random.RandomState(1))
    for scale in (0.3, 0.7, 1.0):
        expected = r2_score(Y[val], X[val][:, :2] * scale, sample_weight=sw[val])
        assert monitor(scale) == pytest.approx(expected, rel=1e-12, abs=1e-12)
