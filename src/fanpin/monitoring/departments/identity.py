"""How department data identifies a person: the ONE place that turns an ID number into the join key
and into what is kept at rest (fanpin.core.crypto).

- The join key (``id_key``) is the blind index ``blind_index(number, kind="id")``: HMAC-SHA256 with
  the index key, so equal numbers match without the number being kept. The engine only compares it.
- No plaintext ID is kept at rest. A batch's ``records.parquet`` holds the key; the numbers themselves
  are kept only sealed, one AES-GCM token per chunk of the file (``ids.sealed``: the chunk's row numbers
  and numbers, as Arrow IPC, encrypted with the data key), because the people not found in the
  registry must be listed with their number. At matching, those people's numbers are unsealed and
  each stored field-encrypted (``seal``) in DepartmentRecord.id_number; nobody else's.
- The registry side: members' ``id_number`` is encrypted in the registry, which keeps its blind index
  in ``id_number_index`` (core/fields.py BlindIndexField, the same ``blind_index(number, kind="id")``):
  matching reads that column as it is, with no decryption and no HMAC at read time.
"""

from __future__ import annotations

import base64
import io

import pyarrow as pa

from fanpin.core import crypto

KIND = "id"
RECORD_COLUMN = "monitoring.departmentrecord.id_number"
CHUNK_COLUMN = "monitoring.departmentbatch.ids"

# The registry column the members' join key is made from (SQL, table alias m = registry_member).
REGISTRY_KEY_SQL = "m.id_number_index"


def keys(numbers: pa.Array) -> pa.Array:
    """Join keys for normalised, valid ID numbers (an Arrow string array)."""
    return pa.array(crypto.blind_index_many(numbers.to_pylist(), kind=KIND), pa.string())


def registry_key(number: str) -> str:
    """The join key of one ID number (tests, small lookups)."""
    return crypto.blind_index(number, kind=KIND)


def seal_chunk(rows: pa.Array, numbers: pa.Array) -> str:
    """One token holding a chunk's row numbers and ID numbers (Arrow IPC, AES-GCM with the data key)."""
    sink = io.BytesIO()
    table = pa.table({"row": rows, "id_number": numbers})
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return crypto.encrypt(base64.b64encode(sink.getvalue()).decode("ascii"), column=CHUNK_COLUMN)


def unseal_chunk(token: str) -> pa.Table:
    data = base64.b64decode(crypto.decrypt(token, column=CHUNK_COLUMN))
    return pa.ipc.open_stream(data).read_all()


def seal(number: str) -> str:
    """A person's number as stored in DepartmentRecord.id_number (field-encrypted)."""
    return crypto.encrypt(number, column=RECORD_COLUMN)


def seal_many(numbers: list[str]) -> list[str]:
    return crypto.encrypt_many(numbers, column=RECORD_COLUMN)


def unseal(value: str) -> str:
    """The number back from `seal` (shown masked, or in full with Permission.VIEW_PERSONAL)."""
    return crypto.decrypt(value, column=RECORD_COLUMN) if crypto.is_token(value) else value
