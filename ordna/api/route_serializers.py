"""Serializers of the route guidelines API (issue 6): a need as `ordna route evaluate`
reads it, the decision receipt, saved assessments with their decision, reviews and
group-benefit comparisons, rule sets and their versions, and the framework register.

The need is checked by `procurement.assess.parse_need`, the same code as the CLI and the
guided form, so that all three name the same key for the same mistake; `NeedSerializer`
only describes it in the schema. A receipt is returned exactly as it was stored (it is
the record an auditor replays), so `ReceiptSerializer` too only describes it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ordna.api.serializers import computed_money, money
from ordna.procurement import engine
from ordna.procurement.models import (
    DeviationReview,
    ExampleCase,
    FrameworkAgreement,
    GroupBenefitComparison,
    Law,
    Route,
    RouteAssessment,
    RouteDecision,
    Rule,
    RuleSet,
    RuleSetVersion,
)

ROUTES = list(engine.ROUTES)
# The categories of a need, with the labels of the framework register's field, so that
# the schema has one enum for both.
CATEGORY_CHOICES = FrameworkAgreement._meta.get_field("category").choices


@extend_schema_field({"$ref": "#/components/schemas/RouteEnum"})
class RouteField(serializers.ChoiceField):
    """A route under another name than `route` (`chosen_route`, `expected_route`): the
    schema points at the one RouteEnum that the `route` fields make."""

    def __init__(self, **kwargs):
        super().__init__(choices=Route.choices, **kwargs)


def _username(source: str) -> serializers.CharField:
    return serializers.CharField(source=source, read_only=True, default=None, allow_null=True)


def _law_or_null(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=Law.choices, allow_null=True, **kwargs)


# --- A need -----------------------------------------------------------------------------------
class NeedSerializer(serializers.Serializer):
    """A need, with exactly the keys of `ordna route evaluate`. Give either
    `one_off_value_sek`, or `annual_value_sek` with `contract_years` (and
    `extension_years`). A bad key is a 400 naming it in `errors[].field`."""

    date = serializers.DateField(
        required=False, help_text="YYYY-MM-DD: the day the need is assessed for (default today)."
    )
    purchaser = serializers.CharField(max_length=10, help_text="Code of the purchasing unit.")
    description = serializers.CharField(required=False, allow_blank=True, max_length=300)
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES)
    one_off_value_sek = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="A one-off purchase: its value in kronor (at most two decimals).",
    )
    annual_value_sek = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="A contract: its value per year in kronor (at most two decimals).",
    )
    contract_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=50
    )
    extension_years = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=50,
        help_text="Possible extensions, counted as used (LOU 5 kap. 3 §).",
    )
    options_value_sek = serializers.FloatField(
        required=False, allow_null=True, min_value=0, help_text="Options, counted as used."
    )
    service_code = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=30,
        help_text="A service of the provider's catalogue.",
    )
    cpv_code = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=30,
        help_text="Eight digits, e.g. 30213000 or 30213000-5 (finds framework agreements).",
    )
    provider_offers = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="Whether the provider offers it; overrides the catalogue look-up when the "
        "need has no service code.",
    )
    utility_activity = serializers.BooleanField(
        required=False, help_text="Bought for a utility activity (LUF)."
    )
    extreme_urgency = serializers.BooleanField(required=False)
    framework_agreement = serializers.BooleanField(
        required=False, help_text="A framework agreement covers the need."
    )


# --- The receipt ------------------------------------------------------------------------------
class ReceiptReasonSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="The rule's id, or the kind of note.")
    text = serializers.CharField()
    legal_basis = serializers.CharField(allow_blank=True)


class SplittingWarningSerializer(ReceiptReasonSerializer):
    earlier = serializers.ListField(
        child=serializers.CharField(), help_text="Numbers of the similar direct awards."
    )
    total_sek = serializers.FloatField()


class RuleSetReferenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.IntegerField()
    sha256 = serializers.CharField()


class ReceiptFactsSerializer(serializers.Serializer):
    relation = serializers.ChoiceField(choices=list(engine.FACTS["relation"]))
    provider_offers = serializers.BooleanField()
    framework_agreement = serializers.BooleanField()
    extreme_urgency = serializers.BooleanField()
    utility_activity = serializers.BooleanField()
    utility_entity = serializers.BooleanField()
    law = serializers.ChoiceField(choices=Law.choices)
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES)
    value_band = serializers.ChoiceField(choices=list(engine.VALUE_BANDS))


class ReceiptPartySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ReceiptPurchaserSerializer(ReceiptPartySerializer):
    legal_person = serializers.CharField()
    org_number = serializers.CharField()


class ReceiptServiceSerializer(ReceiptPartySerializer):
    cpv_code = serializers.CharField(allow_blank=True)


class ReceiptFrameworkSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    supplier = serializers.CharField()


class ReceiptAmountSerializer(serializers.Serializer):
    sek = serializers.FloatField()
    provisional = serializers.BooleanField(
        help_text="Converted from EUR: the official SEK value is not yet known."
    )
    eur = serializers.IntegerField(required=False)
    eur_sek_rate = serializers.CharField(required=False)
    source = serializers.CharField(allow_blank=True)
    law = serializers.CharField(required=False)
    category = serializers.CharField(required=False)


class ReceiptReferencesSerializer(serializers.Serializer):
    threshold = ReceiptAmountSerializer()
    direct_award_limit = ReceiptAmountSerializer()
    documentation_limit = ReceiptAmountSerializer()


class ReceiptSerializer(serializers.Serializer):
    """The decision receipt, as `ordna route evaluate` prints it. Amounts are numbers of
    kronor. A stored receipt is never changed; replaying its `facts` on its rule set
    version gives its `route`."""

    route = serializers.ChoiceField(choices=Route.choices)
    law = _law_or_null(help_text="Null for an internal order (no procurement law).")
    estimated_value_sek = serializers.FloatField(
        help_text="Over the whole term, extensions and options counted as used."
    )
    direct_award_limit_sek = serializers.FloatField()
    threshold_sek = serializers.FloatField()
    documentation_limit_sek = serializers.FloatField()
    documentation_required = serializers.BooleanField()
    provisional = serializers.BooleanField(
        help_text="The route used a threshold converted from EUR; check it again later."
    )
    reasons = ReceiptReasonSerializer(many=True, help_text="The matched rule first, then notes.")
    warnings = SplittingWarningSerializer(many=True, help_text="The splitting guard.")
    rule_set = RuleSetReferenceSerializer()
    matched_rule = serializers.CharField()
    clause = serializers.CharField(allow_blank=True, help_text="Clause of the guideline.")
    facts = ReceiptFactsSerializer(help_text="What the rule set decided by.")
    input = serializers.DictField(help_text="The need, every key with its default filled in.")
    purchaser = ReceiptPurchaserSerializer()
    provider = ReceiptPartySerializer(allow_null=True)
    service = ReceiptServiceSerializer(allow_null=True)
    in_house_evidence = serializers.DictField(
        allow_null=True, help_text="The ownership chain behind an in-house award."
    )
    utility_activity_registered = serializers.CharField(allow_null=True)
    framework_agreements = ReceiptFrameworkSerializer(many=True)
    references = ReceiptReferencesSerializer(help_text="The thresholds and limits used.")
    engine_version = serializers.CharField()


# --- Saved assessments ------------------------------------------------------------------------
class RouteDecisionSummarySerializer(serializers.ModelSerializer):
    chosen_route = RouteField(read_only=True)

    class Meta:
        model = RouteDecision
        fields = ["chosen_route", "deviation"]
        read_only_fields = fields


class RouteDecisionSerializer(serializers.ModelSerializer):
    chosen_route = RouteField(read_only=True)
    decided_by_username = _username("decided_by.username")

    class Meta:
        model = RouteDecision
        fields = ["chosen_route", "deviation", "justification", "decided_by_username", "decided_at"]
        read_only_fields = fields


class DeviationReviewSerializer(serializers.ModelSerializer):
    reviewed_by_username = _username("reviewed_by.username")

    class Meta:
        model = DeviationReview
        fields = ["note", "reviewed_by_username", "reviewed_at"]
        read_only_fields = fields


class GroupBenefitFiguresSerializer(serializers.Serializer):
    purchaser_internal = computed_money()
    purchaser_external = computed_money()
    fixed_part = computed_money()
    group_internal = computed_money()
    group_external = computed_money()
    group_effect = computed_money(help_text="Above zero: ordering internally saves the group.")
    purchaser_effect = computed_money(help_text="Above zero: internal is cheaper for the buyer.")


class GroupBenefitComparisonSerializer(serializers.ModelSerializer):
    provider_quote = money(read_only=True)
    external_price = money(read_only=True)
    procurement_cost = money(read_only=True)
    fixed_cost_share = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    created_by_username = _username("created_by.username")
    figures = GroupBenefitFiguresSerializer(read_only=True)

    class Meta:
        model = GroupBenefitComparison
        fields = [
            "id",
            "provider_quote",
            "fixed_cost_share",
            "fixed_cost_source",
            "external_price",
            "procurement_cost",
            "supplier",
            "created_by_username",
            "created_at",
            "figures",
        ]
        read_only_fields = fields


class RouteAssessmentLinksSerializer(serializers.Serializer):
    self = serializers.CharField(help_text="This assessment in the API.")
    decision = serializers.CharField(help_text="Where the purchaser records the decision.")
    page = serializers.CharField(help_text="The assessment's page in the browser.")


class RouteAssessmentSerializer(serializers.ModelSerializer):
    purchaser_code = serializers.CharField(source="purchaser.code", read_only=True)
    contracting_authority_code = serializers.CharField(
        source="contracting_authority.code", read_only=True
    )
    service_code = serializers.CharField(
        source="service.code", read_only=True, default=None, allow_null=True
    )
    estimated_value = money(read_only=True)
    law = serializers.SerializerMethodField()
    rule_set = serializers.SerializerMethodField()
    created_by_username = _username("created_by.username")
    decision = serializers.SerializerMethodField(help_text="Null until the purchaser decides.")

    class Meta:
        model = RouteAssessment
        fields = [
            "id",
            "number",
            "purchaser_code",
            "contracting_authority_code",
            "description",
            "category",
            "service_code",
            "need_date",
            "estimated_value",
            "route",
            "law",
            "provisional",
            "splitting_warning",
            "rule_set",
            "receipt_sha256",
            "created_by_username",
            "created_at",
            "decision",
        ]
        read_only_fields = fields

    @extend_schema_field(_law_or_null())
    def get_law(self, assessment) -> str | None:
        return assessment.law or None

    @extend_schema_field(RuleSetReferenceSerializer)
    def get_rule_set(self, assessment) -> dict:
        version = assessment.rule_set_version
        return {"name": version.rule_set.name, "version": version.number, "sha256": version.sha256}

    @extend_schema_field(RouteDecisionSummarySerializer(allow_null=True))
    def get_decision(self, assessment) -> dict | None:
        decision = getattr(assessment, "decision", None)
        return None if decision is None else RouteDecisionSummarySerializer(decision).data


class RouteAssessmentDetailSerializer(RouteAssessmentSerializer):
    """The assessment with its receipt, the purchaser's decision (null until recorded),
    oversight's reviews of a deviation and the group-benefit comparisons. The related
    rows come in the context (the view reads each once)."""

    receipt = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()
    comparisons = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta(RouteAssessmentSerializer.Meta):
        fields = [
            *RouteAssessmentSerializer.Meta.fields,
            "receipt",
            "reviews",
            "comparisons",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(RouteDecisionSerializer(allow_null=True))
    def get_decision(self, assessment) -> dict | None:
        decision = self.context["decision"]
        return None if decision is None else RouteDecisionSerializer(decision).data

    @extend_schema_field(ReceiptSerializer)
    def get_receipt(self, assessment) -> dict:
        return assessment.receipt

    @extend_schema_field(DeviationReviewSerializer(many=True))
    def get_reviews(self, assessment) -> list[dict]:
        return DeviationReviewSerializer(self.context["reviews"], many=True).data

    @extend_schema_field(GroupBenefitComparisonSerializer(many=True))
    def get_comparisons(self, assessment) -> list[dict]:
        return GroupBenefitComparisonSerializer(self.context["comparisons"], many=True).data

    @extend_schema_field(RouteAssessmentLinksSerializer)
    def get_links(self, assessment) -> dict:
        return {
            "self": reverse("api:route-assessment-detail", args=[assessment.pk]),
            "decision": reverse("api:route-assessment-decision", args=[assessment.pk]),
            "page": assessment.get_absolute_url(),
        }


class AssessmentFilterSerializer(serializers.Serializer):
    purchaser = serializers.CharField(required=False, allow_blank=True, max_length=10)
    route = serializers.ChoiceField(choices=ROUTES, required=False, allow_blank=True)
    deviation = serializers.BooleanField(required=False, allow_null=True, default=None)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, data):
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"date_to": [_("The end date must be on or after the start date.")]}
            )
        return data


class RouteDecisionInputSerializer(serializers.Serializer):
    chosen_route = RouteField(
        help_text="The assessment's route to follow it; another route is a deviation.",
    )
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Required for a deviation: at least 20 characters.",
    )


# --- Rule sets and the framework register -----------------------------------------------------
class RuleSetVersionSummarySerializer(serializers.ModelSerializer):
    in_force = serializers.SerializerMethodField(
        help_text="The published version that applies today."
    )

    class Meta:
        model = RuleSetVersion
        fields = [
            "id",
            "number",
            "status",
            "valid_from",
            "sha256",
            "decision",
            "published_at",
            "in_force",
        ]
        read_only_fields = fields

    def get_in_force(self, version) -> bool:
        return version.pk in self.context.get("in_force", ())


class RuleSetSerializer(serializers.ModelSerializer):
    owner_code = serializers.CharField(source="owner.code", read_only=True)
    versions = serializers.SerializerMethodField(help_text="The newest first.")

    class Meta:
        model = RuleSet
        fields = ["id", "name", "owner_code", "description", "created_at", "versions"]
        read_only_fields = fields

    @extend_schema_field(RuleSetVersionSummarySerializer(many=True))
    def get_versions(self, rule_set) -> list[dict]:
        versions = sorted(rule_set.versions.all(), key=lambda v: -v.number)
        return RuleSetVersionSummarySerializer(versions, many=True, context=self.context).data


class RuleConditionSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=list(engine.FACTS), help_text="A fact of the need.")
    op = serializers.ChoiceField(
        choices=list(engine.OPERATORS), required=False, help_text="eq when left out."
    )
    value = serializers.JSONField(help_text="A value of the fact; a list for in and not_in.")


class RuleSetRuleSerializer(serializers.ModelSerializer):
    conditions = RuleConditionSerializer(many=True, read_only=True, help_text="All must hold.")
    legal_basis = serializers.CharField(
        read_only=True, help_text="{law} stands for LOU or LUF, whichever applies."
    )

    class Meta:
        model = Rule
        fields = ["priority", "key", "conditions", "route", "explanation", "legal_basis", "clause"]
        read_only_fields = fields


class ExampleCaseSerializer(serializers.ModelSerializer):
    need = serializers.SerializerMethodField(help_text="As stored: the keys of a need.")
    expected_route = RouteField(read_only=True)
    expected_law = serializers.ChoiceField(
        choices=list(Law.values), allow_blank=True, read_only=True, help_text="Empty: no law."
    )

    class Meta:
        model = ExampleCase
        fields = ["name", "need", "expected_route", "expected_law"]
        read_only_fields = fields

    @extend_schema_field(NeedSerializer)
    def get_need(self, example) -> dict:
        return example.need


class RuleSetVersionSerializer(serializers.ModelSerializer):
    rule_set = serializers.IntegerField(source="rule_set_id", read_only=True)
    name = serializers.CharField(source="rule_set.name", read_only=True)
    based_on = serializers.IntegerField(
        source="based_on.number",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="The version number this one was drafted from.",
    )
    published_by_username = _username("published_by.username")
    rules = RuleSetRuleSerializer(
        many=True, read_only=True, help_text="First match wins, by priority."
    )
    examples = ExampleCaseSerializer(many=True, read_only=True)

    class Meta:
        model = RuleSetVersion
        fields = [
            "id",
            "rule_set",
            "name",
            "number",
            "status",
            "based_on",
            "valid_from",
            "sha256",
            "decision",
            "published_at",
            "published_by_username",
            "rules",
            "examples",
        ]
        read_only_fields = fields


class FrameworkAgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = FrameworkAgreement
        fields = [
            "id",
            "reference",
            "title",
            "supplier",
            "category",
            "cpv_code",
            "law",
            "valid_from",
            "valid_to",
            "note",
        ]
        read_only_fields = fields


class FrameworkFilterSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
