"""
==========================================================
Cross-validated comparison with LinearRegression
==========================================================

The two lecture estimators on a real data set, scikit-learn's diabetes data
(442 patients, 10 features), each in a Pipeline after
:class:`~sklearn.preprocessing.StandardScaler`, against
:class:`~sklearn.linear_model.LinearRegression` and, as a reference,
scikit-learn's own :class:`~sklearn.neural_network.MLPRegressor`. This is the
comparison the main job (``python -m sklearn_lecture``) prints.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_validate
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import RBFRegressor, SigmoidMLPRegressor

FIGURES = Path(os.environ.get("SKLEARN_LECTURE_FIGURES") or Path(__file__).parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
QUICK = os.environ.get("SKLEARN_LECTURE_QUICK") == "1"

X, y = load_diabetes(return_X_y=True)

# %%
# The models
# ----------
# The three networks get the same stopping rule: hold out 10% of each training
# fold and keep the weights with the best validation R^2 (``early_stopping``).
# Our estimators standardise y inside ``fit``; TransformedTargetRegressor does
# the same for MLPRegressor, so that all three see the same problem.
common = dict(max_iter=400 if QUICK else 2000, early_stopping=True, random_state=0)
models = {
    "LinearRegression": LinearRegression(),
    "RBFRegressor(K=20)": make_pipeline(StandardScaler(), RBFRegressor(20, **common)),
    "SigmoidMLPRegressor(h=20)": make_pipeline(StandardScaler(),
                                               SigmoidMLPRegressor((20,), **common)),
    "MLPRegressor(h=20)": make_pipeline(
        StandardScaler(),
        TransformedTargetRegressor(MLPRegressor(hidden_layer_sizes=(20,), **common),
                                   transformer=StandardScaler()),
    ),
}

# %%
# Cross-validation
# ----------------
cv = KFold(n_splits=2 if QUICK else 5, shuffle=True, random_state=0)
results = {}
print(f"{'model':<28}{'R^2 mean +- std':>18}{'fit time (s)':>14}")
for name, model in models.items():
    res = cross_validate(model, X, y, cv=cv)
    results[name] = res["test_score"]
    r2 = f"{res['test_score'].mean():.3f} +- {res['test_score'].std():.3f}"
    print(f"{name:<28}{r2:>18}{res['fit_time'].mean():>14.3f}")

# %%
# On this data set a straight line is hard to beat. How close each network comes
# in this run (mean held-out R^2 minus LinearRegression's):
for name, scores in results.items():
    if name != "LinearRegression":
        print(f"{name}: {scores.mean() - results['LinearRegression'].mean():+.3f}")
fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
for i, (name, scores) in enumerate(results.items()):
    ax.plot(scores, np.full(len(scores), i), "o", color="tab:gray", alpha=0.6)
    ax.errorbar(scores.mean(), i, xerr=scores.std(), fmt="D", color="tab:red", capsize=4)
ax.set_yticks(range(len(results)), list(results))
ax.invert_yaxis()
ax.set_xlabel(f"R^2 on the held-out folds (dots: each of the {cv.get_n_splits()} folds; "
              "diamond: mean +- std)")
ax.set_title(f"Held-out R^2 on the diabetes data ({X.shape[0]} rows, {X.shape[1]} features)")
fig.savefig(FIGURES / "compare_linear_regression.png", dpi=150)
