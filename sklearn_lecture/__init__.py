"""sklearn_lecture: lecture 3 on neural networks, as scikit-learn estimators.

* :class:`RBFRegressor`: the RBF regression of section 2 (examples l6rbf1-3).
* :class:`SigmoidMLPRegressor`: the one-hidden-layer network of sections 3-5
  (example l3sig).

:mod:`sklearn_lecture.lecture` converts the slides' step a into ``learning_rate``
and lists which settings of the slides' examples are the slides' and which are
stand-ins.
"""

import importlib

# Each public name and the module it lives in, imported on first use (PEP 562), so that
# ``python -m sklearn_lecture --help`` does not wait for scikit-learn.
_MODULES = {
    "TrainingProblem": "_gradcheck",
    "training_problem": "_gradcheck",
    "check_gradients": "_gradcheck",
    "SigmoidMLPRegressor": "_mlp",
    "DivergenceError": "_step",
    "RBFRegressor": "_rbf",
    "FitDisplay": "plotting",  # matplotlib is imported only to draw
    "LossCurveDisplay": "plotting",
}


def __getattr__(name):
    if name in _MODULES:
        return getattr(importlib.import_module(f".{_MODULES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_MODULES})


__version__ = "0.1.0"

__all__ = [
    "RBFRegressor",
    "SigmoidMLPRegressor",
    "check_gradients",
    "training_problem",
    "TrainingProblem",
    "DivergenceError",
    "FitDisplay",
    "LossCurveDisplay",
    "__version__",
]
