"""A user's own table of numbers, read from a CSV file with Python's ``csv`` module.

Every problem with the data is a ValueError that names the file, the line (1-based, as
an editor shows it) and the column, so it can be found and fixed.
"""

from __future__ import annotations

import csv as _csv
import math
import numbers
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..i18n import N_, Message
from .task import infer_task

__all__ = ["CSVData", "csv", "detect_delimiter"]


def _said(template: str, **fields: Any) -> Message:
    """A problem with the file, in the language current when it is read (``data`` catalog)."""
    return Message("data", template, **fields)


def _not_text(path: Path, encoding: str, error: UnicodeDecodeError) -> ValueError:
    return ValueError(
        _said(
            N_("{path}: not {encoding} text ({error})"), path=path, encoding=encoding, error=error
        )
    )


def _at(path: Path, line: int, column: int, name: str) -> Message:
    """Where a cell is: its file, line (1-based) and column (1-based) and the column's name."""
    return _said(
        N_("{path}, line {line}, column {column} ({name!r})"),
        path=path,
        line=line,
        column=column + 1,
        name=name,
    )


@dataclass(frozen=True, eq=False)
class CSVData:
    """What :func:`csv` read: the arrays and the names that go with them.

    Unpacks as ``X, y = fcnn.data.csv(path)``; the names stay on the object.

    Attributes
    ----------
    X : ndarray, shape (N, features), float64
    y : ndarray, shape (N,)
        int64 class labels or float64 regression targets (see :func:`csv`).
    feature_names : tuple of str
        The header's names of the feature columns (``"column 1"``, ... without a header).
    target_name : str
    classes : tuple of str or None
        For a text target, the class names in label order (``y == i`` means
        ``classes[i]``); None for a numeric target.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target_name: str
    classes: tuple[str, ...] | None = None

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``, as :func:`fcnn.data.infer_task`
        infers it from the target (text and few integer labels are classes); a target
        with one class, or too many, raises ValueError."""
        return infer_task(self.y, self.classes, name=self.target_name)[0]

    def __iter__(self):
        yield self.X
        yield self.y

    def __repr__(self) -> str:
        classes = "" if self.classes is None else f", classes={self.classes!r}"
        return (
            f"CSVData(X={self.X.shape} {self.X.dtype}, y={self.y.shape} {self.y.dtype}, "
            f"target={self.target_name!r}{classes})"
        )


# The separators a table is looked for with; spaces are left out (they occur in names).
_DELIMITERS = ",;\t|"
_BY_SUFFIX = {".tsv": "\t", ".tab": "\t"}


def detect_delimiter(path: str | os.PathLike, encoding: str = "utf-8-sig") -> str:
    """The field separator of a table: a tab for ``.tsv`` / ``.tab`` files, else the one
    of ``, ; TAB |`` that Python's ``csv.Sniffer`` finds used consistently in the first
    lines (a comma when none is). A header line makes the guess reliable: decimal
    commas in the data rows do not fool it, because the header has none."""
    path = Path(path)
    if path.suffix.lower() in _BY_SUFFIX:
        return _BY_SUFFIX[path.suffix.lower()]
    try:
        with open(path, newline="", encoding=encoding) as stream:
            sample = stream.read(1 << 16)
    except UnicodeDecodeError as error:
        raise _not_text(path, encoding, error) from None
    if len(sample) == 1 << 16:  # only whole lines: a cut-off last line would skew the count
        sample = sample[: sample.rfind("\n") + 1] or sample
    try:
        return _csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except _csv.Error:  # one column, or no separator used consistently
        return ","


def _read_rows(
    path: Path, delimiter: str | None, encoding: str
) -> tuple[list[tuple[int, list[str]]], str]:
    """The non-blank rows with their line numbers, and the delimiter they were split at."""
    if delimiter is None:
        delimiter = detect_delimiter(path, encoding)
    rows = []
    try:
        with open(path, newline="", encoding=encoding) as stream:
            reader = _csv.reader(stream, delimiter=delimiter, strict=True)
            try:
                for cells in reader:
                    if not cells or (len(cells) == 1 and not cells[0].strip()):
                        continue  # a blank line
                    rows.append((reader.line_num, [cell.strip() for cell in cells]))
            except _csv.Error as error:
                template = N_("{path}, line {line}: malformed CSV: {error}")
                line = reader.line_num
                raise ValueError(_said(template, path=path, line=line, error=error)) from None
    except UnicodeDecodeError as error:
        raise _not_text(path, encoding, error) from None
    return rows, delimiter


