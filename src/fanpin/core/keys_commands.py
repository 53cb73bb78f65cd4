"""`fanpin keys init | status | rotate [--index]` (docs/security.md). Keys live in the key file or the
environment, never in the database; rotation re-encrypts every encrypted column in batches."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from fanpin.core import crypto
from fanpin.core.progress import progress_bar

ACTOR = "命令行"


def ensure_key_file(*, quiet: bool = False) -> Path | None:
    """On a fresh machine (no keys in the environment, no key file): create the key file and say so.
    Returns the new file's path, or None when keys were already there."""
    from fanpin.settings import env

    if env.data_keys():
        return None
    path = crypto.key_file_path()
    if path.exists():
        return None
    crypto.create_key_file(path)
    if not quiet:
        print(
            f"已生成加密密钥文件 / created the encryption key file: {path}\n"
            "  请立即备份此文件并与数据库备份分开保存：没有它，数据库中的身份证号、电话、银行账号都无法读取。\n"
            "  Back it up now, apart from database backups: without it the encrypted data cannot be read.",
            flush=True,
        )
    return path


def keys_init(args) -> int:
    from fanpin.settings import env

    if env.data_keys():
        print("已通过环境变量 FANPIN_DATA_KEYS 提供密钥，不需要密钥文件。", file=sys.stderr)
        return 1
    path = crypto.key_file_path()
    if path.exists():
        print(f"密钥文件已存在，未覆盖 / key file exists, not overwritten: {path}", file=sys.stderr)
        return 1
    ensure_key_file()
    return 0


def keys_status(args) -> int:
    from fanpin.core.sealing import key_counts

    kr = crypto.keyring()
    print(f"密钥来源 / source: {kr.source}")
    print(
        f"算法 / cipher for new values: {crypto.ALG_NAMES[kr.cipher]}（SM4 可用：{'是' if crypto.sm4_available() else '否'}）"
    )
    print(f"主密钥 / primary data key: {kr.primary}；全部数据密钥 / all: {', '.join(kr.data)}")
    print(
        f"盲索引密钥 / blind-index key: {kr.index_kid}"
        + (f"（轮换中 → {kr.index_next[0]}）" if kr.index_next else "")
    )
    print("表.列 / table.column  密钥 / key  行数 / rows")
    unknown = 0
    for table, column, kid, n in key_counts():
        mark = ""
        if kid not in kr.data and not kid.startswith("（"):
            mark = "  ← 密钥不在密钥文件中！/ key missing!"
            unknown += n
        elif kid == "（明文）":
            mark = "  ← 未加密，请执行 fanpin keys rotate / not encrypted"
        print(f"{table}.{column}  {kid}  {n}{mark}")
    return 1 if unknown else 0


def _write_file_keys(found: dict) -> None:
    crypto.write_key_file(crypto.key_file_path(), found)
    crypto.reset()


def keys_rotate(args) -> int:
    """New primary data key (kept first in the key file; old keys kept for decryption), then every
    encrypted column re-encrypted in batches. With --index: a new blind-index key and every index
    recomputed, one transaction per table. Safe to run again after an interruption."""
    from django.db import transaction

    from fanpin.core.sealing import reseal_model, sealed_models
    from fanpin.core.services.audit import audit_record
    from fanpin.settings import env

    from_env = bool(env.data_keys())
    kr = crypto.keyring()
    if from_env:
        if args.index:
            print(
                "密钥来自环境变量：请先在环境变量中设置新的 FANPIN_INDEX_KEY 后再运行（见 docs/security.md）。",
                file=sys.stderr,
            )
        print(
            "密钥来自环境变量 FANPIN_DATA_KEYS：把新密钥放在第一位（旧密钥保留在后面）后运行本命令，"
            "本命令只重新加密数据。",
            flush=True,
        )
    else:
        found = crypto.read_key_file(crypto.key_file_path())
        if not _pending(found, kr):
            new = (crypto.new_kid("k"), secrets.token_bytes(crypto.KEY_BYTES))
            found["data"] = [new, *found["data"]]
            print(f"新主密钥 / new primary key: {new[0]}（旧密钥保留用于解密）", flush=True)
        if args.index and not found["index-next"]:
            found["index-next"] = [(crypto.new_kid("i"), secrets.token_bytes(crypto.KEY_BYTES))]
        _write_file_keys(found)
        kr = crypto.keyring()
    index_key = None
    if args.index and not from_env:
        index_kid, index_key = kr.index_next
    summary = {}
    for model in sealed_models():
        label = model._meta.db_table
        bar, update = progress_bar(f"重新加密 {label}")
        if index_key is not None:
            with transaction.atomic():  # one transaction per table: indexes all old or all new
                result = reseal_model(
                    model, kr=kr, index_key=index_key, atomic_batches=False, on_progress=update
                )
        else:
            result = reseal_model(model, kr=kr, on_progress=update)
        bar.close()
        summary[label] = result
        print(f"{label}: {result['rows']} 行，重新加密 {result['changed']} 行", flush=True)
    if index_key is not None:
        found = crypto.read_key_file(crypto.key_file_path())
        found["index"] = [(index_kid, index_key)]
        found["index-next"] = []
        _write_file_keys(found)
        print(f"盲索引密钥已更换为 / blind-index key is now: {index_kid}", flush=True)
    with transaction.atomic():
        audit_record(
            actor=ACTOR,
            action="keys.rotate_index" if index_key is not None else "keys.rotate",
            object_type="core.crypto",
            object_repr=f"密钥轮换：主密钥 {kr.primary}",
            after={"primary": kr.primary, "tables": {t: r["changed"] for t, r in summary.items()}},
            note="盲索引密钥同时更换" if index_key is not None else "",
        )
    print("完成。旧密钥确认不再使用（fanpin keys status 中没有行使用它）后，可从密钥文件中删除。")
    return 0


def _pending(found: dict, kr: crypto.Keyring) -> bool:
    """True when an earlier rotation stopped half way: its new primary key is already first in the file
    and some rows are still under older keys — then the run resumes with that key."""
    from fanpin.core.sealing import key_counts

    primary = found["data"][0][0]
    return any(kid not in (primary, "（空）") for _t, _c, kid, n in key_counts() if n)


def keys_command(args) -> int:
    try:
        if args.action == "init":
            return keys_init(args)
        if args.action == "status":
            return keys_status(args)
        if args.action == "rotate":
            return keys_rotate(args)
    except crypto.CryptoKeyError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 2
