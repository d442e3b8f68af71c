"""Phi and Phi' pairs: ``dphi(A, Z) = dZ/dA`` for ``Z = Phi(A)``; ``out=`` may be an input."""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Kernel(NamedTuple):
    """A nonlinearity Phi and its derivative Phi'."""

    phi: Callable  # phi(A) -> Z
    dphi: Callable  # dphi(A, Z) -> dZ/dA (elementwise)
    formula: str  # Phi in the lecture's symbols, printed beside the kernel's plots
    uses_input: bool = True  # False: dphi reads only Z, so A may be overwritten by Z
    exact_near_centre: bool = False  # True: Phi' unbounded at u = 0, so u near 0 exactly


# Activations of the network Z = Phi(A), A = [X 1] W1
def sigmoid(A, out=None):
    """Phi(A) = 1 / (1 + exp(-A)), the lecture's sigmoidal function (in place)."""
    with np.errstate(over="ignore"):  # exp(-A) -> inf gives 1 / (1 + inf) = 0, exactly right
        Z = np.negative(A, out=out)
        np.exp(Z, out=Z)
        Z += 1.0
        return np.reciprocal(Z, out=Z)


def sigmoid_derivative(A, Z, out=None):
    """Phi'(A) = Phi (1 - Phi) = Z (1 - Z), as derived on the lecture's slide."""
    D = np.subtract(1.0, Z, out=out)
    return np.multiply(D, Z, out=D)


def gaussian(A, out=None):
    """Phi(A) = exp(-A^2), the radial-basis function used as an activation."""
    with np.errstate(over="ignore"):  # A^2 -> inf gives exp(-inf) = 0, exactly right
        Z = np.square(A, out=out)
        np.negative(Z, out=Z)
        return np.exp(Z, out=Z)


def gaussian_derivative(A, Z, out=None):
    """Phi'(A) = -2 A exp(-A^2) = -2 A Z."""
    D = np.multiply(A, -2.0, out=out)
    return np.multiply(D, Z, out=D)


def relu(A, out=None):
    """Phi(A) = max(0, A), the lecture's ReLU with slope a = 1."""
    return np.maximum(A, 0.0, out=out)


def relu_derivative(A, Z, out=None):
    """Phi'(A) = 1 where A > 0 (that is, where Z > 0), else 0 (the subgradient 0 at A = 0)."""
    return np.greater(Z, 0.0, out=np.empty_like(Z) if out is None else out)


ACTIVATIONS = {
    "sigmoid": Kernel(sigmoid, sigmoid_derivative, "1 / (1 + exp(-a))", uses_input=False),
    "rbf": Kernel(gaussian, gaussian_derivative, "exp(-a^2)"),
    "relu": Kernel(relu, relu_derivative, "max(0, a)", uses_input=False),
}


# Radial profiles of the RBF network phi_k = Phi(u_k), u_k = ||x - c_k||^2 / b_k
def gaussian_profile(U, out=None):
    """Phi(u) = exp(-u), the lecture's RBF ``exp(-(x - c)^2 / b)``."""
    Z = np.negative(U, out=out)
    return np.exp(Z, out=Z)


def gaussian_profile_derivative(U, Z, out=None):
    """Phi'(u) = -exp(-u) = -Z."""
    return np.negative(Z, out=out)


def sigmoid_profile(U, out=None):
    """Phi(u) = 2 / (1 + exp(u)) = 2 expit(-u): 1 at the centre, 0 far away."""
    with np.errstate(over="ignore"):  # exp(u) -> inf gives 2 / (1 + inf) = 0, exactly right
        Z = np.exp(U, out=out)
        Z += 1.0
        return np.divide(2.0, Z, out=Z)


def sigmoid_profile_derivative(U, Z, out=None):
    """Phi'(u) = -2 expit(-u) (1 - expit(-u)) = -Z (1 - Z / 2)."""
    D = np.multiply(Z, -0.5, out=out)
    D += 1.0
    D *= Z
    return np.negative(D, out=D)


def triangle_profile(U, out=None):
    """Phi(u) = max(0, 1 - sqrt(u)), the lecture's "triangle curve": a cone of radius sqrt(b)."""
    Z = np.sqrt(U, out=out)
    np.subtract(1.0, Z, out=Z)
    return np.maximum(Z, 0.0, out=Z)


def triangle_profile_derivative(U, Z, out=None):
    """Phi'(u) = -1 / (2 sqrt(u)) for sqrt(eps) < u < 1, else 0 (the subgradient at the tip)."""
    U = np.asarray(U)
    u_centre = float(np.sqrt(np.finfo(U.dtype).eps))
    inside = (U > u_centre) & (U < 1.0)
    D = np.sqrt(U, out=out)
    np.divide(-0.5, D, out=D, where=inside)  # sqrt(u) > 0 wherever it is used
    D[~inside] = 0.0
    return D


RADIAL_PROFILES = {  # uses_input, exact_near_centre
    "rbf": Kernel(gaussian_profile, gaussian_profile_derivative, "exp(-u)", False),
    "sigmoid": Kernel(sigmoid_profile, sigmoid_profile_derivative, "2 / (1 + exp(u))", False),
    "relu": Kernel(
        triangle_profile, triangle_profile_derivative, "max(0, 1 - sqrt(u))", True, True
    ),
}
