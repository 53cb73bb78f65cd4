"""How department data identifies a person: the ONE place that turns an ID number into the join key
and into what is kept at rest.

Today the key is the normalised ID number itself (18 characters, upper-case X) and the registry side
is ``registry_member.id_number``. When field encryption lands (fanpin.core.crypto), the key becomes the
blind index (``blind_index(number, kind="id_number")``), the registry side the members' blind-index
column, and ``sealed`` the encrypted number — changing this module only: the loader, the matching,
the benchmark and the engine call nothing else. The engine itself only ever sees the column
``id_key``.
"""

from __future__ import annotations

import pyarrow as pa

# The registry column holding the members' join key (SQL, table alias m = registry_member).
REGISTRY_KEY_SQL = "m.id_number"
# Normalise an ID number in SQL (DuckDB) the way fanpin.registry.idnumber.normalize does for the
# plain ASCII forms the fast path accepts: upper-case; anything else goes through Python.
KEY_FROM_NORMALISED_SQL = "{number}"


def keys(numbers: pa.Array) -> pa.Array:
    """Join keys for normalised, valid ID numbers (an Arrow string array)."""
    return numbers


def sealed(numbers: pa.Array) -> pa.Array:
    """What is kept at rest for a person who may have to be shown (the possible new household list)."""
    return numbers


def unseal(value: str) -> str:
    """The ID number back from `sealed` (for the people not in the registry, shown masked or with
    Permission.VIEW_PERSONAL)."""
    return value


def registry_key(number: str) -> str:
    """The join key of one registry member's ID number (tests, small lookups)."""
    return number
