"""The documentation build fails on a broken cross-reference.

Each test builds a one-page Sphinx project whose ``conf.py`` runs the real
``doc/conf.py`` (same extensions, theme, nitpicky settings and ``:source:`` role),
without the gallery, with the command line CI uses for ``doc/``
(``-W --keep-going -n``). The good page must build; each broken reference must
make the build fail and be named in the output.

The docs extra (``pip install -e ".[docs]"``) brings Sphinx and its extensions;
``.ci/run`` installs it and runs this file after building the documentation.
"""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "doc"

ROOT = DOC.parent
HAVE_DOCS_EXTRA = all(
    importlib.util.find_spec(name) is not None
    for name in ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme",
                 "sphinx-mathjax-offline")
)
needs_docs_extra = pytest.mark.skipif(
    not HAVE_DOCS_EXTRA, reason='the docs extra is not installed: pip install -e ".[docs]"'
)

CONF = f"""\
# The real configuration, as doc/conf.py defines it ...
__file__ = {str(DOC / "conf.py")!r}
exec(compile(open(__file__).read(), __file__, "exec"))
# ... without running the examples, and with doc/'s own folders.
extensions.remove("sphinx_gallery.gen_gallery")
templates_path = [{str(DOC / "_templates")!r}]
html_static_path = [{str(DOC / "_static")!r}]
"""

GOOD = """\
One page
========

.. currentmodule:: sklearn_lecture

:class:`RBFRegressor`, :class:`~sklearn_lecture.SigmoidMLPRegressor`,
:func:`check_gradients`, :class:`~sklearn.linear_model.LinearRegression`
(scikit-learn's page, linked offline), and the line that computes e:
:source:`_rbf.py|e = np.subtract(Y, Yhat, out=Yhat)`.

.. autofunction:: sklearn_lecture.check_gradients

.. autoclass:: sklearn_lecture.RBFRegressor
   :no-members:

.. autoclass:: sklearn_lecture.SigmoidMLPRegressor
   :no-members:

.. autofunction:: sklearn_lecture.training_problem

.. autoclass:: sklearn_lecture.DivergenceError
"""

# The docstrings point into the user guide (``:ref:`step_rule```): the one-page
# project gives each label they use a section of its own, as the site's pages do.
_LABELS = sorted({
    label
    for path in (ROOT / "sklearn_lecture").glob("*.py")
    for label in re.findall(r":ref:`(?:[^`<]*<)?([\w-]+)>?`", path.read_text(encoding="utf-8"))
})
GOOD += "".join(f"\n.. _{label}:\n\nSection {label}\n{'-' * (8 + len(label))}\n"
                for label in _LABELS)


def build(tmp_path, extra=""):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF)
    (src / "index.rst").write_text(GOOD + "\n" + extra + "\n")
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
           str(src), str(tmp_path / "html")]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


@needs_docs_extra
def test_the_good_page_builds(tmp_path):
    res = build(tmp_path)
    assert res.returncode == 0, res.stderr
    html = (tmp_path / "html" / "index.html").read_text()
    assert "_modules/sklearn_lecture/_rbf.html#line-" in html  # the :source: link
    assert ("https://scikit-learn.org/stable/modules/generated/"
            "sklearn.linear_model.LinearRegression.html") in html


BROKEN = {
    ":class:`RBFRegresor`": "RBFRegresor",  # a typo in a class name
    ":func:`sklearn_lecture.check_gradient`": "sklearn_lecture.check_gradient",
    ":meth:`sklearn_lecture.RBFRegressor.fit_predict`": "RBFRegressor.fit_predict",
    ":class:`sklearn_lecture.DivergenceErrorr`": "DivergenceErrorr",
    ":ref:`no-such-label`": "no-such-label",
    # another project's name is checked against the installed package
    ":class:`~sklearn.pipeline.Pipelin`": "sklearn.pipeline.Pipelin",
    # a formula's link to code that is no longer there
    ":source:`_rbf.py|e = y - yhat  # not in the code`": "e = y - yhat",
}


@needs_docs_extra
def test_a_broken_reference_fails_the_build(tmp_path):
    """One build with every kind of broken reference: it fails, and names each one."""
    res = build(tmp_path, "\n\n".join(f"Broken: {ref}." for ref in BROKEN))
    assert res.returncode != 0, "the build passed despite broken references"
    for ref, named in BROKEN.items():
        assert named in res.stderr, f"{ref} was not reported:\n{res.stderr}"


def test_the_readme_builds_the_docs_as_ci_does():
    """The README's docs command is the one .ci/run runs (after its own venv step)."""
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    sphinx = ".venv/bin/python -m sphinx -W --keep-going -n -b html doc doc/_build/html"
    command = ('python3 -m venv .venv && .venv/bin/pip install -q -e ".[docs]" && ' + sphinx)
    assert command in readme.splitlines()
    assert '.venv/bin/pip install -q -e ".[docs]" && ' + sphinx in ci.splitlines()


def test_every_test_the_promises_page_names_exists():
    """doc/promises.rst pairs each promise with tests: each ``file.py::name`` must exist."""
    page = (DOC / "promises.rst").read_text(encoding="utf-8")
    named = set(re.findall(r"``(test_\w+\.py)::(test_\w+)``", page))
    assert len(named) > 50
    missing = [f"{file}::{name}" for file, name in sorted(named)
               if not re.search(rf"^(?:    )?def {name}\(",
                                (ROOT / "tests" / file).read_text(encoding="utf-8"), re.M)]
    assert not missing, missing


BUILT = DOC / "_build" / "html"


@pytest.mark.skipif(not (BUILT / "index.html").exists(),
                    reason="the documentation is not built (.ci/run builds it first)")
def test_the_built_site_loads_nothing_from_the_internet():
    """Offline, every page keeps its scripts and styling: none comes from another site."""
    remote = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)
    pages = sorted(BUILT.rglob("*.html"))
    assert len(pages) > 10
    offending = [str(page.relative_to(BUILT)) for page in pages
                 if remote.search(page.read_text(encoding="utf-8"))]
    assert not offending, offending
    assert not list(BUILT.rglob("sg_execution_times.html"))
    api = (BUILT / "api.html").read_text(encoding="utf-8")
    assert "sklearn_lecture._" not in api, "the API reference lists public names only"
