from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied

from fanpin.api.permissions import CanEditOrReadOnly
from fanpin.core.health import HEALTH_AMOUNT_FIELDS, health_value
from fanpin.core.masking import PROTECTED, mask_account, mask_id, mask_phone
from fanpin.registry.forms import HOUSEHOLD_FORM_FIELDS
from fanpin.registry.models import Household, IncomeRecord, Member
from fanpin.registry.selectors import household_get, household_list, income_list, member_get, member_list
from fanpin.registry.services.households import (
    household_create,
    household_update,
    income_record_set,
    member_add,
    member_update,
)


class HouseholdSerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="village_id", max_length=12)

    class Meta:
        model = Household
        fields = [
            "id",
            "code",
            "village_code",
            "county_code",
            "township_code",
            "head_name",
            "size",
            *HOUSEHOLD_FORM_FIELDS,
            "risk_types",
            "risk_eliminated",
            "net_income",
            "per_capita_income",
            "version",
        ]
        read_only_fields = [
            "county_code",
            "township_code",
            "head_name",
            "size",
            "net_income",
            "per_capita_income",
            "version",
        ]
        # 户编号 uniqueness is checked by the service, whose message names the existing household.
        extra_kwargs = {"code": {"validators": []}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = mask_phone(instance.phone)  # personal data masked by default
        return data


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(max_length=32)  # input in full; output masked (below)

    class Meta:
        model = Member
        fields = [
            "id",
            "household",
            "name",
            "id_type",
            "id_number",
            "sex",
            "birth_date",
            "relation",
            "ethnicity",
            "education",
            "school_status",
            "health",
            "labour_skill",
            "work_place",
            "resident_medical",
            "critical_illness",
            "dibao",
            "tekun",
            "phone",
            "bank_account",
        ]
        read_only_fields = ["household"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["id_number"] = mask_id(instance.id_number)  # personal data masked by default
        data["phone"] = mask_phone(instance.phone)
        data["bank_account"] = mask_account(instance.bank_account)
        # health is shown only on the household page, revealed with a reason, to roles that may see it
        data["health"] = health_value(PROTECTED, self.context.get("request") and self.context["request"].user)
        return data


class IncomeSerializer(serializers.ModelSerializer):
    net = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = IncomeRecord
        fields = [
            "id",
            "household",
            "year",
            "month",
            "months",
            "wage",
            "business",
            "property_income",
            "transfer",
            "business_cost",
            "claims",
            "out_of_pocket",
            "net",
        ]
        # income_record_set creates or replaces the record of a period; the default unique-together
        # validator would refuse every correction of an existing month.
        validators: list = []

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        for name in HEALTH_AMOUNT_FIELDS:  # medical money: roles that may see health data only
            data[name] = health_value(data[name], request and request.user)
        return data


def _guard(call):
    try:
        return call()
    except PermissionDenied as exc:
        raise ApiPermissionDenied(str(exc)) from exc


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(n, str, description=d)
            for n, d in [
                ("area", "区划代码（省/市/县/乡/村）"),
                ("household_type", "户类型"),
                ("category", "监测对象类别"),
                ("risk", "风险类型"),
                ("income_min", "人均纯收入下限"),
                ("income_max", "人均纯收入上限"),
                ("flag", "标识：house_unsafe dropout whole_no_labour relocated monitored"),
                ("q", "户编号、户主姓名或成员的完整证件号码"),
            ]
        ]
    )
)
@extend_schema(tags=["农户档案"])
class HouseholdViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """农户：只返回所辖区划内的户。"""

    serializer_class = HouseholdSerializer
    permission_classes = [CanEditOrReadOnly]

    def get_queryset(self):
        return household_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return household_get(user=self.request.user, household_id=int(self.kwargs["pk"]))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        village = data.pop("village_id")
        serializer.instance = _guard(
            lambda: household_create(actor=self.request.user, village_code=village, **data)
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("code", None)
        if "village_id" in data:
            data["village_code"] = data.pop("village_id")
        version = self.request.data.get("version")
        if version not in (None, "") and not str(version).isdigit():
            raise serializers.ValidationError({"version": ["版本号应为整数。"]})
        serializer.instance = _guard(
            lambda: household_update(
                actor=self.request.user,
                household=serializer.instance,
                version=int(version) if version else None,
                **data,
            )
        )


@extend_schema(tags=["农户档案"])
class MemberViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """家庭成员（证件号码脱敏显示）。新增成员：POST /api/households/{id}/members/。"""

    serializer_class = MemberSerializer
    permission_classes = [CanEditOrReadOnly]

    def get_queryset(self):
        qs = member_list(user=self.request.user)
        if self.request.query_params.get("household"):
            qs = qs.filter(household_id=self.request.query_params["household"])
        return qs

    def get_object(self):
        return member_get(user=self.request.user, member_id=int(self.kwargs["pk"]))

    def perform_update(self, serializer):
        serializer.instance = _guard(
            lambda: member_update(
                actor=self.request.user, member=serializer.instance, **serializer.validated_data
            )
        )


@extend_schema(tags=["农户档案"])
class HouseholdMemberCreate(mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = MemberSerializer
    permission_classes = [CanEditOrReadOnly]

    def create(self, request, *args, **kwargs):
        household_get(user=request.user, household_id=int(kwargs["household_id"]))  # 404 outside the area
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        household = household_get(user=self.request.user, household_id=int(self.kwargs["household_id"]))
        serializer.instance = _guard(
            lambda: member_add(actor=self.request.user, household=household, **serializer.validated_data)
        )


@extend_schema(tags=["农户档案"])
class IncomeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """收入记录（月度 months=1 或年度 months=12）。"""

    serializer_class = IncomeSerializer
    permission_classes = [CanEditOrReadOnly]

    def get_queryset(self):
        qs = income_list(user=self.request.user)
        if self.request.query_params.get("household"):
            qs = qs.filter(household_id=self.request.query_params["household"])
        return qs

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        household = household_get(user=self.request.user, household_id=data.pop("household").pk)
        serializer.instance = _guard(
            lambda: income_record_set(actor=self.request.user, household=household, **data)
        )
