"""Casework's endpoints in the permission matrix (core/tests/test_permission_matrix.py): a case at the
public notice for the household inside the user's area and one for the household outside, each with a
document and an objection."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fanpin.accounts.choices import Permission
from fanpin.core.tests.permissions_support import Ctx, Rule, url


def setup(ctx: Ctx) -> None:
    from fanpin.casework.choices import DocumentKind
    from fanpin.casework.services.cases import case_act, case_objection_add, case_open
    from fanpin.registry.models import Household

    today = timezone.localdate()
    for where, pk in (("inside", ctx.household_inside), ("outside", ctx.household_outside)):
        h = Household.objects.get(pk=pk)
        case = case_open(
            actor="测试",
            household=h,
            kind="identification",
            channel="cadre",
            on=today - timedelta(days=3),
            summary="排查发现",
            category="边缘易致贫户",
            risk_types=["因病"],
        )
        _doc(case, DocumentKind.AUTHORISATION)
        case = case_act(actor="测试", case=case, action="verify", on=today - timedelta(days=2), reason="属实")
        doc = _doc(case, DocumentKind.MEETING_RECORD)
        case = case_act(actor="测试", case=case, action="appraise", on=today - timedelta(days=1))
        objection = case_objection_add(actor="测试", case=case, content="有异议", received_on=today)
        ctx.extra[f"case_{where}"] = case.pk
        ctx.extra[f"document_{where}"] = doc.pk
        ctx.extra[f"objection_{where}"] = objection.pk


def _doc(case, kind):
    from fanpin.casework.services.cases import case_document_add

    return case_document_add(
        actor="测试",
        case=case,
        kind=kind,
        file=SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", "application/pdf"),
    )


def _get(key: str):
    return lambda c: c.extra.get(key, 1)


CASE_IN, CASE_OUT = _get("case_inside"), _get("case_outside")

RULES = {
    "casework:case_list": Rule(
        "get",
        url("casework:case_list"),
        leak_probe=lambda c: reverse("casework:case_list") + f"?area={c.outside[:6]}",
    ),
    "casework:overdue": Rule("get", url("casework:overdue"), leak_probe=url("casework:overdue")),
    "casework:case_new": Rule(
        "get",
        url("casework:case_new", household_id=lambda c: c.household_inside or 1),
        url("casework:case_new", household_id=lambda c: c.household_outside or 2),
        permission=Permission.EDIT,
    ),
    "casework:case_detail": Rule(
        "get", url("casework:case_detail", case_id=CASE_IN), url("casework:case_detail", case_id=CASE_OUT)
    ),
    "casework:case_act": Rule(
        "post",
        url("casework:case_act", case_id=CASE_IN),
        url("casework:case_act", case_id=CASE_OUT),
        permission=Permission.EDIT,
        ok=(302,),
        data=lambda c, w: {"action": "send_back", "target": "verification", "reason": "材料不全，退回补充"},
    ),
    "casework:document_upload": Rule(
        "post",
        url("casework:document_upload", case_id=CASE_IN),
        url("casework:document_upload", case_id=CASE_OUT),
        permission=Permission.EDIT,
        ok=(302,),
        data=lambda c, w: {
            "kind": "notice_photo",
            "file": SimpleUploadedFile("公示.jpg", b"jpeg", "image/jpeg"),
        },
    ),
    "casework:objection_add": Rule(
        "post",
        url("casework:objection_add", case_id=CASE_IN),
        url("casework:objection_add", case_id=CASE_OUT),
        permission=Permission.EDIT,
        ok=(302,),
        data=lambda c, w: {"content": "该户有经营收入"},
    ),
    "casework:objection_handle": Rule(
        "post",
        url("casework:objection_handle", objection_id=_get("objection_inside")),
        url("casework:objection_handle", objection_id=_get("objection_outside")),
        permission=Permission.EDIT,
        ok=(302,),
        data=lambda c, w: {"handling": "经核实不属实"},
    ),
    "casework:notice_pdf": Rule(
        "get", url("casework:notice_pdf", case_id=CASE_IN), url("casework:notice_pdf", case_id=CASE_OUT)
    ),
    "casework:document_download": Rule(
        "get",
        url("casework:document_download", document_id=_get("document_inside")),
        url("casework:document_download", document_id=_get("document_outside")),
    ),
    "api:case-list": Rule(
        "get",
        url("api:case-list"),
        api=True,
        leak_probe=lambda c: reverse("api:case-list") + f"?area={c.outside[:6]}",
    ),
    "api:case-detail": Rule(
        "get", url("api:case-detail", pk=CASE_IN), url("api:case-detail", pk=CASE_OUT), api=True
    ),
    "api:case-transitions": Rule(
        "get", url("api:case-transitions", pk=CASE_IN), url("api:case-transitions", pk=CASE_OUT), api=True
    ),
    "api:case-documents": Rule(
        "post",
        url("api:case-documents", pk=CASE_IN),
        url("api:case-documents", pk=CASE_OUT),
        api=True,
        permission=Permission.EDIT,
        ok=(201,),
        data=lambda c, w: {
            "kind": "other",
            "file": SimpleUploadedFile("补充.pdf", b"%PDF-1.4", "application/pdf"),
        },
    ),
    "api:case-objections": Rule(
        "post",
        url("api:case-objections", pk=CASE_IN),
        url("api:case-objections", pk=CASE_OUT),
        api=True,
        permission=Permission.EDIT,
        ok=(201,),
        data=lambda c, w: {"content": "该户有经营收入"},
    ),
}
