"""Each nonlinearity Phi against its derivative Phi', by central finite differences."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_lecture._kernels import ACTIVATIONS, RADIAL_PROFILES


def _central_difference(phi, A, eps=1e-6):
    return (phi(A + eps) - phi(A - eps)) / (2 * eps)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivative_matches_finite_differences(name):
    kernel = ACTIVATIONS[name]
    rng = np.random.RandomState(0)
    A = rng.uniform(-4, 4, size=(50, 3))
    A[np.abs(A) < 1e-3] = 0.5  # keep away from ReLU's kink
    numeric = _central_difference(kernel.phi, A)
    analytic = kernel.dphi(A, kernel.phi(A))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(RADIAL_PROFILES))
def test_radial_profile_derivative_matches_finite_differences(name):
    kernel = RADIAL_PROFILES[name]
    rng = np.random.RandomState(1)
    U = rng.uniform(0.01, 5, size=(50, 3))
    U[np.abs(U - 1) < 1e-3] = 0.5  # keep away from the triangle's kink
    numeric = _central_difference(kernel.phi, U)
    analytic = kernel.dphi(U, kernel.phi(U))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_activation_values_are_the_lecture_formulas():
    a = np.array([-2.0, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].phi(a), 1 / (1 + np.exp(-a)))
    np.testing.assert_allclose(ACTIVATIONS["rbf"].phi(a), np.exp(-(a**2)))
    np.testing.assert_allclose(ACTIVATIONS["relu"].phi(a), [0, 0, 0.5, 3.0])


@pytest.mark.parametrize("name", sorted(RADIAL_PROFILES))
def test_radial_profiles_are_one_at_the_centre_and_fall_to_zero(name):
    phi = RADIAL_PROFILES[name].phi
    u = np.array([0.0, 0.5, 1.0, 2.0, 50.0])
    values = phi(u)
    assert values[0] == pytest.approx(1.0)
    assert np.all(np.diff(values) <= 0)
    assert values[-1] == pytest.approx(0.0, abs=1e-12)


def test_extreme_inputs_give_finite_values_and_no_warnings():
    A = np.array([-1e300, -800.0, 0.0, 800.0, 1e300])
    # underflow to 0 is exact here; overflow, invalid and divide-by-zero are not
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for kernel in ACTIVATIONS.values():
            Z = kernel.phi(A)
            assert np.all(np.isfinite(Z))
            assert np.all(np.isfinite(kernel.dphi(A, Z)))
    U = np.array([0.0, 800.0, 1e300])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for kernel in RADIAL_PROFILES.values():
            Z = kernel.phi(U)
            assert np.all(np.isfinite(Z))


def _all_kernels():
    return [("activation", n, k) for n, k in sorted(ACTIVATIONS.items())] + [
        ("profile", n, k) for n, k in sorted(RADIAL_PROFILES.items())
    ]


@pytest.mark.parametrize("family, name, kernel", _all_kernels())
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_out_arguments_give_the_same_values_in_the_same_dtype(family, name, kernel, dtype):
    """phi(A, out=A) and dphi(A, Z, out=A) are the plain calls, written in place;
    kernels with uses_input=False compute Phi' from Z alone."""
    rng = np.random.RandomState(2)
    A = (rng.uniform(-3, 3, size=(40, 5)) if family == "activation"
         else rng.uniform(0.01, 3, size=(40, 5))).astype(dtype)
    Z = kernel.phi(A)
    D = kernel.dphi(A, Z)
    assert Z.dtype == D.dtype == dtype
    buf = A.copy()
    Z_in_place = kernel.phi(buf, out=buf)
    assert Z_in_place is buf
    np.testing.assert_array_equal(Z_in_place, Z)
    buf = A.copy()
    D_in_place = kernel.dphi(buf, Z, out=buf)
    assert D_in_place is buf
    np.testing.assert_array_equal(D_in_place, D)
    if not kernel.uses_input:
        np.testing.assert_array_equal(kernel.dphi(None, Z), D)


def test_radial_profile_values_are_the_issue_formulas():
    u = np.array([0.0, 0.25, 0.5, 1.0, 2.0])
    np.testing.assert_allclose(RADIAL_PROFILES["rbf"].phi(u), np.exp(-u))
    np.testing.assert_allclose(RADIAL_PROFILES["sigmoid"].phi(u), 2 / (1 + np.exp(u)))
    np.testing.assert_allclose(RADIAL_PROFILES["relu"].phi(u), np.maximum(0, 1 - np.sqrt(u)))


def test_triangle_profile_is_a_cone_of_the_distance():
    """The "triangle curve": max(0, 1 - ||x - c|| / sqrt(b)), linear in the distance."""
    kernel = RADIAL_PROFILES["relu"]
    for b in (1.0, 4.0):
        dist = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0])
        expected = np.maximum(0.0, 1.0 - dist / np.sqrt(b))
        np.testing.assert_allclose(kernel.phi(dist**2 / b), expected, rtol=1e-15, atol=1e-15)
    # at |x - c| = 0.25 with b = 1: 0.75 (a truncated parabola would give 0.9375)
    assert kernel.phi(np.array([0.25**2]))[0] == 0.75


def test_triangle_profile_derivative_at_the_centre_and_beyond_the_edge():
    kernel = RADIAL_PROFILES["relu"]
    u = np.array([0.0, 1e-300, 1e-20, 0.0625, 0.25, 1.0, 4.0])
    with np.errstate(all="raise"):
        D = kernel.dphi(u, kernel.phi(u))
    # the subgradient 0 at (and within rounding of) the centre, -1/(2 sqrt(u)) inside, 0 outside
    np.testing.assert_array_equal(D, [0.0, 0.0, 0.0, -2.0, -1.0, 0.0, 0.0])


def test_triangle_rbf_with_a_row_at_a_centre_uses_the_subgradient_zero():
    """A row exactly at the centre adds nothing to dJ/dc (the subgradient 0), and no
    inf, NaN or RuntimeWarning arises; u near 0 comes from exact differences."""
    from sklearn_lecture import RBFRegressor

    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(30, 3)) + 5.0  # away from 0: the expansion cancels
    y = rng.randn(30)
    c = X[:1].copy()
    est = RBFRegressor(1, "relu", init=c, width=4.0, standardize=False)
    params = {"centers": c, "widths": np.array([4.0]), "coef": np.array([[0.7]]),
              "intercept": np.array([0.1]), "feature_scale": np.ones(3)}

    def grad_c(rows):
        grads = {"centers": np.zeros((1, 3))}
        est._block_loss_grad(params, X[rows], y[rows, None], None, grads)
        return grads["centers"]

    with np.errstate(all="raise"):
        with_row, without_row = grad_c(slice(None)), grad_c(slice(1, None))
        yhat, phi = est._forward(params, X)
    np.testing.assert_allclose(with_row, without_row, rtol=1e-12, atol=1e-15)
    assert phi[0, 0] == 1.0  # the centre itself, exactly
    dist = np.sqrt(((X - c) ** 2).sum(axis=1))
    np.testing.assert_allclose(phi[:, 0], np.maximum(0, 1 - dist / 2.0), rtol=1e-12, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = RBFRegressor(30, "relu", init=X, max_iter=50).fit(X, y)  # every row a centre
    assert np.all(np.isfinite(fitted.predict(X)))
