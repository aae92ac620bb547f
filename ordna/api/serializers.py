from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ordna.accounts.models import ApiToken, Membership, User
from ordna.agreements.models import (
    Agreement,
    AgreementLine,
    AgreementVersion,
    NegotiationRound,
    Signature,
)
from ordna.audit.models import AuditEvent
from ordna.catalogue.models import (
    AllocationKey,
    MandateTask,
    Price,
    PriceList,
    Service,
    ServiceArea,
)
from ordna.core.models import Job
from ordna.organisation.models import LegalPerson, Ownership, Unit


class LegalPersonSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = LegalPerson
        fields = ["id", "name", "org_number", "kind", "valid_from", "valid_to", "version"]
        read_only_fields = ["id", "version"]
        extra_kwargs = {"org_number": {"validators": []}}


class LegalPersonUpdateSerializer(LegalPersonSerializer):
    version = serializers.IntegerField(required=False, help_text="Version you last read.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    class Meta(LegalPersonSerializer.Meta):
        fields = [*LegalPersonSerializer.Meta.fields, "reason"]
        read_only_fields = ["id"]


class OwnershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ownership
        fields = ["id", "owner", "owned", "share_percent", "valid_from", "valid_to"]
        read_only_fields = ["id"]


class UnitSerializer(serializers.ModelSerializer):
    legal_person_name = serializers.CharField(source="legal_person.name", read_only=True)
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, default=None, allow_null=True
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "legal_person",
            "legal_person_name",
            "parent",
            "parent_code",
            "registry_email",
            "cost_centre",
            "counterparty_code",
            "description",
            "valid_from",
            "valid_to",
            "version",
        ]
        read_only_fields = ["id", "version"]


class UnitUpdateSerializer(UnitSerializer):
    version = serializers.IntegerField(required=False, help_text="Version you last read.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "reason"]
        read_only_fields = ["id"]


class MembershipSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(
        source="unit.code", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Membership
        fields = ["id", "role", "unit", "unit_code", "valid_from", "valid_to"]


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "title", "memberships"]

    def get_memberships(self, user) -> list[dict]:
        from ordna.accounts.selectors import memberships_of

        return MembershipSerializer(memberships_of(user), many=True).data


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it safely.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor_id",
            "actor_username",
            "unit_code",
            "source",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "reason",
            "prev_hash",
            "hash",
        ]


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    # Declared, not derived: the model's integer range differs between SQLite and
    # PostgreSQL, and the committed schema must be the same whichever generated it.
    progress_done = serializers.IntegerField(read_only=True)
    progress_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]


