"""User-given starting values: coef_init/intercept_init and coefs_init/intercepts_init."""


import warnings

import numpy as np
import pytest
from _helpers import fit_quietly
from scipy.special import expit
from sklearn.base import clone

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor


def _data(n=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 5, size=(n, 2)) * [1.0, 20.0] + [0.0, 100.0]
    y = 50 * np.sin(X[:, 0]) + 0.1 * X[:, 1] + 1e3
    return X, y


def _rbf_start(X):
    C = X[:3].copy()
    w, w0 = np.array([30.0, -20.0, 10.0]), 990.0
    return C, w, w0


def _mlp_start(rng, sizes=(2, 5, 1)):
    coefs = [rng.randn(a, b) * 0.1 for a, b in zip(sizes[:-1], sizes[1:])]
    intercepts = [rng.randn(b) for b in sizes[1:]]
    return coefs, intercepts


@pytest.mark.parametrize("standardize", [True, False])
def test_rbf_start_is_the_given_model_in_the_units_of_x_and_y(standardize):
    X, y = _data()
    C, w, w0 = _rbf_start(X)
    est = RBFRegressor(3, init=C, width=2.0, coef_init=w, intercept_init=w0,
                       standardize=standardize, learning_rate=1e-3, max_iter=1)
    fit_quietly(est, X, y)
    scale = est.feature_scale_
    U = (((X[:, None, :] - C[None]) / scale) ** 2).sum(-1) / 2.0
    J_start = 0.5 * np.mean((y - np.exp(-U) @ w - w0) ** 2)  # the given model, raw units
    y_var = np.var(y) if standardize else 1.0  # loss_curve_ is in standardised units
    assert est.loss_curve_[0] * y_var == pytest.approx(J_start, rel=1e-10)


@pytest.mark.parametrize("standardize", [True, False])
def test_mlp_start_is_the_given_network_in_the_units_of_x_and_y(standardize):
    X, y = _data()
    coefs, intercepts = _mlp_start(np.random.RandomState(1))
    net = SigmoidMLPRegressor(5, coefs_init=coefs, intercepts_init=intercepts,
                              standardize=standardize, learning_rate=1e-3, max_iter=1)
    fit_quietly(net, X, y)
    Z = expit(X @ coefs[0] + intercepts[0])
    J_start = 0.5 * np.mean((y - (Z @ coefs[1] + intercepts[1]).ravel()) ** 2)
    y_var = np.var(y) if standardize else 1.0
    assert net.loss_curve_[0] * y_var == pytest.approx(J_start, rel=1e-10)


def test_partly_given_starts_keep_the_default_for_the_rest():
    X, y = _data()
    coefs, _ = _mlp_start(np.random.RandomState(1))
    only_coefs = fit_quietly(
        SigmoidMLPRegressor(5, coefs_init=coefs, max_iter=1, random_state=0), X, y
    )
    default = fit_quietly(SigmoidMLPRegressor(5, max_iter=1, random_state=0), X, y)
    assert only_coefs.loss_curve_[0] != default.loss_curve_[0]
    # W2 = 0 by default with a float learning_rate (the lecture's start), and given: both
    # start from the mean of y. l2=0 compares the data term alone (the penalty on W1
    # differs between the two starts).
    zero = [coefs[0], np.zeros((5, 1))]
    kw = dict(max_iter=1, random_state=0, l2=0, learning_rate=0.1)
    given = fit_quietly(SigmoidMLPRegressor(5, coefs_init=zero, **kw), X, y)
    default = fit_quietly(SigmoidMLPRegressor(5, **kw), X, y)
    assert given.loss_curve_[0] == pytest.approx(default.loss_curve_[0], rel=1e-12)


def test_init_values_are_used_only_by_a_fresh_fit():
    X, y = _data()
    coefs, intercepts = _mlp_start(np.random.RandomState(1))
    before = [W.copy() for W in coefs]
    kw = dict(coefs_init=coefs, intercepts_init=intercepts, learning_rate=0.05, tol=0)
    ten = fit_quietly(SigmoidMLPRegressor(5, max_iter=10, **kw), X, y)
    five = SigmoidMLPRegressor(5, max_iter=5, warm_start=True, **kw)
    fit_quietly(fit_quietly(five, X, y), X, y)  # the second fit continues from the fitted weights
    assert five.n_iter_ == 10
    np.testing.assert_allclose(five.loss_curve_, ten.loss_curve_, rtol=1e-10)
    steps = SigmoidMLPRegressor(5, **kw)
    for _ in range(10):  # the first call starts from the init values, the rest continue
        steps.partial_fit(X, y)
    np.testing.assert_allclose(steps.loss_curve_, ten.loss_curve_, rtol=1e-10)
    for W, W_before in zip(coefs, before):  # the init values are never written
        np.testing.assert_array_equal(W, W_before)
    C, w, w0 = _rbf_start(X)
    rbf = RBFRegressor(3, init=C, coef_init=w, intercept_init=w0, warm_start=True,
                       learning_rate=0.05, max_iter=3, tol=0)
    first = fit_quietly(rbf, X, y).coef_.copy()
    second = fit_quietly(rbf, X, y).coef_
    assert rbf.n_iter_ == 6 and not np.allclose(first, second)
    assert fit_quietly(clone(rbf).set_params(warm_start=False), X, y).n_iter_ == 3


