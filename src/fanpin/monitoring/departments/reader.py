"""Read a department file as text cells: .csv (UTF-8 or GB18030), .xlsx (first sheet) or .parquet.

The first non-blank row is the header. Numbers come back as their digits (an ID typed into Excel as a
number, 2025.0 → "2025"), dates as YYYY-MM-DD; blank rows are skipped; row numbers are the file's
(header = row 1 for .csv/.xlsx; for .parquet the header counts as row 1 too).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from fanpin.core.csvfiles import decode_text
from fanpin.core.errors import ApplicationError

SUFFIXES = (".csv", ".xlsx", ".parquet")


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


class DepartmentFile:
    """header: the column names; rows(): (row number, cells as text) for each non-blank row."""

    def __init__(self, path: Path | str, *, name: str):
        self.path = Path(path)
        self.name = name
        self.suffix = Path(name).suffix.lower()
        if self.suffix not in SUFFIXES:
            raise ApplicationError(f"文件“{name}”的格式不支持：请上传 .csv、.xlsx 或 .parquet 文件。")
        self._rows = self._read()
        try:
            self.header_row, header = next(self._rows)
        except StopIteration:
            raise ApplicationError(f"文件“{name}”是空的。") from None
        except ApplicationError:
            raise
        except Exception as exc:  # noqa: BLE001 — a broken file is refused with its name, never a crash
            raise ApplicationError(f"无法读取文件“{name}”：{exc.__class__.__name__}: {exc}") from exc
        self.header = [h.strip() for h in header]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header)
        for number, cells in self._rows:
            yield number, (cells + [""] * width)[:width]

    def _read(self) -> Iterator[tuple[int, list[str]]]:
        readers = {".csv": self._csv, ".xlsx": self._xlsx, ".parquet": self._parquet}
        rows = readers[self.suffix]()
        return (r for r in rows if any(c for c in r[1]))

    def _csv(self) -> Iterator[tuple[int, list[str]]]:
        text = decode_text(self.path.read_bytes(), name=self.name)
        for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
            yield number, [v.strip() for v in values]

    def _xlsx(self) -> Iterator[tuple[int, list[str]]]:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(self.path))
        sheet = book.get_sheet_by_index(0)
        for number, values in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            yield number, [cell_text(v) for v in values]

    def _parquet(self) -> Iterator[tuple[int, list[str]]]:
        import pyarrow.parquet as pq

        table = pq.read_table(self.path)
        yield 1, list(table.column_names)
        number = 1
        for batch in table.to_batches(max_chunksize=10_000):
            columns = [col.to_pylist() for col in batch.columns]
            for values in zip(*columns, strict=True):
                number += 1
                yield number, [cell_text(v) for v in values]
