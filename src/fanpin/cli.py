"""The `fanpin` command. 防返贫监测帮扶系统命令行 / fanpin command line.

Wraps Django's management commands: any command not listed here (migrate, createsuperuser, shell, …)
is passed to Django unchanged.
"""

from __future__ import annotations

import argparse
import os
import sys

from fanpin.core.progress import progress_bar

DESCRIPTION = """防止返贫动态监测和帮扶系统（fanpin）命令行。
fanpin — dynamic monitoring and assistance to prevent return to poverty.

未列出的子命令原样交给 Django 管理命令（如 migrate、shell、createsuperuser）。
Any other sub-command is passed to Django's manage.py (e.g. migrate, shell, createsuperuser)."""

COMMANDS = {
    "demo": "建库、导入山西区划、创建演示账号并启动网站 / set up the demo database and serve it",
    "serve": "只启动网站（及后台任务执行器）/ serve the web app (and a job worker)",
    "worker": "运行后台任务执行器 / run the background job worker",
    "divisions": "行政区划：divisions load FILE… / administrative divisions: load CSV files",
    "users": "账号：users create … / accounts: create a user",
    "synth": "生成合成农户（可复现）/ generate reproducible synthetic households",
    "import": "导入：import national FILE … / import the national export (staged)",
    "export": "导出：export national --out FILE / export in the national format",
    "monitor": "月度监测：monitor run --month YYYY-MM --area CODE / run the monthly monitoring rules",
    "leads": "预警线索：leads export --month YYYY-MM --out FILE / export leads",
    "policy": "政策设置：policy set --year Y --threshold N / set a year's monitoring threshold",
    "departments": "部门数据：departments load --source SOURCE FILE / load and match a department file",
    "reports": "统计报表：reports rollup --area CODE [--month YYYY-MM] / compute indicator rollups",
    "ledgers": "巩固衔接台账：ledgers import LEDGER FILE [--commit] | ledgers export LEDGER --out FILE",
    "backup": "备份整个数据库到一个文件：backup --out FILE / back up the whole database",
    "restore": "把备份恢复到一个空数据库：restore FILE / restore a backup into an empty database",
    "keys": "个人信息加密密钥：keys init | status | rotate [--index] / encryption keys",
}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fanpin", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", metavar="命令/command")

    demo = sub.add_parser("demo", help=COMMANDS["demo"], description=COMMANDS["demo"])
    demo.add_argument("--host", default="127.0.0.1", help="监听地址 / address (默认 127.0.0.1)")
    demo.add_argument("--port", type=int, default=8000, help="端口 / port (默认 8000)")
    demo.add_argument("--no-serve", action="store_true", help="只准备数据，不启动网站 / prepare data only")

    serve = sub.add_parser("serve", help=COMMANDS["serve"], description=COMMANDS["serve"])
    serve.add_argument("--host", default="127.0.0.1", help="监听地址 / address")
    serve.add_argument("--port", type=int, default=8000, help="端口 / port")
    serve.add_argument("--workers", type=int, default=2, help="gunicorn 进程数 / gunicorn worker processes")
    serve.add_argument("--no-jobs", action="store_true", help="不在本进程执行后台任务 / do not run jobs here")

    sub.add_parser("worker", help=COMMANDS["worker"], description=COMMANDS["worker"])

    div = sub.add_parser("divisions", help=COMMANDS["divisions"], description=COMMANDS["divisions"])
    div_sub = div.add_subparsers(dest="action", metavar="操作/action", required=True)
    load = div_sub.add_parser(
        "load",
        help="导入区划 CSV 文件（全部成功才写入）/ load division CSV files (all or nothing)",
        description="导入国家统计局格式的区划 CSV：code,name,上级代码列。不带文件时导入内置的山西省区划。\n"
        "Load NBS-format division CSV files; with no file, load the bundled Shanxi divisions.",
    )
    load.add_argument("files", nargs="*", metavar="FILE", help="CSV 文件 / CSV files")

    users = sub.add_parser("users", help=COMMANDS["users"], description=COMMANDS["users"])
    users_sub = users.add_subparsers(dest="action", metavar="操作/action", required=True)
    create = users_sub.add_parser("create", help="创建账号 / create an account")
    create.add_argument("--username", required=True, help="账号 / login name")
    create.add_argument(
        "--role",
        required=True,
        help="角色 / role: province city county township village department inspector admin",
    )
    create.add_argument("--area", default="", help="所辖区划代码 / area division code")
    create.add_argument("--name", default="", help="姓名 / display name")
    create.add_argument(
        "--password", default=None, help="密码（不填则提示输入）/ password (prompted if omitted)"
    )
    imp = sub.add_parser("import", help=COMMANDS["import"], description=COMMANDS["import"])
    imp_sub = imp.add_subparsers(dest="action", metavar="类型/kind", required=True)
    nat = imp_sub.add_parser(
        "national",
        help="《（自定义）监测对象信息》.xlsx/.csv",
        description="解析并（可选）写入国家系统导出文件。有错误时生成错误清单 .xlsx 并以非零状态退出。\n"
        "Parse and optionally merge a national export; writes an error sheet and exits non-zero when refused.",
    )
    nat.add_argument("file", metavar="FILE", help=".xlsx 或 .csv（UTF-8/GB18030）")
    nat.add_argument("--year", type=int, default=None, help="收入列所属年度 / year of the income columns")
    nat.add_argument(
        "--merge",
        choices=["all", "valid"],
        default=None,
        help="all：无错误才全部写入；valid：只写入无错误的户 / merge all, or only valid households",
    )
    nat.add_argument("--area", default="", help="限定区划代码（县名重复时必需）/ limit to a division code")
    nat.add_argument("--json", action="store_true", help="以 JSON 输出结果 / print the result as JSON")

    inc = imp_sub.add_parser(
        "incomes",
        help="月度收入模板 .xlsx/.csv：户编号或证件号码、年月、各项收入 / monthly income template",
        description="导入月度收入：每行一户一月。列：户编号 或 证件号码、年月（YYYYMM）、工资性收入、生产经营性收入、"
        "财产性收入、转移性收入、生产经营性支出、理赔收入、合规自付支出。\nImport monthly incomes.",
    )
    inc.add_argument("file", metavar="FILE", help=".xlsx 或 .csv")
    inc.add_argument(
        "--merge", choices=["all", "valid"], default=None, help="all 或 valid（同上 / as above）"
    )
    inc.add_argument("--area", default="", help="限定区划代码 / limit to a division code")
    inc.add_argument("--json", action="store_true", help="以 JSON 输出结果 / print the result as JSON")
    inc.set_defaults(kind="incomes")
    nat.set_defaults(kind="national")

    exp = sub.add_parser("export", help=COMMANDS["export"], description=COMMANDS["export"])
    exp_sub = exp.add_subparsers(dest="action", metavar="类型/kind", required=True)
    enat = exp_sub.add_parser("national", help="《（自定义）监测对象信息》.xlsx")
    enat.add_argument("--area", default="", help="区划代码 / division code (默认全部)")
    enat.add_argument("--year", type=int, default=None, help="收入所属年度（默认最近 12 个月）/ income year")
    enat.add_argument("--out", required=True, help="输出文件 .xlsx / output file")

    synth = sub.add_parser(
        "synth",
        help=COMMANDS["synth"],
        description="在真实的村级区划上生成合成农户、家庭成员和 12 个月的月度收入；同样的参数和种子得到同样的数据。\n"
        "Generate synthetic households, members and 12 monthly income records on the real villages; "
        "the same arguments and seed give the same data.",
    )
    synth.add_argument("--households", type=int, required=True, help="户数 / number of households")
    synth.add_argument("--seed", type=int, default=1, help="随机种子 / random seed (默认 1)")
    synth.add_argument(
        "--area", default="", help="区划代码，只在其下的村生成 / division code: only villages under it"
    )
    synth.add_argument(
        "--end",
        default=None,
        help="收入截止月份 YYYYMM（默认上个月）/ last income month (default: last month)",
    )
    synth.add_argument(
        "--replace", action="store_true", help="先删除该区域已有农户 / delete the area's households first"
    )
    mon = sub.add_parser("monitor", help=COMMANDS["monitor"], description=COMMANDS["monitor"])
    mon_sub = mon.add_subparsers(dest="action", metavar="操作/action", required=True)
    mrun = mon_sub.add_parser(
        "run", help="运行一个区划一个月的监测规则 / run the rules for an area and month"
    )
    mrun.add_argument("--month", required=True, help="YYYY-MM（已结束的月份 / a finished month）")
    mrun.add_argument("--area", default="14", help="区划代码（默认 14 山西省）/ division code")
    mrun.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"], help="计算引擎 / engine")
    mrun.add_argument("--json", action="store_true", help="以 JSON 输出结果 / print the result as JSON")

    lead = sub.add_parser("leads", help=COMMANDS["leads"], description=COMMANDS["leads"])
    lead_sub = lead.add_subparsers(dest="action", metavar="操作/action", required=True)
    lexp = lead_sub.add_parser("export", help="导出某月线索为 .xlsx / export a month's leads")
    lexp.add_argument("--month", required=True, help="YYYY-MM")
    lexp.add_argument("--area", default="", help="区划代码 / division code")
    lexp.add_argument("--out", required=True, help="输出文件 .xlsx / output file")

    dep = sub.add_parser("departments", help=COMMANDS["departments"], description=COMMANDS["departments"])
    dep_sub = dep.add_subparsers(dest="action", metavar="操作/action", required=True)
    dload = dep_sub.add_parser(
        "load",
        help="导入一个部门数据文件并生成预警线索 / load a department file, match it and raise leads",
        description="来源 / sources: medical civil education housing disability employment disaster other；"
        "格式见 docs/departments.md。",
    )
    dload.add_argument("files", nargs=1, metavar="FILE", help=".csv（UTF-8/GB18030）、.xlsx 或 .parquet")
    dload.add_argument("--source", required=True, help="来源 / source (medical, civil, …)")
    dload.add_argument(
        "--month", default="", help="数据所属月份 YYYY-MM（默认上个月）/ month (default: last month)"
    )
    dload.add_argument("--area", default="14", help="区划代码（默认 14 山西省）/ division code")
    dload.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"], help="计算引擎 / engine")
    dload.add_argument("--json", action="store_true", help="以 JSON 输出结果 / print the result as JSON")

    bak = sub.add_parser("backup", help=COMMANDS["backup"], description=COMMANDS["backup"])
    bak.add_argument("--out", default=None, help="备份文件（默认：数据目录下 backups/fanpin-时间.备份）")
    res = sub.add_parser("restore", help=COMMANDS["restore"], description=COMMANDS["restore"])
    res.add_argument("file", help="fanpin backup 生成的文件")
    pol = sub.add_parser("policy", help=COMMANDS["policy"], description=COMMANDS["policy"])
    pol_sub = pol.add_subparsers(dest="action", metavar="操作/action", required=True)
    pset = pol_sub.add_parser("set", help="新增一个政策设置版本 / add a policy setting version")
    pset.add_argument("--year", type=int, required=True, help="年度 / year")
    pset.add_argument(
        "--threshold", required=True, help="监测范围（元）/ threshold, yuan per person per year"
    )
    pset.add_argument("--province", default="14", help="省代码（默认 14）/ province code")
    pset.add_argument(
        "--from", dest="effective_from", default="", help="生效日期 YYYY-MM-DD / effective date"
    )
    pset.add_argument("--source", default="", help="依据 / source document")
    pset.add_argument("--param", action="append", help="规则参数 KEY=VALUE（可重复）/ rule parameter")
    rep = sub.add_parser("reports", help=COMMANDS["reports"], description=COMMANDS["reports"])
    rep_sub = rep.add_subparsers(dest="action", metavar="操作/action", required=True)
    rroll = rep_sub.add_parser("rollup", help="计算指标汇总 / compute the indicator rollups")
    rroll.add_argument("--area", default="14", help="区划代码（默认 14 山西省）/ division code")
    rroll.add_argument("--month", action="append", help="YYYY-MM（可重复；默认近 N 个月）/ month, repeatable")
    rroll.add_argument(
        "--months", type=int, default=12, help="不指定 --month 时：近几个月（默认 12）/ last N months"
    )
    rroll.add_argument("--json", action="store_true", help="以 JSON 输出结果 / print the result as JSON")
    led = sub.add_parser("ledgers", help=COMMANDS["ledgers"], description=COMMANDS["ledgers"])
    led_sub = led.add_subparsers(dest="action", metavar="操作/action", required=True)
    limp = led_sub.add_parser("import", help="检查（并导入）台账 .xlsx / check (and import) a ledger file")
    limp.add_argument("ledger", help="台账，如 loans、employment、rectification / ledger slug")
    limp.add_argument("file", help=".xlsx 文件 / file")
    limp.add_argument("--commit", action="store_true", help="无错误时写入（全有或全无）/ write when clean")
    limp.add_argument("--json", action="store_true", help="以 JSON 输出结果 / print the result as JSON")
    lexp2 = led_sub.add_parser("export", help="导出台账为 .xlsx / export a ledger")
    lexp2.add_argument("ledger", help="台账 / ledger slug")
    lexp2.add_argument("--area", default="", help="区划代码前缀 / division code prefix")
    lexp2.add_argument("--out", required=True, help="输出文件 / output .xlsx")
    keys = sub.add_parser(
        "keys", help=COMMANDS["keys"], description=COMMANDS["keys"] + "（见 docs/security.md）"
    )
    keys_sub = keys.add_subparsers(dest="action", metavar="操作/action", required=True)
    keys_sub.add_parser("init", help="生成密钥文件（已存在则不覆盖）/ create the key file")
    keys_sub.add_parser("status", help="各加密列按密钥编号统计行数 / rows per key id per column")
    krot = keys_sub.add_parser(
        "rotate", help="换新主密钥并重新加密全部数据（可中断后重跑）/ new primary key, re-encrypt everything"
    )
    krot.add_argument(
        "--index", action="store_true", help="同时更换盲索引密钥并重算索引 / also rotate the blind-index key"
    )
    return parser


