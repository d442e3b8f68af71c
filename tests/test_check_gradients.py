"""check_gradients: central differences of J against the gradient the solvers use."""

import numpy as np
import pytest
from _helpers import ESTIMATORS, fit_quietly, small_estimator, smooth_data

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor, check_gradients, training_problem


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_check_gradients_catches_a_wrong_gradient(Est, monkeypatch):
    X, y = smooth_data(n_outputs=2)
    est = fit_quietly(small_estimator(Est, solver="lbfgs", max_iter=10), X, y)
    assert max(check_gradients(est, X, y).values()) < 1e-5
    real = Est._block_loss_grad

    def off_by_n_outputs(self, params, Xb, Yb, s, grads):
        # scikit-learn issue 8349's mistake: one block's gradient n_outputs times too big
        before = {k: v.copy() for k, v in grads.items()}
        sse = real(self, params, Xb, Yb, s, grads)
        name = sorted(grads)[0]
        grads[name] += (Yb.shape[1] - 1) * (grads[name] - before[name])
        return sse

    monkeypatch.setattr(Est, "_block_loss_grad", off_by_n_outputs)
    errors = check_gradients(est, X, y)
    assert errors[sorted(errors)[0]] > 0.1


@pytest.mark.parametrize(
    "est",
    [SigmoidMLPRegressor(random_state=0), SigmoidMLPRegressor((4, 3), random_state=0),
     RBFRegressor(n_centers=5, fit_widths=True, random_state=0)],
    ids=["mlp", "mlp-2-layers", "rbf-widths"],
)
def test_check_gradients_unfitted_checks_every_block_at_a_nonzero_gradient(est):
    """Issue 15: at SigmoidMLPRegressor's initial parameters W2 = 0, so dJ/dW1 = 0 and
    dJ/dw0 is rounding; check_gradients moves to a documented random point nearby."""
    from sklearn_lecture._gradcheck import _objective_at_check_point

    X, y = smooth_data()
    objective, layout, theta = _objective_at_check_point(
        est, X, y, None, 0.1, np.random.RandomState(0)
    )
    _, grad = objective(theta)
    for name, sl in layout.slices.items():
        # far above the floor 1e-8 max(1, |J|) below which check_gradients calls it rounding
        assert np.max(np.abs(grad[sl])) > 1e-6, name
    errors = check_gradients(est, X, y)
    assert set(errors) == set(layout.slices)
    assert max(errors.values()) < 1e-6, errors
    assert not hasattr(est, "n_iter_")  # the estimator itself stays unfitted


def test_check_gradients_at_the_initial_point_itself_shows_why_it_moves():
    X, y = smooth_data()
    # the data term (no penalty gradient), from the lecture's start (a float learning_rate: W2 = 0)
    net = SigmoidMLPRegressor(random_state=0, l2=0, learning_rate=0.1)
    from sklearn_lecture._gradcheck import _objective_at_check_point

    objective, layout, theta = _objective_at_check_point(
        net, X, y, None, 0.0, np.random.RandomState(0)
    )
    _, grad = objective(theta)
    assert np.all(grad[layout.slices["coefs_0"]] == 0)  # W2 = 0: nothing to check in W1
    assert abs(grad[layout.slices["intercepts_1"]][0]) < 1e-12  # mean error 0: rounding