def test_multi_output_shapes():
    X, y = _data()
    Y = np.column_stack([y, -y])
    C, w, w0 = _rbf_start(X)
    rbf = fit_quietly(RBFRegressor(3, init=C, coef_init=np.vstack([w, -w]),
                            intercept_init=[w0, -w0], max_iter=2), X, Y)
    assert rbf.coef_.shape == (2, 3)
    with pytest.raises(ValueError, match=r"coef_init has shape \(3,\).*\(2, 3\)"):
        RBFRegressor(3, init=C, coef_init=w).fit(X, Y)
    with pytest.raises(ValueError, match=r"intercept_init has shape \(\).*\(2,\)"):
        RBFRegressor(3, init=C, intercept_init=1.0).fit(X, Y)


BAD_RBF = [
    ({"coef_init": [1.0, 2.0]}, r"coef_init has shape \(2,\); pass an array of shape \(3,\)"),
    ({"coef_init": [[1.0, 2.0, 3.0]] * 2}, r"coef_init has shape \(2, 3\)"),
    ({"coef_init": [1.0, np.nan, 3.0]}, "coef_init contains NaN or infinity"),
    ({"coef_init": [1.0, np.inf, 3.0]}, "coef_init contains NaN or infinity"),
    ({"coef_init": [1.0, 2j, 3.0]}, "coef_init must be real"),
    ({"coef_init": ["a", "b", "c"]}, "coef_init must be numeric"),
    ({"intercept_init": [1.0, 2.0]}, r"intercept_init has shape \(2,\)"),
    ({"intercept_init": np.nan}, "intercept_init contains NaN or infinity"),
    ({"intercept_init": [1j]}, "intercept_init must be real"),
]


@pytest.mark.parametrize("params, message", BAD_RBF)
def test_bad_rbf_init_values_raise_a_value_error_naming_them(params, message):
    X, y = _data()
    est = RBFRegressor(3, **params)
    with pytest.raises(ValueError, match=message):
        est.fit(X, y)
    assert not hasattr(est, "n_iter_")


def _bad_mlp_cases():
    coefs, intercepts = _mlp_start(np.random.RandomState(1))
    nan = [coefs[0].copy(), coefs[1]]
    nan[0][1, 2] = np.nan
    return [
        ({"coefs_init": coefs[:1]}, r"coefs_init has 1 arrays.*2 layers"),
        ({"coefs_init": [coefs[0].T, coefs[1]]}, r"coefs_init\[0\] has shape \(5, 2\)"),
        ({"coefs_init": nan}, r"coefs_init\[0\] contains NaN or infinity"),
        ({"coefs_init": [coefs[0], coefs[1] + 1j]}, r"coefs_init\[1\] must be real"),
        ({"intercepts_init": [intercepts[0], np.array([np.inf])]},
         r"intercepts_init\[1\] contains NaN or infinity"),
        ({"intercepts_init": [intercepts[0][:3], intercepts[1]]},
         r"intercepts_init\[0\] has shape \(3,\); pass an array of shape \(5,\)"),
        ({"coefs_init": [[[1.0], [1.0, 2.0]], coefs[1]]}, r"coefs_init\[0\] must be an array"),
    ]


@pytest.mark.parametrize("case", range(7))
def test_bad_mlp_init_values_raise_a_value_error_naming_them(case):
    params, message = _bad_mlp_cases()[case]
    X, y = _data()
    net = SigmoidMLPRegressor(5, **params)
    with pytest.raises(ValueError, match=message):
        net.fit(X, y)
    assert not hasattr(net, "n_iter_")


@pytest.mark.parametrize(
    "est",
    [RBFRegressor(coef_init="big"), RBFRegressor(intercept_init="big"),
     SigmoidMLPRegressor(coefs_init="big"), SigmoidMLPRegressor(intercepts_init=3.0)],
)
def test_init_values_of_the_wrong_type_raise_invalid_parameter_error(est):
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = _data()
    with pytest.raises(InvalidParameterError, match="_init"):
        est.fit(X, y)


@pytest.mark.parametrize(
    "Est, init",
    [
        (RBFRegressor, {"coef_init": np.ones(3)}),
        (RBFRegressor, {"intercept_init": 1.0}),
        (SigmoidMLPRegressor, {"coefs_init": [np.ones((2, 3)), np.ones((3, 1))]}),
    ],
)
def test_a_start_beyond_float64_in_the_units_of_a_subnormal_y_is_refused_without_warnings(
    Est, init
):
    # w / (y's scale 1e-310) overflowed ("overflow encountered in divide") before the ValueError
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((10, 2)), rng.standard_normal(10) * 1e-310
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=f"{next(iter(init))} has values beyond the range"):
            Est(3, random_state=0, **init).fit(X, y)