def _resolve_target(path: Path, target: Any, names: list[str], header: bool) -> int:
    width = len(names)
    if isinstance(target, str):
        if not header:
            template = N_(
                "{path}: target={target!r} is a column name but header=False; "
                "give the target column's index"
            )
            raise ValueError(_said(template, path=path, target=target))
        matches = [i for i, name in enumerate(names) if name == target]
        if not matches:
            columns = ", ".join(repr(name) for name in names)
            template = N_("{path}: target={target!r}: no such column; the columns are {columns}")
            raise ValueError(_said(template, path=path, target=target, columns=columns))
        if len(matches) > 1:
            where = ", ".join(str(i + 1) for i in matches)
            template = N_("{path}: target={target!r} names several columns ({where})")
            raise ValueError(_said(template, path=path, target=target, where=where))
        return matches[0]
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):
        template = N_("{path}: target={target!r}: expected a column name or an index")
        raise TypeError(_said(template, path=path, target=target))
    if not -width <= target < width:
        template = N_(
            "{path}: target={target}: no such column; the file has {width} columns "
            "(indices 0..{last}, or -{width}..-1 from the end)"
        )
        raise ValueError(_said(template, path=path, target=target, width=width, last=width - 1))
    return int(target) % width


def _number(path: Path, line: int, column: int, name: str, cell: str) -> float:
    if not cell:
        raise ValueError(_said(N_("{where}: empty cell"), where=_at(path, line, column, name)))
    try:
        value = float(cell)
    except ValueError:
        where = _at(path, line, column, name)
        raise ValueError(
            _said(N_("{where}: {cell!r} is not a number"), where=where, cell=cell)
        ) from None
    if not math.isfinite(value):
        template = N_("{where}: {cell!r} is not a finite number (NaN and infinity are refused)")
        raise ValueError(_said(template, where=_at(path, line, column, name), cell=cell))
    return value


def _is_int(cell: str) -> bool:
    try:
        int(cell)
    except ValueError:
        return False
    return True


