"""API of the ledgers: one viewset per ledger generated from its definition, plus campaigns.

Writes go through the same form and services as the pages and the import (one validation path)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from fanpin.accounts.choices import Permission
from fanpin.core.errors import ApplicationError
from fanpin.core.masking import mask_id, mask_phone
from fanpin.ledgers.campaigns.progress import target_progress
from fanpin.ledgers.campaigns.selectors import campaign_get, campaign_list
from fanpin.ledgers.framework.definition import AREA, HOUSEHOLD, LEDGERS, MEMBER, Ledger
from fanpin.ledgers.framework.selectors import entry_get, entry_list
from fanpin.ledgers.framework.services import (
    LedgerFormError,
    ledger_entry_create,
    ledger_entry_delete,
    ledger_entry_transition,
    ledger_entry_update,
)
from fanpin.ledgers.framework.values import shown_value

API_NAMES = {AREA: "area_code", HOUSEHOLD: "household_code", MEMBER: "id_number"}


def _api_name(column) -> str:
    return API_NAMES.get(column.name, column.name)


class LedgerPermission(BasePermission):
    message = "您的角色无权修改台账"

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return request.user.has_role_permission(view.ledger.view_permission)
        if getattr(view, "action", "") == "transition":
            return True  # the step's own permission is checked by the service
        return request.user.has_role_permission(view.ledger.edit_permission)


def _serializer_class(ledger: Ledger):
    attrs: dict = {}
    fields = ["id"]
    for column in ledger.columns:
        name = _api_name(column)
        fields.append(name)
        label = ledger.label(column)
        if column.name in API_NAMES:
            attrs[name] = serializers.CharField(label=label, required=False, allow_blank=True)
        elif column.getter is not None or column.read_only:
            attrs[name] = serializers.CharField(label=label, read_only=True)
    fields.append("version")

    def to_representation(self, instance):
        data = {"id": instance.pk}
        for column in ledger.columns:
            value = shown_value(ledger, column, instance, export=True)
            if column.name == MEMBER and value:
                value = mask_id(instance.member.id_number)
            elif column.personal == "phone" and value:
                value = mask_phone(str(getattr(instance, column.name)))
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                places = ledger.model._meta.get_field(column.name).decimal_places
                value = str(value.quantize(Decimal(1).scaleb(-places)))
            elif value in ("是", "否") and column.getter is None and column.name not in API_NAMES:
                value = value == "是"
            data[_api_name(column)] = value
        data["version"] = instance.version
        return data

    meta = type("Meta", (), {"model": ledger.model, "fields": fields, "read_only_fields": ["id", "version"]})
    attrs.update({"Meta": meta, "to_representation": to_representation})
    return type(f"{ledger.model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


def _values(ledger: Ledger, data, instance=None) -> dict:
    """API field names → form column names; on a partial update missing columns keep their value."""
    from fanpin.ledgers.framework.forms import ledger_form

    values = {}
    if instance is not None:
        initial = ledger_form(ledger)(user=None, instance=instance)
        for name, field in initial.fields.items():
            value = initial.initial.get(name, field.initial)
            values[name] = value
    if not isinstance(data, dict):
        raise serializers.ValidationError(
            {"non_field_errors": ["请求内容应为一个 JSON 对象（字段名: 值）。"]}
        )
    for column in ledger.editable_columns:
        key = _api_name(column)
        if key in data:
            value = data[key]
            if isinstance(value, list | dict):  # a form field takes one text, number or true/false
                raise serializers.ValidationError({key: [f"“{column.label}”应为一个文字、数字或是否值。"]})
            if isinstance(value, bool):
                value = "true" if value else "false"  # as a form posts it; a text column then refuses it
            elif value is not None and not isinstance(value, str):
                value = str(value)
            values[column.name] = value
    return values


def _form_errors(ledger: Ledger, exc: LedgerFormError):
    errors: dict = {}
    names = {c.name: _api_name(c) for c in ledger.columns}
    for name, messages in exc.form.errors.items():
        errors.setdefault(names.get(name, "non_field_errors"), []).extend(messages)
    return serializers.ValidationError(errors)


def _viewset(ledger: Ledger):
    serializer = _serializer_class(ledger)
    params = [OpenApiParameter("area", str, description="区划代码（前缀）")]
    if ledger.search:
        params.append(OpenApiParameter("q", str, description="关键词"))
    params += [
        OpenApiParameter(n, str, description=str(ledger.model._meta.get_field(n).verbose_name))
        for n in ledger.filters
    ]

    class LedgerViewSet(
        mixins.CreateModelMixin,
        mixins.UpdateModelMixin,
        mixins.DestroyModelMixin,
        viewsets.ReadOnlyModelViewSet,
    ):
        serializer_class = serializer
        permission_classes = [LedgerPermission]
        lookup_value_regex = r"\d+"  # anything else is no entry: 404, never an error

        def get_queryset(self):
            return entry_list(user=self.request.user, ledger=ledger, filters=self.request.query_params.dict())

        def get_object(self):
            return entry_get(user=self.request.user, ledger=ledger, entry_id=int(self.kwargs["pk"]))

        def _run(self, call):
            try:
                return call()
            except LedgerFormError as exc:
                raise _form_errors(ledger, exc) from exc
            except ApplicationError as exc:
                raise serializers.ValidationError({"non_field_errors": [exc.message]}) from exc
            except PermissionDenied as exc:
                raise ApiPermissionDenied(str(exc)) from exc

        def create(self, request, *args, **kwargs):
            entry = self._run(
                lambda: ledger_entry_create(
                    actor=request.user, ledger=ledger, values=_values(ledger, request.data)
                )
            )
            return Response(serializer(entry).data, status=status.HTTP_201_CREATED)

        def update(self, request, *args, **kwargs):
            entry = self.get_object()
            version = request.data.get("version")
            entry = self._run(
                lambda: ledger_entry_update(
                    actor=request.user,
                    ledger=ledger,
                    entry=entry,
                    values=_values(ledger, request.data, instance=entry),
                    version=int(version) if str(version or "").isdigit() else None,
                )
            )
            return Response(serializer(entry).data)

        def destroy(self, request, *args, **kwargs):
            entry = self.get_object()
            self._run(lambda: ledger_entry_delete(actor=request.user, ledger=ledger, entry=entry))
            return Response(status=status.HTTP_204_NO_CONTENT)

    LedgerViewSet.ledger = ledger
    LedgerViewSet.__name__ = f"{ledger.model.__name__}ViewSet"
    LedgerViewSet.__doc__ = f"{ledger.title}：只返回所辖区划内的记录。{ledger.description}"

    if ledger.transitions:
        actions = "、".join(f"{t.action}（{t.label}）" for t in ledger.transitions)

        @extend_schema(
            request=None,
            parameters=[OpenApiParameter("step", str, description=f"步骤：{actions}", required=True)],
            responses=serializer,
        )
        @action(detail=True, methods=["post"])
        def transition(self, request, pk=None):
            entry = self.get_object()
            step = request.query_params.get("step") or request.data.get("step", "")
            entry = self._run(
                lambda: ledger_entry_transition(
                    actor=request.user,
                    ledger=ledger,
                    entry=entry,
                    action=step,
                    note=request.data.get("note", ""),
                )
            )
            return Response(serializer(entry).data)

        LedgerViewSet.transition = transition

    tag = extend_schema(tags=[f"台账：{ledger.title}"])
    return extend_schema_view(list=extend_schema(parameters=params))(tag(LedgerViewSet))


class TargetSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    indicator_label = serializers.CharField()
    label = serializers.CharField()
    area_code = serializers.CharField()
    start_on = serializers.DateField()
    end_on = serializers.DateField()
    unit = serializers.CharField()
    actual = serializers.DecimalField(max_digits=24, decimal_places=6)
    target = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    of_target_percent = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    last_year = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    of_last_year_percent = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    area_code = serializers.CharField(source="area_id")
    start_on = serializers.DateField()
    end_on = serializers.DateField()
    progress = serializers.SerializerMethodField()

    @extend_schema_field(TargetSerializer(many=True))
    def get_progress(self, campaign) -> list[dict]:
        out = []
        for t in campaign.targets.select_related("area"):
            p = target_progress(t)
            out.append(
                {
                    "indicator": t.indicator,
                    "indicator_label": p.label,
                    "label": t.label,
                    "area_code": t.area_id,
                    "start_on": t.start_on,
                    "end_on": t.end_on,
                    "unit": p.unit,
                    "actual": p.actual,
                    "target": t.target,
                    "of_target_percent": p.of_target,
                    "last_year": p.last_year,
                    "of_last_year_percent": p.of_last_year,
                }
            )
        return TargetSerializer(out, many=True).data


@extend_schema(tags=["攻坚行动"])
@extend_schema_view(
    retrieve=extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="攻坚行动编号")]
    )
)
class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """攻坚行动及其指标进度（实际 ÷ 目标、实际 ÷ 上年同期），只返回所辖区划内的行动。"""

    serializer_class = CampaignSerializer
    lookup_value_regex = r"\d+"  # anything else is not a campaign: 404, never an error

    def get_queryset(self):
        if not self.request.user.has_role_permission(Permission.VIEW):
            return campaign_list(user=None)
        return campaign_list(user=self.request.user, area=self.request.query_params.get("area", ""))

    def get_object(self):
        return campaign_get(user=self.request.user, campaign_id=int(self.kwargs["pk"]))


def register(router) -> None:
    """Called from fanpin.api.urls: one route per ledger (ledger-<slug>) and the campaigns."""
    for ledger in LEDGERS.values():
        router.register(f"ledgers/{ledger.slug}", _viewset(ledger), basename=f"ledger-{ledger.slug}")
    router.register("campaigns", CampaignViewSet, basename="campaign")
