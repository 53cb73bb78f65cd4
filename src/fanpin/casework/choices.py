"""Code tables of casework. The states and transitions themselves are in flows.py."""

from django.db import models


class CaseKind(models.TextChoices):
    IDENTIFICATION = "identification", "识别纳入"
    ELIMINATION = "elimination", "风险消除"


class CaseStatus(models.TextChoices):
    """The step a case waits for (open), or how it ended."""

    VERIFICATION = "verification", "入户核实"
    APPRAISAL = "appraisal", "民主评议"
    NOTICE = "notice", "公示"
    TOWNSHIP = "township", "乡镇审核"
    COUNTY = "county", "县级审定"
    APPROVED = "approved", "已审定"
    REJECTED = "rejected", "未通过"
    ROLLED_BACK = "rolled_back", "已回退"


OPEN_STATUSES = (
    CaseStatus.VERIFICATION,
    CaseStatus.APPRAISAL,
    CaseStatus.NOTICE,
    CaseStatus.TOWNSHIP,
    CaseStatus.COUNTY,
)
# The procedure's steps in order (green-channel cases track the ones still to be done).
PROCEDURE = list(OPEN_STATUSES)


class Channel(models.TextChoices):
    """Where an identification case came from (识别渠道); eliminations are proposals."""

    LEAD = "lead", "部门筛查预警（预警线索）"
    APPLICATION = "application", "农户自主申报"
    CADRE = "cadre", "基层干部排查"
    GREEN = "green", "绿色通道（县级应急纳入）"
    PROPOSAL = "proposal", "风险消除申请"


class DocumentKind(models.TextChoices):
    AUTHORISATION = "authorisation", "授权承诺书（农户签字）"
    VERIFICATION_RECORD = "verification_record", "入户核实记录"
    MEETING_RECORD = "meeting_record", "民主评议会议记录"
    NOTICE_PHOTO = "notice_photo", "公示照片"
    REVIEW_RECORD = "review_record", "审核审定材料"
    OTHER = "other", "其他材料"


class Level(models.TextChoices):
    """Who acts at a step."""

    VILLAGE = "village", "村级"
    TOWNSHIP = "township", "乡镇"
    COUNTY = "county", "县级"
