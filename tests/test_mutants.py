"""The numerical core's edges that a mutation run found unchecked (issue 22).

Each test pins one boundary or branch of the step rule (``_step``), the objective
(``_objective``) or the optimisers' loop (``_optimizers``) that no fit in the other
tests reaches: the largest allowed ``l2``, ``alpha0`` when ``lambda_max`` is not a
positive number, the rows needed for long steps, a non-finite gradient at the start,
and a fixed alpha whose J grows ``10^4``-fold.
"""

import re

import numpy as np
import pytest

from sklearn_lecture._step import (
    MAX_L2,
    ROWS_PER_PARAMETER,
    DivergenceError,
    Iterate,
    StepRule,
    first_alpha,
    long_steps,
    penalty,
)


def test_l2_up_to_its_largest_allowed_value_is_accepted():
    assert penalty(MAX_L2, 0.1, "gd") == MAX_L2
    with pytest.raises(ValueError, match="l2=.* is too large"):
        penalty(2 * MAX_L2, 0.1, "gd")


@pytest.mark.parametrize(
    "G, l2, alpha0",
    [
        (np.diag([0.5, 0.25]), 0.0, 2.0),  # 1 / lambda_max
        (np.diag([0.25, 0.0]), 0.25, 2.0),  # lambda_max of G + l2 I
        (np.zeros((2, 2)), 0.0, 1.0),  # lambda_max = 0: not positive
        (-np.eye(2), 0.0, 1.0),  # negative
        (np.diag([np.nan, 1.0]), 0.0, 1.0),  # not a number
    ],
)
def test_first_alpha_is_one_over_lambda_max_or_one_when_that_is_not_positive(G, l2, alpha0):
    assert first_alpha(G, l2) == alpha0


def test_long_steps_start_at_rows_per_parameter_or_one_when_gcv_judges():
    n_params = 10
    assert long_steps(ROWS_PER_PARAMETER * n_params, n_params)
    assert not long_steps(ROWS_PER_PARAMETER * n_params - 1, n_params)
    assert long_steps(n_params, n_params, judged=True)
    assert not long_steps(n_params - 1, n_params, judged=True)


@pytest.mark.parametrize("J, grad", [(1.0, [np.nan, 0.0]), (np.inf, [0.0, 0.0])])
def test_a_start_with_a_non_finite_J_or_gradient_is_a_divergence_error(J, grad):
    rule = StepRule(0.1, adaptive=False)
    with pytest.raises(DivergenceError, match="not finite at the initial parameters"):
        rule.start(Iterate(np.zeros(2), J, np.array(grad)))


@pytest.mark.parametrize("growth, diverged", [(1e4, False), (1.5e4, True), (2.0, False)])
def test_a_fixed_alpha_is_stopped_once_J_grew_ten_thousand_fold(growth, diverged):
    rule = StepRule(0.1, adaptive=False)
    rule.start(Iterate(np.zeros(2), 2.0, np.ones(2)))
    current = Iterate(np.ones(2), 2.0 * growth, np.ones(2))
    if diverged:
        with pytest.raises(DivergenceError, match="diverged at iteration 2"):
            rule.step(None, current, 2)
    else:
        np.testing.assert_array_equal(rule.step(None, current, 2).theta, 1.0 - 0.1)


def _linear(calls):
    """J = 1 + theta_0 with the constant gradient (1, 0), counting the passes in ``calls``."""

    def objective(theta):
        calls.append(theta.copy())
        assert len(calls) < 1000, "the line search does not end"
        return 1.0 + theta[0], np.array([1.0, 0.0])

    return objective


def _start(objective, alpha0=1.0):
    rule = StepRule(alpha0, adaptive=True)
    current = Iterate(np.zeros(2)).evaluated(objective)
    rule.start(current)
    return rule, current


def test_a_step_that_vanishes_ends_the_search_without_a_pass():
    rule = StepRule(1.0, adaptive=True)
    current = Iterate(np.zeros(2), 1.0, np.zeros(2))  # dJ/dW = 0: the update does not move
    rule.start(current)
    assert rule.step(None, current, 1) is None


def test_the_armijo_test_accepts_a_trial_on_its_boundary():
    """``J(W') <= J_ref + gamma dJ/dW . (W' - W)``: equality passes."""
    from sklearn_lecture._step import ARMIJO

    def objective(theta):
        if not theta.any():
            return 1.0, np.array([1.0, 0.0])
        decrease = float(np.array([1.0, 0.0]) @ theta)
        return 1.0 + ARMIJO * decrease, np.array([1.0, 0.0])

    rule, current = _start(objective)
    accepted = rule.step(objective, current, 1)
    np.testing.assert_array_equal(accepted.theta, [-1.0, 0.0])  # alpha0, not halved


def test_a_search_that_finds_no_lower_J_ends_at_the_smallest_alpha():
    calls = []

    def rising(theta):  # every trial raises J
        calls.append(theta.copy())
        assert len(calls) < 1000, "the line search does not end"
        return (20.0 if theta.any() else 1.0), np.array([1.0, 0.0])

    rule, current = _start(rising)
    assert rule.step(rising, current, 1) is None
    assert rule.last_alpha == rule.lo  # halved down to ALPHA_RANGE[0] alpha0, then stopped


