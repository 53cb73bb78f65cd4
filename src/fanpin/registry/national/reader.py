"""Read a national-format file (.xlsx, or .csv in UTF-8 / GB18030) as text cells, block by block.

The header row is found within the first rows (the export has two title rows before it). Every cell
comes back as a string: numbers stored as numbers (an ID typed into Excel, say) are turned back into
their digits, dates into YYYYMMDD; text is stripped of surrounding whitespace; blank rows are skipped.

Blocks are column-major (`Block.columns[i]` is column i of the block's rows, `Block.numbers` their
row numbers), which lets the parser check and convert a column at a time. A column with few distinct
values (是/否, code tables, names of places, the amounts of a household repeated on each of its rows)
comes as a `Coded` column: its distinct values and one byte per row, so the parser checks each value
once and nobody builds a string object per cell.

An .xlsx is streamed: the sheet's XML is decompressed piece by piece, each piece cut after a whole
`</row>` and read by calamine as a small workbook of its own (the original's styles, shared strings
and workbook parts around it), so memory stays bounded however many rows the file has (calamine on
the whole sheet holds every cell: ~5.6 GB for a million rows × 80 columns). When there are several
pieces, forked worker processes parse them (calamine, then the columns) while this process goes on
with the rows already read. A file whose XML is not laid out as expected (no literal `<sheetData>`,
prefixed tags, …) is read by calamine whole, as before.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
import marshal
import multiprocessing
import os
import posixpath
import re
import struct
import tempfile
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import compress
from pathlib import Path
from xml.etree import ElementTree

from fanpin.core.csvfiles import decode_text
from fanpin.core.errors import ApplicationError

HEADER_MARKER = "户编号"
HEADER_SEARCH_ROWS = 10
BLOCK_ROWS = 10_000  # rows per block for .csv and the whole-sheet fallback
PIECE_BYTES = 8 << 20  # decompressed sheet XML per piece (~2,800 rows of the national export)
MAX_WORKERS = 2
TEMP = tempfile.gettempdir()
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else TEMP
_serial = itertools.count()


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    return str(value).strip()


class Coded:
    """A column as its distinct values and, for each row, the index of its value (one byte)."""

    __slots__ = ("values", "codes")

    def __init__(self, values: list[str], codes: bytes):
        self.values = values
        self.codes = codes

    def texts(self) -> list[str]:
        return list(map(self.values.__getitem__, self.codes))


Cells = Sequence[str] | Coded  # one column of a block


def texts(column: Cells) -> Sequence[str]:
    """A column's cell texts, one per row."""
    return column.texts() if column.__class__ is Coded else column  # type: ignore[union-attr]


@dataclass
class Block:
    numbers: list[int]
    columns: list[Cells]


def _normalize(numbers: list[int], rows: list[list]) -> tuple[list[int], list[tuple]] | None:
    """Raw cell values (rows) -> (row numbers, columns of cell texts), blank rows dropped."""
    if not rows:
        return None
    width = max(map(len, rows))
    if min(map(len, rows)) != width:
        rows = [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in rows]
    columns = list(zip(*rows, strict=True))
    exact = True  # every cell is a str without surrounding whitespace: the raw rows are the texts
    for i, column in enumerate(columns):
        try:
            stripped = tuple(map(str.strip, column))
        except TypeError:  # a number, date or boolean cell
            columns[i] = tuple([cell_text(v) for v in column])
            exact = False
            continue
        if stripped != column:
            columns[i] = stripped
            exact = False
    keep = [any(r) for r in rows] if exact else [any(t) for t in zip(*columns, strict=True)]
    if not all(keep):
        numbers = list(compress(numbers, keep))
        if not numbers:
            return None
        columns = [tuple(compress(c, keep)) for c in columns]
    return numbers, columns