def _run_job(kind: str, title: str, params: dict) -> int:
    from fanpin.core.jobs import job_enqueue, job_run_now
    from fanpin.core.models.job import JobStatus

    job = job_enqueue(kind=kind, title=title, params=params)
    bar, update = progress_bar(title)
    job = job_run_now(job, on_progress=update)
    bar.close()
    if job.status == JobStatus.SUCCEEDED:
        print(job.log.rstrip())
        return 0
    print(job.error, file=sys.stderr)
    return 1


def cmd_divisions_load(files: list[str]) -> int:
    from fanpin.divisions.services.load import shanxi_files

    paths = [os.path.abspath(f) for f in files] or [str(p) for p in shanxi_files()]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        print("找不到文件 / file not found: " + ", ".join(missing), file=sys.stderr)
        return 2
    return _run_job("divisions.load", f"导入行政区划（{len(paths)} 个文件）", {"paths": paths})


def cmd_synth(args) -> int:
    area = args.area.strip()
    title = f"生成合成农户 {args.households} 户（{area or '全部区划'}，种子 {args.seed}）"
    params = {
        "households": args.households,
        "seed": args.seed,
        "area": area,
        "end": args.end,
        "replace": args.replace,
    }
    return _run_job("registry.synth", title, params)


def cmd_users_create(args) -> int:
    import getpass

    from fanpin.accounts.services.users import user_create
    from fanpin.core.errors import ApplicationError

    password = args.password or getpass.getpass("密码 / password: ")
    try:
        user = user_create(
            actor="命令行",
            username=args.username,
            password=password,
            role=args.role,
            area_code=args.area or None,
            display_name=args.name,
        )
    except ApplicationError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        f"已创建账号 {user.username}（{user.get_role_display()}，{user.area.full_name if user.area else '全部区划'}）"
    )
    return 0


