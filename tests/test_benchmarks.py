"""benchmarks/bench_fit.py runs end to end (a smoke test at tiny sizes, never a timing)."""

import importlib.util
import io
import re
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_fit.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_fit", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_bench_fit_prints_one_table_row_per_size_and_dtype(capsys):
    bench = _load_bench()
    rows = bench.main(
        ["--sizes", "300", "700", "--dtypes", "float64", "float32", "--repeats", "1",
         "--iters", "1", "2"]
    )
    out = capsys.readouterr().out
    assert "| dtype | n |" in out
    table = [line for line in out.splitlines() if re.match(r"\| float(32|64) \|", line)]
    assert len(table) == len(rows) == 4
    for dtype, n, med, peaks in rows:
        assert set(med) == {"SigmoidMLPRegressor", "RBFRegressor", "MLPRegressor"}
        assert set(peaks) == set(med)
        assert all(p > 0 for p in peaks.values())  # tracemalloc saw the fits allocate


def test_bench_fit_print_table_formats_ratios():
    bench = _load_bench()
    med = {"SigmoidMLPRegressor": 0.001, "RBFRegressor": 0.002, "MLPRegressor": 0.004}
    out = io.StringIO()
    bench.print_table([("float64", 1000, med, {})], 1, out)
    row = out.getvalue().splitlines()[-1]
    assert "| 1.00 | 2.00 | 4.00 | 0.25 | 2.00 | - | - | - |" in row


CONVERGENCE = BENCH.parent / "bench_convergence.py"


def test_bench_convergence_prints_a_row_per_data_set_and_estimator(capsys):
    """benchmarks/bench_convergence.py --quick on two data sets: one row per
    estimator and data set, then the totals (a smoke test, never a timing)."""
    spec = importlib.util.spec_from_file_location("bench_convergence", CONVERGENCE)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert len(bench.datasets()) >= 8
    rows = bench.main(["--quick", "--datasets", "sine", "two_outputs"])
    out = capsys.readouterr().out
    assert "| data set | n x d | estimator | R^2 | fit s | mean iters | warned |" in out
    assert len(rows) == 2 * 5
    names = {r[1] for r in rows}
    assert names == {"SigmoidMLP gd", "SigmoidMLP lbfgs", "RBF gd", "RBF lbfgs", "MLPRegressor"}
    for dname, ename, r2, seconds, iters, warned in rows:
        assert np.isfinite(r2) and seconds > 0 and iters >= 1 and 0 <= warned <= 2
    assert "SigmoidMLP gd / MLPRegressor" in out
    assert "ConvergenceWarnings of the gd defaults" in out


def test_bench_fit_writes_its_table_for_the_docs(tmp_path):
    """--write-docs's reStructuredText has one row per (dtype, n) and the ratios printed."""
    bench = _load_bench()
    med = {"SigmoidMLPRegressor": 0.002, "RBFRegressor": 0.003, "MLPRegressor": 0.004}
    rows = [("float64", 1000, med, {}), ("float32", 1000, med, {})]
    path = tmp_path / "bench_fit.rst"
    bench.write_docs(path, rows, 1, "python benchmarks/bench_fit.py --quick")
    text = path.read_text()
    assert text.count("   * - float") == 2 and "     - 0.50" in text and "     - 1.50" in text
    assert text.startswith(".. Written by benchmarks/bench_fit.py --write-docs")


def test_bench_widths_compares_one_width_with_the_default_and_restores_it():
    """benchmarks/bench_widths.py on two sets: a row each, then the summary; on linear data the
    default widths beat one width for all units (a smoke test, never a timing)."""
    import sklearn_lecture._rbf as rbf_module

    spec = importlib.util.spec_from_file_location("bench_widths", BENCH.parent / "bench_widths.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    spread, out = rbf_module.WIDE_SPREAD, io.StringIO()
    bench.main(["--datasets", "sine", "linear_300x5"], out=out)
    rows = [line.split("|") for line in out.getvalue().splitlines() if line.startswith("| ")]
    assert [r[1].strip() for r in rows[1:]] == ["sine", "linear_300x5"]
    assert float(rows[2][6]) > 0.02  # one width: 0.90; the default: 0.95 (LinearRegression 0.97)
    assert "2 sets: mean" in out.getvalue()
    assert rbf_module.WIDE_SPREAD == spread
