"""Re-encrypt stored personal data in place: the data migrations that first encrypt existing rows and
`fanpin keys rotate` use this. Raw SQL over the model's _meta (works with migrations' historical models),
in primary-key batches; rows already under the primary key (and with their derived columns filled) are
skipped, so a run that stopped half way can simply be run again."""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps as global_apps
from django.db import connection, transaction

from fanpin.core import crypto
from fanpin.core.fields import BlindIndexField, EncryptedCharField, _DerivedField

BATCH = 5000


def sealed_models(apps=global_apps) -> list:
    """Every model with an encrypted field, in a stable order."""
    out = []
    for model in apps.get_models():
        if any(isinstance(f, EncryptedCharField) for f in model._meta.concrete_fields):
            out.append(model)
    return sorted(out, key=lambda m: m._meta.db_table)


def _fields(model):
    enc = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
    der = [f for f in model._meta.concrete_fields if isinstance(f, _DerivedField)]
    return enc, der


def _column(model, f) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}.{f.name}"


def count_rows(model) -> int:
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {qn(model._meta.db_table)}")
        return cur.fetchone()[0]


def reseal_model(
    model,
    *,
    kr: crypto.Keyring,
    index_key: bytes | None = None,
    batch: int = BATCH,
    atomic_batches: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Bring every row of `model` under the primary key; with `index_key`, recompute every blind index
    with that key. Returns {"rows": n, "changed": n}. Each batch is its own transaction unless
    `atomic_batches` is False (the caller holds one transaction, as for an index rotation)."""
    enc, der = _fields(model)
    if not enc:
        return {"rows": 0, "changed": 0}
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    enc_cols = [f.column for f in enc]
    der_cols = [f.column for f in der]
    select = ", ".join([pk, *map(qn, enc_cols), *map(qn, der_cols)])
    update = (
        f"UPDATE {table} SET " + ", ".join(f"{qn(c)} = %s" for c in enc_cols + der_cols) + f" WHERE {pk} = %s"
    )
    columns = [_column(model, f) for f in enc]
    source_at = {f.name: i for i, f in enumerate(enc)}
    total = count_rows(model)
    done = changed = 0
    last = None
    while True:
        with connection.cursor() as cur:
            if last is None:
                cur.execute(f"SELECT {select} FROM {table} ORDER BY {pk} LIMIT %s", [batch])
            else:
                cur.execute(
                    f"SELECT {select} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s", [last, batch]
                )
            rows = cur.fetchall()
        if not rows:
            break
        last = rows[-1][0]
        updates = []
        for row in rows:
            values = list(row[1:])
            tokens = values[: len(enc)]
            plains: list = [None] * len(enc)
            dirty = False
            for i, token in enumerate(tokens):
                if crypto.needs_reencrypt(token, kr):
                    plain = (
                        crypto.decrypt(token, column=columns[i], kr=kr) if crypto.is_token(token) else token
                    )
                    plains[i] = plain
                    values[i] = crypto._encrypt(kr, kr.primary, kr.cipher, plain, columns[i])
                    dirty = True
            for j, f in enumerate(der):
                k = len(enc) + j
                i = source_at[f.source]
                stale = index_key is not None and isinstance(f, BlindIndexField)
                if (
                    not stale
                    and not (values[k] in (None, "") and tokens[i] not in (None, ""))
                    and plains[i] is None
                ):
                    continue
                if plains[i] is None:
                    token = tokens[i]
                    plains[i] = (
                        crypto.decrypt(token, column=columns[i], kr=kr) if crypto.is_token(token) else token
                    )
                if isinstance(f, BlindIndexField):
                    new = crypto.blind_index(plains[i], kind=f.kind, kr=kr, key=index_key)
                else:
                    new = f.derive(plains[i] or "")
                if new != values[k]:
                    values[k] = new
                    dirty = True
            if dirty:
                updates.append((*values, row[0]))
        if updates:
            if atomic_batches:
                with transaction.atomic(), connection.cursor() as cur:
                    cur.executemany(update, updates)
            else:
                with connection.cursor() as cur:
                    cur.executemany(update, updates)
        changed += len(updates)
        done += len(rows)
        if on_progress:
            on_progress(done, total)
    return {"rows": done, "changed": changed}


def needs_sealing(model) -> bool:
    """True when `model` has rows whose encrypted columns hold plaintext (before the first encryption)."""
    enc, _der = _fields(model)
    qn = connection.ops.quote_name
    conditions = " OR ".join(
        f"({qn(f.column)} IS NOT NULL AND {qn(f.column)} <> '' AND {qn(f.column)} NOT LIKE 'f1.%%')"
        for f in enc
    )
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {qn(model._meta.db_table)} WHERE {conditions} LIMIT 1")
        return cur.fetchone() is not None


def migration_seal(app_label: str, *model_names: str):
    """A RunPython function that encrypts the existing rows of these models (needs the keys only when
    there are rows to encrypt)."""

    def run(apps, schema_editor):
        for name in model_names:
            model = apps.get_model(app_label, name)
            if not needs_sealing(model) and not _missing_derived(model):
                continue
            kr = crypto.keyring()
            reseal_model(model, kr=kr, atomic_batches=False)

    return run


def _missing_derived(model) -> bool:
    enc, der = _fields(model)
    if not der:
        return False
    qn = connection.ops.quote_name
    names = {f.name: f for f in enc}
    conditions = " OR ".join(
        f"({qn(f.column)} = '' AND {qn(names[f.source].column)} <> '')" for f in der if f.source in names
    )
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {qn(model._meta.db_table)} WHERE {conditions} LIMIT 1")
        return cur.fetchone() is not None


def key_counts(apps=global_apps) -> list[tuple[str, str, str, int]]:
    """(table, column, key id or 明文/空, rows) for every encrypted column."""
    qn = connection.ops.quote_name
    out = []
    for model in sealed_models(apps):
        enc, _der = _fields(model)
        table = qn(model._meta.db_table)
        for f in enc:
            col = qn(f.column)
            if connection.vendor == "postgresql":
                kid = f"split_part({col}, '.', 2)"
            else:
                kid = f"substr({col}, 4, instr(substr({col}, 4), '.') - 1)"
            sql = (
                f"SELECT CASE WHEN {col} IS NULL OR {col} = '' THEN '（空）' "
                f"WHEN {col} LIKE 'f1.%%' THEN {kid} ELSE '（明文）' END AS k, COUNT(*) "
                f"FROM {table} GROUP BY k ORDER BY k"
            )
            with connection.cursor() as cur:
                cur.execute(sql)
                for kid_value, n in cur.fetchall():
                    out.append((model._meta.db_table, f.column, kid_value, n))
    return out
