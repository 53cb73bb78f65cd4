"""Model fields for personal data encrypted at rest (see core/crypto.py and docs/security.md).

- EncryptedCharField: the column holds a token (f1.<kid>.<alg>.…); Python code sees the plain text.
  Saving encrypts (with the field's column name as associated data), loading decrypts. Only `isnull`
  and `= ""` lookups work: an encrypted value cannot be compared in SQL. Exact lookups go through a
  blind index.
- BlindIndexField: HMAC of another field's normalised value (crypto.blind_index), kept in step on save.
- MaskedField: a plaintext masked copy (140321********1234) for lists, exports and quality rules that
  must not decrypt.

Derived fields are recomputed by `pre_save` (save() and bulk_create). Code that writes the source field
with queryset.update(), bulk_update() or raw SQL must write the derived columns too: `derived_values`
gives them, and `RowSealer` turns plain raw rows into stored rows for the bulk paths.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.db import models
from django.db.models.lookups import Exact, IsNull

from fanpin.core import crypto
from fanpin.core.masking import mask_account, mask_id, mask_phone

MASKERS = {"id": mask_id, "phone": mask_phone, "account": mask_account}
TOKEN_MAX_LENGTH = 255


def column_label(model, name: str) -> str:
    """The associated data of a column: "<app_label>.<model_name>.<field name>"."""
    return f"{model._meta.app_label}.{model._meta.model_name}.{name}"


class EmptyOnlyExact(Exact):
    """`field=""` (is it empty?) is fine: empty values are stored empty. Anything else cannot match."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise ValueError("不能按加密字段的值查询（密文每次都不同），请按其盲索引字段查询。")
        return ""

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [value])


class EncryptedCharField(models.CharField):
    """Personal data encrypted with authenticated encryption; `plain_max_length` limits the input."""

    description = "加密文本"

    def __init__(self, *args, plain_max_length: int = 40, kind: str = "", **kwargs):
        self.plain_max_length = plain_max_length
        self.kind = kind
        kwargs["max_length"] = TOKEN_MAX_LENGTH
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["plain_max_length"] = self.plain_max_length
        if self.kind:
            kwargs["kind"] = self.kind
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.crypto_column = column_label(cls, name)

    def from_db_value(self, value, expression, connection):
        if not value or not crypto.is_token(value):
            return value  # empty, or plaintext written before encryption (`fanpin keys rotate` seals it)
        return crypto.decrypt(value, column=self.crypto_column)

    def to_python(self, value):
        if crypto.is_token(value):
            return crypto.decrypt(value, column=self.crypto_column)
        return super().to_python(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or crypto.is_token(value):
            return value
        return crypto.encrypt(str(value), column=self.crypto_column)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None  # FieldError: encrypted values cannot be compared, sorted or searched in SQL

    def formfield(self, **kwargs):
        defaults = {"max_length": self.plain_max_length, "form_class": forms.CharField}
        defaults.update(kwargs)
        return super(models.CharField, self).formfield(**defaults)


class _DerivedField(models.CharField):
    def __init__(self, *args, source: str, kind: str, **kwargs):
        self.source = source
        self.kind = kind
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")  # filled by pre_save / RowSealer; "" until then
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        kwargs.pop("editable", None)
        if kwargs.get("default") == "":
            kwargs.pop("default")
        if kwargs.get("blank") is True:
            kwargs.pop("blank")
        return name, path, args, kwargs

    def derive(self, plain: str) -> str:
        raise NotImplementedError

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source) or ""
        if crypto.is_token(plain):
            source = model_instance._meta.get_field(self.source)
            plain = crypto.decrypt(plain, column=source.crypto_column)
        value = self.derive(plain)
        setattr(model_instance, self.attname, value)
        return value


class BlindIndexField(_DerivedField):
    """crypto.blind_index of the source field (32 hex characters; "" when the source is empty)."""

    description = "盲索引"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", crypto.INDEX_HEX)
        super().__init__(*args, **kwargs)

    def derive(self, plain: str) -> str:
        return crypto.blind_index(plain, kind=self.kind)