def cmd_demo(args) -> int:
    from django.core.management import call_command

    from fanpin.core.demo import demo_prepare, print_logins
    from fanpin.core.keys_commands import ensure_key_file

    ensure_key_file()  # a fresh machine gets its encryption key file (and is told to back it up)
    print("1/3 建立数据库 / migrating …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    print("2/3 导入山西省行政区划 / loading Shanxi divisions …", flush=True)
    bar, update = progress_bar("行政区划")
    summary = demo_prepare(on_progress=update)
    bar.close()
    print("3/3 演示数据 / demo data: " + "；".join(summary), flush=True)
    print_logins(host=args.host, port=args.port)
    if args.no_serve:
        return 0
    return cmd_serve(argparse.Namespace(host=args.host, port=args.port, workers=2, no_jobs=False))


def cmd_serve(args) -> int:
    import signal
    import subprocess
    import threading

    from fanpin.core import crypto
    from fanpin.core.jobs import worker_loop

    try:
        crypto.check_keys()  # refuse to start without the encryption keys
    except crypto.CryptoKeyError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    env = dict(os.environ)
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "fanpin.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    print(f"网站地址 / URL: http://{args.host}:{args.port}/", flush=True)
    server = subprocess.Popen(cmd, env=env)
    stopping = threading.Event()

    def stop(*_):
        stopping.set()
        server.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not args.no_jobs:
        threading.Thread(
            target=worker_loop,
            kwargs={"stop": stopping.is_set, "poll_seconds": 1.0},
            daemon=True,
            name="jobs",
        ).start()
    try:
        return server.wait()
    finally:
        stopping.set()


def cmd_worker() -> int:
    from fanpin.core.jobs import worker_loop

    print("后台任务执行器已启动 / job worker started (Ctrl+C 退出)", flush=True)
    try:
        worker_loop(poll_seconds=1.0)
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
        from django.core.management import execute_from_command_line

        if argv[0] == "migrate":
            from fanpin.core.keys_commands import ensure_key_file

            ensure_key_file()  # the data migrations encrypt existing rows: they need a key

        execute_from_command_line(["fanpin", *argv])
        return 0
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    _setup_django()
    if args.command == "demo":
        return cmd_demo(args)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "worker":
        return cmd_worker()
    if args.command == "divisions":
        return cmd_divisions_load(args.files)
    if args.command == "users":
        return cmd_users_create(args)
    if args.command == "synth":
        return cmd_synth(args)
    if args.command == "import":
        from fanpin.registry.commands import import_national

        return import_national(args)
    if args.command in ("monitor", "leads", "policy"):
        from fanpin.monitoring import commands

        return {
            "monitor": commands.monitor_run,
            "leads": commands.leads_export,
            "policy": commands.policy_set,
        }[args.command](args)
    if args.command == "departments":
        from fanpin.monitoring.departments.commands import departments_load

        return departments_load(args)
    if args.command == "reports":
        from fanpin.reports.commands import reports_rollup

        return reports_rollup(args)
    if args.command == "export":
        from fanpin.registry.commands import export_national

        return export_national(args)
    if args.command == "ledgers":
        from fanpin.ledgers.commands import ledgers_command

        return ledgers_command(args)
    if args.command == "keys":
        from fanpin.core.keys_commands import keys_command

        return keys_command(args)
    if args.command in ("backup", "restore"):
        from fanpin.core import backup_commands

        return getattr(backup_commands, args.command)(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
