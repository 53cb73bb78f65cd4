"""CPU cost of the field encryption (core/crypto.py, core/fields.py), measured without a database so that
other load on the machine does not blur it (process CPU time, not wall clock).

    python bench/crypto_bench.py [--households 100000] [--area 140321] [--cipher aes-gcm|sm4]

1. Per value: encrypt, decrypt, blind index of an 18-character ID number, in batches.
2. Synth: the generator's rows for --households households, then the rows as stored (`_Plan.rows`) with
   and without the sealing step (encrypt ID numbers and phones, blind index, masked copy) — the extra
   work `fanpin synth` and the import's COPY path do per person.
3. Export/quality: decrypting the ID numbers and phones of those people (what the national export and the
   quality extract add).
Needs the Shanxi divisions in the configured database (for the villages) and keys (FANPIN_DATA_KEYS or a
key file; `fanpin keys init`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def cpu(fn, *args, **kwargs):
    t0 = time.process_time()
    result = fn(*args, **kwargs)
    return time.process_time() - t0, result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--area", default="140321")
    parser.add_argument("--cipher", default=None, help="aes-gcm or sm4 (default: FANPIN_CIPHER)")
    args = parser.parse_args()
    if args.cipher:
        os.environ["FANPIN_CIPHER"] = args.cipher
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanpin.settings.base")
    import django

    django.setup()
    from dataclasses import replace

    from fanpin.core import crypto
    from fanpin.registry import synth
    from fanpin.registry.services import synth as service

    kr = crypto.keyring()
    print(f"cipher {crypto.ALG_NAMES[kr.cipher]}, primary key {kr.primary}")

    # 1. per value
    ids = [f"1403211980{i:08d}" for i in range(200_000)]
    t_enc, tokens = cpu(crypto.encrypt_many, ids, column="registry.member.id_number")
    t_dec, _ = cpu(crypto.decrypt_many, tokens, column="registry.member.id_number")
    t_idx, _ = cpu(crypto.blind_index_many, ids, kind="id")
    n = len(ids)
    print(
        f"per value (µs): encrypt {t_enc / n * 1e6:.2f}  decrypt {t_dec / n * 1e6:.2f}  "
        f"blind index {t_idx / n * 1e6:.2f}  (token {len(tokens[0])} characters)"
    )

    # 2. synth rows
    _name, villages = service._area(args.area)
    counties = synth.plan(villages, args.households, 1)
    generator = synth.Generator(seed=1, end_year=2025, end_month=10, first_id=1, now="2025-11-01 00:00:00")
    t_gen, items = cpu(lambda: list(generator.run(counties)))
    households = [b.household for b in items]
    members = [m for b in items for m in b.members]
    hh_plan, member_plan, _income = service._plans()
    plain_hh, plain_m = replace(hh_plan, sealer=None), replace(member_plan, sealer=None)
    t_plain, _ = cpu(lambda: (plain_hh.rows(households), plain_m.rows(members)))
    t_sealed, (sealed_hh, sealed_m) = cpu(lambda: (hh_plan.rows(households), member_plan.rows(members)))
    people = len(members)
    print(
        f"synth {len(households):,} households, {people:,} people: generate {t_gen:.2f} s; rows as stored "
        f"{t_plain:.2f} s plain, {t_sealed:.2f} s sealed (+{t_sealed - t_plain:.2f} s, "
        f"{(t_sealed - t_plain) / people * 1e6:.1f} µs per person)"
    )

    # 3. decrypt what the export and the quality extract read
    id_at = member_plan.columns.index("id_number")
    phone_at = member_plan.columns.index("phone")
    hphone_at = hh_plan.columns.index("phone")
    cphone_at = hh_plan.columns.index("collector_phone")

    def open_all():
        crypto.decrypt_many([r[id_at] for r in sealed_m], column="registry.member.id_number", kr=kr)
        crypto.decrypt_many([r[phone_at] for r in sealed_m], column="registry.member.phone", kr=kr)
        crypto.decrypt_many([r[hphone_at] for r in sealed_hh], column="registry.household.phone", kr=kr)
        crypto.decrypt_many(
            [r[cphone_at] for r in sealed_hh], column="registry.household.collector_phone", kr=kr
        )

    t_open, _ = cpu(open_all)
    print(
        f"decrypt ID numbers and phones of {people:,} people / {len(households):,} households: {t_open:.2f} s "
        f"({t_open / people * 1e6:.1f} µs per person)"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.exit(main())
