"""Every script in examples/ runs to the end, quickly, and saves its figures."""

import os
import re
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the examples draw with the plot extra")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# The figures each lecture example must write.
FIGURES = {
    "plot_lecture_l6rbf1.py": ["l6rbf1.png"],
    "plot_lecture_l6rbf2_l6rbf3.py": ["l6rbf2_l6rbf3.png", "rbf_units.png"],
    "plot_lecture_l3sig.py": ["l3sig.png"],
    "plot_three_regions.py": ["three_regions.png"],
    "plot_compare_linear_regression.py": ["compare_linear_regression.png"],
    "plot_grid_search.py": ["grid_search.png"],
    "plot_dask_cluster.py": ["dask_cluster.png"],
}
ALL = sorted(p.name for p in EXAMPLES.glob("plot_*.py"))


def test_the_lecture_examples_exist():
    assert set(FIGURES) <= set(ALL)


def _run_example(name, tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["SKLEARN_LECTURE_QUICK"] = "1"
    env["SKLEARN_LECTURE_FIGURES"] = str(tmp_path)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONWARNINGS"] = "error::RuntimeWarning"  # no numpy warning may reach a reader
    return subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


# A line of dask.distributed's own log ("2026-01-01 12:00:00,000 - distributed.nanny -
# WARNING - Worker process still alive after 4 seconds, killing"): a busy machine's
# timing, not what the example or the package prints.
DASK_LOG = re.compile(r"^(\S+ \S+ - )?distributed\.[\w.]+ - [A-Z]+ - ")


def own_stderr(stderr):
    """The lines of stderr that are not dask.distributed's log lines."""
    lines = stderr.splitlines()
    keep, skipping = [], False
    for line in lines:
        if DASK_LOG.match(line):
            skipping = True  # the log line and its indented continuation lines
        elif not (skipping and (line.startswith((" ", "\t")) or not line.strip())):
            skipping = False
            keep.append(line)
    return "\n".join(keep)


@contextmanager
def port_8787_taken():
    """Hold dask's default dashboard port, as another program on a busy machine may."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 8787))
        sock.listen()
    except OSError:
        pass  # already taken by someone else: the same situation
    try:
        yield
    finally:
        sock.close()


@pytest.mark.parametrize("name", ALL)
def test_example_runs(name, tmp_path, png_pixels_and_dpi):
    """Every example in the folder, in a fresh interpreter, in its quick mode."""
    with port_8787_taken():
        res = _run_example(name, tmp_path)
    stderr = own_stderr(res.stderr)
    if name not in FIGURES and res.returncode != 0 and "ModuleNotFoundError" in res.stderr:
        pytest.skip(f"{name} needs an optional extra that is not installed: "
                    + res.stderr.strip().splitlines()[-1])
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in stderr, res.stderr
    if name not in FIGURES:
        return
    assert "Warning" not in stderr, res.stderr
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert written == sorted(FIGURES[name])
    for png in written:  # readable on a laptop and a slide: 150 dpi, >= 1000 x 500 px
        width, height, dpi = png_pixels_and_dpi(tmp_path / png)
        assert dpi == 150 and width >= 1000 and height >= 500, (png, width, height, dpi)
        # the gallery shows a figure at the page's width: a wider one shrinks its labels
        assert width <= 11 * 150, (png, width)
    assert res.stdout.strip(), "every lecture example prints what it found"


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_example_is_in_sphinx_gallery_form(name):
    text = (EXAMPLES / name).read_text()
    lines = text.split("\n")
    assert lines[0] == '"""' and lines[1].startswith("=="), "a docstring opening with a title"
    assert lines[2].strip() and set(lines[3]) == {"="}, "the title is underlined with ="
    assert text.count("# %%") >= 2
    assert 'matplotlib.use("Agg")' in text


def test_dask_log_lines_are_told_apart_from_the_examples_own_output():
    stderr = (
        "2026-01-01 12:00:00,000 - distributed.nanny - WARNING - Worker process still alive "
        "after 4.0 seconds, killing\n"
        "distributed.worker - WARNING - Compute Failed\n"
        "    Traceback (most recent call last):\n"
        "/x/sklearn_lecture/_base.py:1: RuntimeWarning: overflow\n"
    )
    assert own_stderr(stderr) == "/x/sklearn_lecture/_base.py:1: RuntimeWarning: overflow"
