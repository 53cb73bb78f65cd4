from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from fanpin.accounts.choices import ROLE_LEVEL, Role
from fanpin.accounts.models import User
from fanpin.core.errors import ApplicationError
from fanpin.core.services.audit import audit_record
from fanpin.divisions.choices import Level
from fanpin.divisions.models import Division


def _fields(user: User) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "area": user.area_id,
        "display_name": user.display_name,
        "is_active": user.is_active,
        "valid_until": user.valid_until.isoformat() if user.valid_until else None,
    }


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    area_code: str | None,
    display_name: str = "",
    valid_until: datetime | None = None,
    check_password: bool = True,
) -> User:
    if role not in Role.values:
        raise ApplicationError(f"未知角色“{role}”。可选：{'、'.join(Role.values)}")
    if User.objects.filter(username=username).exists():
        raise ApplicationError(f"账号“{username}”已存在。")
    area = None
    if area_code:
        area = Division.objects.filter(code=area_code).first()
        if area is None:
            raise ApplicationError(f"区划代码“{area_code}”不存在，请先导入行政区划。")
        expected = ROLE_LEVEL.get(role)
        if expected and area.level != expected:
            raise ApplicationError(
                f"角色“{Role(role).label}”的所辖区划应为{Level(expected).label}级，"
                f"而“{area.name}”是{area.get_level_display()}级。"
            )
    elif role != Role.ADMIN:
        raise ApplicationError("请为账号指定所辖区划。")
    user = User(username=username, role=role, area=area, display_name=display_name, valid_until=valid_until)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError("密码不符合要求：" + "；".join(exc.messages)) from exc
    user.set_password(password)
    user.is_staff = role == Role.ADMIN
    user.save()
    audit_record(actor=actor, action="user.create", obj=user, area_code=area_code or "", after=_fields(user))
    return user


@transaction.atomic
def user_change_password(*, actor: Any, user: User, new_password: str) -> None:
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ApplicationError("密码不符合要求：" + "；".join(exc.messages)) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.password_change", obj=user, area_code=user.area_id or "")