@pytest.mark.parametrize("iteration", [1, 2])
def test_barzilai_borwein_doubles_alpha_when_the_gradient_does_not_change(iteration):
    """``s.y = 0`` (J linear along the step): the next trial alpha is twice the last one, and
    on: J keeps falling linearly, so each accepted step doubles (issue 21)."""
    calls = []
    objective = _linear(calls)
    rule, current = _start(objective, alpha0=0.5)
    accepted = rule.step(objective, current, iteration)
    np.testing.assert_array_equal(accepted.theta, [-0.5, 0.0])
    assert rule.alpha == 1.0
    accepted = rule.step(objective, accepted, iteration + 1)
    np.testing.assert_array_equal(accepted.theta, [-1.5, 0.0])
    assert rule.alpha == 2.0


@pytest.mark.parametrize(
    "safe_alpha, advised", [(None, 0.1), (lambda: 0.2, 0.2), (lambda: 5.0, 0.5)]
)
def test_the_divergence_error_advises_a_safe_alpha_below_half_the_given_one(safe_alpha, advised):
    """``min(safe_alpha(), alpha / 2)``; ``alpha / 10`` when no safe alpha is known."""
    rule = StepRule(1.0, adaptive=False, safe_alpha=safe_alpha)
    rule.start(Iterate(np.zeros(2), 1.0, np.ones(2)))
    with pytest.raises(DivergenceError) as info:
        rule.step(None, Iterate(np.ones(2), 1e5, np.ones(2)), 2)
    assert (
        re.search(r"use learning_rate=([0-9.e+-]+) ", str(info.value)).group(1) == f"{advised:.3g}"
    )


_LONG = 10  # MIN_ITER_CHECKED: from this many updates on, J may not end above its start


@pytest.mark.parametrize(
    "curve, J_end, J_first, verdict",
    [
        ([1.0] * _LONG, 1.5, None, "error"),  # a long run ended higher
        ([1.0] * _LONG, 1.0 + 0.5e-6, None, None),  # ... within the relative 1e-6
        ([1.0] * _LONG, 1.0 * (1 + 1e-6), None, None),  # ... on its edge
        ([1.0] * _LONG, 1.0 + 1.5e-6, None, "error"),  # ... beyond it
        ([0.0] * _LONG, 1e-12, None, None),  # J0 = 0: the absolute 1e-12 ...
        ([0.0] * _LONG, 1.5e-12, None, "error"),  # ... and beyond it
        ([1e-9] * _LONG, 1e-9 + 1e-13, None, None),  # above 1e-6 relative, below 1e-12
        ([2.0], 100.0, None, None),  # a short run may end up to 100-fold above J0
        ([2.0], 250.0, None, "error"),
        ([500.0, 500.0], 500.0, 1.0, None),  # a call that leaves J where it was
        ([1.0, 10.0] + [1.0] * 8, 1.0, None, None),  # rose exactly 10-fold on the way
        ([1.0, 10.5] + [1.0] * 8, 1.0, None, "warn"),  # rose more than 10-fold
        ([2.0, 10.0] + [2.0] * 8, 2.0, None, None),  # 5-fold
        ([0.0, 1e-12] + [0.0] * 8, 0.0, None, None),  # by the absolute 1e-12 ...
        ([0.0, 1.5e-12] + [0.0] * 8, 0.0, None, "warn"),  # ... and beyond it
        ([1e-13, 1.05e-12] + [1e-13] * 8, 1e-13, None, None),  # 10.5-fold, by < 1e-12
    ],
)
def test_a_fixed_alpha_is_judged_by_where_J_ends_and_how_far_it_rose(
    curve, J_end, J_first, verdict
):
    rule = StepRule(1.0, adaptive=False, J_first=J_first)
    if verdict == "error":
        with pytest.raises(DivergenceError, match="did not descend"):
            rule.judge(curve, J_end)
    elif verdict == "warn":
        assert "on the way" in rule.judge(curve, J_end)
    else:
        assert rule.judge(curve, J_end) is None


def test_an_improvement_of_exactly_tol_counts():
    """Training stops after ``n_iter_no_change`` values of J not below ``best - tol``."""
    from sklearn_lecture._optimizers import TrainingRecord

    record = TrainingRecord(tol=0.5, n_iter_no_change=1)
    assert not record.record(None, 1.0)
    assert not record.record(None, 0.5)  # exactly tol lower: an improvement
    assert record.record(None, 0.25)  # less than tol lower: stop


