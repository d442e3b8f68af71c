"""The package's layout: which module may import which (issue 14).

The fit pipeline (``_base``) picks where the rows live once (``_backend``), the
dask backend (``_dask``) is built from the lower modules only, and no module
imports one that imports it. Read from the source with :mod:`ast`, so the test
sees imports inside functions too.
"""

import ast
from pathlib import Path

import sklearn_lecture

PACKAGE = Path(sklearn_lecture.__file__).parent


def _imports():
    """``{module: the package modules it imports}``, from relative imports anywhere in it."""
    modules = {path.stem: path for path in PACKAGE.glob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:  # from . import x
                    found.update(alias.name for alias in node.names)
        graph[name] = found & set(modules)
    return graph


def _reachable(graph, start):
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_module_imports_one_that_imports_it():
    graph = _imports()
    cycles = sorted((a, b) for a in graph for b in graph[a] if a in _reachable(graph, b))
    assert cycles == []


def test_the_dask_backend_is_built_from_lower_modules_only():
    graph = _imports()
    assert graph["_dask"] <= {"_objective", "_rows", "_standardize"}
    # and the pipeline reaches dask only through the backend's choice
    assert "_dask" not in graph["_base"]
    assert "_dask" in graph["_backend"]


def test_the_optimisers_know_no_model():
    graph = _imports()
    models = {"_base", "_mlp", "_rbf", "_backend", "_dask"}
    for module in ("_optimizers", "_objective", "_rows", "_kernels", "_standardize"):
        assert not (_reachable(graph, module) & models), module
