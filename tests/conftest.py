"""Fixtures shared by the test files, and the order the suite runs in.

Plain helpers (data, quiet fits, estimators by name) are in ``_helpers.py``.
"""

import struct

import pytest


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


def pytest_collection_modifyitems(config, items):
    """The xdist groups (the dask tests, one LocalCluster) first, the rest in file order.

    With ``-n 2 --dist loadgroup`` one worker takes the whole dask group (about a quarter
    of the suite's time) while the other starts on the rest; at the end of the run the
    group would leave one worker running it alone.
    """
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)
