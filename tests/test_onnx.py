"""ONNX export (sklearn_lecture.onnx): onnxruntime predicts what ``predict`` predicts.

The conversions need the optional ``onnx`` extra (skl2onnx, onnx, onnxruntime); without
it those tests are skipped with the reason, and the rest check that the package and
the module import without it.
"""

import subprocess
import sys

import numpy as np
import pytest
from _helpers import KERNELS, NAMES, fit_quietly, make_estimator, smooth_data
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import SigmoidMLPRegressor
from sklearn_lecture.onnx import register

NO_EXTRA = 'the "onnx" extra is not installed (pip install -e ".[onnx]" or ".[test]")'


def onnx_predict(model, X, dtype=np.float32):
    """Convert ``model`` with skl2onnx (X's first row in ``dtype`` as the sample) and run
    onnxruntime on X: the predictions, shaped (n_samples, n_outputs)."""
    skl2onnx = pytest.importorskip("skl2onnx", reason=NO_EXTRA)
    onnxruntime = pytest.importorskip("onnxruntime", reason=NO_EXTRA)
    register()
    onx = skl2onnx.to_onnx(model, X[:1].astype(dtype))
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (yhat,) = session.run(None, {"X": X.astype(dtype)})
    assert yhat.dtype == dtype
    return yhat


def assert_matches_predict(yhat, model, X, rtol=1e-4):
    """onnxruntime's ``yhat`` equals ``model.predict(X)`` to ``rtol`` of the predictions' size."""
    expected = model.predict(X).reshape(len(X), -1)
    assert yhat.shape == expected.shape
    np.testing.assert_allclose(yhat, expected, rtol=0, atol=rtol * np.max(np.abs(expected)))


def offset_data(n_outputs=1):
    """Columns of other offsets and scales, so the StandardScaler and the model's own
    standardisation both matter."""
    X, y = smooth_data(n=80, d=3, n_outputs=n_outputs, seed=1)
    return X * [1.0, 10.0, 0.1] + [0.0, -30.0, 5.0], 3.0 * y + 10.0


@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("name", NAMES)
def test_pipeline_with_standard_scaler_matches_predict_in_float32(name, kernel, n_outputs):
    X, y = offset_data(n_outputs)
    est = make_estimator(name, kernel=kernel, units=7, max_iter=150, random_state=0)
    pipe = fit_quietly(make_pipeline(StandardScaler(), est), X, y)
    assert_matches_predict(onnx_predict(pipe, X), pipe, X)


@pytest.mark.parametrize("kernel", KERNELS)
def test_network_with_two_hidden_layers_matches_predict(kernel):
    X, y = offset_data(n_outputs=2)
    est = SigmoidMLPRegressor(kernel=kernel, hidden_layer_sizes=(6, 4), max_iter=150)
    pipe = fit_quietly(make_pipeline(StandardScaler(), est.set_params(random_state=0)), X, y)
    assert_matches_predict(onnx_predict(pipe, X), pipe, X)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("name", NAMES)
def test_estimator_alone_on_raw_data_and_in_double(name, kernel):
    # without a scaler the graph works from the public attributes in the units of X and y;
    # a double input gives a double graph, as close as float64 rounding
    X, y = offset_data()
    est = fit_quietly(make_estimator(name, kernel=kernel, units=7, max_iter=150), X, y)
    assert_matches_predict(onnx_predict(est, X), est, X)
    assert_matches_predict(onnx_predict(est, X, dtype=np.float64), est, X, rtol=1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_the_fitted_kernel_is_exported_after_set_params(name):
    X, y = offset_data()
    est = fit_quietly(make_estimator(name, kernel="relu", units=7, max_iter=150), X, y)
    est.set_params(kernel="sigmoid")  # predict still uses the fitted ReLU
    assert_matches_predict(onnx_predict(est, X), est, X)


@pytest.mark.parametrize("name", NAMES)
def test_a_model_fitted_in_float32_matches_predict(name):
    X, y = offset_data()
    X, y = X.astype(np.float32), y.astype(np.float32)
    est = fit_quietly(make_estimator(name, units=7, max_iter=150), X, y)
    assert_matches_predict(onnx_predict(est, X), est, X)


def test_the_package_imports_without_skl2onnx():
    code = (
        "import sys, sklearn_lecture, sklearn_lecture.onnx; "
        "assert 'skl2onnx' not in sys.modules and 'onnx' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_register_without_skl2onnx_says_which_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # import skl2onnx raises ImportError
    with pytest.raises(ImportError, match=r'pip install -e "\.\[onnx\]"'):
        register()
