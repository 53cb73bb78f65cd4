"""Rollups kept current by case, measure, visit and household changes: after the change is committed,
the household's county is queued for a rollup of the finished months the change can affect (from the
earliest date it touches, old or new, to last month; for a household edit made through the registry
services, every month: the registered counts are today's) that already have rollups. One queued job per
county: a later change adds its months to the job still waiting. Bulk writes (imports, synthetic data)
send no signals: their rollups come with the next monthly run or `fanpin reports rollup`."""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

# model label -> the date fields whose months the record counts in
WATCHED = {
    "casework.Case": ("opened_on", "decided_on", "step_entered_on", "due_on", "step_due_on"),
    "assistance.Measure": ("start", "end"),
    "assistance.Visit": ("visited_on",),
}


def _dates(instance, fields) -> list[date]:
    return [d for d in (getattr(instance, f, None) for f in fields) if isinstance(d, date)]


def _remember_old(sender, instance, **kwargs) -> None:
    fields = WATCHED[sender._meta.label]
    if instance.pk:
        old = sender.objects.filter(pk=instance.pk).values(*fields).first()
        instance._reports_old_dates = [d for d in (old or {}).values() if isinstance(d, date)]


def _changed(sender, instance, **kwargs) -> None:
    dates = _dates(instance, WATCHED[sender._meta.label]) + getattr(instance, "_reports_old_dates", [])
    household_id = instance.household_id
    if not dates or not household_id:
        return

    def enqueue() -> None:
        from fanpin.reports.services.requests import rollup_refresh_request

        rollup_refresh_request(household_id=household_id, since=min(dates))

    transaction.on_commit(enqueue)


def _household_changed(sender, instance, **kwargs) -> None:
    household_id = instance.pk
    if not household_id:
        return

    def enqueue() -> None:
        from fanpin.reports.services.requests import rollup_refresh_request

        rollup_refresh_request(household_id=household_id, since=None)

    transaction.on_commit(enqueue)


def connect() -> None:
    from fanpin.registry.models import Household

    post_save.connect(_household_changed, sender=Household, dispatch_uid="reports-household")
    for label in WATCHED:
        app_label, _model = label.split(".")
        if not apps.is_installed(f"fanpin.{app_label}"):
            continue
        model = apps.get_model(label)
        pre_save.connect(_remember_old, sender=model, dispatch_uid=f"reports-old-{label}")
        post_save.connect(_changed, sender=model, dispatch_uid=f"reports-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"reports-delete-{label}")
