"""A one-sheet .xlsx written as a stream, for exports of millions of rows in constant memory.

An .xlsx is a zip of a few XML parts. The sheet part is written row by row straight into its zip entry
(deflated in a background thread, so compression runs on another core while Python renders the next
rows); the other parts are small and fixed. Nothing grows with the row count except the file.

Cells are text. Values that repeat (place names, categories, 是/否, …) go into the shared-strings table,
which is capped (`max_shared` entries) so that memory stays bounded; other values are written inline
(`t="inlineStr"`). The default cell format is Text (@), so Excel keeps ID numbers typed later as text.
Rows and cells carry no `r` attribute: an empty cell is written as `<c/>`, keeping the columns in place.

Callers that care about speed render cells once and reuse the bytes (see `cell_shared`, `cell_inline`,
`write_raw`); `write_row` is the simple way for a few rows (titles, headers).

Escaping: & < > as entities, CR as &#13;, the control characters XML 1.0 forbids as Excel's `_xHHHH_`
(and a literal `_xHHHH_` in the text as `_x005F_xHHHH_`, as Excel does, so readers that decode these
escapes — Excel, LibreOffice, python-calamine — give back the original text); lone surrogates and
U+FFFE/U+FFFF, which UTF-8 XML cannot carry, become U+FFFD.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

TEXT, TITLE, HEADER = 0, 1, 2  # cell styles (indexes into cellXfs)

EMPTY = b"<c/>"
_INLINE_OPEN = b'<c t="inlineStr"><is><t>'
_INLINE_OPEN_PRESERVE = b'<c t="inlineStr"><is><t xml:space="preserve">'
_INLINE_CLOSE = b"</t></is></c>"

# Anything that needs more than copying: entities, CR, forbidden characters, text that looks like an
# _xHHHH_ escape, and leading or trailing whitespace (xml:space="preserve").
_NEEDS_WORK = re.compile(
    "[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^[ \t\n]|[ \t\n]$"
)
_LITERAL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UNENCODABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> tuple[str, bool]:
    """(escaped text, needs xml:space="preserve")."""
    if not _NEEDS_WORK.search(value):
        return value, False
    preserve = value[:1] in (" ", "\t", "\n") or value[-1:] in (" ", "\t", "\n")
    value = _LITERAL_ESCAPE.sub(r"_x005F_\1", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    value = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    value = _UNENCODABLE.sub("\ufffd", value)
    return value, preserve


def cell_inline(value: str) -> bytes:
    """One text cell, the value written in the cell (for values that rarely repeat)."""
    if not value:
        return EMPTY
    if _NEEDS_WORK.search(value):
        text, preserve = xml_text(value)
        return (_INLINE_OPEN_PRESERVE if preserve else _INLINE_OPEN) + text.encode() + _INLINE_CLOSE
    return _INLINE_OPEN + value.encode() + _INLINE_CLOSE


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
    'Target="docProps/app.xml"/>'
    "</Relationships>"
)
_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:creator>fanpin</dc:creator></cp:coreProperties>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>fanpin</Application></Properties>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
    "</Relationships>"
)
# cellXfs: 0 = text (the default of every cell), 1 = title (bold 14), 2 = header (bold, border, fill).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="3">'
    '<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
    '<font><b/><sz val="14"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
    '<font><b/><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF7"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
    "</borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3">'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>'
    '<xf numFmtId="49" fontId="2" fillId="2" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" '
    'applyFill="1" applyBorder="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/>'
    "</styleSheet>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/>'
)


def _attr(value: str) -> str:
    return xml_text(value)[0].replace('"', "&quot;")


class XlsxStream:
    """with XlsxStream(path, sheet_name="…", widths=[14] * n) as sheet: sheet.write_row([...]); …

    The rows are written in the order given. On an exception inside the block the partial file is
    removed. `rows` counts the rows written.
    """

    FLUSH_BYTES = 1 << 20

    def __init__(
        self,
        path: Path | str,
        *,
        sheet_name: str = "Sheet1",
        widths: Sequence[float] = (),
        compresslevel: int = 3,
        max_shared: int = 100_000,
    ):
        self.path = Path(path)
        self.rows = 0
        self.max_shared = max_shared
        self._cells: dict[str, bytes] = {"": EMPTY}  # value → rendered shared-string cell
        self._sst: list[str] = []
        self.shared_get = self._cells.get
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._error: BaseException | None = None
        self._zip = zipfile.ZipFile(
            self.path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        try:
            for name, text in (
                ("[Content_Types].xml", _CONTENT_TYPES),
                ("_rels/.rels", _ROOT_RELS),
                ("docProps/core.xml", _CORE),
                ("docProps/app.xml", _APP),
                ("xl/workbook.xml", self._workbook(sheet_name)),
                ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
                ("xl/styles.xml", _STYLES),
            ):
                self._zip.writestr(name, text)
            # force_zip64: the sheet's size is not known in advance and may pass 2 GiB.
            self._entry = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        except BaseException:
            self._zip.close()
            raise
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self._thread = threading.Thread(target=self._drain, name="xlsx-deflate", daemon=True)
        self._thread.start()
        head = _SHEET_HEAD
        if widths:
            head += "<cols>" + self._cols(widths) + "</cols>"
        self._put(head.encode() + b"<sheetData>")

    # -- cells ---------------------------------------------------------------------------------
    cell_inline = staticmethod(cell_inline)

    def cell_shared(self, value: str) -> bytes:
        """One text cell through the shared-strings table (inline once the table is full). The rendered
        cell is remembered: `shared_get(value)` finds it again with one dict lookup."""
        cell = self._cells.get(value)
        if cell is not None:
            return cell
        if len(self._sst) >= self.max_shared:
            return cell_inline(value)
        cell = self._cells[value] = b'<c t="s"><v>%d</v></c>' % len(self._sst)
        self._sst.append(value)
        return cell

    # -- rows ----------------------------------------------------------------------------------
    def write_row(self, values: Iterable[str | None], style: int = TEXT, *, shared: bool = False) -> None:
        cells = []
        for value in values:
            value = "" if value is None else str(value)
            cell = self.cell_shared(value) if shared else cell_inline(value)
            if style and cell == EMPTY:
                cell = b'<c s="%d"/>' % style
            elif style:
                cell = b'<c s="%d"' % style + cell[2:]
            cells.append(cell)
        self.write_raw(b"<row>" + b"".join(cells) + b"</row>")

    def write_raw(self, row: bytes) -> None:
        """A whole rendered row, b"<row>…</row>"."""
        self._buffer.append(row)
        self._buffered += len(row)
        self.rows += 1
        if self._buffered >= self.FLUSH_BYTES:
            self.flush()

    def write_many(self, rows: list[bytes]) -> None:
        """Rendered rows, as write_raw each."""
        self._buffer.extend(rows)
        self._buffered += sum(map(len, rows))
        self.rows += len(rows)
        if self._buffered >= self.FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            self._put(b"".join(self._buffer))
            self._buffer = []
            self._buffered = 0

    # -- finishing -----------------------------------------------------------------------------
    def close(self) -> None:
        self.flush()
        self._put(b"</sheetData></worksheet>")
        self._stop()
        self._entry.close()
        with self._zip.open("xl/sharedStrings.xml", "w", force_zip64=False) as out:
            out.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="%d">'
                % len(self._sst)
            )
            parts = []
            for value in self._sst:
                text, preserve = xml_text(value)
                parts.append(('<si><t xml:space="preserve">' if preserve else "<si><t>") + text + "</t></si>")
                if len(parts) >= 10_000:
                    out.write("".join(parts).encode())
                    parts = []
            out.write("".join(parts).encode() + b"</sst>")
        self._zip.close()

    def abort(self) -> None:
        """Stop and remove the partial file."""
        with contextlib.suppress(BaseException):
            self._stop()
        with contextlib.suppress(BaseException):
            self._entry.close()
        with contextlib.suppress(BaseException):
            self._zip.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> XlsxStream:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self.close()
            except BaseException:
                self.abort()
                raise
        else:
            self.abort()

    # -- internals -----------------------------------------------------------------------------
    def _put(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(data)

    def _drain(self) -> None:
        write = self._entry.write
        while True:
            data = self._queue.get()
            if data is None:
                return
            if self._error is None:
                try:
                    write(data)  # crc32, deflate and the file write release the GIL
                except BaseException as exc:  # noqa: BLE001 — handed to the writing thread
                    self._error = exc

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    @staticmethod
    def _workbook(sheet_name: str) -> str:
        # Excel's limits on sheet names: 31 characters, none of : \ / ? * [ ]
        name = re.sub(r"[:\\/?*\[\]]", "_", sheet_name)[:31] or "Sheet1"
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="16384" windowHeight="8192"/></bookViews>'
            f'<sheets><sheet name="{_attr(name)}" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>"
        )

    @staticmethod
    def _cols(widths: Sequence[float]) -> str:
        out = []
        start = 0
        for i in range(1, len(widths) + 1):
            if i == len(widths) or widths[i] != widths[start]:
                out.append(f'<col min="{start + 1}" max="{i}" width="{widths[start]:g}" customWidth="1"/>')
                start = i
        return "".join(out)
