"""sklearn_lecture: lecture 3 on neural networks, as scikit-learn estimators.

* :class:`RBFRegressor`: the RBF regression of section 2 (examples l6rbf1-3).
* :class:`SigmoidMLPRegressor`: the one-hidden-layer network of sections 3-5
  (example l3sig).

:mod:`sklearn_lecture.lecture` converts the slides' step a into ``learning_rate``
and lists which settings of the slides' examples are the slides' and which are
stand-ins.
"""

from ._gradcheck import TrainingProblem, check_gradients, training_problem
from ._mlp import SigmoidMLPRegressor
from ._optimizers import DivergenceError
from ._rbf import RBFRegressor
from .plotting import FitDisplay, LossCurveDisplay  # matplotlib is imported only to draw

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
