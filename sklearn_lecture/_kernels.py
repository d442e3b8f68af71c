"""The nonlinearities Phi, each written once as a value/derivative pair.

Two families are used by the lecture (slides "Which Nonlinear Functions are the
Best for Kernel?" and section 2):

* **Activations** ``Phi(A)`` of the one-hidden-layer network ``Z = Phi([X 1] W1)``
  (``SigmoidMLPRegressor``). ``A`` is the input to Phi, ``Z = Phi(A)`` its output.
* **Radial profiles** ``Phi(u)`` of the scaled squared distance
  ``u = ||x - c||^2 / b`` (``RBFRegressor``). Each equals 1 at the centre and
  falls to 0 away from it.

Every derivative takes **both** the input and the output, ``dPhi(A, Z)`` with
``Z = Phi(A)``, and returns ``dZ/dA`` elementwise. Passing ``Z`` lets the sigmoid
use the lecture's identity ``Phi' = Phi (1 - Phi)`` without evaluating ``exp``
twice; passing ``A`` keeps the derivative exact where ``Z`` alone would lose the
sign (``exp(-a^2)``).  ``tests/test_kernels.py`` checks every pair against
central finite differences.

A new nonlinearity is one pair of functions and one entry in a dict below.
"""

from typing import Callable, NamedTuple

import numpy as np
from scipy.special import expit


class Kernel(NamedTuple):
    """A nonlinearity Phi and its derivative Phi'."""

    name: str
    phi: Callable  # phi(A) -> Z
    dphi: Callable  # dphi(A, Z) -> dZ/dA (elementwise)
    formula: str


# --------------------------------------------------------------------------
# Activations of the network Z = Phi(A), A = [X 1] W1
# --------------------------------------------------------------------------
def sigmoid(A):
    """Phi(A) = 1 / (1 + exp(-A)), the lecture's sigmoidal function (scipy's expit)."""
    return expit(A)


def sigmoid_derivative(A, Z):
    """Phi'(A) = Phi (1 - Phi) = Z (1 - Z), as derived on the lecture's slide."""
    return Z * (1.0 - Z)


def gaussian(A):
    """Phi(A) = exp(-A^2), the radial-basis function used as an activation."""
    with np.errstate(over="ignore"):  # A^2 -> inf gives exp(-inf) = 0, exactly right
        return np.exp(-np.square(A))


def gaussian_derivative(A, Z):
    """Phi'(A) = -2 A exp(-A^2) = -2 A Z."""
    return -2.0 * A * Z


def relu(A):
    """Phi(A) = max(0, A), the lecture's ReLU with slope a = 1."""
    return np.maximum(A, 0.0)


def relu_derivative(A, Z):
    """Phi'(A) = 1 where A > 0, else 0 (the subgradient 0 is taken at A = 0)."""
    return (A > 0).astype(A.dtype)


ACTIVATIONS = {
    "sigmoid": Kernel("sigmoid", sigmoid, sigmoid_derivative, "1 / (1 + exp(-a))"),
    "rbf": Kernel("rbf", gaussian, gaussian_derivative, "exp(-a^2)"),
    "relu": Kernel("relu", relu, relu_derivative, "max(0, a)"),
}


# --------------------------------------------------------------------------
# Radial profiles of the RBF network phi_k = Phi(u_k), u_k = ||x - c_k||^2 / b_k
# --------------------------------------------------------------------------
def gaussian_profile(U):
    """Phi(u) = exp(-u), the lecture's RBF ``exp(-(x - c)^2 / b)``."""
    return np.exp(-U)


def gaussian_profile_derivative(U, Z):
    """Phi'(u) = -exp(-u) = -Z."""
    return -Z


def sigmoid_profile(U):
    """Phi(u) = 2 / (1 + exp(u)) = 2 expit(-u): 1 at the centre, 0 far away."""
    return 2.0 * expit(-U)


def sigmoid_profile_derivative(U, Z):
    """Phi'(u) = -2 expit(-u) (1 - expit(-u)) = -Z (1 - Z / 2)."""
    return -Z * (1.0 - 0.5 * Z)


def triangle_profile(U):
    """Phi(u) = max(0, 1 - u), the lecture's "triangle curve"."""
    return np.maximum(1.0 - U, 0.0)


def triangle_profile_derivative(U, Z):
    """Phi'(u) = -1 where u < 1, else 0."""
    return -(U < 1).astype(U.dtype)


RADIAL_PROFILES = {
    "rbf": Kernel("rbf", gaussian_profile, gaussian_profile_derivative, "exp(-u)"),
    "sigmoid": Kernel(
        "sigmoid", sigmoid_profile, sigmoid_profile_derivative, "2 / (1 + exp(u))"
    ),
    "relu": Kernel("relu", triangle_profile, triangle_profile_derivative, "max(0, 1 - u)"),
}
