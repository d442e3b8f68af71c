"""
===================================================================
GridSearchCV over the kernel, the number of units and the step size
===================================================================

Both estimators are ordinary scikit-learn regressors, so a Pipeline with a
scaler and :class:`~sklearn.model_selection.GridSearchCV` can choose the
kernel Phi, the number of hidden units h (or radial units K) and the learning
rate alpha by cross-validation, here on two cores (``n_jobs=2``), on the
lecture's three-regions data.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lecture import FitDisplay, RBFRegressor, SigmoidMLPRegressor
from sklearn_lecture.datasets import make_three_regions

FIGURES = Path(os.environ.get("SKLEARN_LECTURE_FIGURES") or Path(__file__).parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
QUICK = os.environ.get("SKLEARN_LECTURE_QUICK") == "1"

X, y = make_three_regions(n_samples=90)

# %%
# The search
# ----------
# One grid per estimator: the step ``model`` of the Pipeline is itself a
# parameter, so both lecture models compete in the same search.
max_iter = 3000
pipe = Pipeline([("scale", StandardScaler()), ("model", SigmoidMLPRegressor())])
param_grid = [
    {
        "model": [SigmoidMLPRegressor(max_iter=max_iter, random_state=0)],
        "model__kernel": ["sigmoid", "rbf", "relu"],
        "model__hidden_layer_sizes": [(3,), (10,)],
        "model__learning_rate": ["auto", 0.1],
    },
    {
        "model": [RBFRegressor(max_iter=max_iter, random_state=0)],
        "model__kernel": ["rbf", "relu"],
        "model__n_centers": [3, 10],
        "model__learning_rate": ["auto", 0.1],
    },
]
if QUICK:  # a smaller grid for the test suite
    param_grid[0]["model__kernel"] = ["relu"]
    param_grid[1]["model__kernel"] = ["rbf"]
    param_grid[1]["model__learning_rate"] = ["auto"]
cv = KFold(2 if QUICK else 3, shuffle=True, random_state=0)
search = GridSearchCV(pipe, param_grid, cv=cv, n_jobs=2)
search.fit(X, y)
print(f"best R^2 = {search.best_score_:.4f} with {search.best_params_}")

# %%
# The ranking
# -----------
rows = sorted(zip(search.cv_results_["rank_test_score"], search.cv_results_["params"],
                  search.cv_results_["mean_test_score"]), key=lambda r: r[0])
for rank, params, score in rows[:8]:
    model = type(params["model"]).__name__
    shown = {k.split("__")[1]: v for k, v in params.items() if "__" in k}
    print(f"{rank:2d}. R^2 = {score:.4f}  {model} {shown}")

# %%
# The chosen model, refitted on all the data
# ------------------------------------------
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
best = search.best_estimator_
chosen = ", ".join(f"{k.split('__')[1]}={v!r}" for k, v in search.best_params_.items()
                   if "__" in k)
FitDisplay.from_estimator(best, X, y, ax=ax, name=f"{type(best[-1]).__name__}({chosen})",
                          data_kw={"markersize": 4}, show_units=False)
# the legend under the axes, where it cannot cover the points
ax.get_legend().remove()
fig.legend(loc="outside lower center", ncols=2, fontsize="small")
ax.set_title(f"best of the grid search (CV R^2 = {search.best_score_:.3f})")
fig.savefig(FIGURES / "grid_search.png", dpi=150)
