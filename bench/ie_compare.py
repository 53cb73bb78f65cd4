"""django-import-export importing the same rows as our import, into the same models (Household,
Member), for bench/import_bench.py.

The rows: the first N member rows of the file, written to a sample .xlsx (the form our export writes)
and imported by us end to end (read, validate, merge: what the CLI runs), three times (the median
counts: a run of a second or two is easily disturbed on a shared machine). For django-import-export the
same sample is read and checked by our parser (not timed) and handed over as two tablib Datasets:
one row per household (its fields as our merge writes them, village by code) and one per member
(household by 户编号). Timed: its two import_data calls, households then members, in one run each:

  default: a ModelResource per model with import_id_fields set to the natural keys (户编号,
           证件号码) and the member's household looked up by 户编号 — nothing else changed;
  tuned:   use_bulk with batch_size 2000, skip_diff (so no diff and no HTML diff), skip_unchanged
           off, report_skipped off, force_init_instance (all rows are new: no lookup per row),
           CachedForeignKeyWidget for the village and the household (one query, not one per row),
           and one transaction for the whole import (use_transactions).

Ours writes more than it does: also the annual income records, 家庭纯收入/人均纯收入 and one audit
event per household; it checks every cell, ID number and place, which it does not.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import tablib
import xlsxwriter


def write_sample(source: Path, rows: int, out: Path) -> int:
    """The title rows, header and first `rows` data rows of `source`, as our export writes them."""
    from fanpin.registry.national.reader import SheetRows

    sheet = SheetRows(source)
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet("监测对象信息")
    ws.write_string(0, 0, "（自定义）监测对象信息")
    ws.write_string(1, 0, f"样本：{source.name} 前 {rows} 行")
    for c, h in enumerate(sheet.header):
        ws.write_string(2, c, h)
    r = 3
    for _number, values in sheet.rows():
        if r - 3 == rows:
            break
        for c, value in enumerate(values[: len(sheet.header)]):
            if value:
                ws.write_string(r, c, value)
        r += 1
    sheet.close()
    book.close()
    return r - 3


def datasets(path: Path, area: str) -> tuple[tablib.Dataset, tablib.Dataset]:
    """Our parser's households and members of `path` (no errors expected) as two Datasets."""
    from fanpin.registry.national.parse import ABSENT, parse_national, read_staging, write_staging

    result = parse_national(path=path, file_name=path.name, area_code=area)
    if result.error_count:
        raise SystemExit(f"the sample has {result.error_count} errors")
    with tempfile.TemporaryDirectory() as folder:
        staging = Path(folder) / "staged.bin"
        write_staging(result, staging)
        header, chunks = read_staging(staging)
        staged = [h for chunk in chunks for h in chunk]
    hfields = header["household_fields"]
    mfields = header["member_fields"]
    relation_k, name_k = mfields.index("relation"), mfields.index("name")
    fixed = [
        "code",
        "village",
        "province_code",
        "city_code",
        "county_code",
        "township_code",
        "size",
        "head_name",
    ]
    households = tablib.Dataset(headers=[*fixed, "measures_recorded", *hfields])
    member_columns = [f for f in mfields if f not in ("id_type", "id_number", "birth_date", "sex")]
    members = tablib.Dataset(
        headers=["household", "id_type", "id_number", "birth_date", "sex", *member_columns, "extra"]
    )
    for code, _row, village, values, _income, measures, staged_members in staged:
        head = next((m[2][name_k] for m in staged_members if m[2][relation_k] == "户主"), "")
        households.append(
            [code, village, village[:2], village[:4], village[:6], village[:9], len(staged_members), head]
            + [json.dumps(measures, ensure_ascii=False), *values]
        )
        for _r, extra, mv, id_type, id_number, birth, sex in staged_members:
            by_field = dict(zip(mfields, mv, strict=True))
            members.append(
                [code, id_type, id_number, None if birth is ABSENT else birth, "" if sex is ABSENT else sex]
                + [by_field[f] for f in member_columns]
                + [json.dumps(extra, ensure_ascii=False)]
            )
    return households, members


