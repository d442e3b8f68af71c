"""Fail unless the installed versions are exactly the pins of the constraints file,
and each pin is the lower bound pyproject.toml declares for it."""

import re
import sys
from importlib.metadata import version
from pathlib import Path

import tomllib

constraints = Path(sys.argv[1])
pins = {}
for line in constraints.read_text().splitlines():
    line = line.split("#", 1)[0].strip()
    if line:
        name, pinned = line.split("==")
        pins[name.strip()] = pinned.strip()

pyproject = tomllib.loads((constraints.parent.parent / "pyproject.toml").read_text())
bounds = {}
for requirement in pyproject["project"]["dependencies"]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)", requirement)
    if match:
        bounds[match.group(1)] = match.group(2)

errors = []
for name, pinned in pins.items():
    installed = version(name)
    print(f"{name}: installed {installed}, pinned {pinned}, pyproject >= {bounds.get(name)}")
    if installed != pinned:
        errors.append(f"{name} {installed} is installed, but {pinned} is pinned")
    lower = bounds.get(name, "").split(".")
    if name in bounds and pinned.split(".")[: len(lower)] != lower:
        errors.append(f"{name}: the pin {pinned} is not pyproject's lower bound {bounds[name]}")
missing = set(bounds) - set(pins)
if missing:
    errors.append(f"no pin for {sorted(missing)} in {constraints}")
if errors:
    sys.exit("\n".join(errors))