def _is_float(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _target_values(
    path: Path, rows: list[tuple[int, list[str]]], column: int, name: str
) -> tuple[np.ndarray, tuple[str, ...] | None]:
    cells = [cells[column] for _, cells in rows]
    lines = [line for line, _ in rows]
    for line, cell in zip(lines, cells, strict=True):
        if not cell:
            raise ValueError(_said(N_("{where}: empty cell"), where=_at(path, line, column, name)))
    if all(_is_int(cell) for cell in cells):
        return np.array([int(cell) for cell in cells], dtype=np.int64), None
    numeric = [_is_float(cell) for cell in cells]
    if all(numeric):
        values = zip(lines, cells, strict=True)
        return np.array([_number(path, line, column, name, cell) for line, cell in values]), None
    if any(numeric):
        first_number = numeric.index(True)
        first_text = numeric.index(False)
        template = N_(
            "{path}: target column {column} ({name!r}) mixes numbers "
            "(line {number_line}: {number!r}) and text (line {text_line}: {text!r}); "
            "a target holds either numbers or class names"
        )
        raise ValueError(
            _said(
                template,
                path=path,
                column=column + 1,
                name=name,
                number_line=rows[first_number][0],
                number=cells[first_number],
                text_line=rows[first_text][0],
                text=cells[first_text],
            )
        )
    classes = tuple(sorted(set(cells)))
    index = {label: i for i, label in enumerate(classes)}
    return np.array([index[cell] for cell in cells], dtype=np.int64), classes


def csv(
    path: str | os.PathLike,
    target: str | int = -1,
    delimiter: str | None = None,
    header: bool = True,
    *,
    encoding: str = "utf-8-sig",
) -> CSVData:
    """Read features and a target from a CSV file.

    Every column but the target is a feature and must hold finite numbers. The target
    column is read as:

    - all integers (``0``, ``1``, ``7``): int64, kept as they are;
    - all numbers, some not integers: float64;
    - text (``setosa``, ``virginica``): class names, mapped to 0, 1, ... in sorted
      order; the names are returned in ``classes``.

    Whether integers are class labels or values is decided by
    :func:`fcnn.data.infer_task` (``CSVData.task``): few labels next to the rows are
    classes, prices and IDs are not.

    Blank lines are skipped; cells are stripped of surrounding spaces.

    Parameters
    ----------
    path : str or path-like
    target : str or int
        The target column's name (needs ``header``) or index (negative counts from
        the end); default the last column.
    delimiter : str, optional
        The field separator, e.g. ``";"`` or ``"\\t"``; by default detected
        (:func:`detect_delimiter`: a tab for ``.tsv``, else what the first lines use).
    header : bool
        Whether the first row holds column names.
    encoding : str
        The text encoding (a UTF-8 byte-order mark is skipped by default).

    Returns
    -------
    CSVData
        ``X`` (N, features) float64, ``y`` (N,), ``feature_names``, ``target_name``,
        ``classes``; unpacks as ``X, y``.

    Raises
    ------
    ValueError
        Naming the line and column: text in a numeric column, an empty cell, NaN or
        infinity, a row with the wrong number of cells, a target that mixes numbers and
        text; also an unknown target column, an empty file, or a file with fewer than
        two columns.
    """
    path = Path(path)
    rows, delimiter = _read_rows(path, delimiter, encoding)
    if not rows:
        raise ValueError(_said(N_("{path}: empty file: no header and no data rows"), path=path))
    if header:
        header_line, names = rows[0]
        rows = rows[1:]
        if not rows:
            template = N_("{path}: no data rows after the header (line {line})")
            raise ValueError(_said(template, path=path, line=header_line))
        origin = _said(N_("the header"))
    else:
        names = [f"column {i + 1}" for i in range(len(rows[0][1]))]
        origin = _said(N_("line {line}"), line=rows[0][0])
    width = len(names)
    if width < 2:
        template = N_(
            "{path}: {width} column; need at least one feature column and a target "
            "(is the delimiter {delimiter!r} right?)"
        )
        raise ValueError(_said(template, path=path, width=width, delimiter=delimiter))
    column = _resolve_target(path, target, names, header)
    for line, cells in rows:
        if len(cells) != width:
            template = N_("{path}, line {line}: {cells} cells, expected {width} as in {origin}")
            raise ValueError(
                _said(template, path=path, line=line, cells=len(cells), width=width, origin=origin)
            )
    features = [j for j in range(width) if j != column]
    X = np.empty((len(rows), len(features)))
    for i, (line, cells) in enumerate(rows):
        X[i] = [_number(path, line, j, names[j], cells[j]) for j in features]
    y, classes = _target_values(path, rows, column, names[column])
    return CSVData(X, y, tuple(names[j] for j in features), names[column], classes)


def csv_features(
    path: str | os.PathLike,
    feature_names: tuple[str, ...] | list[str] | None = None,
    delimiter: str | None = None,
    header: bool = True,
    *,
    encoding: str = "utf-8-sig",
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Read a CSV of features only, for prediction: every cell a finite number.

    With ``feature_names`` (those a model was trained on) and a header, exactly those
    columns are taken, in that order, so a file that still holds the target column (or
    others) works; a missing column is an error that names it.

    Returns
    -------
    X : ndarray (N, features) float64
    names : tuple of str
        The columns read.
    """
    path = Path(path)
    rows, _ = _read_rows(path, delimiter, encoding)
    if header:
        if not rows:
            raise ValueError(_said(N_("{path}: empty file: no header and no data rows"), path=path))
        (_, names), rows = rows[0], rows[1:]
    else:
        names = [f"column {i + 1}" for i in range(len(rows[0][1]))] if rows else []
    if not rows:
        raise ValueError(_said(N_("{path}: no data rows"), path=path))
    width = len(names)
    if feature_names is not None and header:
        missing = [name for name in feature_names if name not in names]
        if missing:
            needs = ", ".join(repr(n) for n in feature_names)
            template = N_("{path}: no column {name!r}; the model needs {needs}")
            raise ValueError(_said(template, path=path, name=missing[0], needs=needs))
        columns = [names.index(name) for name in feature_names]
    else:
        columns = list(range(width))
        if feature_names is not None and len(feature_names) != width:
            template = N_("{path}: {width} columns, but the model takes {features} features")
            raise ValueError(_said(template, path=path, width=width, features=len(feature_names)))
    for line, cells in rows:
        if len(cells) != width:
            template = N_("{path}, line {line}: {cells} cells, expected {width}")
            raise ValueError(_said(template, path=path, line=line, cells=len(cells), width=width))
    X = np.empty((len(rows), len(columns)))
    for i, (line, cells) in enumerate(rows):
        X[i] = [_number(path, line, j, names[j], cells[j]) for j in columns]
    return X, tuple(names[j] for j in columns)
