from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from fanpin.api.permissions import CanEditOrReadOnly
from fanpin.casework import flows
from fanpin.casework.choices import OPEN_KINDS, CaseStatus, Channel, DocumentKind
from fanpin.casework.models import Case, CaseDocument, CaseStep, NoticeObjection
from fanpin.casework.selectors import case_get, case_list
from fanpin.casework.services.cases import (
    case_act,
    case_document_add,
    case_objection_add,
    case_objection_handle,
    case_open,
    case_open_green,
)
from fanpin.core.health import health_text
from fanpin.monitoring.selectors import lead_get
from fanpin.registry.choices import RISK_TYPES, Category, EliminationMethod
from fanpin.registry.selectors import household_get


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseStep
        fields = ["id", "action", "from_status", "to_status", "on", "at", "actor_name", "reason", "data"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        data["reason"] = health_text(data.get("reason") or "", request and request.user)
        return data


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseDocument
        fields = ["id", "kind", "status", "name", "size", "uploaded_by_name", "uploaded_at"]


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeObjection
        fields = ["id", "received_on", "raised_by", "content", "handling", "handled_on"]


class CaseSerializer(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True)
    village_code = serializers.CharField(source="household.village_id", read_only=True)
    status_name = serializers.CharField(source="status_label", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "household",
            "household_code",
            "village_code",
            "kind",
            "status",
            "status_name",
            "channel",
            "lead",
            "reflag",
            "summary",
            "opened_on",
            "due_on",
            "step_entered_on",
            "step_due_on",
            "overdue",
            "category",
            "risk_types",
            "elimination_method",
            "per_capita_income",
            "threshold",
            "threshold_year",
            "notice_start",
            "notice_end",
            "pending_steps",
            "decided_on",
            "decided_month",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        data["summary"] = health_text(data.get("summary") or "", request and request.user)
        return data

    def get_overdue(self, case) -> bool:
        from django.utils import timezone

        return flows.is_overdue(case, timezone.localdate())


class CaseDetailSerializer(CaseSerializer):
    steps = StepSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    objections = ObjectionSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "steps", "documents", "objections"]


class CaseOpenSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OPEN_KINDS)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    lead = serializers.IntegerField(required=False, allow_null=True)
    on = serializers.DateField(required=False, allow_null=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    risk_types = serializers.ListField(child=serializers.ChoiceField(choices=RISK_TYPES), required=False)
    elimination_method = serializers.ChoiceField(
        choices=EliminationMethod.choices, required=False, allow_blank=True
    )
    per_capita_income = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(n, t.label) for n, t in flows.TRANSITIONS.items()])
    on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True)
    target = serializers.ChoiceField(choices=CaseStatus.choices, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    risk_types = serializers.ListField(child=serializers.ChoiceField(choices=RISK_TYPES), required=False)
    per_capita_income = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField()


class ObjectionHandleSerializer(serializers.Serializer):
    handling = serializers.CharField()
    on = serializers.DateField(required=False, allow_null=True)


class ObjectionCreateSerializer(serializers.Serializer):
    received_on = serializers.DateField(required=False, allow_null=True)
    raised_by = serializers.CharField(required=False, allow_blank=True)
    content = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(n, str, description=d)
            for n, d in [
                ("area", "区划代码"),
                ("kind", "identification elimination"),
                ("status", "环节"),
                ("state", "open closed"),
                ("level", "village township county：该层级办理的环节"),
                ("overdue", "1：仅逾期"),
                ("household", "户 ID"),
                ("q", "户主姓名或户编号"),
            ]
        ]
    ),
    create=extend_schema(request=CaseOpenSerializer, responses={201: CaseDetailSerializer}),
)
@extend_schema(tags=["识别与消除"])
class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """识别纳入与风险消除业务：只返回所辖区划内的户。办理通过 transitions 提交。"""

    permission_classes = [CanEditOrReadOnly]

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_queryset(self):
        return case_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return case_get(user=self.request.user, case_id=int(self.kwargs["pk"]))

    def create(self, request, *args, **kwargs):
        s = CaseOpenSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        household = household_get(user=request.user, household_id=d.pop("household"))
        kind = d.pop("kind")
        if kind == "green":
            case = case_open_green(
                actor=request.user,
                household=household,
                on=d.get("on"),
                category=d.get("category", ""),
                risk_types=d.get("risk_types", []),
                summary=d.get("summary", ""),
            )
        else:
            lead_id = d.pop("lead", None)
            lead = lead_get(user=request.user, lead_id=lead_id) if lead_id else None
            case = case_open(actor=request.user, household=household, kind=kind, lead=lead, **d)
        case = case_get(user=request.user, case_id=case.pk)
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=StepSerializer(many=True), description="办理记录（时间线）")
    @extend_schema(
        methods=["POST"],
        request=TransitionSerializer,
        responses=CaseDetailSerializer,
        description="办理一个环节：verify appraise close_notice review approve reject send_back complete_step rollback。"
        "不符合规则时返回 400，detail 说明违反的规则和数字。",
    )
    @action(detail=True, methods=["get", "post"], url_path="transitions")
    def transitions(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(StepSerializer(case.steps.all(), many=True).data)
        s = TransitionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        case = case_act(
            actor=request.user,
            case=case,
            action=d.pop("action"),
            on=d.pop("on", None),
            reason=d.pop("reason", ""),
            target=d.pop("target", ""),
            **d,
        )
        return Response(CaseDetailSerializer(case_get(user=request.user, case_id=case.pk)).data)

    @extend_schema(request=DocumentUploadSerializer, responses={201: DocumentSerializer})
    @action(detail=True, methods=["post"], url_path="documents", parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        case = self.get_object()
        s = DocumentUploadSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        doc = case_document_add(actor=request.user, case=case, **s.validated_data)
        return Response(DocumentSerializer(doc).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectionCreateSerializer, responses={201: ObjectionSerializer})
    @action(detail=True, methods=["post"], url_path="objections")
    def objections(self, request, pk=None):
        case = self.get_object()
        s = ObjectionCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        obj = case_objection_add(actor=request.user, case=case, **s.validated_data)
        return Response(ObjectionSerializer(obj).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectionHandleSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"], url_path=r"objections/(?P<objection_id>\d+)/handle")
    def objection_handle(self, request, pk=None, objection_id=None):
        case = self.get_object()
        objection = case.objections.filter(pk=int(objection_id)).first()
        if objection is None:
            raise Http404("异议记录不存在")
        s = ObjectionHandleSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        obj = case_objection_handle(actor=request.user, objection=objection, **s.validated_data)
        return Response(ObjectionSerializer(obj).data)