def test_the_held_out_score_must_beat_the_best_by_tol_and_the_first_best_is_kept():
    from sklearn_lecture._optimizers import TrainingRecord

    scores = [1.0, 1.0, 1.2]
    record = TrainingRecord(tol=0.5, n_iter_no_change=2, monitor=lambda theta: scores.pop(0))
    assert not record.record(np.array([0.0]), 3.0)
    assert not record.record(np.array([1.0]), 2.0)  # a tie: the first best is kept
    np.testing.assert_array_equal(record.best_theta, [0.0])
    assert record.record(np.array([2.0]), 1.0)  # 0.2 better, less than tol: stop
    np.testing.assert_array_equal(record.best_theta, [2.0])


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_a_score_that_is_never_a_number_returns_the_last_parameters(solver):
    from sklearn_lecture._optimizers import gradient_descent, lbfgs

    def quadratic(theta):
        return 0.5 * float(theta @ theta), theta.copy()

    kw = dict(max_iter=3, tol=0.0, monitor=lambda theta: np.nan)
    if solver == "gd":
        theta, record = gradient_descent(
            quadratic, np.ones(2), rule=StepRule(0.5, adaptive=True), **kw
        )
    else:
        theta, record = lbfgs(quadratic, np.ones(2), **kw)
    assert record.best_theta is None
    assert isinstance(theta, np.ndarray) and np.all(np.abs(theta) < 1.0)


def test_the_scipy_adapter_hides_a_non_finite_gradient_and_records_J_at_the_accepted_point():
    from sklearn_lecture._optimizers import TrainingRecord, _ScipyAdapter

    calls = []

    def objective(theta):  # dJ/dW is NaN at theta_0 = 2
        calls.append(theta.copy())
        return float(theta @ theta), (np.full(2, np.nan) if theta[0] == 2 else 2 * theta)

    record = TrainingRecord(tol=0.0)
    adapter = _ScipyAdapter(objective, record, np.float64)
    J, grad = adapter.fun(np.array([2.0, 0.0]))
    assert J == np.inf and not grad.any()
    adapter.fun(np.array([1.0, 0.0]))
    adapter.callback(np.array([0.5, 0.0]))  # not the last point fun saw: J is evaluated
    assert record.loss_curve == [0.25]
    adapter.fun(np.array([0.25, 0.0]))
    n_passes = len(calls)
    adapter.callback(np.array([0.25, 0.0]))  # the last point fun saw: no other pass
    assert len(calls) == n_passes and record.loss_curve == [0.25, 0.0625]


def _quadratic(theta):
    return 0.5 * float(theta @ theta), theta.copy()


def test_lbfgs_records_J_at_a_start_that_is_already_the_minimum_and_says_it_stopped():
    from sklearn_lecture._optimizers import lbfgs

    theta, record = lbfgs(_quadratic, np.zeros(2), max_iter=50, tol=1e-8)
    assert record.loss_curve == [0.0] and record.stopped
    theta, record = lbfgs(_quadratic, np.ones(2), max_iter=50, tol=1e-8)
    assert record.stopped and record.n_iter < 50  # scipy's gradient test ended it
    theta, record = lbfgs(
        lambda t: (float(np.sum(t**4)), 4 * t**3), np.ones(2), max_iter=1, tol=0.0
    )
    assert not record.stopped  # max_iter ended it


@pytest.mark.parametrize("l2, named", [(1.0, False), (1.5, True)])
def test_non_finite_lbfgs_parameters_name_l2_only_when_it_is_above_one(l2, named, monkeypatch):
    import types

    import sklearn_lecture._optimizers as optimizers

    class Penalized:
        def __call__(self, theta):
            return _quadratic(theta)

    objective = Penalized()
    objective.l2 = l2
    nan = types.SimpleNamespace(x=np.full(2, np.nan), status=0)  # scipy's result
    monkeypatch.setattr(optimizers, "minimize", lambda *args, **kwargs: nan)
    with pytest.raises(DivergenceError, match="non-finite parameters") as info:
        optimizers.lbfgs(objective, np.ones(2), max_iter=5, tol=0.0)
    assert ("smaller l2" in str(info.value)) is named


def test_the_layout_packs_its_blocks_from_the_first_entry_without_a_gap():
    from sklearn_lecture._objective import ParamLayout

    layout = ParamLayout({"W": (2, 2), "b": (1,)})
    assert layout.size == 5 and layout.slices["W"] == slice(0, 4)
    theta = layout.pack({"W": np.arange(4.0).reshape(2, 2), "b": np.array([4.0])}, np.float64)
    np.testing.assert_array_equal(theta, np.arange(5.0))


@pytest.mark.parametrize("max_iter, maxfun", [(10, 15000), (20000, 40000)])
def test_lbfgs_may_use_two_passes_per_iteration_and_at_least_15000(max_iter, maxfun, monkeypatch):
    """scipy's cap on the passes over the data does not end a run before ``max_iter``."""
    import types

    import sklearn_lecture._optimizers as optimizers

    seen = {}

    def minimize(fun, x0, **kwargs):
        seen.update(kwargs["options"])
        return types.SimpleNamespace(x=x0, status=0)

    monkeypatch.setattr(optimizers, "minimize", minimize)
    optimizers.lbfgs(_quadratic, np.ones(2), max_iter=max_iter, tol=0.0)
    assert seen["maxfun"] == maxfun and seen["maxiter"] == max_iter
