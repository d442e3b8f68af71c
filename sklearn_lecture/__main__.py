"""``python -m sklearn_lecture``: the main job (see ``python -m sklearn_lecture --help``)."""

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
