"""verbose=1: one line per iteration with the loss."""

import re

import pytest
from _helpers import ESTIMATORS, SOLVERS, fit_quietly, small_estimator, smooth_data


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_verbose_prints_one_line_per_iteration_with_the_loss(Est, solver, capsys):
    X, y = smooth_data()
    fit_quietly(small_estimator(Est, solver=solver, max_iter=7, verbose=0), X, y)
    assert capsys.readouterr().out == ""
    est = fit_quietly(small_estimator(Est, solver=solver, max_iter=7, tol=0, verbose=1), X, y)
    lines = capsys.readouterr().out.splitlines()
    iteration_lines = [line for line in lines if line.startswith("Iteration")]
    assert len(iteration_lines) == est.n_iter_ >= 1
    for k, (line, J) in enumerate(zip(iteration_lines, est.loss_curve_), start=1):
        match = re.fullmatch(r"Iteration (\d+), loss = ([0-9.e+-]+)", line)
        assert match, line
        assert int(match.group(1)) == k
        assert float(match.group(2)) == pytest.approx(J, abs=1e-8)
