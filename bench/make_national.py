"""Write a large national-format .xlsx for the import benchmark, quickly, by replicating a real export.

    python bench/make_national.py --source county.xlsx --rows 1000000 --out big.xlsx

The source is a file written by `fanpin export national` (e.g. of a county filled by `fanpin synth`).
Its member rows are repeated until --rows is reached; copy k > 0 of a household gets a new 户编号
(village code + 6-digit sequence, copy number folded in) and each of its members a new, valid ID number
with the same region, birth date and sex (another sequence number of the same parity, check character
recomputed). Every other cell is kept as it is. The sheet XML is written directly in the form
xlsxwriter's constant_memory mode writes (inline strings, one style for text cells), and the other
parts of the workbook (styles, workbook, content types) are copied from the source.
"""

from __future__ import annotations

import argparse
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from python_calamine import CalamineWorkbook

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
SHEET = "xl/worksheets/sheet1.xml"


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def column_letters(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def make_file(out: Path, *, rows: int, source: Path | None = None) -> Path:
    source = source or Path(__file__).with_name("county.xlsx")
    t0 = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(source)).get_sheet_by_index(0)
    table = [[_text(v) for v in r] for r in sheet.to_python(skip_empty_area=False)]
    header_at = next(i for i, r in enumerate(table) if "户编号" in r)
    header = table[header_at]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    titles, data = table[:header_at], [r[:width] + [""] * (width - len(r)) for r in table[header_at + 1 :]]
    code_col, id_col = header.index("户编号"), header.index("证件号码")
    letters = [column_letters(i) for i in range(width)]
    used = {row[id_col][:17] for row in data}
    copies = -(-rows // len(data))
    if copies > 100:
        raise SystemExit("source too small: at most 100 copies")

    def new_id(number: str) -> str:
        first14, seq = number[:14], int(number[14:17])
        for step in range(1, 500):
            candidate = f"{first14}{(seq + 2 * step) % 1000:03d}"
            if candidate not in used:
                used.add(candidate)
                return candidate + check_char(candidate)
        raise SystemExit(f"no free sequence number for {number}")

    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        xml = src.read(SHEET).decode()
        prefix = xml[: xml.index("<sheetData>") + len("<sheetData>")]
        suffix = xml[xml.index("</sheetData>") :]
        last_row = header_at + 1 + rows
        start = prefix.index('<dimension ref="')
        end = prefix.index('"', start + len('<dimension ref="'))
        prefix = f'{prefix[:start]}<dimension ref="A1:{letters[-1]}{last_row}{prefix[end:]}'
        for info in src.infolist():
            if info.filename != SHEET:
                dst.writestr(info, src.read(info.filename))
        with dst.open(SHEET, "w", force_zip64=True) as f:
            out_lines = [prefix]
            # The title rows and the header as in the source (their cells keep their styles).
            body = xml[xml.index("<sheetData>") + len("<sheetData>") : xml.index("</sheetData>")]
            head_end = body.index(f'<row r="{header_at + 2}"')
            out_lines.append(body[:head_end])
            f.write("".join(out_lines).encode())
            r = header_at + 1
            written = 0
            for k in range(copies):
                buf = []
                for row in data:
                    if written == rows:
                        break
                    r += 1
                    written += 1
                    if k:
                        row = list(row)
                        code = row[code_col]
                        row[code_col] = f"{code[:12]}{k * 40000 + int(code[12:]):06d}"
                        row[id_col] = new_id(row[id_col])
                    cells = "".join(
                        f'<c r="{letters[i]}{r}" s="3" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
                        for i, v in enumerate(row)
                        if v
                    )
                    buf.append(f'<row r="{r}">{cells}</row>')
                    if len(buf) == 5000:
                        f.write("".join(buf).encode())
                        buf = []
                f.write("".join(buf).encode())
            f.write(suffix.encode())
    print(
        f"wrote {out}: {rows:,} member rows ({copies} copies of {len(data):,}), "
        f"{out.stat().st_size / 1e6:,.0f} MB, {time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    del titles
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", type=Path, required=True, help="a file written by fanpin export national")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    make_file(args.out, rows=args.rows, source=args.source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
