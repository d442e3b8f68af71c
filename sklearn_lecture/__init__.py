"""Lecture 3's RBFRegressor (section 2) and SigmoidMLPRegressor (sections 3-5) for scikit-learn."""

import importlib

# Each public name's module, imported on first use (PEP 562): --help need not load scikit-learn
_MODULES = dict.fromkeys(["TrainingProblem", "training_problem", "check_gradients"], "_gradcheck")
_MODULES |= {"SigmoidMLPRegressor": "_mlp", "DivergenceError": "_step", "RBFRegressor": "_rbf"}
_MODULES |= dict.fromkeys(["FitDisplay", "LossCurveDisplay"], "plotting")  # matplotlib: to draw


def __getattr__(name):
    if name in _MODULES:
        return getattr(importlib.import_module(f".{_MODULES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_MODULES})


__version__ = "0.1.0"

__all__ = [*_MODULES, "__version__"]
