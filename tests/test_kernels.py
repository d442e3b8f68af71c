"""Each nonlinearity Phi against its derivative Phi', by central finite differences."""

import numpy as np
import pytest

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
