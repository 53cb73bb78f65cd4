"""Permission rules of the ledgers for the matrix (core/tests/test_permission_matrix.py).

Pages are generic (one URL pattern per action, the ledger in the path), so they are checked on the
problem-rectification ledger and, for the workflow step, on the project library; the API has one
route per ledger, and every one of them gets its rule from the loop below."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from fanpin.accounts.choices import Permission
from fanpin.core.tests.permissions_support import OUTSIDE_MARKER, Ctx, Rule, url
from fanpin.ledgers.framework.definition import LEDGERS

PAGE_LEDGER = "rectification"


def _objects(slug: str, tag: str, village: str, member, household, workshop=None) -> dict:
    marker = OUTSIDE_MARKER if tag == "OUT" else "区内"
    person = {"member": member, "household": household}
    return {
        "rectification": {
            "problem": marker,
            "source": "自查排查",
            "found_on": date(2025, 3, 1),
            "owner": marker,
        },
        "employment": {**person, "year": 2025, "month": 6, "place": "省外"},
        "service131": {**person, "year": 2025},
        "loans": {
            **person,
            "amount": Decimal("30000"),
            "term_months": 36,
            "use": "养殖业",
            "disbursed_on": date(2025, 3, 1),
            "bank": marker,
        },
        "projects": {"name": marker, "year": 2025, "category": "产业发展", "status": "proposed"},
        "funds": {"year": 2025, "level": "中央", "amount": Decimal("1000"), "document": marker},
        "welfare-jobs": {
            **person,
            "post": marker,
            "post_type": "乡村保洁",
            "start_on": date(2025, 1, 1),
            "months": 6,
            "monthly_pay": Decimal("500"),
        },
        "workshops": {"name": marker, "operator": marker, "workers_total": 10, "poor_workers": 5},
        "workshop-workers": {
            **person,
            "workshop": workshop,
            "start_on": date(2025, 1, 1),
            "monthly_wage": Decimal("2000"),
        },
        "consumption": {
            "sold_on": date(2025, 6, 30),
            "channel": "订单销售",
            "products": marker,
            "amount": Decimal("100"),
        },
        "assets": {
            "name": marker,
            "asset_class": "公益性",
            "project_year": 2021,
            "value": Decimal("100000"),
            "owner_type": "村集体",
            "keeper_unit": marker,
        },
        "work-teams": {
            "name": f"{tag}队员",
            "role": "工作队员",
            "unit": marker,
            "start_on": date(2024, 1, 1),
        },
    }[slug]


def setup(ctx: Ctx) -> None:
    from fanpin.ledgers.models import Campaign, CampaignTarget, LedgerImport
    from fanpin.registry.models import Household, Member

    for tag, household_id, member_id in (
        ("IN", ctx.household_inside, ctx.member_inside),
        ("OUT", ctx.household_outside, ctx.member_outside),
    ):
        household = Household.objects.get(pk=household_id)
        member = Member.objects.get(pk=member_id)
        village = household.village_id
        side = "inside" if tag == "IN" else "outside"
        workshop = None
        for slug in ("workshops", *[s for s in LEDGERS if s != "workshops"]):
            ledger = LEDGERS[slug]
            values = _objects(slug, tag, village, member, household, workshop)
            entry = ledger.model.objects.create(area_id=village, **values)
            if slug == "workshops":
                workshop = entry
            ctx.extra[f"{slug}_{side}"] = entry.pk
        campaign = Campaign.objects.create(
            name=OUTSIDE_MARKER if tag == "OUT" else "区内行动",
            area_id=village,
            start_on=date(2025, 1, 1),
            end_on=date(2025, 12, 31),
        )
        target = CampaignTarget.objects.create(
            campaign=campaign,
            indicator="problems_found",
            area_id=village,
            start_on=date(2025, 1, 1),
            end_on=date(2025, 12, 31),
        )
        batch = LedgerImport.objects.create(
            ledger=PAGE_LEDGER,
            file_name=f"{OUTSIDE_MARKER if tag == 'OUT' else '区内'}.xlsx",
            file_path="/nonexistent/source.xlsx",
            area_code=ctx.area if tag == "IN" else ctx.outside,
            status="review",
            counts={"rows": 1, "errors": 0},
        )
        ctx.extra[f"campaign_{side}"] = campaign.pk
        ctx.extra[f"target_{side}"] = target.pk
        ctx.extra[f"import_{side}"] = batch.pk


def _x(key: str):
    return lambda c: c.extra.get(key, 1)  # anonymous probes have no objects


def _entry_rule(name: str, slug: str, side_key: str, **kw) -> Rule:
    return Rule(
        kw.pop("method", "get"),
        url(name, ledger=slug, entry_id=_x(f"{side_key}_inside"), **kw.pop("extra", {})),
        url(name, ledger=slug, entry_id=_x(f"{side_key}_outside"), **kw.pop("extra_out", {})),
        **kw,
    )


RULES: dict[str, Rule] = {
    "ledgers:index": Rule("get", url("ledgers:index"), leak_probe=url("ledgers:index")),
    "ledgers:settings": Rule("get", url("ledgers:settings")),
    "ledgers:entry_list": Rule(
        "get",
        url("ledgers:entry_list", ledger=PAGE_LEDGER),
        leak_probe=lambda c: reverse("ledgers:entry_list", args=[PAGE_LEDGER]) + f"?area={c.outside[:6]}",
    ),
    "ledgers:entry_new": Rule(
        "get", url("ledgers:entry_new", ledger=PAGE_LEDGER), permission=Permission.EDIT
    ),
    "ledgers:entry_detail": _entry_rule("ledgers:entry_detail", PAGE_LEDGER, PAGE_LEDGER),
    "ledgers:entry_edit": _entry_rule(
        "ledgers:entry_edit", PAGE_LEDGER, PAGE_LEDGER, permission=Permission.EDIT
    ),
    "ledgers:entry_delete": _entry_rule(
        "ledgers:entry_delete", PAGE_LEDGER, PAGE_LEDGER, method="post", permission=Permission.EDIT, ok=(302,)
    ),
    "ledgers:entry_transition": Rule(
        "post",
        url("ledgers:entry_transition", ledger="projects", entry_id=_x("projects_inside"), action="review"),
        url("ledgers:entry_transition", ledger="projects", entry_id=_x("projects_outside"), action="review"),
        permission=Permission.REVIEW,
        ok=(302,),
    ),
    "ledgers:export": Rule("get", url("ledgers:export", ledger=PAGE_LEDGER)),
    "ledgers:template": Rule("get", url("ledgers:template", ledger=PAGE_LEDGER)),
    "ledgers:import_new": Rule(
        "get", url("ledgers:import_new", ledger=PAGE_LEDGER), permission=Permission.EDIT
    ),
    "ledgers:import_detail": Rule(
        "get",
        url("ledgers:import_detail", batch_id=_x("import_inside")),
        url("ledgers:import_detail", batch_id=_x("import_outside")),
    ),
    "ledgers:import_commit": Rule(
        "post",
        url("ledgers:import_commit", batch_id=_x("import_inside")),
        url("ledgers:import_commit", batch_id=_x("import_outside")),
        permission=Permission.EDIT,
        ok=(302,),
    ),
    "ledgers:import_cancel": Rule(
        "post",
        url("ledgers:import_cancel", batch_id=_x("import_inside")),
        url("ledgers:import_cancel", batch_id=_x("import_outside")),
        permission=Permission.EDIT,
        ok=(302,),
    ),
    "ledgers:campaign_list": Rule(
        "get", url("ledgers:campaign_list"), leak_probe=url("ledgers:campaign_list")
    ),
    "ledgers:campaign_new": Rule("get", url("ledgers:campaign_new"), permission=Permission.EDIT),
    "ledgers:campaign_detail": Rule(
        "get",
        url("ledgers:campaign_detail", campaign_id=_x("campaign_inside")),
        url("ledgers:campaign_detail", campaign_id=_x("campaign_outside")),
    ),
    "ledgers:campaign_export": Rule(
        "get",
        url("ledgers:campaign_export", campaign_id=_x("campaign_inside")),
        url("ledgers:campaign_export", campaign_id=_x("campaign_outside")),
    ),
    "ledgers:campaign_target_remove": Rule(
        "post",
        url("ledgers:campaign_target_remove", target_id=_x("target_inside")),
        url("ledgers:campaign_target_remove", target_id=_x("target_outside")),
        permission=Permission.EDIT,
        ok=(302,),
    ),
    "api:campaign-list": Rule(
        "get",
        url("api:campaign-list"),
        api=True,
        leak_probe=lambda c: reverse("api:campaign-list") + f"?area={c.outside[:6]}",
    ),
    "api:campaign-detail": Rule(
        "get",
        url("api:campaign-detail", pk=_x("campaign_inside")),
        url("api:campaign-detail", pk=_x("campaign_outside")),
        api=True,
    ),
}

for _slug, _ledger in LEDGERS.items():
    RULES[f"api:ledger-{_slug}-list"] = Rule(
        "get",
        url(f"api:ledger-{_slug}-list"),
        api=True,
        leak_probe=lambda c, s=_slug: reverse(f"api:ledger-{s}-list") + f"?area={c.outside[:6]}",
    )
    RULES[f"api:ledger-{_slug}-detail"] = Rule(
        "get",
        url(f"api:ledger-{_slug}-detail", pk=_x(f"{_slug}_inside")),
        url(f"api:ledger-{_slug}-detail", pk=_x(f"{_slug}_outside")),
        api=True,
    )
    if _ledger.transitions:
        RULES[f"api:ledger-{_slug}-transition"] = Rule(
            "post",
            url(f"api:ledger-{_slug}-transition", pk=_x(f"{_slug}_inside")),
            url(f"api:ledger-{_slug}-transition", pk=_x(f"{_slug}_outside")),
            permission=Permission.REVIEW,
            data=lambda c, w: {"step": "review"},
            api=True,
        )