def resources_for(households: tablib.Dataset, members: tablib.Dataset, tuned: bool):
    from import_export import fields, resources, widgets

    from fanpin.divisions.models import Division
    from fanpin.registry.models import Household, Member

    fk = widgets.CachedForeignKeyWidget if tuned else widgets.ForeignKeyWidget
    options = (
        dict(
            use_bulk=True,
            batch_size=2000,
            skip_diff=True,
            skip_html_diff=True,
            skip_unchanged=False,
            report_skipped=False,
            force_init_instance=True,
            use_transactions=True,
            store_instance=False,
        )
        if tuned
        else {}
    )
    household_meta = type(
        "Meta", (), dict(model=Household, import_id_fields=["code"], fields=households.headers, **options)
    )
    member_meta = type(
        "Meta", (), dict(model=Member, import_id_fields=["id_number"], fields=members.headers, **options)
    )
    household_resource = type(
        "HouseholdResource",
        (resources.ModelResource,),
        {
            "Meta": household_meta,
            "village": fields.Field(attribute="village", column_name="village", widget=fk(Division, "code")),
        },
    )
    member_resource = type(
        "MemberResource",
        (resources.ModelResource,),
        {
            "Meta": member_meta,
            "household": fields.Field(
                attribute="household", column_name="household", widget=fk(Household, "code")
            ),
        },
    )
    return household_resource(), member_resource()


def run_import_export(households, members, tuned: bool, clear) -> dict:
    from fanpin.registry.models import Household, Member

    clear()
    household_resource, member_resource = resources_for(households, members, tuned)
    t0 = time.perf_counter()
    r1 = household_resource.import_data(households, dry_run=False)
    t1 = time.perf_counter()
    r2 = member_resource.import_data(members, dry_run=False)
    t2 = time.perf_counter()
    for result in (r1, r2):
        if result.has_errors() or result.has_validation_errors():
            rows = result.invalid_rows or [e for _n, errs in result.row_errors() for e in errs]
            raise SystemExit(f"django-import-export reported errors: {rows[:3]}")
    codes = households["code"]
    written = (
        Household.objects.filter(code__in=codes).count(),
        Member.objects.filter(household__code__in=codes).count(),
    )
    if written != (len(households), len(members)):
        raise SystemExit(f"django-import-export wrote {written}, expected {(len(households), len(members))}")
    return {"households_s": t1 - t0, "members_s": t2 - t1, "total_s": t2 - t0, "rows": len(members)}


def compare(
    path: Path, area: str, year: int | None, sample: int, default_sample: int, run_ours, clear, runs: int = 3
) -> list:
    """Ours on the sample (`runs` times, the median counts: a run of a second or two is easily
    disturbed), then django-import-export tuned and default (default on the first `default_sample`
    rows when that is smaller: it is slow)."""
    out = []
    with tempfile.TemporaryDirectory() as folder:
        sample_path = Path(folder) / f"sample-{sample}.xlsx"
        n = write_sample(path, sample, sample_path)
        results = []
        for k in range(runs):
            clear()
            results.append(run_ours(sample_path, area, year, f"ours on the {n:,}-row sample, run {k + 1}"))
        ours = sorted(results, key=lambda r: r["total_s"])[len(results) // 2]
        print(
            f"ours on the sample: median {ours['total_s']:.2f} s = {n / ours['total_s']:,.0f} rows/s",
            flush=True,
        )
        out.append(("ours", n, ours["total_s"], ours))
        households, members = datasets(sample_path, area)
        tuned = run_import_export(households, members, True, clear)
        print(_line("django-import-export tuned", tuned), flush=True)
        out.append(("import-export tuned", tuned["rows"], tuned["total_s"], tuned))
        if default_sample < n:
            default_path = Path(folder) / f"sample-{default_sample}.xlsx"
            write_sample(path, default_sample, default_path)
            households, members = datasets(default_path, area)
        default = run_import_export(households, members, False, clear)
        print(_line("django-import-export default", default), flush=True)
        out.append(("import-export default", default["rows"], default["total_s"], default))
    clear()
    return out


def _line(label: str, r: dict) -> str:
    return (
        f"{label}: {r['rows']:,} member rows | households {r['households_s']:.2f} s, members "
        f"{r['members_s']:.2f} s, total {r['total_s']:.2f} s = {r['rows'] / r['total_s']:,.0f} rows/s"
    )
