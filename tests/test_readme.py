"""The README's code runs as printed, and its promises about itself hold.

Every ```python block of README.md is run as a user would paste it, with every
warning an error; a ``# ...`` comment at the end of a ``print`` line is the output
the block must print. Needs only the test extra (no Sphinx).
"""

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)
TITLES = [re.findall(r"^## (.*)$", README[: README.index(block)], flags=re.M)[-1]
          for block in BLOCKS]

# The commands a fresh machine runs: kept verbatim (CI runs the test command).
MAIN = ('python3 -m venv .venv && .venv/bin/pip install -q -e ".[plot]" && '
        ".venv/bin/python -m sklearn_lecture")
TESTS = ('python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]" && '
         ".venv/bin/python -m pytest -n 2")

ALLOWED = {}  # no README block may warn


def test_the_readme_is_an_introduction_with_both_commands():
    lines = README.splitlines()
    assert len(lines) <= 200, len(lines)
    assert MAIN in lines and TESTS in lines
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert TESTS in ci, ".ci/run must run the README's test command verbatim"
    # ... and first: before the docs build and the oldest-versions run
    first_command = next(line for line in ci if line and not line.startswith(("#", "echo",
                                                                               "set ", "cd ",
                                                                               "SECONDS")))
    assert first_command == TESTS
    assert TITLES == ["Quick start", "Replaying one slide"]


@pytest.mark.parametrize("block", BLOCKS, ids=TITLES)
def test_a_readme_code_block_runs_and_prints_what_it_says(block):
    code = block.splitlines()
    assert len([line for line in code if line.strip()]) <= 15, "at most 15 lines of code"
    allowed = ALLOWED.get(TITLES[BLOCKS.index(block)], ())
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        exec(compile(block, "README.md", "exec"), {"__name__": "__readme__"})
    unexpected = [w for w in caught if not issubclass(w.category, allowed)]
    assert not unexpected, [str(w.message) for w in unexpected]
    expected = [line.split("  # ", 1)[1] for line in code
                if line.startswith("print(") and "  # " in line]
    printed = out.getvalue().splitlines()
    assert printed, "the block prints its result"
    if expected:
        assert printed == expected


def test_the_readmes_comparison_table_is_what_the_main_job_prints():
    """Each R^2 of the README's diabetes table is ``python -m sklearn_lecture``'s, to 0.01: another
    BLAS may round the long steps onto another, equally good path (issue 21). Fit times vary
    from machine to machine and are not compared."""
    from sklearn.datasets import load_diabetes

    from sklearn_lecture._cli import comparison_models, cross_validate_models

    X, y = load_diabetes(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = cross_validate_models(comparison_models(0), X, y, 5, 0, lambda message: None)
    rows = re.findall(r"^\| (.+?) \| (-?\d\.\d{3}) \+- (\d\.\d{3}) \|", README, flags=re.M)
    assert {name for name, _, _ in rows} == set(scores)
    for name, mean, std in rows:
        r2 = scores[name]["r2"]
        assert abs(float(mean) - r2.mean()) <= 0.01 and abs(float(std) - r2.std()) <= 0.01, name