def _encode(columns: list[tuple]) -> list:
    """Columns of at most 255 distinct values as [values, codes] (marshal-friendly), others as is."""
    out: list = []
    for column in columns:
        if len(column) > 1024 and len(set(column[:512])) > 128:  # clearly many distinct values
            out.append(column)
            continue
        index = dict.fromkeys(column)
        if len(index) > 255 or len(index) * 2 > len(column):
            out.append(column)
            continue
        values = list(index)
        index = {v: i for i, v in enumerate(values)}
        out.append([values, bytes(map(index.__getitem__, column))])
    return out


def _decode(numbers: list[int], columns: list) -> Block:
    return Block(numbers, [Coded(*c) if c.__class__ is list else c for c in columns])


def _block(numbers: list[int], rows: list[list]) -> Block | None:
    normal = _normalize(numbers, rows)
    return None if normal is None else _decode(normal[0], _encode(normal[1]))


# ---- .xlsx pieces ---------------------------------------------------------------------------------


class _Layout(Exception):
    """The workbook is not laid out as the piecewise reader expects: read it whole."""


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels(book: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, part name) of `part`."""
    name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    try:
        root = ElementTree.fromstring(book.read(name))
    except KeyError:
        return {}
    return {
        r.get("Id", ""): (r.get("Type", ""), _resolve(part, r.get("Target", "")))
        for r in root.iterfind(".//{*}Relationship")
        if r.get("TargetMode") != "External"
    }


class _XlsxPieces:
    """The first sheet's XML in pieces of whole rows, each a complete worksheet document; `parts`
    are the workbook parts calamine needs around it (workbook, relationships, styles, strings)."""

    def __init__(self, path: Path):
        try:
            self.book = zipfile.ZipFile(path)
            office = next(
                (p for t, p in _rels(self.book, "").values() if t.endswith("/officeDocument")),
                "xl/workbook.xml",
            )
            workbook = ElementTree.fromstring(self.book.read(office))
            first = next(workbook.iterfind(".//{*}sheets/{*}sheet"))
            rid = next(v for k, v in first.attrib.items() if k.endswith("}id"))
            rels = _rels(self.book, office)
            kind, self.sheet = rels[rid]
            if not kind.endswith("/worksheet"):
                raise _Layout
            keep = {"[Content_Types].xml", "_rels/.rels", office, posixpath.join(
                posixpath.dirname(office), "_rels", posixpath.basename(office) + ".rels"
            )}  # fmt: skip
            keep.update(p for t, p in rels.values() if t.endswith(("/styles", "/sharedStrings")))
            self.parts = {name: self.book.read(name) for name in keep if name in self.book.NameToInfo}
            self.sheet_size = self.book.getinfo(self.sheet).file_size
            shared = sum(len(v) for k, v in self.parts.items() if "sharedStrings" in k)
        except (
            _Layout, StopIteration, KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, zlib.error,
            EOFError, struct.error, ValueError,
        ):  # fmt: skip
            raise _Layout from None
        # With a large shared-strings part (read again for every piece), use fewer, larger pieces.
        self.piece_bytes = max(PIECE_BYTES, 4 * shared)
        self.chunks = self._inflate(self.book.getinfo(self.sheet), path)
        head = b""
        while b"<sheetData>" not in head:
            data = next(self.chunks, b"")
            if not data or len(head) > (1 << 22):
                self.close()
                raise _Layout
            head += data
        start = head.index(b"<sheetData>") + len(b"<sheetData>")
        prefix, self.rest = head[:start], head[start:]
        found = re.search(rb'<dimension ref="[A-Z]*\d*:?[A-Z]*(\d+)"\s*/>', prefix)
        self.total_rows = int(found.group(1)) if found else None
        # Without <dimension>, calamine sizes each piece by its own rows.
        self.prefix = re.sub(rb"<dimension\b[^>]*/>", b"", prefix)

    def _inflate(self, info: zipfile.ZipInfo, path: Path) -> Iterator[bytes]:
        """The sheet part's bytes, inflated 64 KiB of compressed data at a time. Straight from the
        file, without zipfile's CRC pass over gigabytes: calamine parses every byte anyway."""
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            raise _Layout  # encrypted, or compressed in a way only zipfile knows
        self.file = open(path, "rb")  # noqa: SIM115 — closed by close()
        self.file.seek(info.header_offset)
        head = self.file.read(30)
        if head[:4] != b"PK\x03\x04":
            raise _Layout
        name_length, extra_length = struct.unpack("<HH", head[26:30])
        self.file.seek(info.header_offset + 30 + name_length + extra_length)
        return self._chunks(info.compress_size, info.compress_type == zipfile.ZIP_DEFLATED)

    def _chunks(self, left: int, deflated: bool) -> Iterator[bytes]:
        inflate = zlib.decompressobj(-15) if deflated else None
        step = max(1 << 12, min(1 << 16, self.piece_bytes >> 6))
        while left > 0:
            data = self.file.read(min(left, step))
            if not data:
                raise ApplicationError("Excel 文件不完整（压缩数据没有结束）。")
            left -= len(data)
            try:
                yield inflate.decompress(data) if inflate else data
            except zlib.error:
                raise ApplicationError(CORRUPT) from None
        if inflate:
            try:
                yield inflate.flush()
            except zlib.error:
                raise ApplicationError(CORRUPT) from None

    def pieces(self) -> Iterator[memoryview]:
        """Sheet XML of whole <row> elements (wrap in `prefix` and SUFFIX for a worksheet)."""
        parts = [self.rest]
        size = len(self.rest)
        self.rest = b""
        # The first pieces small, so that the caller has rows to work on while the next are parsed.
        target = min(self.piece_bytes, 1 << 20)
        for data in self.chunks:
            parts.append(data)
            size += len(data)
            if size < target:
                continue
            target = min(self.piece_bytes, 2 * target)
            buffer = b"".join(parts)
            cut = buffer.rfind(b"</row>")
            if cut < 0:
                parts, size = [buffer], len(buffer)
                continue
            cut += len(b"</row>")
            parts, size = [buffer[cut:]], len(buffer) - cut
            yield memoryview(buffer)[:cut]
        buffer = b"".join(parts)
        end = buffer.find(b"</sheetData>")
        if end < 0:
            raise ApplicationError("Excel 文件不完整（工作表数据没有结束）。")
        if buffer[:end].strip():
            yield memoryview(buffer)[:end]

    def close(self) -> None:
        self.book.close()
        if getattr(self, "file", None) is not None:
            self.file.close()


