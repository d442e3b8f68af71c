"""Sphinx configuration of the sklearn_lecture documentation.

Build (from the repository root, with the ``docs`` extra installed)::

    python -m sphinx -W --keep-going -n -b html doc doc/_build/html

``-W`` turns every warning into an error and ``-n`` (nitpicky) makes every
cross-reference that does not resolve a warning, so a broken reference fails
the build (``tests/test_docs.py`` checks that it does).

The gallery runs the examples in their quick mode (``SKLEARN_LECTURE_QUICK=1``)
unless the environment says ``SKLEARN_LECTURE_QUICK=0``.
"""

import atexit
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

DOC = Path(__file__).resolve().parent
ROOT = DOC.parent
sys.path.insert(0, str(ROOT))  # document the checkout, installed or not
sys.path.insert(0, str(DOC / "_ext"))

import sklearn_lecture  # noqa: E402

# The examples' quick mode, and a throw-away folder for the PNGs they also save
# (the gallery shows the figures it captures itself; the source tree stays clean).
os.environ.setdefault("SKLEARN_LECTURE_QUICK", "1")
if "SKLEARN_LECTURE_FIGURES" not in os.environ:
    _figures = tempfile.mkdtemp(prefix="sklearn_lecture_doc_figures_")
    atexit.register(shutil.rmtree, _figures, ignore_errors=True)
    os.environ["SKLEARN_LECTURE_FIGURES"] = _figures
os.environ.setdefault("MPLBACKEND", "Agg")

# -- Project ---------------------------------------------------------------
project = "sklearn_lecture"
author = "the sklearn_lecture developers"
copyright = "2026, the sklearn_lecture developers; lecture by Jeong-Yean Yang (2020)"
release = sklearn_lecture.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx-mathjax-offline",  # MathJax served from _static: formulas render offline
    "lecture_source",  # doc/_ext/lecture_source.py: :source: links to a line of the code
    "external_links",  # doc/_ext/external_links.py: scikit-learn, SciPy, matplotlib, offline
]

templates_path = ["_templates"]
# sg_execution_times: sphinx-gallery's timing pages load jQuery and DataTables from
# the internet (and lose their styling offline); they are not written (below), and a
# stale one left by an older build is not read.
exclude_patterns = [
    "_build", "Thumbs.db", ".DS_Store", "sg_execution_times.rst",
    "auto_examples/sg_execution_times.rst", "benchmarks",
]
default_role = "literal"  # `x` in a docstring is code, never a failed reference
pygments_style = "sphinx"

# -- Cross-references: every one must resolve --------------------------------
nitpicky = True
# There is no network at build time, so no intersphinx inventories. References
# into scikit-learn, SciPy and matplotlib are resolved by doc/_ext/external_links.py
# (the name must exist in the installed package); those into numpy, dask, pandas
# and Python cannot be checked offline and stay plain text. Every reference to
# sklearn_lecture itself must resolve.
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|dask|distributed|pandas|threadpoolctl)(\..*)?"),
]

# -- autodoc / autosummary / numpydoc ---------------------------------------
autosummary_generate = True
# the estimators show what they inherit from scikit-learn; exceptions not add_note etc.
autodoc_default_options = {"members": True, "inherited-members": "BaseException"}
autodoc_typehints = "none"
autoclass_content = "class"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

# -- sphinx-gallery ---------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sklearn_lecture",),
    "reference_url": {"sklearn_lecture": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "write_computation_times": False,  # see exclude_patterns
    # Not the examples' own matplotlib.use("Agg") and FIGURES lines: the reader
    # sees them, and they are harmless.
}

# -- viewcode: line numbers, and an anchor per line (lecture_source adds them)
viewcode_line_numbers = True

# -- HTML -------------------------------------------------------------------
NARRATIVE = ("install", "lecture_map", "user_guide", "guide_training", "guide_scaling",
             "troubleshooting", "promises", "performance")
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_lecture {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_end": ["navbar-icon-links"],
    "header_links_before_dropdown": 5,
    # "On this page" on the narrative pages only: the examples' code and figures and the
    # API pages' signatures need the width
    "secondary_sidebar_items": {
        page: ["page-toc"] for page in NARRATIVE + ("api",)
    },
    "show_prev_next": True,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# Pages without sub-pages need no left sidebar.
html_sidebars = {page: [] for page in ("index",) + NARRATIVE}


# -- Docstrings inherited from scikit-learn ----------------------------------
# get_params, score, set_fit_request, ... come from scikit-learn, whose docstrings
# point to labels and glossary terms of scikit-learn's own site (":ref:`User
# Guide <metadata_routing>`", ":term:`meta-estimator`"). Offline they cannot
# resolve, so in those docstrings only they become plain text; a reference in
# sklearn_lecture's own docstrings or pages still has to resolve.
_FOREIGN_ROLE = re.compile(r":(?:ref|term|doc):`(?:([^`<]*?)\s*<[^`>]*>|([^`]*))`")


def _plain_foreign_references(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if module.split(".")[0] == "sklearn_lecture":
        return
    lines[:] = [_FOREIGN_ROLE.sub(lambda m: m.group(1) or m.group(2), line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_foreign_references)