class MandateTaskSerializer(serializers.ModelSerializer):
    committee_code = serializers.CharField(source="committee.code", read_only=True)
    deciding_body_code = serializers.CharField(
        source="deciding_body.code", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = MandateTask
        fields = [
            "id",
            "committee",
            "committee_code",
            "number",
            "text",
            "status",
            "deciding_body",
            "deciding_body_code",
            "case_number",
            "decided_on",
            "repeal_case_number",
            "repeal_deciding_body",
            "repeal_decided_on",
            "replaces",
            "proposed_by",
            "valid_from",
            "valid_to",
        ]


# --- Catalogue: service areas, services, price lists, allocation keys -------------------------
# Money is a string with two decimals ("1234.50"): DRF's DecimalField with decimal_places=2.
def money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def computed_money(**kwargs) -> serializers.DecimalField:
    """A sum or product of stored amounts: it may have more digits than one stored amount
    (a bounded field would fail to quantize it), so no digit limit."""
    return serializers.DecimalField(max_digits=None, decimal_places=2, **kwargs)


class ServiceAreaSerializer(serializers.ModelSerializer):
    provider_code = serializers.CharField(source="provider.code", read_only=True)
    responsible_committee_code = serializers.CharField(
        source="responsible_committee.code", read_only=True
    )
    main_purchaser_code = serializers.CharField(
        source="main_purchaser.code", read_only=True, default=None, allow_null=True
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = ServiceArea
        fields = [
            "id",
            "code",
            "name",
            "description",
            "provider",
            "provider_code",
            "responsible_committee",
            "responsible_committee_code",
            "main_purchaser",
            "main_purchaser_code",
            "valid_from",
            "valid_to",
            "version",
        ]
        read_only_fields = ["id", "code", "version"]


class ServiceAreaUpdateSerializer(ServiceAreaSerializer):
    version = serializers.IntegerField(required=False, help_text="Version you last read.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    class Meta(ServiceAreaSerializer.Meta):
        fields = [*ServiceAreaSerializer.Meta.fields, "reason"]
        read_only_fields = ["id", "code"]


class ServiceSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)
    default_key_code = serializers.CharField(
        source="default_key.code", read_only=True, default=None, allow_null=True
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "code",
            "name",
            "description",
            "area",
            "area_code",
            "unit_of_measure",
            "price_model",
            "obligation",
            "open_to_external",
            "external_decision",
            "vat_percent",
            "account",
            "default_key",
            "default_key_code",
            "response_days_normal",
            "delivery_days_normal",
            "response_days_urgent",
            "delivery_days_urgent",
            "cpv_code",
            "valid_from",
            "valid_to",
            "version",
        ]
        read_only_fields = ["id", "version"]
        # The service checks that the code is free, with the model's own message.
        extra_kwargs = {"code": {"validators": []}}


class ServiceCreateSerializer(ServiceSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    class Meta(ServiceSerializer.Meta):
        fields = [*ServiceSerializer.Meta.fields, "reason"]


class ServiceUpdateSerializer(ServiceCreateSerializer):
    version = serializers.IntegerField(required=False, help_text="Version you last read.")

    class Meta(ServiceCreateSerializer.Meta):
        read_only_fields = ["id", "code"]  # the code stays: agreements and exports use it


class PriceSerializer(serializers.ModelSerializer):
    """One service's price with the cost build-up it is computed from."""

    service_code = serializers.CharField(source="service.code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    price_model = serializers.CharField(source="service.price_model", read_only=True)
    unit_of_measure = serializers.CharField(source="service.unit_of_measure", read_only=True)
    direct_cost = money(read_only=True)
    overhead_cost = money(read_only=True)
    capital_cost = money(read_only=True)
    total_cost = computed_money(read_only=True)
    volume = money(read_only=True)
    unit_price = money(read_only=True, allow_null=True)

    class Meta:
        model = Price
        fields = [
            "id",
            "service",
            "service_code",
            "service_name",
            "price_model",
            "unit_of_measure",
            "direct_cost",
            "overhead_cost",
            "capital_cost",
            "total_cost",
            "volume",
            "unit_price",
            "note",
        ]
        read_only_fields = fields


class PriceListSerializer(serializers.ModelSerializer):
    published_by_username = serializers.CharField(
        source="published_by.username", read_only=True, default=None, allow_null=True
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = PriceList
        fields = [
            "id",
            "year",
            "name",
            "status",
            "based_on",
            "index_percent",
            "index_name",
            "valid_from",
            "valid_to",
            "published_at",
            "published_by_username",
            "version",
        ]
        read_only_fields = fields


class PriceListDetailSerializer(PriceListSerializer):
    prices = serializers.SerializerMethodField()

    class Meta(PriceListSerializer.Meta):
        fields = [*PriceListSerializer.Meta.fields, "prices"]
        read_only_fields = fields

    @extend_schema_field(PriceSerializer(many=True))
    def get_prices(self, price_list) -> list[dict]:
        from ordna.catalogue.selectors import prices_of

        return PriceSerializer(prices_of(price_list), many=True).data


class PriceListCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    valid_from = serializers.DateField(
        required=False, help_text="First valid day (default 1 January of the year)."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="Version you last read.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class PriceSetSerializer(VersionSerializer):
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=Service.objects.all(), help_text="Service code."
    )
    direct_cost = money(required=False, default=Decimal("0"))
    overhead_cost = money(required=False, default=Decimal("0"))
    capital_cost = money(required=False, default=Decimal("0"))
    volume = money(required=False, default=Decimal("1"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class AllocationKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = AllocationKey
        fields = ["id", "code", "name", "driver", "driver_label", "method", "description"]
        read_only_fields = fields


class DriverRowSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=30, help_text="Unit code.")
    value = serializers.DecimalField(max_digits=14, decimal_places=4)


class KeyValuesRegisterSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    rows = serializers.ListField(child=DriverRowSerializer(), max_length=10_000)
    source_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="", help_text="Where from."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class DriverValueRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    share_percent = serializers.DecimalField(
        max_digits=7,
        decimal_places=4,
        help_text="The unit's share of the total under the key's method, in per cent.",
    )


class KeyValuesSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Key code.")
    year = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The newest version of the year's values.")
    method = serializers.ChoiceField(choices=AllocationKey.Method.choices)
    created_at = serializers.DateTimeField()
    source_name = serializers.CharField()
    note = serializers.CharField()
    rows = DriverValueRowSerializer(many=True)


class AllocationShareSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    amount = money()


class AllocationSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Key code.")
    year = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The version of the driver values used.")
    method = serializers.ChoiceField(choices=AllocationKey.Method.choices)
    amount = money()
    shares = AllocationShareSerializer(many=True)


# --- Agreements ----------------------------------------------------------------------------
class AgreementSerializer(serializers.ModelSerializer):
    purchaser_code = serializers.CharField(source="purchaser.code", read_only=True)
    provider_code = serializers.CharField(source="provider.code", read_only=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "year",
            "kind",
            "title",
            "purchaser",
            "purchaser_code",
            "provider",
            "provider_code",
            "valid_from",
            "valid_to",
            "status",
            "volume_policy",
            "terminated_on",
            "termination_reason",
            "version",
        ]
        read_only_fields = fields


class AgreementLineSerializer(serializers.ModelSerializer):
    service_code = serializers.CharField(source="service.code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    volume = money(read_only=True)
    unit_price = money(read_only=True, allow_null=True)
    list_price = money(read_only=True, allow_null=True)
    negotiated = serializers.BooleanField(read_only=True)
    yearly_amount = computed_money(read_only=True)
    allocation_key_code = serializers.CharField(
        source="allocation_key.code", read_only=True, default=None, allow_null=True
    )
    key_values_version = serializers.IntegerField(
        source="key_values.number", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = AgreementLine
        fields = [
            "id",
            "position",
            "service",
            "service_code",
            "service_name",
            "price_model",
            "volume",
            "unit_price",
            "list_price",
            "negotiated",
            "yearly_amount",
            "allocation_key_code",
            "key_values_version",
            "response_days",
            "delivery_days",
            "indicators",
        ]
        read_only_fields = fields


class NegotiationRoundSerializer(serializers.ModelSerializer):
    total = money(read_only=True)
    created_by_username = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = NegotiationRound
        fields = ["number", "side", "comment", "total", "created_at", "created_by_username"]
        read_only_fields = fields


class SignatureSerializer(serializers.ModelSerializer):
    signed_by_username = serializers.CharField(source="signed_by.username", read_only=True)
    signed_by_name = serializers.CharField(source="signed_by.get_full_name", read_only=True)

    class Meta:
        model = Signature
        fields = ["side", "role", "signed_by_username", "signed_by_name", "signed_at"]
        read_only_fields = fields


class AgreementVersionSerializer(serializers.ModelSerializer):
    price_list_name = serializers.CharField(source="price_list.name", read_only=True)

    class Meta:
        model = AgreementVersion
        fields = [
            "number",
            "state",
            "reason",
            "price_list",
            "price_list_name",
            "valid_from",
            "agreed_at",
        ]
        read_only_fields = fields


class UnitChargeSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    yearly = computed_money()
    months = serializers.ListField(child=computed_money(), help_text="January to December.")


class AgreementDetailSerializer(AgreementSerializer):
    """The agreement with its newest version: lines, rounds, signatures, charges."""

    versions = serializers.SerializerMethodField()
    current_version = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    rounds = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    charges = serializers.SerializerMethodField()

    class Meta(AgreementSerializer.Meta):
        fields = [
            *AgreementSerializer.Meta.fields,
            "versions",
            "current_version",
            "lines",
            "rounds",
            "signatures",
            "total",
            "charges",
        ]
        read_only_fields = fields

    def _versions(self, agreement) -> list:
        if "versions" not in self.context:
            from ordna.agreements.selectors import versions_of

            self.context["versions"] = versions_of(agreement)
        return self.context["versions"]

    def _newest(self, agreement):
        versions = self._versions(agreement)
        return versions[-1] if versions else None

    def _charges(self, agreement):
        if "charges" not in self.context:
            from ordna.agreements.selectors import charges

            newest = self._newest(agreement)
            self.context["charges"] = charges(agreement, newest) if newest else None
        return self.context["charges"]

    @extend_schema_field(AgreementVersionSerializer(many=True))
    def get_versions(self, agreement) -> list[dict]:
        return AgreementVersionSerializer(self._versions(agreement), many=True).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_version(self, agreement) -> int | None:
        newest = self._newest(agreement)
        return newest.number if newest else None

    @extend_schema_field(AgreementLineSerializer(many=True))
    def get_lines(self, agreement) -> list[dict]:
        newest = self._newest(agreement)
        return AgreementLineSerializer(newest.lines.all() if newest else [], many=True).data

    @extend_schema_field(NegotiationRoundSerializer(many=True))
    def get_rounds(self, agreement) -> list[dict]:
        newest = self._newest(agreement)
        return NegotiationRoundSerializer(newest.rounds.all() if newest else [], many=True).data

    @extend_schema_field(SignatureSerializer(many=True))
    def get_signatures(self, agreement) -> list[dict]:
        newest = self._newest(agreement)
        rows = newest.signatures.all() if newest else []
        return SignatureSerializer(rows, many=True).data

    @extend_schema_field(computed_money())
    def get_total(self, agreement) -> str:
        result = self._charges(agreement)
        return computed_money().to_representation(result.total if result else Decimal("0"))

    @extend_schema_field(UnitChargeSerializer(many=True))
    def get_charges(self, agreement) -> list[dict]:
        result = self._charges(agreement)
        return UnitChargeSerializer(result.units if result else [], many=True).data


class VolumePolicySetSerializer(VersionSerializer):
    volume_policy = serializers.ChoiceField(
        choices=Agreement.VolumePolicy.choices,
        help_text=(
            "How call-offs above an agreement line's volume are handled: `stop` (the "
            "purchaser representative approves each first), `warn`, or `ignore`."
        ),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        default="",
        help_text="Required to change the rule once the agreement is agreed.",
    )


class AgreementLineAddSerializer(VersionSerializer):
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=Service.objects.all(), help_text="Service code."
    )
    volume = money(min_value=Decimal("0"), required=False, default=Decimal("1"))
    unit_price = money(
        required=False,
        allow_null=True,
        default=None,
        help_text="Negotiated price; leave out for the list price.",
    )
    allocation_key = serializers.SlugRelatedField(
        slug_field="code",
        queryset=AllocationKey.objects.all(),
        required=False,
        allow_null=True,
        help_text="Key code (common agreements; default: the service's key).",
    )
    response_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    delivery_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    indicators = serializers.CharField(required=False, allow_blank=True, max_length=500)
