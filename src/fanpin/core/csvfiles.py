"""Reading the text files people send us: UTF-8 (with or without BOM) or GB18030."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fanpin.core.errors import ApplicationError


def decode_text(data: bytes, *, name: str = "") -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(f"文件“{name}”既不是 UTF-8 也不是 GB18030 编码，请另存为 UTF-8 CSV 后重试。")


def read_csv_rows(path: Path | str, *, name: str | None = None) -> tuple[list[str], list[tuple[int, dict]]]:
    """Returns (header, [(line_number, row_dict), ...]); line numbers count the header as line 1."""
    path = Path(path)
    label = name or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ApplicationError(f"无法读取文件“{label}”：{exc.strerror or exc}") from exc
    text = decode_text(data, name=label)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ApplicationError(f"文件“{label}”是空的。") from None
    rows = []
    for line_no, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append(
            (line_no, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)})
        )
    return header, rows
