"""Export fitted models to ONNX with skl2onnx (the optional ``onnx`` extra)."""

import numpy as np

from ._mlp import SigmoidMLPRegressor
from ._rbf import RBFRegressor


def register():
    """Let ``skl2onnx.to_onnx`` convert both estimators, also in a Pipeline (:ref:`deploying`)."""
    try:
        from skl2onnx import update_registered_converter
    except ImportError as exc:
        raise ImportError(
            'ONNX export needs the "onnx" extra: run pip install -e ".[onnx]" in the checkout.'
        ) from exc
    for Est, convert in ((RBFRegressor, _convert_rbf), (SigmoidMLPRegressor, _convert_mlp)):
        update_registered_converter(Est, f"SklearnLecture{Est.__name__}", _output_shape, convert)


def _output_shape(operator):
    """skl2onnx's shape calculator: ``[N, n_outputs_]`` in the input's float type."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType
    from skl2onnx.common.utils import check_input_and_output_types

    check_input_and_output_types(operator, good_input_types=[FloatTensorType, DoubleTensorType])
    Tensor = type(operator.inputs[0].type)
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = Tensor([n, operator.raw_operator.n_outputs_])


class _Graph:
    """Constants and nodes added to skl2onnx's container, in the input's float type."""

    def __init__(self, scope, operator, container):
        from skl2onnx.common.data_types import guess_numpy_type, guess_proto_type

        self.scope, self.container = scope, container
        self.proto = guess_proto_type(operator.inputs[0].type)
        self.dtype = guess_numpy_type(operator.inputs[0].type)

    def const(self, value, dtype=None):
        """An initializer holding ``value`` (in the graph's float type unless ``dtype``)."""
        from skl2onnx.proto import onnx_proto

        value = np.asarray(value, dtype=dtype or self.dtype)
        proto = onnx_proto.TensorProto.INT64 if dtype is np.int64 else self.proto
        name = self.scope.get_unique_variable_name("const")
        self.container.add_initializer(name, proto, list(value.shape), value.ravel().tolist())
        return name

    def node(self, op, *inputs, out=None):
        """The output name of a new ``op`` node on ``inputs`` (``out`` names it)."""
        out = out or self.scope.get_unique_variable_name(op.lower())
        name = self.scope.get_unique_operator_name(op)
        self.container.add_node(op, list(inputs), out, name=name)
        return out

    def affine(self, Z, W, b, out=None):
        """``[Z 1] [W; b] = Z W + b``."""
        return self.node("Add", self.node("MatMul", Z, self.const(W)), self.const(b), out=out)


# Phi as ONNX nodes: the network's (``_kernels.ACTIVATIONS``), the RBF model's (``RADIAL_PROFILES``)
_ACTIVATIONS = {
    "sigmoid": lambda g, A: g.node("Sigmoid", A),  # 1 / (1 + exp(-A))
    "relu": lambda g, A: g.node("Relu", A),  # max(0, A)
    "rbf": lambda g, A: g.node("Exp", g.node("Neg", g.node("Mul", A, A))),  # exp(-A^2)
}
_PROFILES = {
    "sigmoid": lambda g, U: g.node("Mul", g.node("Sigmoid", g.node("Neg", U)), g.const(2.0)),
    "relu": lambda g, U: g.node("Relu", g.node("Sub", g.const(1.0), g.node("Sqrt", U))),
    "rbf": lambda g, U: g.node("Exp", g.node("Neg", U)),  # exp(-u)
}


def _convert_mlp(scope, operator, container):
    """skl2onnx's converter for SigmoidMLPRegressor: ``Z = Phi([Z 1] W)``, ``Yhat = [Z 1] W2``."""
    model, g = operator.raw_operator, _Graph(scope, operator, container)
    kernel = getattr(model, "_kernel_", model.kernel)  # predict's (set_params may change kernel)
    Z = operator.inputs[0].full_name
    for W, b in zip(model.coefs_[:-1], model.intercepts_[:-1]):
        Z = _ACTIVATIONS[kernel](g, g.affine(Z, W, b))
    g.affine(Z, model.coefs_[-1], model.intercepts_[-1], out=operator.outputs[0].full_name)


def _convert_rbf(scope, operator, container):
    """skl2onnx's converter for RBFRegressor: ``u = ||x - c||^2 / b``, ``yhat = Phi(u) w + w0``."""
    model, g = operator.raw_operator, _Graph(scope, operator, container)
    f = np.asarray(model.feature_scale_, dtype=np.float64)
    K, d = model.centers_.shape
    X = g.node("Div", operator.inputs[0].full_name, g.const(f))  # x / f
    X = g.node("Reshape", X, g.const([-1, 1, d], dtype=np.int64))  # n x 1 x d
    D = g.node("Sub", X, g.const(model.centers_ / f))  # (x - c_k) / f: n x K x d
    U = g.node("MatMul", g.node("Mul", D, D), g.const(np.ones(d)))  # ||(x - c_k) / f||^2
    U = g.node("Div", U, g.const(model.widths_))  # u_k = ... / b_k
    w = np.asarray(model.coef_, dtype=np.float64).reshape(-1, K).T  # K x n_outputs
    profile = _PROFILES[getattr(model, "_kernel_", model.kernel)]  # as in _convert_mlp
    g.affine(profile(g, U), w, np.atleast_1d(model.intercept_), out=operator.outputs[0].full_name)
