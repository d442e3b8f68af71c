"""The command line's CSV reader; each problem is a one-line :class:`UsageError`."""

import csv
import io
import math
import re
import shlex

# Cells that spreadsheets, R and pandas write for a missing value.
MISSING = {"", "na", "n/a", "#n/a", "nan", "null", "none", "?", "-", "."}


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit code 2."""


def read_csv(path, target=None, features=None, drop=None):
    """``(X, y, feature names, target name)`` from numbers under a header row.

    Separators: commas, semicolons or tabs. ``target``: by default the last column not in
    ``drop``; ``features``: the others; ``drop`` may name ``""``, the unnamed columns.
    """
    rows = _rows(path)
    if not rows:
        raise UsageError(f"{path} is empty; it needs a header row and data rows")
    header = [name.strip() for name in rows[0][1]]
    data = rows[1:]
    if not data:
        raise UsageError(f"{path} has a header row but no data rows")
    if all(_is_number(name) for name in header):
        raise UsageError(
            f"the first row of {path} holds numbers ({', '.join(header[:3])}...), not column "
            "names; add a header row that names the columns"
        )
    import numpy as np

    target, features = _choose_columns(path, header, target, features, drop)
    used = [header.index(name) for name in [*features, target]]
    values = np.empty((len(data), len(used)))
    for i, (line, row) in enumerate(data):
        if len(row) != len(header):
            raise UsageError(
                f"{path}, line {line}: {len(row)} fields, but the header has {len(header)}"
            )
        for out, j in enumerate(used):
            values[i, out] = _number(row[j].strip(), header[j], path, line, j == used[-1])
    _check_range(path, values, [*features, target])
    return values[:, :-1], values[:, -1], features, target


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_range(path, values, names):
    """Refuse what the models cannot fit: squares beyond float64, or a constant target."""
    import numpy as np

    largest = np.max(np.abs(values), axis=0)
    for name, m in zip(names, largest):
        if m > 1e150:  # its square, in J and in StandardScaler's variance, overflows
            raise UsageError(
                f"column {name!r} of {path} has values up to {m:.3g}, whose squares overflow "
                f"float64; divide it by 1e{int(np.log10(m)) - 2} before fitting"
            )
    y = values[:, -1]
    if np.all(y == y[0]):
        raise UsageError(
            f"the target {names[-1]!r} has the same value ({y[0]:g}) in every row of {path}: "
            "there is nothing to predict, and R^2 is undefined; choose another with --target"
        )


def _rows(path):
    """``(line number, row)`` of the non-blank rows; a first line ``sep=;`` (Excel's) is obeyed."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            text = f.read()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a UTF-8 text file; save it as CSV") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    lines = io.StringIO(text, newline=None)  # universal newlines: \r and \r\n become \n
    first = lines.readline()
    hint = first.rstrip("\n")  # not strip(): "sep=\t" names a tab
    if len(hint) == 5 and hint.lower().startswith("sep="):
        delimiter, skipped = hint[4], 1
    else:  # of comma, semicolon and tab, the one that splits the header into the most fields
        fields = {d: len(next(csv.reader([first], delimiter=d), [])) for d in ",;\t"}
        delimiter, skipped = max(fields, key=lambda d: (fields[d], d == ",")), 0
        lines.seek(0)
    try:
        reader = csv.reader(lines, delimiter=delimiter)
        return [
            (reader.line_num + skipped, row) for row in reader if any(cell.strip() for cell in row)
        ]
    except csv.Error as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def _choose_columns(path, header, target, features, drop):
    """Check the header and the user's column choices; return ``(target, features)``."""
    names = ", ".join(repr(name) for name in header)
    drop = set(drop or ())
    kept = [name for name in header if name not in drop]
    if target is None and not kept:
        raise UsageError("--drop leaves no columns")
    target = kept[-1] if target is None else target
    chosen = {"--features: ": features or (), "--drop: ": drop - {""}, "": [target]}
    for option, names_chosen in chosen.items():
        for name in names_chosen:
            if name not in header:
                raise UsageError(f"{option}{path} has no column {name!r}; its columns are: {names}")
    if target in drop or target in (features or ()):
        option = "--drop" if target in drop else "--features"
        raise UsageError(f"{option} names the target column {target!r}; leave it out")
    if features is None:
        features = [name for name in header if name != target and name not in drop]
    _check_used(path, header, target, features)
    return target, features


def _check_used(path, header, target, features):
    """The used columns are named, named once, and include features."""
    used = [*features, target]
    for j, name in enumerate(header):
        if name == "" and "" in used:
            where = "the first column (pandas' row names?)" if j == 0 else f"column {j + 1}"
            raise UsageError(f"{path}: {where} has no name; leave it out with --drop '' or name it")
        if name in used and header.count(name) > 1:
            columns = [str(k + 1) for k, other in enumerate(header) if other == name]
            raise UsageError(
                f"{path} has the column name {name!r} more than once "
                f"(columns {' and '.join(columns)}); rename all but one"
            )
    if len(set(features)) != len(features):
        raise UsageError("--features names a column more than once")
    if features:
        return
    if len(header) == 1:
        hint = ""
        if ";" in header[0] or "\t" in header[0]:
            hint = " (if it is separated by semicolons or tabs, the header must be too)"
        elif " " in header[0]:
            hint = " (separate the columns by commas, semicolons or tabs, not by spaces)"
        raise UsageError(
            f"{path} has only the column {target!r}; it needs feature columns too{hint}"
        )
    raise UsageError("no feature columns are left; keep some out of --drop")


def _number(text, column, path, line, is_target=False):
    """One cell as a finite float, or a UsageError that says what to do."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is not None and math.isfinite(value):
        return value
    where, fill, drop = f"{path}, line {line}", "fill in or drop that row", shlex.quote(column)
    if value is not None:
        raise UsageError(f"column {column!r} has a non-finite value ({where}: {text!r}); {fill}")
    if text.lower() in MISSING:
        raise UsageError(f"column {column!r} has a missing value ({where}); {fill}")
    if _is_number(text.replace(",", ".")):
        hint = "write decimal points, not decimal commas"
    elif re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", text):
        hint = "write numbers without thousands separators"
    elif is_target:
        hint = f"choose another with --target and leave this one out with --drop {drop}"
    else:
        hint = f"leave it out with --drop {drop}, or encode it"
    raise UsageError(f"column {column!r} is not numeric ({where}: {text!r}); {hint}")
