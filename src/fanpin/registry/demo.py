"""Demo data: 惠农“一卡通” subsidy accounts for the household heads of 秋林庄村 (encrypted at rest,
shown masked, revealed with the household's personal data)."""

from __future__ import annotations

from collections.abc import Callable

ACTOR = "演示数据"
VILLAGE = "140321201249"  # 平定县岔口乡秋林庄村


def demo_bank_accounts(on_progress: Callable[[int, int], None] | None = None) -> str:
    from fanpin.registry.models import Member
    from fanpin.registry.services.households import member_update

    heads = Member.objects.filter(household__village_id=VILLAGE, relation="户主").order_by("id")
    if heads.exclude(bank_account="").exists():
        return "秋林庄村户主已有一卡通账号，未新增"
    heads = list(heads[:30])
    for n, member in enumerate(heads, start=1):
        # 19 digits like a rural credit cooperative card; made up, derived from the member's row
        member_update(actor=ACTOR, member=member, bank_account=f"62170003{member.pk:011d}")
        if on_progress:
            on_progress(n, len(heads))
    return f"秋林庄村 {len(heads)} 位户主的一卡通账号（加密保存）"
