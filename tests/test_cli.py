"""The main job, ``python -m sklearn_lecture``: default run, --data/--target, bad input."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sklearn_lecture.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


def _run(args, cwd):
    """Run the main job in a fresh interpreter, as a user would."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, "-m", "sklearn_lecture", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_default_run_writes_figures_and_prints_the_table(tmp_path, png_pixels_and_dpi):
    res = _run(["--quick"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    out_dir = tmp_path / "sklearn_lecture_output"  # the default --out
    pngs = sorted(p.name for p in out_dir.glob("*.png"))
    assert pngs == sorted(
        ["l6rbf1.png", "l6rbf2_l6rbf3.png", "l3sig.png", "kernels.png", "comparison.png"]
    )
    for name in pngs:  # readable on a laptop and a slide: 150 dpi, panels >= 600 px
        width, height, dpi = png_pixels_and_dpi(out_dir / name)
        assert dpi == 150 and width >= 1100 and height >= 500, (name, width, height, dpi)
    # the lecture's examples, each reported
    for example in ("l6rbf1", "l6rbf2", "l6rbf3", "l3sig", "h = 20", "h = 200", "kernels"):
        assert example in res.stdout
    # the table: one row per model, with a mean +- std R^2 and a fit time
    rows = {}
    for line in res.stdout.splitlines():
        parts = line.removesuffix(" *").rsplit(None, 4)  # " *": max_iter reached
        if len(parts) == 5 and parts[2] == "+-":
            rows[parts[0].strip()] = [float(parts[1]), float(parts[3]), float(parts[4])]
    assert set(rows) == {
        "LinearRegression",
        "RBFRegressor(K=20)",
        "SigmoidMLPRegressor(h=20)",
        "MLPRegressor(h=20), reference",
    }
    for mean, std, fit_time in rows.values():
        assert -1 < mean <= 1 and std >= 0 and fit_time >= 0
    # progress went to stderr, one line per step, and nothing else of the package's did
    assert res.stdout.splitlines()[0].startswith("Settings of the slides' examples")
    # (another library's lines, e.g. matplotlib's about a user's font cache, are not ours)
    lines = res.stderr.strip().splitlines()
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) >= 8
    others = [line for line in lines if not line.startswith("[")]
    assert not [line for line in others if "sklearn_lecture" in line or "sklearn-lecture" in line]
    assert not [line for line in others if "Warning" in line], res.stderr
    # a fixed-width counter: "[ 1/11 ...]" and "[10/11 ...]" end in the same column
    assert len(progress) >= 10 and len({line.index("]") for line in progress}) == 1, progress
    assert "Traceback" not in res.stderr


def _write_csv(path, n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    lines = ["a,b,price"] + [f"{a:.6f},{b:.6f},{t:.6f}" for (a, b), t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_data_and_target_run_the_comparison_on_a_csv(tmp_path, capsys):
    csv_path = _write_csv(tmp_path / "mine.csv")
    code = main(["--data", str(csv_path), "--target", "price", "--quick", "--no-figures",
                 "--cv", "2", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "mine.csv" in out and "'price'" in out and "40 rows, 2 features" in out
    assert "2-fold" in out
    for model in ("LinearRegression", "RBFRegressor", "SigmoidMLPRegressor", "MLPRegressor"):
        assert model in out
    assert "l6rbf1" not in out  # --data runs only the comparison
    assert err == ""  # --quiet


def test_data_target_defaults_to_the_last_column(tmp_path, capsys):
    csv_path = _write_csv(tmp_path / "mine.csv", n=12)
    assert main(["--data", str(csv_path), "--quick", "--no-figures", "--cv", "2", "-q"]) == 0
    assert "target 'price'" in capsys.readouterr().out


def _bad_inputs(tmp_path):
    good = _write_csv(tmp_path / "good.csv", n=10)
    text = tmp_path / "text.csv"
    text.write_text("a,city,y\n1,Paris,2\n2,Rome,3\n3,Oslo,4\n")
    hole = tmp_path / "hole.csv"
    hole.write_text("a,b,y\n1,2,3\n4,,6\n7,8,9\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = tmp_path / "header.csv"
    header_only.write_text("a,b,y\n")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,y\n1,2,3\n4,5\n")
    duplicated = tmp_path / "duplicated.csv"
    duplicated.write_text("y,y,x\n1,2,3\n4,5,6\n7,8,9\n")
    row_names = tmp_path / "row_names.csv"  # as pandas' to_csv() writes it
    row_names.write_text(",a,y\n0,1,2\n1,2,3\n2,3,5\n")
    iris = _write_iris(tmp_path / "iris.csv")
    decimal_comma = tmp_path / "decimal_comma.csv"
    decimal_comma.write_text("a;b;y\n1,5;2;3\n4;5;6\n")
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text("a;b;y\n1;2\n")
    new = {
        "huge": "a,b,y\n" + "".join(f"{i}e307,{i % 3},{i}\n" for i in range(1, 11)),
        "no_header": "1,2,3\n4,5,6\n7,8,9\n",
        "constant": "a,b,y\n" + "".join(f"{i},{i % 3},5\n" for i in range(10)),
        "thousands": 'a,b,y\n1,2,"1,234.5"\n',
        "na": "a,b,y\n1,NA,3\n4,5,6\n",
        "spaces": "a b y\n1 2 3\n",
        "blank_lines": "a,b,y\n\n1,2,3\n\n4,x,6\n",  # line numbers count the blank lines
    }
    for name, content in new.items():
        (tmp_path / f"{name}.csv").write_text(content)
    huge, no_header, constant, thousands, na, spaces, blank_lines = (
        tmp_path / f"{name}.csv" for name in new
    )
    return {
        "missing file": (["--data", str(tmp_path / "nope.csv")], "no such file"),
        "missing column": (["--data", str(good), "--target", "cost"], "no column 'cost'"),
        "non-numeric column": (["--data", str(text), "--target", "y"], "'city' is not numeric"),
        "missing value": (["--data", str(hole)], "'b' has a missing value"),
        "empty file": (["--data", str(empty)], "is empty"),
        "header only": (["--data", str(header_only)], "no data rows"),
        "ragged row": (["--data", str(ragged)], "line 3"),
        "folder": (["--data", str(tmp_path)], "is a folder"),
        "too few rows": (["--data", str(good), "--cv", "20"], "at least 2 rows per fold"),
        # 10 rows in 7 folds: test folds of one row, whose R^2 the table printed as nan
        "one-row folds": (["--data", str(good), "--cv", "7"], "(use --cv 5 or fewer)"),
        "target without data": (["--target", "y"], "--target needs --data"),
        "features without data": (["--features", "a"], "--features needs --data"),
        "drop without data": (["--drop", "a"], "--drop needs --data"),
        "duplicated column": (["--data", str(duplicated), "--target", "y"],
                              "the column name 'y' more than once (columns 1 and 2)"),
        "row names": (["--data", str(row_names)],
                      "the first column has no name: it is likely row names (pandas writes "
                      "them unless to_csv(index=False)); leave it out with --drop '' or name "
                      "it"),
        "text column": (["--data", str(iris), "--target", "Petal.Width"],
                        "column 'Species' is not numeric (" + str(iris)
                        + ", line 2: 'setosa'); leave it out with --drop Species"),
        "text target": (["--data", str(iris)],
                        "choose another with --target and leave this one out with "
                        "--drop Species"),
        "unknown feature": (["--data", str(iris), "--features", "Sepal.Length,Petal"],
                            "--features: " + str(iris) + " has no column 'Petal'; its "
                            "columns are: 'Sepal.Length', 'Sepal.Width'"),
        "drop the target": (["--data", str(iris), "--drop", "Species", "--target", "Species"],
                            "--drop names the target column 'Species'"),
        "target among features": (["--data", str(good), "--features", "a,price"],
                                  "--features names the target column 'price'"),
        "drop everything": (["--data", str(good), "--drop", "a,b,price"],
                            "--drop leaves no columns"),
        "decimal comma": (["--data", str(decimal_comma)],
                          "'1,5'); write decimal points, not decimal commas"),
        "semicolon rows": (["--data", str(semicolons)], "line 2: 2 fields, but the header has 3"),
        "huge values": (["--data", str(huge)], "column 'a' of " + str(huge) + " has values up "
                        "to 1e+308, whose squares overflow float64; divide it by 1e306"),
        "no header": (["--data", str(no_header)], "holds numbers (1, 2, 3...), not column names"),
        "constant target": (["--data", str(constant)],
                            "the target 'y' has the same value (5) in every row"),
        "thousands": (["--data", str(thousands)], "write numbers without thousands separators"),
        "NA": (["--data", str(na)], "column 'b' has a missing value (" + str(na) + ", line 2)"),
        "spaces": (["--data", str(spaces)], "not by spaces"),
        "blank lines": (["--data", str(blank_lines)], ", line 5: 'x')"),
        "empty out": (["--data", str(good), "--out", "", "--cv", "2"], "--out needs a folder"),
    }


CASES = [
    "missing file", "missing column", "non-numeric column", "missing value", "empty file",
    "header only", "ragged row", "folder", "too few rows", "one-row folds", "target without data",
    "features without data", "drop without data", "duplicated column", "row names",
    "text column", "text target", "unknown feature", "drop the target",
    "target among features", "drop everything", "decimal comma", "semicolon rows",
    "huge values", "no header", "constant target", "thousands", "NA", "spaces", "blank lines",
    "empty out",
]


def _write_iris(path):
    """Six rows shaped like R's iris data set: four numbers and the text column Species."""
    path.write_text(
        "Sepal.Length,Sepal.Width,Petal.Length,Petal.Width,Species\n"
        "5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n"
        "6.4,3.2,4.5,1.5,versicolor\n6.3,3.3,6.0,2.5,virginica\n5.8,2.7,5.1,1.9,virginica\n"
    )
    return path


def test_argparse_rejects_features_with_drop(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--data", "x.csv", "--features", "a", "--drop", "b"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("seed", ["-1", "4294967296", "1.5"])
def test_argparse_rejects_a_seed_numpy_cannot_use(seed, capsys):
    # -1 ended in a traceback (and with --data, exit 0 and "failed" in every row)
    with pytest.raises(SystemExit) as exc:
        main(["--quick", "--no-figures", "--random-state", seed])
    assert exc.value.code == 2
    assert "--random-state" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text, args, expected",
    [
        ("a;b;price\n", [], "(target 'price', 12 rows, 2 features)"),
        ("a\tb\tprice\n", [], "(target 'price', 12 rows, 2 features)"),
        (",a,b,price\n", ["--drop", ""], "(target 'price', 12 rows, 2 features)"),
        ("a,b,price\n", ["--features", "b"], "(target 'price', 12 rows, 1 feature)"),
        ("a,b,price\n", ["--drop", "a", "--target", "b"], "(target 'b', 12 rows, 1 feature)"),
    ],
    ids=["semicolons", "tabs", "row names dropped", "features", "drop"],
)
def test_separators_and_column_choices(tmp_path, capsys, text, args, expected):
    rng = np.random.RandomState(0)
    sep = ";" if ";" in text else "\t" if "\t" in text else ","
    lead = "" if not text.startswith(",") else "{i}" + sep  # row names
    rows = [lead.format(i=i) + sep.join(f"{v:.4f}" for v in rng.randn(3)) for i in range(12)]
    path = tmp_path / "data.csv"
    path.write_text(text + "\n".join(rows) + "\n")
    assert expected in _quick_comparison(["--data", str(path), *args], capsys)


def test_iris_with_species_dropped(tmp_path, capsys):
    iris = _write_iris(tmp_path / "iris.csv")
    out = _quick_comparison(["--data", str(iris), "--drop", "Species"], capsys)
    assert "(target 'Petal.Width', 6 rows, 3 features)" in out


def _quick_comparison(args, capsys):
    """Run a quick 2-fold comparison that must succeed; return its stdout."""
    code = main([*args, "--quick", "--no-figures", "--cv", "2", "-q"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_a_closed_pipe_ends_quietly_like_unix_tools(tmp_path):
    """``sklearn-lecture ... | head -1``: no BrokenPipeError traceback, exit code 141."""
    csv_path = _write_csv(tmp_path / "mine.csv", n=12)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "sklearn_lecture", "--data", str(csv_path), "--quick",
         "--no-figures", "--cv", "2"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader goes away before anything is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 141, err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert err.startswith("[1/4"), err  # the progress on stderr is unaffected


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_exit_code_2(case, tmp_path, capsys):
    args, expected = _bad_inputs(tmp_path)[case]
    no_figures = [] if "--out" in args else ["--no-figures"]
    code = main([*args, *no_figures, "--quick", "-q"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("sklearn-lecture: error: "), err
    assert expected in err
    assert "Traceback" not in err and out == ""


def test_bad_input_in_a_subprocess_has_no_traceback(tmp_path):
    res = _run(["--data", "missing.csv"], cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr == "sklearn-lecture: error: no such file: missing.csv\n"
    assert res.stdout == ""


def test_out_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("x")
    csv_path = _write_csv(tmp_path / "mine.csv", n=10)
    code = main(["--data", str(csv_path), "--out", str(blocker), "--quick", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "is not a folder" in err and err.count("\n") == 1


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    from sklearn_lecture._cli import build_parser

    for action in build_parser()._actions:
        for flag in action.option_strings:
            assert flag in text
        assert action.help and action.help.strip()
    for word in ("l6rbf1", "l3sig", "LinearRegression", "MLPRegressor", "--data", "--target"):
        assert word in text


def test_a_model_that_fails_is_reported_in_its_row(monkeypatch, tmp_path, capsys):
    """A model raising on the user's data does not stop the others or print a traceback."""
    from sklearn.linear_model import LinearRegression

    from sklearn_lecture import _cli

    class Broken(LinearRegression):
        def fit(self, X, y, sample_weight=None):
            raise ValueError("cannot fit this\nsecond line")

    real = _cli.comparison_models
    monkeypatch.setattr(
        _cli, "comparison_models",
        lambda rs, quick=False, **options: {"Broken": Broken(), **real(rs, quick, **options)},
    )
    csv_path = _write_csv(tmp_path / "mine.csv", n=12)
    assert main(["--data", str(csv_path), "--no-figures", "--quick", "--cv", "2", "-q"]) == 0
    out = capsys.readouterr().out
    assert "Broken" in out and "failed: cannot fit this" in out and "second line" not in out
    assert "LinearRegression" in out


def test_without_matplotlib_the_job_still_runs_and_says_what_to_install(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # "import matplotlib" fails
    csv_path = _write_csv(tmp_path / "mine.csv", n=12)
    out_dir = tmp_path / "figs"
    code = main(["--data", str(csv_path), "--quick", "--cv", "2", "--out", str(out_dir)])
    out, err = capsys.readouterr()
    assert code == 0
    assert ('matplotlib is not installed, so no figures are written; to get them: pip install '
            'matplotlib (or, in a checkout of sklearn_lecture, pip install -e ".[plot]")') in err
    assert "LinearRegression" in out and not out_dir.exists()


def test_help_imports_neither_scikit_learn_nor_numpy():
    """``--help`` answers at once: the package's heavy imports wait until they are used."""
    code = (
        "import sys\n"
        "import sklearn_lecture.__main__ as m\n"
        "try:\n    m.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('sklearn', 'numpy', 'scipy', 'matplotlib')\n"
        "print('LOADED', sorted(k for k in sys.modules if k.split('.')[0] in heavy))\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "--solver" in res.stdout and "--max-iter" in res.stdout
    assert res.stdout.strip().splitlines()[-1] == "LOADED []"


def test_solver_max_iter_tol_and_l2_reach_the_networks(monkeypatch, tmp_path, capsys):
    """The options the ConvergenceWarning and the table's note advise are the CLI's own."""
    from sklearn_lecture import _cli

    built, real = [], _cli.comparison_models
    monkeypatch.setattr(_cli, "comparison_models", lambda *a, **kw: built.append(real(*a, **kw))
                        or built[-1])
    csv_path = _write_csv(tmp_path / "mine.csv", n=40)
    args = ["--data", str(csv_path), "--no-figures", "--quick", "--cv", "2", "-q"]
    main([*args, "--solver", "lbfgs", "--max-iter", "7", "--tol", "0.5", "--l2", "0.01"])
    main(args)
    models, default = built
    ours = {"RBFRegressor(K=20)", "SigmoidMLPRegressor(h=20)"}
    for name in ours:
        net = models[name].steps[-1][1]
        assert (net.solver, net.max_iter, net.tol, net.l2) == ("lbfgs", 7, 0.5, 0.01)
    reference = models["MLPRegressor(h=20), reference"].steps[-1][1].regressor
    assert (reference.max_iter, reference.tol) == (7, 0.5)
    assert reference.solver == "adam" and reference.alpha == 1e-4  # its own names
    assert default["RBFRegressor(K=20)"].steps[-1][1].solver == "gd"


def test_a_short_max_iter_is_noted_with_the_options_to_change(tmp_path, capsys):
    csv_path = _write_csv(tmp_path / "mine.csv", n=40)
    out = _quick_comparison(["--data", str(csv_path), "--max-iter", "3"], capsys)
    assert "SigmoidMLPRegressor(h=20): max_iter reached in 2 of 2 folds" in out
    assert "--max-iter 6 (now 3)" in out and "--solver lbfgs" in out
    out = _quick_comparison(["--data", str(csv_path), "--solver", "lbfgs"], capsys)
    assert "LinearRegression" in out and "--solver lbfgs often" not in out


@pytest.mark.parametrize(
    "args", [["--max-iter", "0"], ["--tol", "-1"], ["--tol", "nan"], ["--l2", "inf"],
             ["--solver", "adam"]]
)
def test_bad_network_options_are_refused_by_argparse(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*args, "--quick", "--no-figures"])
    assert exc.value.code == 2
    assert args[0] in capsys.readouterr().err


def test_the_first_line_of_a_quiet_run_is_worth_reading(tmp_path):
    """``sklearn-lecture --data F -q | head -1`` printed an empty line."""
    csv_path = _write_csv(tmp_path / "mine.csv", n=12)
    res = _run(["--data", str(csv_path), "-q", "--quick", "--no-figures", "--cv", "2"], tmp_path)
    assert res.returncode == 0, res.stderr
    first = res.stdout.splitlines()[0]
    assert first.startswith("2-fold cross-validated R^2 on ") and "'price'" in first, first


@pytest.mark.parametrize(
    "text",
    [
        '"a,1";b;price\n',  # a quoted header name with a comma, in a ;-separated file
        "sep=;\na;b;price\n",  # Excel's first line names the separator
        "sep=\t\na\tb\tprice\n",
    ],
    ids=["quoted comma", "excel sep=;", "excel sep=tab"],
)
def test_the_separator_is_the_one_the_file_uses(tmp_path, capsys, text):
    sep = "\t" if "\t" in text else ";"
    rng = np.random.RandomState(0)
    rows = [sep.join(f"{v:.4f}" for v in rng.randn(3)) for _ in range(12)]
    path = tmp_path / "data.csv"
    path.write_text(text + "\n".join(rows) + "\n")
    out = _quick_comparison(["--data", str(path)], capsys)
    assert "(target 'price', 12 rows, 2 features)" in out


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["CR (old Mac)", "CRLF"])
def test_any_line_ending(tmp_path, capsys, newline):
    csv_path = _write_csv(tmp_path / "mine.csv", n=12)
    lines = csv_path.read_text().splitlines()
    csv_path.write_bytes(newline.join(lines).encode() + newline.encode())
    out = _quick_comparison(["--data", str(csv_path)], capsys)
    assert "(target 'price', 12 rows, 2 features)" in out
    bad = tmp_path / "bad.csv"  # and the line numbers of its messages are right
    bad.write_bytes(newline.join(["a,b,y", "1,2,3", "4,x,6"]).encode())
    assert main(["--data", str(bad), "--no-figures", "-q"]) == 2
    assert ", line 3: 'x')" in capsys.readouterr().err


def test_stdout_on_a_full_disk_or_closed_is_a_message_not_a_traceback(tmp_path):
    csv_path = _write_csv(tmp_path / "mine.csv", n=12)
    args = ["--data", str(csv_path), "--quick", "--no-figures", "--cv", "2", "-q"]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "sklearn_lecture", *args]
    if os.path.exists("/dev/full"):
        with open("/dev/full", "w") as full:
            res = subprocess.run(command, env=env, stdout=full, stderr=subprocess.PIPE,
                                 text=True, timeout=300)
        assert res.returncode == 1, res.stderr
        assert res.stderr == ("sklearn-lecture: error: cannot write the results to standard "
                              "output: No space left on device\n")
    # stdout closed (>&-): refused before any work, exit 2
    res = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True, timeout=300, preexec_fn=lambda: os.close(1))
    assert res.returncode == 2, res.stderr
    assert res.stderr == ("sklearn-lecture: error: standard output is closed; send the results "
                          "to a file (> results.txt)\n")


def test_every_model_failing_is_exit_code_1(monkeypatch, tmp_path, capsys):
    from sklearn.linear_model import LinearRegression

    from sklearn_lecture import _cli

    class Broken(LinearRegression):
        def fit(self, X, y, sample_weight=None):
            raise ValueError("cannot fit this")

    monkeypatch.setattr(_cli, "comparison_models", lambda *args, **kw: {"Broken": Broken()})
    csv_path = _write_csv(tmp_path / "mine.csv", n=12)
    assert main(["--data", str(csv_path), "--no-figures", "--quick", "--cv", "2", "-q"]) == 1
    out, err = capsys.readouterr()
    assert "failed: cannot fit this" in out
    assert err.startswith("sklearn-lecture: error: every model failed on ")


def test_small_training_folds_fit_without_early_stopping(tmp_path, capsys):
    """10% of 6 rows is no validation set: every network failed on small files."""
    csv_path = _write_csv(tmp_path / "mine.csv", n=12)
    out = _quick_comparison(["--data", str(csv_path)], capsys)
    assert "failed" not in out
    assert "Early stopping is off: the smallest training fold has 6 rows" in out
