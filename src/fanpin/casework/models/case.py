from django.conf import settings
from django.db import models
from django.db.models import Q

from fanpin.casework.choices import OPEN_STATUSES, CaseKind, CaseStatus, Channel, DocumentKind
from fanpin.registry.choices import Category, EliminationMethod


class Case(models.Model):
    """A workflow for one household: 识别纳入 (identification) or 风险消除 (risk elimination).

    `status` changes only through casework.flows via the services; every change is a CaseStep."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="户", on_delete=models.PROTECT, related_name="cases"
    )
    kind = models.CharField("业务类型", max_length=20, choices=CaseKind.choices)
    status = models.CharField(
        "当前环节", max_length=20, choices=CaseStatus.choices, default=CaseStatus.VERIFICATION, db_index=True
    )
    channel = models.CharField("来源渠道", max_length=20, choices=Channel.choices)
    lead = models.ForeignKey(
        "monitoring.Lead",
        verbose_name="预警线索",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    reflag = models.BooleanField("风险再标注", default=False)
    summary = models.TextField("线索或申请情况", blank=True)

    opened_on = models.DateField("发现线索（提出）日期")
    due_on = models.DateField("审定时限", null=True, blank=True)
    step_entered_on = models.DateField("进入当前环节日期")
    step_due_on = models.DateField("当前环节办理时限", null=True, blank=True)

    # Identification: what the case proposes and the county decides
    category = models.CharField("监测对象类别", max_length=20, choices=Category.choices, blank=True)
    risk_types = models.CharField("致贫/返贫风险", max_length=200, blank=True)
    # Elimination
    elimination_method = models.CharField(
        "风险消除方式", max_length=10, choices=EliminationMethod.choices, blank=True
    )
    per_capita_income = models.DecimalField(
        "消除时人均纯收入（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    threshold = models.DecimalField(
        "审定时适用的监测范围（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    threshold_year = models.PositiveSmallIntegerField("监测范围年度", null=True, blank=True)

    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示期满", null=True, blank=True)

    pending_steps = models.JSONField("待补办环节", default=list, blank=True)
    decided_on = models.DateField("审定（办结）日期", null=True, blank=True)
    decided_month = models.CharField("识别监测时间/消除监测时间", max_length=6, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "识别与消除业务"
        verbose_name_plural = "识别与消除业务"
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["status", "step_due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_one_open_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household.head_name or self.household.code}户{self.get_kind_display()}（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def risk_list(self) -> list[str]:
        return [r for r in self.risk_types.split("|") if r]

    @property
    def status_label(self) -> str:
        if self.status == CaseStatus.APPROVED:
            return "已纳入监测" if self.kind == CaseKind.IDENTIFICATION else "风险已消除"
        return self.get_status_display()


class CaseStep(models.Model):
    """One transition of a case: who, when, from, to, why (the timeline)."""

    case = models.ForeignKey(Case, verbose_name="业务", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=30)
    from_status = models.CharField("原环节", max_length=20, blank=True)
    to_status = models.CharField("新环节", max_length=20)
    on = models.DateField("办理日期")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField("办理人", max_length=150)
    reason = models.TextField("意见或理由", blank=True)
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"


def _document_path(instance, filename: str) -> str:
    return f"casework/{instance.case_id}/{filename}"


class CaseDocument(models.Model):
    """An uploaded file of a case (authorisation, meeting record, notice photo …)."""

    case = models.ForeignKey(Case, verbose_name="业务", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("材料类型", max_length=30, choices=DocumentKind.choices)
    status = models.CharField("所属环节", max_length=20, blank=True)
    file = models.FileField("文件", upload_to=_document_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_by_name = models.CharField("上传人", max_length=150, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "业务材料"
        verbose_name_plural = "业务材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


class NoticeObjection(models.Model):
    """公示异议: an objection raised during the public notice, and how it was handled."""

    case = models.ForeignKey(Case, verbose_name="业务", on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField("收到日期")
    raised_by = models.CharField("异议人", max_length=50, blank=True, help_text="可匿名")
    content = models.TextField("异议内容")
    handling = models.TextField("核实处理情况", blank=True)
    handled_on = models.DateField("处理日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.received_on} {self.content[:20]}"
