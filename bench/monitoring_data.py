"""Generate province-scale department files for bench/monitoring_bench.py, once, with DuckDB.

    python bench/monitoring_data.py --ids IDS.csv --out /tmp/monbench-data [--claims 20000000]

IDS.csv: the registry's ID numbers, one per line (psql: \\copy (SELECT id_number FROM registry_member)
TO 'ids.csv' CSV). Writes, as text columns the way departments send them:
  medical_YYYYMM.parquet ×12 (2024-11 … 2025-10, the claims split evenly, 结算月份 = the file's month),
  civil.parquet (1M: the month's roster, 95 % 在保, 3 % 新增, 2 % 停发, 3 % 临时救助), education.parquet (0.5M),
  housing.parquet (0.1M).
Hit rates: medical 85 % registry people (some with many claims), civil 60 %, education and housing
90 %; the rest valid ID numbers of people not in the registry. In every file 0.1 % malformed IDs
(wrong check character, too short, blank) and 0.05 % absurd amounts (negative, over 1 亿, words).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_sql(expr: str) -> str:
    total = " + ".join(f"CAST(substr({expr}, {k + 1}, 1) AS INTEGER) * {w}" for k, w in enumerate(WEIGHTS))
    return f"{expr} || substr('10X98765432', (({total}) % 11) + 1, 1)"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ids", required=True)
    parser.add_argument("--out", default="/tmp/monbench-data")
    parser.add_argument("--claims", type=int, default=20_000_000)
    parser.add_argument("--civil", type=int, default=1_000_000)
    parser.add_argument("--education", type=int, default=500_000)
    parser.add_argument("--housing", type=int, default=100_000)
    parser.add_argument("--only", default="", help="only this file kind (medical, civil, education, housing)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET threads = 2; SET preserve_insertion_order = false")
    con.execute("SELECT setseed(0.42)")
    t0 = time.perf_counter()
    con.execute(
        f"CREATE TABLE reg AS SELECT row_number() OVER () - 1 AS k, column0 AS id "
        f"FROM read_csv('{args.ids}', header = false, columns = {{'column0': 'VARCHAR'}})"
    )
    n_reg = con.execute("SELECT count(*) FROM reg").fetchone()[0]
    # People not in the registry: valid numbers, Shanxi regions, births 1940–2020.
    first17 = (
        "'14' || lpad(CAST(1 + (i % 11) AS VARCHAR), 2, '0') || lpad(CAST(21 + (i % 30) AS VARCHAR), 2, '0') || "
        "strftime(DATE '1940-01-01' + CAST(i * 7919 % 29000 AS INTEGER), '%Y%m%d') || "
        "lpad(CAST(i % 1000 AS VARCHAR), 3, '0')"
    )
    con.execute(
        f"CREATE TABLE outsiders AS SELECT i AS k, {check_sql('f')} AS id FROM "
        f"(SELECT i, {first17} AS f FROM range(400000) t(i))"
    )

    def people(n: int, hit: float, skew: bool) -> str:
        """n rows: id and name; `hit` of them registry people (skewed: a tenth of them get half)."""
        pick = (
            f"CASE WHEN random() < 0.5 THEN CAST(random() * {n_reg // 10} AS BIGINT) "
            f"ELSE CAST(random() * {n_reg} AS BIGINT) END"
            if skew
            else f"CAST(random() * {n_reg} AS BIGINT)"
        )
        return (
            f"SELECT r.i, CASE WHEN r.u < {hit} THEN reg.id ELSE o.id END AS id, r.u2 "
            f"FROM (SELECT i, random() AS u, random() AS u2, {pick} AS rk, CAST(random() * 400000 AS BIGINT) AS ok "
            f"FROM range({n}) t(i)) r LEFT JOIN reg ON reg.k = r.rk LEFT JOIN outsiders o ON o.k = r.ok"
        )

    def damage_id(col: str = "id") -> str:
        return (
            f"CASE WHEN u2 < 0.0004 THEN substr({col}, 1, 17) || CASE WHEN substr({col}, 18) = '0' THEN '1' ELSE '0' END "
            f"WHEN u2 < 0.0008 THEN substr({col}, 1, 15) WHEN u2 < 0.001 THEN '' ELSE {col} END"
        )

    def amount(expr: str) -> str:
        return (
            f"CASE WHEN u2 BETWEEN 0.001 AND 0.0013 THEN '-' || CAST(round({expr}, 2) AS VARCHAR) "
            f"WHEN u2 BETWEEN 0.0013 AND 0.0014 THEN '300000000' WHEN u2 BETWEEN 0.0014 AND 0.0015 THEN '一千元' "
            f"ELSE CAST(round({expr}, 2) AS VARCHAR) END"
        )

    name = "list_extract(['王芳', '李强', '张伟', '刘洋', '陈静', '杨帆', '赵磊', '郭敏'], 1 + CAST(u2 * 800 AS INTEGER) % 8)"
    months = [(2024, 11), (2024, 12)] + [(2025, m) for m in range(1, 11)]
    per_month = args.claims // len(months)
    if args.only and args.only != "medical":
        args.claims = 0
    con.execute(f"CREATE TABLE claims AS {people(args.claims, 0.85, True)}")
    for index, (year, month) in enumerate(months if args.claims else []):
        path = out / f"medical_{year}{month:02d}.parquet"
        con.execute(
            f"COPY (SELECT {damage_id()} AS 证件号码, {name} AS 姓名, '{year}-{month:02d}' AS 结算月份, "
            f"{amount('CASE WHEN u2 > 0.999 THEN 20000 + (u2 * 7919 % 1) * 60000 ELSE 30 + (u2 * 7919 % 1) * 300 END')} AS 个人自付金额, "
            f"CAST(round(100 + (u2 * 104729 % 1) * 6000, 2) AS VARCHAR) AS 医疗总费用 "
            f"FROM claims WHERE i >= {index * per_month} AND i < {(index + 1) * per_month}) "
            f"TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 200000)"
        )
        print(f"{path.name}: {per_month:,} rows", flush=True)
    con.execute("DROP TABLE claims")
    if args.only in ("", "civil"):
        con.execute(
            f"COPY (SELECT {damage_id()} AS 证件号码, {name} AS 姓名, "
            f"CASE WHEN u2 < 0.03 THEN '临时救助' WHEN u2 < 0.85 THEN '低保' ELSE '特困' END AS 救助类型, "
            f"CASE WHEN (u2 * 13 % 1) < 0.03 THEN '新增' WHEN (u2 * 13 % 1) < 0.05 THEN '停发' ELSE '在保' END AS 状态, "
            f"{amount('200 + (u2 * 31 % 1) * 3000')} AS 金额 FROM ({people(args.civil, 0.6, False)})) "
            f"TO '{out / 'civil.parquet'}' (FORMAT parquet, COMPRESSION zstd)"
        )
    if args.only in ("", "education"):
        con.execute(
            f"COPY (SELECT {damage_id()} AS 证件号码, {name} AS 姓名, "
            f"CASE WHEN (u2 * 17 % 1) < 0.02 THEN '未在校' ELSE '在校' END AS 在校状态, "
            f"CASE WHEN (u2 * 7 % 1) < 0.6 THEN '小学' ELSE '初中' END AS 学段 FROM ({people(args.education, 0.9, False)})) "
            f"TO '{out / 'education.parquet'}' (FORMAT parquet, COMPRESSION zstd)"
        )
    if args.only in ("", "housing"):
        con.execute(
            f"COPY (SELECT {damage_id()} AS 证件号码, {name} AS 姓名, "
            f"CASE WHEN (u2 * 19 % 1) < 0.6 THEN 'A' WHEN (u2 * 19 % 1) < 0.9 THEN 'B' "
            f"WHEN (u2 * 19 % 1) < 0.98 THEN 'C' ELSE 'D' END AS 房屋等级 FROM ({people(args.housing, 0.9, False)})) "
            f"TO '{out / 'housing.parquet'}' (FORMAT parquet, COMPRESSION zstd)"
        )
    print(f"done in {time.perf_counter() - t0:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