SUFFIX = b"</sheetData></worksheet>"


def _read_piece(parts: dict[str, bytes], sheet: str, prefix: bytes, xml) -> tuple[list[int], list] | None:
    """One piece, as a stored (uncompressed) workbook of its own, through calamine: (row numbers,
    encoded columns), blank rows dropped."""
    from python_calamine import CalamineWorkbook

    # Through a file (in memory, where /dev/shm is): calamine reads a file-like object slowly. The
    # name is made here, not by tempfile (whose lock a forked child must not depend on).
    for folder in dict.fromkeys([SCRATCH, TEMP]):
        path = os.path.join(folder, f"fanpin-xlsx-{os.getpid()}-{next(_serial)}.xlsx")
        try:
            with open(path, "xb") as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as mini:
                for name, content in parts.items():
                    mini.writestr(name, content)
                with mini.open(sheet, "w", force_zip64=len(xml) > (1 << 30)) as out:
                    out.write(prefix)
                    out.write(xml)
                    out.write(SUFFIX)
            ws = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
            break
        except OSError:  # /dev/shm full: the ordinary temporary folder
            if folder == TEMP:
                raise
        finally:
            if os.path.exists(path):
                os.unlink(path)
    del xml
    start = ws.start
    if start is None:
        return None
    rows = ws.to_python(skip_empty_area=True)
    del ws
    if start[1]:
        pad = [""] * start[1]
        rows = [pad + r for r in rows]
    normal = _normalize(list(range(start[0] + 1, start[0] + 1 + len(rows))), rows)
    return None if normal is None else (normal[0], _encode(normal[1]))