class MaskedField(_DerivedField):
    """The source field masked (core.masking): safe to show, sort and filter by region."""

    description = "脱敏副本"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def derive(self, plain: str) -> str:
        return MASKERS[self.kind](plain)[: self.max_length]


def encrypted_fields(model) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def derived_fields(model, source: str | None = None) -> list[_DerivedField]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, _DerivedField) and (source is None or f.source == source)
    ]


def derived_values(model, name: str, plain: str) -> dict[str, str]:
    """{derived field name: value} for a new plain value of `name` (for update()/bulk_update())."""
    return {f.name: f.derive(plain or "") for f in derived_fields(model, name)}


def index_of(model, name: str, value: str) -> str:
    """The blind index of `value` as stored in `model`'s index field for `name`."""
    for f in derived_fields(model, name):
        if isinstance(f, BlindIndexField):
            return f.derive(value)
    raise LookupError(f"{model.__name__}.{name} has no blind index")


class RowSealer:
    """Plain raw rows → stored rows, for bulk inserts that bypass the ORM (COPY, executemany).

    `columns` are the raw rows' columns (plain values in the encrypted ones). The stored rows have the
    same columns plus the derived ones (index, masked) that are not already there, in `out_columns`."""

    def __init__(self, model, columns: Sequence[str], kr: crypto.Keyring | None = None):
        self.kr = kr or crypto.keyring()
        by_column = {f.column: f for f in model._meta.concrete_fields}
        columns = list(columns)
        self.encrypt = [
            (i, by_column[c].crypto_column)
            for i, c in enumerate(columns)
            if isinstance(by_column.get(c), EncryptedCharField)
        ]
        derived = [f for f in derived_fields(model) if f.column not in columns]
        position = {by_column[c].name: i for i, c in enumerate(columns) if c in by_column}
        replace = []
        for i, c in enumerate(columns):
            f = by_column.get(c)
            if isinstance(f, _DerivedField) and f.source in position:
                replace.append((i, position[f.source], f))
        self.derived = [(position[f.source], f) for f in derived if f.source in position]
        self.replace = replace
        self.out_columns = columns + [f.column for _src, f in self.derived]
        self.active = bool(self.encrypt or self.derived or self.replace)
        self._steps = None

    def _deriver(self, f: _DerivedField):
        """A function plain value → derived value, with the keyring and kind bound."""
        if isinstance(f, BlindIndexField):
            kr, kind, blind_index = self.kr, f.kind, crypto.blind_index
            return lambda plain: blind_index(plain, kind=kind, kr=kr)
        mask, length = MASKERS[f.kind], f.max_length
        return lambda plain: mask(plain or "")[:length]

    def row(self, row: Sequence) -> tuple:
        if self._steps is None:
            self._compile()
        out = list(row)
        for step in self._steps:
            step(row, out)
        return tuple(out)

    def _compile(self) -> None:
        """One small function per column to fill, built once (this runs per row of a million-row load)."""
        steps = []
        for i, src, f in self.replace:
            derive = self._deriver(f)

            def replace(row, out, i=i, src=src, derive=derive):
                out[i] = derive(row[src])

            steps.append(replace)
        kr, kid, alg, encrypt, prefix = (
            self.kr,
            self.kr.primary,
            self.kr.cipher,
            crypto._encrypt,
            crypto.PREFIX,
        )
        for i, column in self.encrypt:

            def seal(row, out, i=i, column=column):
                value = row[i]
                if value and not (isinstance(value, str) and value.startswith(prefix)):
                    out[i] = encrypt(kr, kid, alg, str(value), column)

            steps.append(seal)
        for src, f in self.derived:
            derive = self._deriver(f)

            def append(row, out, src=src, derive=derive):
                out.append(derive(row[src]))

            steps.append(append)
        self._steps = steps

    def rows(self, rows) -> list[tuple]:
        if not self.active:
            return rows if isinstance(rows, list) else list(rows)
        seal = self.row
        return [seal(r) for r in rows]


def sync_derived(instance) -> None:
    """Recompute `instance`'s derived fields (blind index, masked copy) from its current values, e.g.
    before full_clean() checks the blind index's uniqueness."""
    for f in derived_fields(type(instance)):
        f.pre_save(instance, False)
