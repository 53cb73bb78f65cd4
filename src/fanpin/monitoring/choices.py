from django.db import models


class LeadStatus(models.TextChoices):
    OPEN = "open", "待核实"
    VERIFIED = "verified", "已核实（转入识别）"
    DISMISSED = "dismissed", "已排除"


class LeadSource(models.TextChoices):
    MONITORING = "monitoring", "月度监测规则"
    MEDICAL = "medical", "医保"
    CIVIL = "civil", "民政"
    EDUCATION = "education", "教育"
    HOUSING = "housing", "住建"
    DISABILITY = "disability", "残联"
    EMPLOYMENT = "employment", "人社"
    DISASTER = "disaster", "应急"
    OTHER = "other", "其他"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


# Default rule parameters of a new policy setting; each is a setting, never a constant in the rules.
DEFAULT_PARAMS = {
    "income_drop_share": "0.30",  # a fall of 30% of last year's per-capita income is sharp
    "oop_share_formerly_poor": "0.50",  # 脱贫户: out-of-pocket over 50% of the rural income
    "oop_share_others": "1.00",  # others: over 100%
    "rural_income": "16323",  # the province's prior-year rural per-capita disposable income (yuan)
    "oop_fixed_low_income": "10000",  # fixed out-of-pocket triggers (yuan)
    "oop_fixed_ordinary": "26000",
    "oop_months": "12",  # 医保 department data: out-of-pocket summed over the last N months, across batches
    "months_considered": 12,
    # Casework (识别纳入 and 风险消除): deadlines and guards, read by fanpin.casework.flows
    "case_decision_days": "15",  # from the clue to the county's decision
    "case_step_days": "3",  # each step other than the public notice
    "notice_days": "5",  # public notice, at least
    "elimination_min_months": "6",  # months after identification before elimination
    "elimination_min_measures": "1",  # measures in place at elimination
    "measure_due_days": "30",  # a monitored household without any measure this long after identification
    "monitoring_rate_base": "1",  # 动态监测率分母: 1 = registered people, 2 = formerly poor + monitored
    # Data-quality checks (fanpin.quality): ages, plausibility limits and time limits
    "compulsory_age_min": "6",
    "compulsory_age_max": "16",
    "labour_age_min": "16",
    "labour_age_max": "60",
    "senior_age": "75",
    "welfare_job_age_min": "16",
    "welfare_job_age_max": "60",
    "welfare_job_age_limit": "65",
    "per_capita_max": "20000",
    "monthly_wage_max": "30000",
    "monthly_wage_min": "100",
    "income_tolerance": "1",
    "grade_age_tolerance": "2",
    "parent_child_age_gap": "15",
}
PARAM_LABELS = {
    "income_drop_share": "收入骤减比例（较上年同期）",
    "oop_share_formerly_poor": "脱贫户合规自付支出占上年农村居民人均可支配收入的比例",
    "oop_share_others": "其他农户合规自付支出占上年农村居民人均可支配收入的比例",
    "rural_income": "上年农村居民人均可支配收入（元）",
    "oop_fixed_low_income": "低收入人口合规自付支出固定标准（元）",
    "oop_fixed_ordinary": "普通农户合规自付支出固定标准（元）",
    "oop_months": "医保数据合规自付累计月数（近 N 个月，跨月度批次合计）",
    "months_considered": "收入计算月数",
    "case_decision_days": "识别纳入时限：发现线索至县级审定（天）",
    "case_step_days": "识别、消除各环节办理时限（天，公示除外）",
    "notice_days": "公示期（天，至少）",
    "elimination_min_months": "纳入监测后满几个月方可风险消除",
    "elimination_min_measures": "风险消除时至少落实的帮扶措施数",
    "measure_due_days": "纳入监测后落实帮扶措施的时限（天）",
    "monitoring_rate_base": "动态监测率分母（1 = 登记农户人数；2 = 脱贫人口 + 非脱贫户监测对象人数）",
    "compulsory_age_min": "义务教育适龄起始年龄（周岁）",
    "compulsory_age_max": "义务教育适龄截止年龄（周岁）",
    "labour_age_min": "劳动年龄下限（周岁）",
    "labour_age_max": "劳动年龄上限（周岁）",
    "senior_age": "高龄（周岁，超过后普通/技能劳动力需核实）",
    "welfare_job_age_min": "公益性岗位年龄下限（周岁）",
    "welfare_job_age_max": "公益性岗位一般年龄上限（周岁）",
    "welfare_job_age_limit": "公益性岗位最高年龄（周岁）",
    "per_capita_max": "识别时人均纯收入合理上限（元）",
    "monthly_wage_max": "劳动力月工资合理上限（元）",
    "monthly_wage_min": "劳动力月工资合理下限（元）",
    "income_tolerance": "收入合计允许误差（元）",
    "grade_age_tolerance": "在校年级与年龄允许相差（岁）",
    "parent_child_age_gap": "父母子女最小年龄差（岁）",
}
