"""divisions_load: load 行政区划 CSV files (the NBS / china-division format) all or nothing.

Each file has a header row with `code,name` and parent columns (`provinceCode`, `cityCode`,
`areaCode`, `streetCode`). The level follows from the code's length (2/4/6/9/12). A file with a bad
code, an unknown parent or a duplicate is refused whole, naming the file, line and reason.
Loading the same data twice changes nothing; a changed name is updated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from fanpin.core.csvfiles import read_csv_rows
from fanpin.core.errors import ApplicationError
from fanpin.core.services.audit import audit_record
from fanpin.divisions.choices import CODE_LENGTH, LEVEL_BY_LENGTH, Level
from fanpin.divisions.models import Division

PARENT_COLUMN = {
    Level.CITY: "provinceCode",
    Level.COUNTY: "cityCode",
    Level.TOWNSHIP: "areaCode",
    Level.VILLAGE: "streetCode",
}
SHANXI_DIR = Path(__file__).resolve().parent.parent / "data" / "shanxi"
SHANXI_FILES = ["provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"]
MAX_ERRORS = 200


@dataclass
class Row:
    file: str
    line: int
    code: str
    name: str
    level: int
    parent: str | None


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "by_level": {Level(k).label: v for k, v in sorted(self.by_level.items())},
        }


def shanxi_files() -> list[Path]:
    return [SHANXI_DIR / name for name in SHANXI_FILES]


def _parse(paths: Sequence[Path], errors: list[dict]) -> list[Row]:
    rows: list[Row] = []
    for path in paths:
        header, raw_rows = read_csv_rows(path)
        missing = [c for c in ("code", "name") if c not in header]
        if missing:
            errors.append(
                {
                    "file": path.name,
                    "row": 1,
                    "reason": f"表头缺少列 {'、'.join(missing)}（应为 code,name,… 格式）",
                }
            )
            continue
        for line, values in raw_rows:
            code, name = values.get("code", ""), values.get("name", "")

            def err(reason: str, col: str = "code", line: int = line, file: str = path.name) -> None:
                errors.append({"file": file, "row": line, "column": col, "reason": reason})

            if not code.isdigit() or len(code) not in LEVEL_BY_LENGTH:
                err(f"区划代码“{code}”无效：应为 2、4、6、9 或 12 位数字")
                continue
            if not name:
                err("名称为空", "name")
                continue
            level = LEVEL_BY_LENGTH[len(code)]
            parent = None
            if level != Level.PROVINCE:
                column = PARENT_COLUMN[level]
                parent = values.get(column) or code[: CODE_LENGTH[Level(level - 1)]]
                if not code.startswith(parent) or len(parent) != CODE_LENGTH[Level(level - 1)]:
                    err(
                        f"区划代码“{code}”与上级代码“{parent}”不一致",
                        column if values.get(column) else "code",
                    )
                    continue
            rows.append(Row(path.name, line, code, name, level, parent))
    return rows


def divisions_load(
    *,
    actor: Any,
    paths: Sequence[Path | str],
    on_progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    paths = [Path(p) for p in paths]
    if not paths:
        raise ApplicationError("请指定至少一个行政区划 CSV 文件。")
    errors: list[dict] = []
    rows = _parse(paths, errors)
    total = len(rows)
    existing = {
        c: (n, lv, p) for c, n, lv, p in Division.objects.values_list("code", "name", "level", "parent_id")
    }
    seen: dict[str, Row] = {}
    for i, row in enumerate(rows, start=1):
        first = seen.get(row.code)
        if first is not None:
            errors.append(
                {
                    "file": row.file,
                    "row": row.line,
                    "column": "code",
                    "reason": f"区划代码“{row.code}”重复（已出现在 {first.file} 第 {first.line} 行）",
                }
            )
        else:
            seen[row.code] = row
        if on_progress and (i % 2000 == 0 or i == total):
            on_progress(i, total * 2)
    for row in seen.values():
        if row.parent and row.parent not in seen and row.parent not in existing:
            errors.append(
                {
                    "file": row.file,
                    "row": row.line,
                    "column": PARENT_COLUMN[Level(row.level)],
                    "reason": f"上级区划“{row.parent}”不存在（既不在本次文件中，也未导入过）",
                }
            )
    if errors:
        errors.sort(key=lambda e: (e.get("file", ""), e.get("row", 0)))
        raise ApplicationError(
            f"行政区划文件有 {len(errors)} 处错误，未导入任何数据。请改正后重新导入。",
            details=errors[:MAX_ERRORS],
        )

    result = LoadResult()
    to_create: list[Division] = []
    to_update: list[Division] = []
    for row in sorted(seen.values(), key=lambda r: (r.level, r.code)):
        result.by_level[row.level] = result.by_level.get(row.level, 0) + 1
        old = existing.get(row.code)
        if old is None:
            to_create.append(Division(code=row.code, name=row.name, level=row.level, parent_id=row.parent))
        elif old != (row.name, row.level, row.parent):
            to_update.append(Division(code=row.code, name=row.name, level=row.level, parent_id=row.parent))
        else:
            result.unchanged += 1
    with transaction.atomic():
        Division.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            Division.objects.bulk_update(to_update, ["name", "level", "parent"], batch_size=2000)
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            audit_record(
                actor=actor,
                action="divisions.load",
                object_type="divisions.division",
                object_repr="、".join(p.name for p in paths)[:200],
                after=result.as_dict(),
            )
    if on_progress:
        on_progress(total * 2, total * 2)
    return result


def divisions_load_shanxi(*, actor: Any, on_progress: Callable[[int, int], None] | None = None) -> LoadResult:
    return divisions_load(actor=actor, paths=shanxi_files(), on_progress=on_progress)
