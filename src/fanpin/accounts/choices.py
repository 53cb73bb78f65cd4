from django.db import models


class Role(models.TextChoices):
    PROVINCE = "province", "省级工作人员"
    CITY = "city", "市级工作人员"
    COUNTY = "county", "县级工作人员"
    TOWNSHIP = "township", "乡镇工作人员"
    VILLAGE = "village", "村级工作人员"
    DEPARTMENT = "department", "行业部门数据专员"
    INSPECTOR = "inspector", "督查（只读）"
    ADMIN = "admin", "系统管理员"


class Permission(models.TextChoices):
    """What a role may do, always within its area."""

    VIEW = "view", "查看"
    EDIT = "edit", "录入与修改"
    REVIEW = "review", "乡镇审核"
    APPROVE = "approve", "县级审定"
    UPLOAD_DEPARTMENT_DATA = "upload_department_data", "上传部门数据"
    VIEW_AUDIT = "view_audit", "查看审计日志"
    VIEW_PERSONAL = "view_personal", "查看完整个人信息（证件号码、电话）"
    MANAGE_USERS = "manage_users", "管理账号"
    MANAGE_DIVISIONS = "manage_divisions", "维护行政区划"
    MANAGE_POLICY = "manage_policy", "设置监测政策"
    RUN_MONITORING = "run_monitoring", "运行月度监测"
    MANAGE_CATALOGUE = "manage_catalogue", "维护帮扶措施目录"
    DECIDE_EXEMPTION = "decide_exemption", "审批数据质量豁免"
    VIEW_HEALTH = "view_health", "查看健康状况与残疾信息"


_STAFF = {Permission.VIEW, Permission.EDIT, Permission.VIEW_PERSONAL}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE: frozenset(
        _STAFF | {Permission.VIEW_AUDIT, Permission.MANAGE_POLICY, Permission.RUN_MONITORING}
    ),
    Role.CITY: frozenset(_STAFF | {Permission.VIEW_AUDIT, Permission.RUN_MONITORING}),
    # County staff load department files too: the county's data officer collects them each month.
    Role.COUNTY: frozenset(
        _STAFF
        | {
            Permission.APPROVE,
            Permission.VIEW_AUDIT,
            Permission.RUN_MONITORING,
            Permission.UPLOAD_DEPARTMENT_DATA,
        }
    ),
    Role.TOWNSHIP: frozenset(_STAFF | {Permission.REVIEW}),
    Role.VILLAGE: frozenset(_STAFF),
    Role.DEPARTMENT: frozenset({Permission.VIEW, Permission.UPLOAD_DEPARTMENT_DATA}),
    Role.INSPECTOR: frozenset({Permission.VIEW, Permission.VIEW_AUDIT}),
    Role.ADMIN: frozenset(
        {Permission.VIEW, Permission.VIEW_AUDIT, Permission.MANAGE_USERS, Permission.MANAGE_DIVISIONS}
    ),
}

# Assistance: provincial, city and county staff extend the measure catalogue (帮扶措施目录).
for _role in (Role.PROVINCE, Role.CITY, Role.COUNTY):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Permission.MANAGE_CATALOGUE}
# Data-quality exemptions (fanpin.quality) are approved by township (审核) or county (审定) staff.
ROLE_PERMISSIONS[Role.TOWNSHIP] = ROLE_PERMISSIONS[Role.TOWNSHIP] | {Permission.DECIDE_EXEMPTION}
ROLE_PERMISSIONS[Role.COUNTY] = ROLE_PERMISSIONS[Role.COUNTY] | {Permission.DECIDE_EXEMPTION}
# Health conditions and disability (fanpin.core.health): the roles that identify monitored households
# and plan the assistance; province, city, department, inspector and admin accounts see "（无权查看）".
for _role in (Role.COUNTY, Role.TOWNSHIP, Role.VILLAGE):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Permission.VIEW_HEALTH}

# The division level each staff role's area is expected to be at (other roles: any level).
ROLE_LEVEL = {
    Role.PROVINCE: 1,
    Role.CITY: 2,
    Role.COUNTY: 3,
    Role.TOWNSHIP: 4,
    Role.VILLAGE: 5,
}
