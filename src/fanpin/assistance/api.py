"""API of assistance: the catalogue, responsible units and persons, measures, household plans, visits and
the monthly visit coverage. Related objects are given by id and looked up through the selectors, so an
id outside the user's area is "not found" (404), never used."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from fanpin.api.permissions import CanEditOrReadOnly
from fanpin.assistance import selectors
from fanpin.assistance.choices import MeasureCategory
from fanpin.assistance.consistency import check
from fanpin.assistance.models import Measure, MeasureItem, ResponsiblePerson, ResponsibleUnit, Visit
from fanpin.assistance.services.measures import measure_add, measure_end, measure_update
from fanpin.assistance.services.units import person_create, person_update, unit_create, unit_update
from fanpin.assistance.services.visits import visit_record
from fanpin.core.masking import mask_phone
from fanpin.registry.selectors import household_get, member_list


def _guard(call):
    try:
        return call()
    except PermissionDenied as exc:
        raise ApiPermissionDenied(str(exc)) from exc


def _month_param(request) -> tuple[int, int]:
    value = request.query_params.get("month") or date.today().strftime("%Y-%m")
    try:
        year, month = int(value[:4]), int(value[5:7])
        if len(value) != 7 or value[4] != "-" or not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise serializers.ValidationError({"month": ["月份应为 YYYY-MM，如 2025-06。"]}) from None
    return year, month


class IdListField(serializers.ListField):
    """Ids in, ids out: reads a related manager (persons) as a list of ids."""

    child = serializers.IntegerField()

    def to_representation(self, data):
        return [obj.pk for obj in data.all()] if hasattr(data, "all") else list(data)


class MeasureItemSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = MeasureItem
        fields = ["id", "category", "category_name", "name", "area_code", "active"]


@extend_schema(tags=["帮扶"])
class MeasureItemViewSet(viewsets.ReadOnlyModelViewSet):
    """帮扶措施目录：全国目录及本地区新增的项目。"""

    serializer_class = MeasureItemSerializer

    def get_queryset(self):
        return selectors.catalogue_items(
            user=self.request.user, category=self.request.query_params.get("category")
        )


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResponsibleUnit
        fields = ["id", "name", "area_code", "kind", "active"]
        validators: list = []  # the service names a duplicate


@extend_schema(tags=["帮扶"])
class UnitViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """帮扶单位：所辖区划内的单位及上级区划的单位。"""

    serializer_class = UnitSerializer
    permission_classes = [CanEditOrReadOnly]

    def get_queryset(self):
        return selectors.unit_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return selectors.unit_get(user=self.request.user, unit_id=int(self.kwargs["pk"]))

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = _guard(
            lambda: unit_create(
                actor=self.request.user, name=d["name"], area_code=d["area_code"], kind=d.get("kind", "")
            )
        )

    def perform_update(self, serializer):
        serializer.instance = _guard(
            lambda: unit_update(
                actor=self.request.user, unit=serializer.instance, **serializer.validated_data
            )
        )


class PersonSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ResponsiblePerson
        fields = ["id", "unit", "unit_name", "name", "post", "phone", "active"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = mask_phone(instance.phone)  # personal data masked by default
        return data


@extend_schema(tags=["帮扶"])
class PersonViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """帮扶责任人（联系电话脱敏显示）。"""

    serializer_class = PersonSerializer
    permission_classes = [CanEditOrReadOnly]

    def get_queryset(self):
        return selectors.person_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return selectors.person_get(user=self.request.user, person_id=int(self.kwargs["pk"]))

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        unit = selectors.unit_get(user=self.request.user, unit_id=d.pop("unit_id"))
        d.pop("active", None)
        serializer.instance = _guard(lambda: person_create(actor=self.request.user, unit=unit, **d))

    def perform_update(self, serializer):
        d = dict(serializer.validated_data)
        if "unit_id" in d:
            d["unit"] = selectors.unit_get(user=self.request.user, unit_id=d.pop("unit_id"))
        serializer.instance = _guard(
            lambda: person_update(actor=self.request.user, person=serializer.instance, **d)
        )


class MeasureSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id")
    household_code = serializers.CharField(source="household.code", read_only=True)
    category = serializers.ChoiceField(choices=MeasureCategory.choices)
    category_name = serializers.CharField(read_only=True)
    member = serializers.IntegerField(source="member_id", required=False, allow_null=True)
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    persons = IdListField(allow_empty=False)
    person_names = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "household",
            "household_code",
            "category",
            "category_name",
            "item",
            "detail",
            "member",
            "amount",
            "start",
            "end",
            "end_reason",
            "unit",
            "unit_name",
            "persons",
            "person_names",
            "version",
        ]
        read_only_fields = ["end_reason", "version"]

    def get_person_names(self, obj) -> list[str]:
        return [p.name for p in obj.persons.all()]


class MeasureEndSerializer(serializers.Serializer):
    end = serializers.DateField()
    reason = serializers.CharField(max_length=200)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("household", int, description="户 id"),
            OpenApiParameter("area", str, description="区划代码"),
            OpenApiParameter("category", str, description="措施类别代码，如 100A42"),
            OpenApiParameter("on", str, description="日期 YYYY-MM-DD：只列当天在用的措施"),
        ]
    )
)
@extend_schema(tags=["帮扶"])
class MeasureViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """帮扶措施（一户一策中的一项）：新增、修改、结束。"""

    serializer_class = MeasureSerializer
    permission_classes = [CanEditOrReadOnly]

    def get_queryset(self):
        return selectors.measure_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return selectors.measure_get(user=self.request.user, measure_id=int(self.kwargs["pk"]))

    def _related(self, household, d: dict) -> dict:
        user = self.request.user
        out = {}
        if "unit_id" in d:
            out["unit"] = selectors.unit_get(user=user, unit_id=d.pop("unit_id"))
        if "persons" in d:
            out["persons"] = [selectors.person_get(user=user, person_id=p) for p in d.pop("persons")]
        if "member_id" in d:
            member_id = d.pop("member_id")
            out["member"] = None
            if member_id is not None:
                member = member_list(user=user, household=household).filter(pk=member_id).first()
                if member is None:
                    raise serializers.ValidationError({"member": ["该成员不是这一户的家庭成员。"]})
                out["member"] = member
        return {**d, **out}

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        household = household_get(user=self.request.user, household_id=d.pop("household_id"))
        fields = self._related(household, d)
        serializer.instance = _guard(
            lambda: measure_add(actor=self.request.user, household=household, **fields)
        )

    def perform_update(self, serializer):
        measure = serializer.instance
        d = dict(serializer.validated_data)
        if d.pop("household_id", measure.household_id) != measure.household_id:
            raise serializers.ValidationError({"household": ["措施不能改到另一户，请结束后在那一户新增。"]})
        version = self.request.data.get("version")
        fields = self._related(measure.household, d)
        serializer.instance = _guard(
            lambda: measure_update(
                actor=self.request.user,
                measure=measure,
                version=int(version) if str(version or "").isdigit() else None,
                **fields,
            )
        )

    @extend_schema(request=MeasureEndSerializer, responses=MeasureSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """结束措施：end 为措施最后一天，reason 为结束原因。"""
        measure = self.get_object()
        body = MeasureEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        measure = _guard(lambda: measure_end(actor=request.user, measure=measure, **body.validated_data))
        return Response(MeasureSerializer(measure).data)


class ConsistencyProblemSerializer(serializers.Serializer):
    rule = serializers.CharField()
    message = serializers.CharField()


class ImportedSerializer(serializers.Serializer):
    column = serializers.CharField()
    text = serializers.CharField()
    category = serializers.CharField()
    counts = serializers.BooleanField()


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    head_name = serializers.CharField()
    village_code = serializers.CharField(source="village_id")
    category = serializers.CharField()
    risks = serializers.ListField(child=serializers.CharField(), source="risk_list")
    principle = serializers.SerializerMethodField()
    measures = serializers.SerializerMethodField()
    imported = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()

    def _facts(self, obj):
        cache = self.context.setdefault("facts", {})
        if obj.pk not in cache:
            cache[obj.pk] = selectors.household_facts(household=obj, on=date.today())
        return cache[obj.pk]

    def get_principle(self, obj) -> str:
        return selectors.principle(self._facts(obj))

    @extend_schema_field(MeasureSerializer(many=True))
    def get_measures(self, obj) -> list[dict]:
        return MeasureSerializer(selectors.household_measures(household=obj, on=date.today()), many=True).data

    @extend_schema_field(ImportedSerializer(many=True))
    def get_imported(self, obj) -> list[dict]:
        return selectors.imported_rows(obj.measures_recorded)

    @extend_schema_field(ConsistencyProblemSerializer(many=True))
    def get_problems(self, obj) -> list[dict]:
        return [{"rule": p.rule, "message": p.message} for p in check(self._facts(obj))]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("area", str, description="区划代码"),
            OpenApiParameter("q", str, description="户编号或户主姓名"),
        ]
    )
)
@extend_schema(tags=["帮扶"])
class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """一户一策：监测对象及有帮扶措施的户，含今天在用的措施、国家系统导入的措施、帮扶原则和一致性问题。"""

    serializer_class = PlanSerializer

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return household_get(user=self.request.user, household_id=int(self.kwargs["pk"]))


class VisitSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id")
    persons = IdListField(required=False)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, default="")

    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "visited_on",
            "visitors",
            "persons",
            "findings",
            "follow_up",
            "recorded_by",
        ]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("household", int, description="户 id"),
            OpenApiParameter("area", str, description="区划代码"),
            OpenApiParameter("month", str, description="月份 YYYY-MM"),
        ]
    )
)
@extend_schema(tags=["帮扶"])
class VisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """入户走访记录。"""

    serializer_class = VisitSerializer
    permission_classes = [CanEditOrReadOnly]

    def get_queryset(self):
        return selectors.visit_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return selectors.visit_get(user=self.request.user, visit_id=int(self.kwargs["pk"]))

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        household = household_get(user=self.request.user, household_id=d.pop("household_id"))
        persons = [selectors.person_get(user=self.request.user, person_id=p) for p in d.pop("persons", [])]
        serializer.instance = _guard(
            lambda: visit_record(actor=self.request.user, household=household, persons=persons, **d)
        )


class CoverageRowSerializer(serializers.Serializer):
    village_code = serializers.CharField()
    village_name = serializers.CharField()
    township_name = serializers.CharField()
    monitored = serializers.IntegerField()
    visited = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=5, decimal_places=1)


@extend_schema(
    tags=["帮扶"],
    parameters=[
        OpenApiParameter("month", str, description="月份 YYYY-MM（默认本月）"),
        OpenApiParameter("area", str, description="区划代码"),
        OpenApiParameter(
            "by", str, description="village（按村，默认）、township（按乡镇汇总）或 county（按县汇总）"
        ),
    ],
    responses=inline_serializer(
        "VisitCoverage",
        {
            "month": serializers.CharField(),
            "rows": CoverageRowSerializer(many=True),
            "total": CoverageRowSerializer(),
        },
    ),
)
class CoverageView(APIView):
    """月度走访覆盖率（按村）：监测户数、本月已走访户数、覆盖率（%）。"""

    def get(self, request):
        year, month = _month_param(request)
        level = request.query_params.get("by", "village")
        if level not in selectors.COVERAGE_LEVELS:
            raise serializers.ValidationError({"by": ["汇总方式应为 village、township 或 county。"]})
        rows = selectors.visit_coverage(
            user=request.user, year=year, month=month, area_code=request.query_params.get("area")
        )
        return Response(
            {
                "month": f"{year}-{month:02d}",
                "rows": CoverageRowSerializer(selectors.coverage_rollup(rows, level), many=True).data,
                "total": CoverageRowSerializer(selectors.coverage_total(rows)).data,
            },
            status=status.HTTP_200_OK,
        )
