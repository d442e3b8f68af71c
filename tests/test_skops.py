"""skops.io round trips: the secure alternative to pickle, for both fitted estimators.

``skops.io.load`` runs no code it was not told to trust; the types to trust are read
from the file with ``get_untrusted_types``. Needs skops (in the ``test`` extra);
without it the tests are skipped with the reason.
"""

import numpy as np
import pytest
from _helpers import NAMES, assert_bit_identical, fit_quietly, make_estimator, smooth_data
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sio = pytest.importorskip("skops.io", reason='skops is not installed (pip install -e ".[test]")')


def untrusted_types(est):
    """The types of a fitted ``est`` that skops does not trust by default."""
    return sorted(
        [
            type(est).__module__ + "." + type(est).__name__,
            "sklearn_lecture._standardize.Standardizer",
        ]
    )


@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize("name", NAMES)
def test_dump_and_load_give_the_same_model(name, n_outputs, tmp_path):
    X, y = smooth_data(n_outputs=n_outputs)
    est = fit_quietly(make_estimator(name, units=5, max_iter=30, random_state=0), X, y)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    untrusted = sio.get_untrusted_types(file=path)
    # exactly the estimator and its standardiser: what the user guide says to review
    assert sorted(untrusted) == untrusted_types(est)
    loaded = sio.load(path, trusted=untrusted)
    assert type(loaded) is type(est)
    assert_bit_identical(loaded, est)
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    assert loaded.get_params() == est.get_params()


@pytest.mark.parametrize("name", NAMES)
def test_untrusted_types_are_refused_by_default(name):
    X, y = smooth_data()
    est = fit_quietly(make_estimator(name, units=5, max_iter=10), X, y)
    data = sio.dumps(est)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(data)


@pytest.mark.parametrize("name", NAMES)
def test_pipeline_round_trip_and_a_continued_fit(name):
    X, y = smooth_data()
    est = make_estimator(name, units=5, max_iter=20, warm_start=True, random_state=0)
    pipe = fit_quietly(make_pipeline(StandardScaler(), est), X, y)
    data = sio.dumps(pipe)
    assert sorted(sio.get_untrusted_types(data=data)) == untrusted_types(est)
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
    # the loaded model continues training as the original does
    fit_quietly(loaded, X, y)
    fit_quietly(pipe, X, y)
    assert_bit_identical(loaded[-1], pipe[-1])
