"""benchmarks/bench_fit.py runs end to end (a smoke test at tiny sizes, never a timing)."""

import importlib.util
import io
import re
from pathlib import Path

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