@pytest.mark.parametrize("fitted", [True, False])
def test_check_gradients_of_a_pipeline_checks_its_model_on_the_transformed_x(fitted):
    """A Pipeline ended in AttributeError ('Pipeline' has no '_training_problem'); its
    model is checked on X as the Pipeline gives it (the same errors as by hand)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures

    from sklearn_lecture import training_problem

    X, y = smooth_data()
    # a step the model's own standardisation cannot undo: 2 features become 5
    pipe = make_pipeline(PolynomialFeatures(2, include_bias=False),
                         SigmoidMLPRegressor((4,), random_state=0, max_iter=20))
    if fitted:
        fit_quietly(pipe, X, y)
    Xt = PolynomialFeatures(2, include_bias=False).fit_transform(X)
    problem = training_problem(pipe, X, y)
    assert problem.layout.unpack(problem.theta0)["coefs_0"].shape == (5, 4)
    by_hand = check_gradients(pipe[-1], Xt, y)
    assert check_gradients(pipe, X, y) == by_hand
    assert max(by_hand.values()) < 1e-6


def test_training_problem_refuses_what_it_cannot_check():
    from sklearn.linear_model import LinearRegression

    from sklearn_lecture import training_problem

    X, y = smooth_data()
    with pytest.raises(TypeError, match="RBFRegressor or a SigmoidMLPRegressor"):
        training_problem(LinearRegression(), X, y)
    with pytest.raises(ValueError, match="dtype must be"):
        training_problem(SigmoidMLPRegressor(), X, y, dtype=np.int32)


def test_training_problem_of_a_changed_model_says_what_to_pass_instead():
    # it said "partial_fit cannot continue ... call fit (not partial_fit)", never called
    from sklearn_lecture import training_problem

    X, y = smooth_data()
    est = fit_quietly(SigmoidMLPRegressor((4,), max_iter=5, random_state=0), X, y)
    est.set_params(hidden_layer_sizes=(3,))
    with pytest.raises(ValueError, match=r"training_problem .*clone\(estimator\)") as exc:
        training_problem(est, X, y)
    assert "partial_fit" not in str(exc.value)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"max_entries": 0}, "max_entries"),
        ({"max_entries": -1}, "max_entries"),
        ({"eps": 0}, "eps"),
        ({"eps": 1e-300}, "eps"),  # below float64's resolution: every error was 1.0
        ({"eps": 2.0}, "eps"),
        ({"perturbation": np.nan}, "perturbation"),
        ({"perturbation": -0.1}, "perturbation"),
        ({"random_state": "seed"}, "random_state"),
    ],
)
def test_check_gradients_refuses_parameters_out_of_range(kwargs, name):
    X, y = smooth_data(n=20)
    with pytest.raises(ValueError, match=f"'{name}' parameter of check_gradients"):
        check_gradients(SigmoidMLPRegressor((3,), random_state=0), X, y, **kwargs)


def test_check_gradients_takes_a_random_state_instance_and_the_smallest_settings():
    X, y = smooth_data(n=20)
    net = SigmoidMLPRegressor((3,), random_state=0)
    seeded = check_gradients(net, X, y, random_state=0)
    assert check_gradients(net, X, y, random_state=np.random.RandomState(0)) == seeded
    # one entry per block, the smallest step that moves theta: errors, not NaN or 1.0
    tiny = check_gradients(net, X, y, eps=np.finfo(np.float64).eps, max_entries=1)
    assert all(np.isfinite(e) for e in tiny.values())
    assert max(check_gradients(net, X, y, eps=1e-4, max_entries=1).values()) < 1e-5


def test_check_gradients_at_a_point_where_j_overflows_says_what_to_change():
    X, y = smooth_data(n=20)
    with pytest.raises(ValueError, match="smaller perturbation"):
        check_gradients(RBFRegressor(3, random_state=0), X, y, perturbation=1e300)


def test_training_problem_lays_out_every_block_and_checks_to_1e_6():
    """The blocks of an unfitted network's problem, and check_gradients on it (were doctests)."""
    from sklearn_lecture import training_problem

    problem = training_problem(SigmoidMLPRegressor((3,)), [[0.0], [1.0], [2.0]], [0, 1, 0])
    assert sorted(problem.layout.unpack(problem.theta0)) == [
        "coefs_0", "coefs_1", "intercepts_0", "intercepts_1"]
    X, y = [[0.0, 1.0], [1.0, 0.5], [2.0, 2.0], [3.0, 0.0]], [0.0, 1.0, 0.0, 2.0]
    assert max(check_gradients(SigmoidMLPRegressor(random_state=0), X, y).values()) < 1e-6


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("n", [20, 150, 1500])  # below p, between p and 5p, from 5p rows
def test_training_problem_is_the_j_fit_starts_from_with_its_penalty(Est, n):
    # training_problem always added l2 = 1e-3, where fit uses 0 from 5 rows per parameter
    X, y = smooth_data(n=n, d=2)
    est = Est(random_state=0, max_iter=1)
    fitted = fit_quietly(est, X, y)
    objective, _, theta0, _ = training_problem(Est(random_state=0), X, y)
    assert objective(theta0)[0] == pytest.approx(fitted.loss_curve_[0], rel=1e-12)
    assert training_problem(fitted, X, y)[0].l2 == fitted.l2_
