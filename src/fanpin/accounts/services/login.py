"""Login lockout: after FANPIN_LOGIN_MAX_FAILURES failures within FANPIN_LOGIN_LOCK_MINUTES the
account is locked for that many minutes."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fanpin.accounts.models import LoginFailure, User
from fanpin.core.services.audit import audit_record


def _window() -> timedelta:
    return timedelta(minutes=settings.FANPIN_LOGIN_LOCK_MINUTES)


@transaction.atomic
def login_failure_record(*, username: str, ip: str | None) -> bool:
    """Record a failed login. Returns True if the account is now locked."""
    LoginFailure.objects.create(username=username, ip=ip)
    user = User.objects.select_for_update().filter(username=username).first()
    since = timezone.now() - _window()
    failures = LoginFailure.objects.filter(username=username, created_at__gte=since).count()
    if user is None:  # a name without an account locks the same way, so the page tells nothing
        return failures >= settings.FANPIN_LOGIN_MAX_FAILURES
    if failures >= settings.FANPIN_LOGIN_MAX_FAILURES and not user.is_locked:
        user.locked_until = timezone.now() + _window()
        user.save(update_fields=["locked_until"])
        audit_record(
            actor=username,
            action="user.lock",
            obj=user,
            area_code=user.area_id or "",
            note=f"连续 {failures} 次登录失败，锁定 {settings.FANPIN_LOGIN_LOCK_MINUTES} 分钟（IP {ip or '未知'}）",
        )
        return True
    return user.is_locked


def login_ip_limited(*, ip: str) -> bool:
    """So many failed logins from this address (whatever names were tried) that it must wait: stops
    one machine from trying a common password on every account."""
    since = timezone.now() - _window()
    recent = LoginFailure.objects.filter(ip=ip, created_at__gte=since).count()
    return recent >= settings.FANPIN_LOGIN_MAX_FAILURES_PER_IP


def login_locked(*, username: str) -> bool:
    """As many recent failures for this name as lock an account (whether or not the account exists)."""
    since = timezone.now() - _window()
    recent = LoginFailure.objects.filter(username=username, created_at__gte=since).count()
    return recent >= settings.FANPIN_LOGIN_MAX_FAILURES


@transaction.atomic
def login_success_record(*, user: User, ip: str | None) -> None:
    LoginFailure.objects.filter(username=user.username).delete()
    if user.locked_until:
        user.locked_until = None
        user.save(update_fields=["locked_until"])
    audit_record(
        actor=user, action="user.login", obj=user, area_code=user.area_id or "", note=f"IP {ip or '未知'}"
    )


@transaction.atomic
def user_unlock(*, actor, user: User) -> None:
    LoginFailure.objects.filter(username=user.username).delete()
    user.locked_until = None
    user.save(update_fields=["locked_until"])
    audit_record(actor=actor, action="user.unlock", obj=user, area_code=user.area_id or "")
