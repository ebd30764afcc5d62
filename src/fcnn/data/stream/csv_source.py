"""A CSV file larger than memory, streamed block by block by pyarrow's CSV reader.

A CSV file can only be read from its start, so its chunks (blocks of ``block_size``
bytes of text) come in file order every epoch and shuffling is the shuffle buffer's
alone; for chunks visited in a random order, convert the file to Parquet once.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Any

from ...i18n import N_, Message
from .base import BatchSource, StreamError, file_fingerprint
from .columns import check_columns, to_arrays

__all__ = ["CSVSource"]

DEFAULT_BLOCK_SIZE = 1 << 22  # bytes of text per chunk (4 MiB)


def _first_line(path: Path, delimiter: str, bad) -> tuple[int, list[str], int] | None:
    """(line number, fields, header's field count) of the first row ``bad(row, expected)``
    holds for: read again only after pyarrow has reported an error (it does not say
    where, only what)."""
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        expected = len(next(reader, []))
        for row in reader:
            if row and bad(row, expected):
                return reader.line_num, row, expected
    return None


def _not_a_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.strip() != ""  # an empty cell is a missing value, not text
    return False


class CSVSource(BatchSource):
    """Rows of a CSV file with a header line, read in blocks.

    Parameters
    ----------
    path : path
    target : str, optional
        The target column; the others are the features, all numeric (column types are
        those pyarrow infers from the first block).
    delimiter : str
    block_size : int
        Bytes of text read and converted at a time.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        target: str | None = None,
        *,
        delimiter: str = ",",
        block_size: int = DEFAULT_BLOCK_SIZE,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.path, self.target, self.delimiter = Path(path), target, delimiter
        self.block_size = int(block_size)
        if not self.path.is_file():
            raise StreamError(
                Message("data", N_("{who}: {path} does not exist"), who="CSVSource", path=self.path)
            )
        reader = self._open()
        try:
            self._schema = reader.schema
        finally:
            reader.close()
        self._features = check_columns("CSVSource", self.path, self._schema, target)
        self.feature_names = list(self._features)

    def _open(self) -> Any:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        try:
            return pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(block_size=self.block_size),
                parse_options=pacsv.ParseOptions(delimiter=self.delimiter),
                convert_options=pacsv.ConvertOptions(column_types=getattr(self, "_schema", None)),
            )
        except pa.ArrowInvalid as err:
            raise self._explain(err) from None

    def _explain(self, err: Exception) -> StreamError:
        text = str(err)
        ragged = "Expected" in text and "columns" in text
        column = re.search(r"CSV column #(\d+)", text)
        if ragged:
            found = _first_line(self.path, self.delimiter, lambda row, n: len(row) != n)
            if found:
                line, row, expected = found
                template = N_(
                    "CSVSource: {path}: line {line} has {fields} fields where the header has "
                    "{expected}; fix or remove that row (quote any field holding the delimiter)"
                )
                said = {"line": line, "fields": len(row), "expected": expected}
                return StreamError(Message("data", template, path=self.path, **said))
        elif column and "conversion error" in text:
            j = int(column.group(1))
            name = self._schema.names[j]
            found = _first_line(
                self.path, self.delimiter, lambda row, n: j < len(row) and _not_a_number(row[j])
            )
            where = (
                Message("data", N_("line {line} holds {cell!r}"), line=found[0], cell=found[1][j])
                if found
                else text
            )
            template = N_(
                "CSVSource: {path}: column {name!r} is numeric in the first rows but "
                "{where}; fix that value, or drop the column"
            )
            return StreamError(Message("data", template, path=self.path, name=name, where=where))
        template = N_("CSVSource: {path} cannot be read: {text}")
        return StreamError(Message("data", template, path=self.path, text=text))

    def _stream(self):
        import pyarrow as pa

        reader = self._open()
        try:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                except pa.ArrowInvalid as err:
                    raise self._explain(err) from None
                yield to_arrays(batch, self._features, self.target, self.dtype)
        finally:
            reader.close()

    def fingerprint(self) -> dict[str, Any]:
        return {
            "kind": "csv",
            "target": self.target,
            "schema": str(self._schema),
            "file": file_fingerprint(self.path),
        }
