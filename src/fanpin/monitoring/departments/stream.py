"""Read a department file in record batches of text cells, in bounded memory: .csv (UTF-8 or GB18030)
through Arrow's streaming CSV reader, .parquet by row groups, .xlsx row by row (a sheet holds at most
1,048,576 rows).

Each chunk is (row number of its first row, Arrow table of string columns named as the header).
Row numbers are the file's: the header is row 1. For .csv, blank lines are not counted (a file with
blank lines in the middle numbers the rows after them as if the blank lines were not there).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from fanpin.core.errors import ApplicationError
from fanpin.monitoring.departments.reader import SUFFIXES, cell_text

CHUNK_ROWS = 200_000
CSV_BLOCK = 16 << 20
SNIFF = 1 << 20


@dataclass
class Progress:
    done: int = 0
    total: int = 0  # bytes for .csv, rows for .parquet/.xlsx


@dataclass
class StreamFile:
    path: Path
    name: str
    header: list[str]
    encoding: str = "utf-8"
    bad_lines: list[tuple[int | None, str]] = field(default_factory=list)  # csv rows of the wrong width
    progress: Progress = field(default_factory=Progress)

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


def _refuse(name: str, exc: Exception) -> ApplicationError:
    return ApplicationError(f"无法读取文件“{name}”：{exc.__class__.__name__}: {exc}")


def _csv_encoding(path: Path, name: str) -> str:
    with open(path, "rb") as f:
        sample = f.read(SNIFF)
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(sample, final=len(sample) < SNIFF)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ApplicationError(f"文件“{name}”既不是 UTF-8 也不是 GB18030 编码，请另存为 UTF-8 CSV 后重试。")


def _csv_header(path: Path, encoding: str) -> list[str]:
    import csv

    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="replace") as f:
        for values in csv.reader(f):
            if any(v.strip() for v in values):
                return [v.strip() for v in values]
    return []


def open_stream(path: Path | str, *, name: str) -> StreamFile:
    """Open the file and read its header (the first non-blank row); refuse what cannot be read."""
    path = Path(path)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ApplicationError(f"文件“{name}”的格式不支持：请上传 .csv、.xlsx 或 .parquet 文件。")
    try:
        if suffix == ".csv":
            encoding = _csv_encoding(path, name)
            header = _csv_header(path, encoding)
            stream = StreamFile(path, name, header, encoding)
            stream.progress.total = path.stat().st_size
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            meta = pq.ParquetFile(path)
            header = [str(n).strip() for n in meta.schema_arrow.names]
            stream = StreamFile(path, name, header)
            stream.progress.total = meta.metadata.num_rows
        else:
            from python_calamine import CalamineWorkbook

            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            header = []
            for values in sheet.iter_rows():
                cells = [cell_text(v) for v in values]
                if any(cells):
                    header = cells
                    break
            stream = StreamFile(path, name, header)
            stream.progress.total = sheet.height
    except ApplicationError:
        raise
    except Exception as exc:  # noqa: BLE001 — a broken file is refused with its name, never a crash
        raise _refuse(name, exc) from exc
    if not any(header):
        raise ApplicationError(f"文件“{name}”是空的。")
    return stream


def chunks(stream: StreamFile) -> Iterator[tuple[int, pa.Table]]:
    try:
        yield from READERS[stream.suffix](stream)
    except ApplicationError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _refuse(stream.name, exc) from exc


def _names(stream: StreamFile) -> list[str]:
    """Unique column names (a repeated or blank header cell gets a suffix nobody asks for)."""
    seen: dict[str, int] = {}
    names = []
    for i, h in enumerate(stream.header):
        h = h or f"_blank{i}"
        if h in seen:
            seen[h] += 1
            h = f"{h}_{seen[h]}"
        else:
            seen[h] = 0
        names.append(h)
    return names


class _Counting(io.RawIOBase):
    def __init__(self, f, progress: Progress):
        self.f = f
        self.progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self.f.readinto(b)
        self.progress.done += n or 0
        return n


def _csv_chunks(stream: StreamFile) -> Iterator[tuple[int, pa.Table]]:
    import pyarrow.csv as pcsv

    names = _names(stream)

    def bad(row) -> str:
        stream.bad_lines.append((row.number, row.text[:200]))
        return "skip"

    read = pcsv.ReadOptions(
        column_names=names,
        skip_rows=0,
        block_size=CSV_BLOCK,
        encoding="utf8" if stream.encoding == "utf-8" else stream.encoding,
        use_threads=True,
    )
    parse = pcsv.ParseOptions(newlines_in_values=True, invalid_row_handler=bad)
    convert = pcsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    with open(stream.path, "rb") as raw:
        counting = io.BufferedReader(_Counting(raw, stream.progress), buffer_size=1 << 20)
        reader = pcsv.open_csv(counting, read_options=read, parse_options=parse, convert_options=convert)
        row = 0  # rows read so far, the header included (header = row 1)
        header_seen = False
        for batch in reader:
            table = pa.Table.from_batches([batch])
            if not header_seen:
                # The header row (and blank-looking rows before it) come back as data: skip them.
                first = _header_position(table, stream.header)
                row = first + 1
                table = table.slice(first + 1)
                header_seen = True
            if table.num_rows:
                yield row + 1, table
                row += table.num_rows


def _header_position(table: pa.Table, header: list[str]) -> int:
    """Where the header row is in the first chunk (rows of empty cells may come first)."""
    limit = min(table.num_rows, 50)
    columns = [table.column(i).slice(0, limit).to_pylist() for i in range(table.num_columns)]
    for i in range(limit):
        cells = [(c[i] or "").strip().lstrip("\ufeff") for c in columns]
        if cells[: len(header)] == header[: len(cells)]:
            return i
    return 0


def _parquet_chunks(stream: StreamFile) -> Iterator[tuple[int, pa.Table]]:
    import pyarrow.parquet as pq

    names = _names(stream)
    row = 2
    for batch in pq.ParquetFile(stream.path).iter_batches(batch_size=CHUNK_ROWS):
        columns = [_as_text(batch.column(i)) for i in range(batch.num_columns)]
        yield row, pa.table(columns, names=names)
        row += batch.num_rows
        stream.progress.done += batch.num_rows


def _as_text(column: pa.Array) -> pa.Array:
    """Cells as text the way fanpin.monitoring.departments.reader.cell_text writes them."""
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.fill_null(column.cast(pa.string()), "")
    if pa.types.is_integer(kind):
        return pc.fill_null(column.cast(pa.string()), "")
    return pa.array([cell_text(v) for v in column.to_pylist()], type=pa.string())


def _xlsx_chunks(stream: StreamFile) -> Iterator[tuple[int, pa.Table]]:
    from python_calamine import CalamineWorkbook

    names = _names(stream)
    width = len(names)
    sheet = CalamineWorkbook.from_path(str(stream.path)).get_sheet_by_index(0)
    rows: list[list[str]] = []
    first = 0
    number = 0
    header_seen = False
    for values in sheet.iter_rows():
        number += 1
        cells = [cell_text(v) for v in values]
        stream.progress.done = number
        if not header_seen:
            header_seen = any(cells)
            continue
        if not rows:
            first = number
        rows.append((cells + [""] * width)[:width])
        if len(rows) >= CHUNK_ROWS // 4:
            yield first, _rows_table(rows, names)
            rows = []
    if rows:
        yield first, _rows_table(rows, names)


def _rows_table(rows: list[list[str]], names: list[str]) -> pa.Table:
    return pa.table({n: pa.array([r[i] for r in rows], type=pa.string()) for i, n in enumerate(names)})


READERS = {".csv": _csv_chunks, ".parquet": _parquet_chunks, ".xlsx": _xlsx_chunks}
