"""The identification and elimination state machines through the services: every transition, the
guards with their figures, who may act where, and what the registry household shows afterwards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fanpin.casework import flows
from fanpin.casework.choices import CaseStatus, DocumentKind
from fanpin.casework.models import Case, CaseStep
from fanpin.casework.selectors import case_list, household_timeline, households_without_measures
from fanpin.casework.services.cases import (
    case_act,
    case_objection_add,
    case_objection_handle,
    case_open,
    case_open_green,
)
from fanpin.casework.tests.world import (
    CHAKOU,
    GUANSHAN,
    QLZ,
    document,
    give_measure,
    pingding_household,
    threshold_2021,
)
from fanpin.core.errors import ApplicationError
from fanpin.core.models import AuditEvent
from fanpin.monitoring.models import Lead
from fanpin.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "village": make_user("village", QLZ, username="qlz"),
        "other_village": make_user("village", CHAKOU, username="chakou"),
        "township": make_user("township", QLZ[:9], username="chakou_xiang"),
        "other_township": make_user("township", GUANSHAN[:9], username="guanshan"),
        "county": make_user("county", "140321", username="pingding"),
        "other_county": make_user("county", "140322", username="yuxian"),
    }


def identify(people, h, *, clue=date(2021, 6, 1), category="脱贫不稳定户", risks=("因病", "因残")):
    """Clue → monitored along the whole procedure; returns the approved case."""
    v = people["village"]
    case = case_open(
        actor=v,
        household=h,
        kind="identification",
        channel="cadre",
        on=clue,
        summary="夫妻患病、一子残疾，医疗支出大",
        category=category,
        risk_types=list(risks),
    )
    document(v, case)
    case = case_act(actor=v, case=case, action="verify", on=date(2021, 6, 3), reason="入户核实属实")
    document(v, case, DocumentKind.MEETING_RECORD, "民主评议会议记录.jpg")
    case = case_act(actor=v, case=case, action="appraise", on=date(2021, 6, 4))
    case = case_act(actor=v, case=case, action="close_notice", on=date(2021, 6, 9))
    case = case_act(actor=people["township"], case=case, action="review", on=date(2021, 6, 10), reason="同意")
    return case_act(
        actor=people["county"], case=case, action="approve", on=date(2021, 6, 12), reason="同意纳入"
    )


def test_identification_end_to_end_updates_the_household_and_keeps_a_timeline(people):
    h = pingding_household()
    case = identify(people, h)
    assert case.status == CaseStatus.APPROVED and case.status_label == "已纳入监测"
    h.refresh_from_db()
    assert (h.category, h.identified_month, h.risk_list) == ("脱贫不稳定户", "202106", ["因病", "因残"])
    assert h.risk_eliminated is False
    entries = household_timeline(user=people["county"], household=h)
    assert [(e.step.from_status, e.step.to_status) for e in entries] == [
        ("", "verification"),
        ("verification", "appraisal"),
        ("appraisal", "notice"),
        ("notice", "township"),
        ("township", "county"),
        ("county", "approved"),
    ]
    assert [e.step.actor_name for e in entries] == ["qlz", "qlz", "qlz", "qlz", "chakou_xiang", "pingding"]
    assert [d.name for d in entries[1].documents] == ["授权承诺书.pdf"]
    assert [d.name for d in entries[2].documents] == ["民主评议会议记录.jpg"]
    assert entries[-1].step.on == date(2021, 6, 12) and entries[-1].step.reason == "同意纳入"
    actions = list(
        AuditEvent.objects.filter(subject=h.code, action__startswith="case.").values_list("action", flat=True)
    )
    assert actions.count("case.approve") == 1 and "case.open" in actions
    assert AuditEvent.objects.filter(
        subject=h.code, action="household.update", after__identified_month="202106"
    ).exists()


def test_each_step_due_and_the_decision_deadline_come_from_the_policy(people):
    h = pingding_household()
    case = case_open(
        actor=people["village"],
        household=h,
        kind="identification",
        channel="application",
        on=date(2021, 6, 1),
        summary="农户书面申请",
    )
    assert case.due_on == date(2021, 6, 16)  # 15 days (2021 setting)
    assert case.step_due_on == date(2021, 6, 4)  # 3 days a step
    assert flows.is_overdue(case, date(2021, 6, 5)) and not flows.is_overdue(case, date(2021, 6, 4))
    overdue = case_list(user=people["village"], filters={"overdue": "1"})
    assert case in overdue  # today is long after 2021


def test_verification_needs_the_signed_authorisation(people):
    h = pingding_household()
    case = case_open(
        actor=people["village"],
        household=h,
        kind="identification",
        channel="cadre",
        on=date(2021, 6, 1),
        summary="排查发现",
    )
    with pytest.raises(ApplicationError, match="【入户核实须附农户签字的授权承诺书】"):
        case_act(actor=people["village"], case=case, action="verify", on=date(2021, 6, 2), reason="属实")
    with pytest.raises(ApplicationError, match="须填写核实情况"):
        case_act(actor=people["village"], case=case, action="verify", on=date(2021, 6, 2), reason="")
    case.refresh_from_db()
    assert case.status == CaseStatus.VERIFICATION and CaseStep.objects.filter(case=case).count() == 1


def test_appraisal_needs_the_meeting_record_and_notice_lasts_five_days(people):
    v = people["village"]
    h = pingding_household()
    case = case_open(
        actor=v, household=h, kind="identification", channel="cadre", on=date(2021, 6, 1), summary="排查发现"
    )
    document(v, case)
    case = case_act(actor=v, case=case, action="verify", on=date(2021, 6, 2), reason="属实")
    with pytest.raises(ApplicationError, match="【民主评议须有会议记录】"):
        case_act(actor=v, case=case, action="appraise", on=date(2021, 6, 3))
    document(v, case, DocumentKind.MEETING_RECORD, "会议记录.pdf")
    case = case_act(actor=v, case=case, action="appraise", on=date(2021, 6, 3))
    assert (case.notice_start, case.notice_end) == (date(2021, 6, 3), date(2021, 6, 8))
    with pytest.raises(ApplicationError) as refused:
        case_act(actor=v, case=case, action="close_notice", on=date(2021, 6, 6))
    assert "【公示期不少于 5 天】" in refused.value.message and "仅 3 天" in refused.value.message
    objection = case_objection_add(
        actor=v, case=case, content="该户有小轿车", raised_by="匿名", received_on=date(2021, 6, 5)
    )
    with pytest.raises(ApplicationError, match="【公示异议须核实处理】.*1 条尚未"):
        case_act(actor=v, case=case, action="close_notice", on=date(2021, 6, 8))
    case_objection_handle(
        actor=v, objection=objection, handling="经核实车辆已于 2019 年变卖", on=date(2021, 6, 7)
    )
    case = case_act(actor=v, case=case, action="close_notice", on=date(2021, 6, 8))
    assert case.status == CaseStatus.TOWNSHIP


def test_only_the_right_level_within_its_area_may_act(people):
    h = pingding_household()
    v = people["village"]
    with pytest.raises(PermissionDenied):
        case_open(
            actor=people["other_village"], household=h, kind="identification", channel="cadre", summary="x户"
        )
    case = case_open(
        actor=v, household=h, kind="identification", channel="cadre", on=date(2021, 6, 1), summary="排查"
    )
    document(v, case)
    case = case_act(actor=v, case=case, action="verify", on=date(2021, 6, 2), reason="属实")
    document(v, case, DocumentKind.MEETING_RECORD, "会议记录.pdf")
    case = case_act(actor=v, case=case, action="appraise", on=date(2021, 6, 2))
    case = case_act(actor=v, case=case, action="close_notice", on=date(2021, 6, 7))
    with pytest.raises(PermissionDenied):
        case_act(actor=v, case=case, action="review", on=date(2021, 6, 8))  # village cannot review
    with pytest.raises(PermissionDenied):
        case_act(actor=people["other_township"], case=case, action="review", on=date(2021, 6, 8))
    case = case_act(actor=people["township"], case=case, action="review", on=date(2021, 6, 8))
    with pytest.raises(PermissionDenied):
        case_act(actor=people["township"], case=case, action="approve", on=date(2021, 6, 9))
    with pytest.raises(PermissionDenied):
        case_act(actor=people["other_county"], case=case, action="approve", on=date(2021, 6, 9))
    with pytest.raises(ApplicationError, match="【办理顺序】.*县级审定"):
        case_act(actor=v, case=case, action="appraise", on=date(2021, 6, 9))


def test_send_back_and_reject_keep_their_reasons(people):
    v, county = people["village"], people["county"]
    h = pingding_household()
    case = case_open(
        actor=v, household=h, kind="identification", channel="cadre", on=date(2021, 6, 1), summary="排查"
    )
    document(v, case)
    case = case_act(actor=v, case=case, action="verify", on=date(2021, 6, 2), reason="属实")
    document(v, case, DocumentKind.MEETING_RECORD, "会议记录.pdf")
    case = case_act(actor=v, case=case, action="appraise", on=date(2021, 6, 2))
    case = case_act(actor=v, case=case, action="close_notice", on=date(2021, 6, 7))
    case = case_act(actor=people["township"], case=case, action="review", on=date(2021, 6, 8))
    with pytest.raises(ApplicationError, match="【退回修改须填写理由】"):
        case_act(actor=county, case=case, action="send_back", on=date(2021, 6, 9), target="verification")
    with pytest.raises(ApplicationError, match="【退回修改】只能退回到之前的环节"):
        case_act(
            actor=county, case=case, action="send_back", on=date(2021, 6, 9), target="county", reason="补充"
        )
    case = case_act(
        actor=county,
        case=case,
        action="send_back",
        on=date(2021, 6, 9),
        target="verification",
        reason="收入核算有误，请重新核实",
    )
    assert case.status == CaseStatus.VERIFICATION and case.step_due_on == date(2021, 6, 12)
    case = case_act(
        actor=v, case=case, action="reject", on=date(2021, 6, 10), reason="重新核实后收入高于监测范围"
    )
    assert case.status == CaseStatus.REJECTED and not case.is_open
    h.refresh_from_db()
    assert h.category == ""
    reasons = list(CaseStep.objects.filter(case=case).values_list("action", "reason"))
    assert ("send_back", "收入核算有误，请重新核实") in reasons and (
        "reject",
        "重新核实后收入高于监测范围",
    ) in reasons
    # a rejected household may be identified again later
    again = case_open(
        actor=v,
        household=h,
        kind="identification",
        channel="application",
        on=date(2021, 8, 1),
        summary="再次申请",
    )
    assert again.is_open
    with pytest.raises(ApplicationError, match="【同一户同时只能有一件在办业务】"):
        case_open(
            actor=v,
            household=h,
            kind="identification",
            channel="application",
            on=date(2021, 8, 2),
            summary="重复",
        )


def test_a_verified_lead_becomes_a_clue_once(people):
    h = pingding_household()
    lead = Lead.objects.create(
        household=h,
        year=2021,
        month=5,
        suggested_category="脱贫不稳定户",
        risk_types="因病",
        reason="医保自付 18,000 元",
    )
    case = case_open(
        actor=people["village"],
        household=h,
        kind="identification",
        channel="lead",
        lead=lead,
        on=date(2021, 6, 1),
    )
    lead.refresh_from_db()
    assert lead.status == "verified" and case.lead == lead
    assert (case.category, case.risk_list, case.summary) == ("脱贫不稳定户", ["因病"], "医保自付 18,000 元")
    case_act(actor=people["village"], case=case, action="reject", on=date(2021, 6, 2), reason="不属实")
    with pytest.raises(ApplicationError, match="【一条线索只转入一次】"):
        case_open(
            actor=people["village"],
            household=h,
            kind="identification",
            channel="lead",
            lead=lead,
            on=date(2021, 6, 3),
        )


def test_green_channel_monitors_at_once_and_tracks_the_missing_steps(people):
    h = pingding_household()
    with pytest.raises(PermissionDenied):
        case_open_green(
            actor=people["village"],
            household=h,
            category="突发严重困难户",
            risk_types=["因意外事故"],
            summary="火灾",
        )
    case = case_open_green(
        actor=people["county"],
        household=h,
        on=date(2021, 6, 1),
        category="突发严重困难户",
        risk_types=["因意外事故"],
        summary="房屋失火，全家无处居住",
    )
    h.refresh_from_db()
    assert (h.category, h.identified_month) == ("突发严重困难户", "202106")
    assert case.pending_steps == ["verification", "appraisal", "notice", "township"]
    assert case in case_list(user=people["township"], filters={"pending": "1"})
    with pytest.raises(ApplicationError, match="【入户核实须附农户签字的授权承诺书】"):
        case_act(
            actor=people["village"],
            case=case,
            action="complete_step",
            target="verification",
            on=date(2021, 6, 2),
            reason="补办",
        )
    document(people["village"], case)
    case = case_act(
        actor=people["village"],
        case=case,
        action="complete_step",
        target="verification",
        on=date(2021, 6, 2),
        reason="已补入户核实",
    )
    with pytest.raises(PermissionDenied):
        case_act(
            actor=people["village"],
            case=case,
            action="complete_step",
            target="township",
            on=date(2021, 6, 3),
            reason="补",
        )
    case = case_act(
        actor=people["township"],
        case=case,
        action="complete_step",
        target="township",
        on=date(2021, 6, 3),
        reason="已补审核",
    )
    assert case.pending_steps == ["appraisal", "notice"] and case.status == CaseStatus.APPROVED


def propose(people, h, *, on=date(2022, 2, 10), income="6432", method="帮扶消除"):
    return case_open(
        actor=people["village"],
        household=h,
        kind="elimination",
        on=on,
        elimination_method=method,
        per_capita_income=income,
    )


def eliminate(people, case, *, approve_on=date(2022, 2, 25)):
    v = people["village"]
    case = case_act(
        actor=v, case=case, action="verify", on=date(2022, 2, 12), reason="收入稳定，三保障和饮水安全有保障"
    )
    document(v, case, DocumentKind.MEETING_RECORD, "消除评议记录.pdf")
    case = case_act(actor=v, case=case, action="appraise", on=date(2022, 2, 14))
    case = case_act(actor=v, case=case, action="close_notice", on=date(2022, 2, 19))
    case = case_act(actor=people["township"], case=case, action="review", on=date(2022, 2, 21))
    return case_act(actor=people["county"], case=case, action="approve", on=approve_on)


def test_assisted_elimination_at_6432_against_6000_is_accepted(people):
    h = pingding_household()
    identify(people, h)
    give_measure(Household.objects.get(pk=h.pk))
    case = eliminate(people, propose(people, Household.objects.get(pk=h.pk)))
    h.refresh_from_db()
    assert (h.risk_eliminated, h.elimination_method, h.eliminated_month) == (True, "帮扶消除", "202202")
    assert (case.threshold, case.threshold_year, case.per_capita_income) == (
        Decimal("6000.00"),
        2021,
        Decimal("6432.00"),
    )


def test_with_the_range_at_6600_the_same_proposal_is_refused_showing_both_figures(people):
    h = pingding_household()
    identify(people, h)
    give_measure(Household.objects.get(pk=h.pk))
    threshold_2021("6600")
    with pytest.raises(ApplicationError) as refused:
        propose(people, Household.objects.get(pk=h.pk))
    message = refused.value.message
    assert "【帮扶消除：人均纯收入不低于当年监测范围】" in message
    assert "6,432.00" in message and "6,600.00" in message and "2021 年" in message
    h.refresh_from_db()
    assert h.risk_eliminated is False and h.category == "脱贫不稳定户"


def test_range_raised_between_proposal_and_approval_refuses_the_approval(people):
    h = pingding_household()
    identify(people, h)
    give_measure(Household.objects.get(pk=h.pk))
    case = propose(people, Household.objects.get(pk=h.pk))
    threshold_2021("6600")
    with pytest.raises(ApplicationError, match="6,432.00 元，低于 2021 年监测范围 6,600.00 元"):
        eliminate(people, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.COUNTY


def test_elimination_needs_six_months_and_a_measure(people):
    h = pingding_household()
    identify(people, h)
    with pytest.raises(ApplicationError) as refused:
        propose(people, Household.objects.get(pk=h.pk), on=date(2021, 10, 8))
    message = refused.value.message
    assert "【纳入监测满 6 个月】识别监测时间 202106，到 202110 仅 4 个月" in message
    assert "【至少落实 1 项帮扶措施】" in message and "在落实的帮扶措施 0 项" in message


def test_whole_household_without_labour_stays_monitored(people):
    h = pingding_household()
    identify(people, h)
    from fanpin.registry.services.households import household_update

    h = household_update(actor="测试", household=Household.objects.get(pk=h.pk), whole_no_labour=True)
    h = give_measure(h, "100A48", "低保")
    with pytest.raises(ApplicationError) as refused:
        propose(people, h, method="自然消除")
    # the only rule broken is the labour rule: months and measures are fine
    assert refused.value.details == [
        {
            "reason": "【整户无劳动能力户不标注风险消除】该户为整户无劳动能力户，落实兜底保障后继续监测，不得标注风险消除。"
        }
    ]
    h.refresh_from_db()
    assert h.risk_eliminated is False and h.category == "脱贫不稳定户"


def test_natural_elimination_rollback_and_reflag(people):
    h = pingding_household()
    identify(people, h)
    give_measure(Household.objects.get(pk=h.pk))
    case = eliminate(people, propose(people, Household.objects.get(pk=h.pk), income="", method="自然消除"))
    h.refresh_from_db()
    assert (h.risk_eliminated, h.elimination_method) == (True, "自然消除")
    with pytest.raises(PermissionDenied):
        case_act(actor=people["township"], case=case, action="rollback", on=date(2022, 3, 1), reason="误标")
    case = case_act(
        actor=people["county"],
        case=case,
        action="rollback",
        on=date(2022, 3, 1),
        reason="核查发现仍有大额医疗支出",
    )
    h.refresh_from_db()
    assert case.status == CaseStatus.ROLLED_BACK and h.risk_eliminated is False and h.eliminated_month == ""
    # eliminated again, then a new risk: re-flagged through the whole identification procedure
    h = Household.objects.get(pk=h.pk)
    c2 = propose(people, h, on=date(2022, 3, 2), method="自然消除")
    v = people["village"]
    c2 = case_act(actor=v, case=c2, action="verify", on=date(2022, 3, 3), reason="稳定")
    document(v, c2, DocumentKind.MEETING_RECORD, "记录.pdf")
    c2 = case_act(actor=v, case=c2, action="appraise", on=date(2022, 3, 4))
    c2 = case_act(actor=v, case=c2, action="close_notice", on=date(2022, 3, 9))
    c2 = case_act(actor=people["township"], case=c2, action="review", on=date(2022, 3, 10))
    c2 = case_act(actor=people["county"], case=c2, action="approve", on=date(2022, 3, 11))
    h.refresh_from_db()
    assert h.risk_eliminated
    reflag = case_open(
        actor=v,
        household=h,
        kind="identification",
        channel="cadre",
        on=date(2023, 5, 2),
        summary="子女务工中断，收入骤减",
        category="脱贫不稳定户",
        risk_types=["因务工就业不稳"],
    )
    assert reflag.reflag and reflag.status == CaseStatus.VERIFICATION
    h.refresh_from_db()
    assert h.risk_eliminated  # until the county decides
    assert Case.objects.filter(household=h).count() == 4


def test_households_without_a_measure_a_month_after_identification_are_overdue(people):
    h = pingding_household()
    identify(people, h)
    late = households_without_measures(user=people["township"])
    assert [x.household.pk for x in late] == [h.pk] and late[0].due == date(2021, 7, 12)
    give_measure(Household.objects.get(pk=h.pk))
    assert households_without_measures(user=people["township"]) == []
    assert households_without_measures(user=people["other_township"]) == []