def _worker(conn, parts: dict[str, bytes], sheet: str, prefix: bytes) -> None:
    """Runs in a forked child: read the pieces sent, send back their blocks (marshal)."""
    gc.disable()  # it makes no reference cycles, and is short-lived
    try:
        while True:
            xml = conn.recv_bytes()
            if not xml:
                return
            try:
                reply = b"K" + marshal.dumps(_read_piece(parts, sheet, prefix, xml))
            except BaseException as exc:  # noqa: BLE001 — report anything to the parent
                reply = b"E" + exc.__class__.__name__.encode()
            del xml
            conn.send_bytes(reply)
            del reply
    except (EOFError, OSError):
        return
    finally:
        conn.close()


def _unreadable(name: str, what: str) -> ApplicationError:
    return ApplicationError(
        f"无法读取 Excel 文件“{name}”：文件已损坏或不是 .xlsx 格式（{what}）。请用 Excel 打开后另存为 .xlsx 再上传。"
    )


CORRUPT = (
    "Excel 文件已损坏（压缩数据有错），无法读取。请从国家系统重新导出，或用 Excel 打开后另存为 .xlsx 再上传。"
)


class SheetRows:
    """header: list of column names; blocks(): the data after the header, column-major;
    rows(): (excel_row_number, [cell text, ...]) after the header."""

    def __init__(self, path: Path | str, *, name: str | None = None, header_marker: str = HEADER_MARKER):
        self.header_marker = header_marker
        self.path = Path(path)
        self.name = name or self.path.name
        self.header: list[str] = []
        self.header_row = 0
        self.total_rows: int | None = None
        self._closers: list = []
        suffix = self.path.suffix.lower()
        if suffix == ".csv":
            self._iter = self._csv_blocks()
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            self._iter = self._xlsx_blocks()
        else:
            raise ApplicationError(f"文件“{self.name}”的格式不支持：请上传 .xlsx 或 .csv 文件。")
        try:
            self._find_header()
        except (zlib.error, zipfile.BadZipFile, EOFError, struct.error) as exc:
            self.close()  # a damaged file: the same clear message wherever it shows
            raise _unreadable(self.name, exc.__class__.__name__) from None
        except BaseException:
            self.close()
            raise

    # -- sources ---------------------------------------------------------------------------------

    def _csv_blocks(self) -> Iterator[Block]:
        text = decode_text(self.path.read_bytes(), name=self.name)
        self.total_rows = text.count("\n") + 1
        rows: list[list[str]] = []
        first = 1
        for values in csv.reader(io.StringIO(text)):
            rows.append([v.strip() for v in values])
            if len(rows) == BLOCK_ROWS:
                block = _block(list(range(first, first + len(rows))), rows)
                first += len(rows)
                rows = []
                if block:
                    yield block
        if rows and (block := _block(list(range(first, first + len(rows))), rows)):
            yield block

    def _xlsx_blocks(self) -> Iterator[Block]:
        try:
            pieces = _XlsxPieces(self.path)
        except _Layout:
            return self._whole_sheet_blocks()
        self.total_rows = pieces.total_rows or max(1, pieces.sheet_size // 3000)
        self._closers.append(pieces.close)
        many = pieces.sheet_size > 2 * pieces.piece_bytes
        workers = min(MAX_WORKERS, os.cpu_count() or 1) if many else 0
        if workers and "fork" in multiprocessing.get_all_start_methods():
            return self._parallel_blocks(pieces, workers)
        return self._serial_blocks(pieces)

    def _serial_blocks(self, pieces: _XlsxPieces) -> Iterator[Block]:
        for xml in pieces.pieces():
            try:
                piece = _read_piece(pieces.parts, pieces.sheet, pieces.prefix, xml)
            except Exception as exc:  # noqa: BLE001 — any unreadable piece gets the same clear message
                raise _unreadable(self.name, exc.__class__.__name__) from None
            if piece:
                yield _decode(*piece)

    def _parallel_blocks(self, pieces: _XlsxPieces, workers: int) -> Iterator[Block]:
        """Worker processes parse the pieces, in turn; this process cuts them and takes the blocks in
        order (each worker has one piece at a time, so memory stays bounded)."""
        ctx = multiprocessing.get_context("fork")
        running = []
        for _ in range(workers):
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=_worker, args=(child, pieces.parts, pieces.sheet, pieces.prefix), daemon=True
            )
            proc.start()
            child.close()
            running.append((proc, parent))

        def stop() -> None:
            for _proc, conn in running:
                try:
                    conn.send_bytes(b"")
                except OSError:
                    pass
                conn.close()
            for proc, _conn in running:
                proc.join(timeout=5)
                if proc.is_alive():
                    proc.terminate()
                    proc.join(timeout=5)

        self._closers.append(stop)
        source = pieces.pieces()
        pending: deque = deque()
        for worker in running:
            xml = next(source, None)
            if xml is None:
                break
            worker[1].send_bytes(xml)
            pending.append(worker)
        while pending:
            worker = pending.popleft()
            try:
                reply = worker[1].recv_bytes()
            except EOFError:
                raise ApplicationError("读取 Excel 文件的子进程意外退出。") from None
            if reply[:1] == b"E":
                raise _unreadable(self.name, reply[1:].decode())
            xml = next(source, None)
            if xml is not None:
                worker[1].send_bytes(xml)
                pending.append(worker)
            del xml
            piece = marshal.loads(memoryview(reply)[1:])
            del reply
            if piece is not None:
                yield _decode(*piece)

    def _whole_sheet_blocks(self) -> Iterator[Block]:
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_path(str(self.path))
            sheet = book.get_sheet_by_index(0)
        except Exception as exc:  # noqa: BLE001 — any unreadable file gets the same clear message
            raise _unreadable(self.name, exc.__class__.__name__) from None
        self.total_rows = sheet.total_height
        rows: list[list] = []
        first = 1
        for values in sheet.iter_rows():
            rows.append(values)
            if len(rows) == BLOCK_ROWS:
                block = _block(list(range(first, first + len(rows))), rows)
                first += len(rows)
                rows = []
                if block:
                    yield block
        if rows and (block := _block(list(range(first, first + len(rows))), rows)):
            yield block

    # -- header and data -------------------------------------------------------------------------

    def _find_header(self) -> None:
        self._first: Block | None = None
        for block in self._iter:
            columns = [texts(c) for c in block.columns]
            for j, number in enumerate(block.numbers):
                if number > HEADER_SEARCH_ROWS:
                    break
                values = [c[j] for c in columns]
                if self.header_marker in values:
                    while values and not values[-1]:
                        values.pop()
                    self.header = values
                    self.header_row = number
                    rest = Block(block.numbers[j + 1 :], [tuple(c[j + 1 :]) for c in columns])
                    self._first = rest if rest.numbers else None
                    return
            else:
                if not block.numbers or block.numbers[-1] < HEADER_SEARCH_ROWS:
                    continue
            break
        raise ApplicationError(
            f"文件“{self.name}”的前 {HEADER_SEARCH_ROWS} 行中没有找到表头（应含“{self.header_marker}”列）。"
            + (
                "请上传国家系统导出的《（自定义）监测对象信息》原文件。"
                if self.header_marker == HEADER_MARKER
                else "请使用收入模板。"
            )
        )

    def blocks(self) -> Iterator[Block]:
        """The data rows after the header. Each block has at least as many columns as the header."""
        width = len(self.header)
        try:
            if self._first is not None:
                first, self._first = self._first, None
                yield self._pad(first, width)
            for block in self._iter:
                yield self._pad(block, width)
        finally:
            self.close()

    @staticmethod
    def _pad(block: Block, width: int) -> Block:
        missing = width - len(block.columns)
        if missing > 0:
            block.columns.extend([("",) * len(block.numbers)] * missing)
        return block

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        for block in self.blocks():
            columns = [texts(c) for c in block.columns]
            for number, values in zip(block.numbers, zip(*columns, strict=True), strict=True):
                yield number, list(values)

    def close(self) -> None:
        closers, self._closers = self._closers, []
        for close in reversed(closers):
            close()
