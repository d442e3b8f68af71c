"""Fixtures shared by the test files, and the order the suite runs in.

Plain helpers (data, quiet fits, estimators by name) are in ``_helpers.py``.
"""

import os
import shutil
import struct
import tempfile

import pytest

_ISOLATED = {}


def pytest_configure(config):
    """Isolate what the suite and its subprocesses write and read outside the tests' folders.

    matplotlib's config and font cache go to a fresh folder (a cache left by another
    environment in the user's home printed "findfont" lines into the CLI's stderr), and so
    do dask's temporary files. Subprocesses inherit ``os.environ``.
    """
    folder = tempfile.mkdtemp(prefix="sklearn_lecture_tests_")
    _ISOLATED["folder"] = folder
    for name, sub in [("MPLCONFIGDIR", "matplotlib"), ("DASK_TEMPORARY_DIRECTORY", "dask")]:
        _ISOLATED[name] = os.environ.get(name)
        os.environ[name] = os.path.join(folder, sub)
        os.makedirs(os.environ[name])


def pytest_unconfigure(config):
    for name, value in _ISOLATED.items():
        if name == "folder":
            continue
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(_ISOLATED.get("folder", ""), ignore_errors=True)


def _png_pixels_and_dpi(path):
    """Width and height in pixels, and dots per inch, read from a PNG's header chunks."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # IHDR comes first
    at = data.find(b"pHYs")
    dpi = None
    if at >= 0:
        per_metre_x, _, unit = struct.unpack(">IIB", data[at + 4:at + 13])
        dpi = round(per_metre_x * 0.0254) if unit == 1 else None
    return width, height, dpi


@pytest.fixture
def png_pixels_and_dpi():
    return _png_pixels_and_dpi


# Run first: the dask tests (one LocalCluster, a quarter of the suite's time). With
# ``-n 2`` xdist's first batch for a worker is the first ~1/8 of the tests, so one
# worker starts one cluster and runs them beside the rest, never alone at the end.
# (``--dist loadgroup`` would say this directly, but with pytest 9.2 and xdist 3.8 the
# xdist_group mark has no effect: xdist renames ``item._nodeid``, which pytest 9.2's
# ``nodeid`` no longer reads.)
FIRST = ("test_dask.py",)


def pytest_collection_modifyitems(config, items):
    """The files in FIRST first, the rest in collection order (a stable sort)."""
    items.sort(key=lambda item: item.path.name not in FIRST)
