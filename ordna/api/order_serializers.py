"""Serializers of the orders API: what an order reads as, and what each write accepts.

In their own module because api/serializers.py is past the size where we split. Money is
a string with two decimals, as everywhere in the API."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ordna.api.serializers import VersionSerializer, computed_money, money
from ordna.orders import workflow
from ordna.orders.models import (
    Attachment,
    DeliveryReport,
    Deviation,
    Message,
    Order,
    OrderLine,
    Priority,
    Quote,
    QuoteLine,
    Rating,
)
from ordna.orders.services import MAX_LINES

# The workflow's step names, one enum in the schema (settings.ENUM_NAME_OVERRIDES).
TRANSITION_NAMES = list(workflow.TRANSITIONS)


def quantity(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def _username(source: str) -> serializers.CharField:
    return serializers.CharField(source=source, read_only=True, default=None, allow_null=True)


# --- Reading ----------------------------------------------------------------------------------
class OrderSerializer(serializers.ModelSerializer):
    purchaser_code = serializers.CharField(source="purchaser.code", read_only=True)
    provider_code = serializers.CharField(source="provider.code", read_only=True)
    orderer_username = serializers.CharField(source="orderer.username", read_only=True)
    service_code = serializers.CharField(
        source="service.code", read_only=True, default=None, allow_null=True
    )
    breached = serializers.SerializerMethodField(
        help_text="A service level is broken today (late response or late delivery)."
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "kind",
            "title",
            "state",
            "priority",
            "purchaser",
            "purchaser_code",
            "provider",
            "provider_code",
            "orderer_username",
            "service",
            "service_code",
            "wanted_on",
            "created_at",
            "submitted_at",
            "response_due",
            "delivery_due",
            "breached",
            "version",
        ]
        read_only_fields = fields

    def get_breached(self, order) -> bool:
        from ordna.orders.selectors import breached, today

        if "today" not in self.context:
            self.context["today"] = today()
        return breached(order, self.context["today"])


class OrderLineSerializer(serializers.ModelSerializer):
    quantity = quantity(read_only=True)
    unit_price = money(read_only=True, allow_null=True)

    class Meta:
        model = OrderLine
        fields = ["id", "position", "description", "quantity", "unit_of_measure", "unit_price"]
        read_only_fields = fields


class OrderLineRowSerializer(serializers.Serializer):
    """A line with its amount (null until it has a price)."""

    line = OrderLineSerializer()
    amount = computed_money(allow_null=True)


class QuoteLineSerializer(serializers.ModelSerializer):
    quantity = quantity(read_only=True)
    unit_price = money(read_only=True)
    amount = money(read_only=True)

    class Meta:
        model = QuoteLine
        fields = ["position", "description", "quantity", "unit_of_measure", "unit_price", "amount"]
        read_only_fields = fields


class QuoteSerializer(serializers.ModelSerializer):
    total = money(read_only=True)
    created_by_username = _username("created_by.username")
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = [
            "number",
            "valid_until",
            "assumptions",
            "total",
            "outcome",
            "answer",
            "created_at",
            "created_by_username",
            "lines",
        ]
        read_only_fields = fields

    @extend_schema_field(QuoteLineSerializer(many=True))
    def get_lines(self, quote) -> list[dict]:
        lines = self.context.get("quote_lines", {}).get(quote.pk)
        return QuoteLineSerializer(quote.lines.all() if lines is None else lines, many=True).data


class MessageSerializer(serializers.ModelSerializer):
    author_username = _username("author.username")
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author_username", "author_name", "text", "created_at"]
        read_only_fields = fields


class DeliveryReportSerializer(serializers.ModelSerializer):
    line_position = serializers.IntegerField(
        source="line.position", read_only=True, default=None, allow_null=True
    )
    quantity = quantity(read_only=True)
    hours = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    material_amount = money(read_only=True)
    reported_by_username = _username("reported_by.username")

    class Meta:
        model = DeliveryReport
        fields = [
            "id",
            "line",
            "line_position",
            "performed_on",
            "quantity",
            "hours",
            "material_amount",
            "note",
            "reported_by_username",
            "reported_at",
        ]
        read_only_fields = fields


class DeviationSerializer(serializers.ModelSerializer):
    reported_by_username = _username("reported_by.username")
    answered_by_username = _username("answered_by.username")

    class Meta:
        model = Deviation
        fields = [
            "id",
            "kind",
            "description",
            "status",
            "response",
            "reported_by_username",
            "reported_at",
            "answered_by_username",
            "answered_at",
            "closed_at",
        ]
        read_only_fields = fields


class RatingSerializer(serializers.ModelSerializer):
    rated_by_username = _username("rated_by.username")

    class Meta:
        model = Rating
        fields = ["score", "comment", "rated_by_username", "rated_at"]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    """The order with everything on its page. The related rows come in the context (the
    view reads them once); `transitions` are the workflow steps the caller may take now."""

    agreement_number = serializers.CharField(
        source="agreement.number", read_only=True, default=None, allow_null=True
    )
    assigned_to_username = _username("assigned_to.username")
    lines = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    quotes = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    deliveries = serializers.SerializerMethodField()
    deviations = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields,
            "description",
            "cost_centre",
            "agreement",
            "agreement_number",
            "state_reason",
            "assigned_to_username",
            "confirmed_at",
            "delivered_at",
            "accepted_at",
            "response_days",
            "delivery_days",
            "estimated_value",
            "route_assessment",
            "lines",
            "total",
            "quotes",
            "messages",
            "deliveries",
            "deviations",
            "rating",
            "transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(OrderLineRowSerializer(many=True))
    def get_lines(self, order) -> list[dict]:
        return OrderLineRowSerializer(self.context["lines"], many=True).data

    @extend_schema_field(
        computed_money(allow_null=True, help_text="Null while a line has no price.")
    )
    def get_total(self, order) -> str | None:
        total = self.context["total"]
        return None if total is None else computed_money().to_representation(total)

    @extend_schema_field(QuoteSerializer(many=True))
    def get_quotes(self, order) -> list[dict]:
        return QuoteSerializer(self.context["quotes"], many=True, context=self.context).data

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, order) -> list[dict]:
        return MessageSerializer(self.context["messages"], many=True).data

    @extend_schema_field(DeliveryReportSerializer(many=True))
    def get_deliveries(self, order) -> list[dict]:
        return DeliveryReportSerializer(self.context["deliveries"], many=True).data

    @extend_schema_field(DeviationSerializer(many=True))
    def get_deviations(self, order) -> list[dict]:
        return DeviationSerializer(self.context["deviations"], many=True).data

    @extend_schema_field(RatingSerializer(allow_null=True))
    def get_rating(self, order) -> dict | None:
        rating = self.context["rating"]
        return None if rating is None else RatingSerializer(rating).data

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=TRANSITION_NAMES),
            help_text=(
                "Workflow steps you may take now. `quote` is sent at quote/; `accept_quote`, "
                "`renegotiate` and `reject_quote` are answers at quote-answer/; the rest at "
                "transition/."
            ),
        )
    )
    def get_transitions(self, order) -> list[str]:
        return self.context["transitions"]


# --- Writing ----------------------------------------------------------------------------------
class OrderFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=workflow.State.choices, required=False, allow_blank=True
    )
    purchaser = serializers.CharField(required=False, allow_blank=True, max_length=10)
    mine = serializers.BooleanField(required=False, default=False)
    queue = serializers.BooleanField(required=False, default=False)
    breached = serializers.BooleanField(required=False, default=False)


class OrderLineInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300, allow_blank=True)
    quantity = quantity()
    unit_of_measure = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )


class QuoteLineInputSerializer(OrderLineInputSerializer):
    unit_price = money(help_text="Price per unit of measure.")


class OrderCreateSerializer(serializers.Serializer):
    purchaser = serializers.CharField(
        max_length=10, help_text="Code of the unit you order for (you hold an ordering role there)."
    )
    provider = serializers.CharField(max_length=10, help_text="Code of the providing unit.")
    kind = serializers.ChoiceField(choices=Order.Kind.choices)
    service = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        default="",
        help_text="Service code (required for a call-off).",
    )
    title = serializers.CharField(max_length=200, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    wanted_on = serializers.DateField(required=False, allow_null=True, default=None)
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, default=Priority.NORMAL
    )
    cost_centre = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Default: the purchaser's cost centre.",
    )
    estimated_value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="Ad hoc need: the expected cost over the whole term (SEK). From "
        "ROUTE_ASSESSMENT_REQUIRED_FROM_SEK up, submitting needs a route assessment.",
    )
    route_assessment = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Number of the purchaser's route assessment (RB-YYYY-NNNNNN).",
    )
    lines = serializers.ListField(child=OrderLineInputSerializer(), max_length=MAX_LINES)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class TransitionSerializer(VersionSerializer):
    name = serializers.ChoiceField(
        choices=TRANSITION_NAMES, help_text="A step from the order's `transitions`."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class QuoteSendSerializer(VersionSerializer):
    lines = serializers.ListField(child=QuoteLineInputSerializer(), max_length=MAX_LINES)
    valid_until = serializers.DateField()
    delivery_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Working days."
    )
    assumptions = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class QuoteAnswerSerializer(VersionSerializer):
    answer = serializers.ChoiceField(choices=["accept", "renegotiate", "reject"])
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        default="",
        help_text="Required to renegotiate or reject.",
    )


class MessagePostSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, allow_blank=True)


class DeliveryReportInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="Position number of the order line (leave out for the order as a whole).",
    )
    performed_on = serializers.DateField()
    quantity = quantity(required=False, default=Decimal("0"))
    hours = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, default=Decimal("0")
    )
    material_amount = money(required=False, default=Decimal("0"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class DeviationFileSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Deviation.Kind.choices)
    description = serializers.CharField(allow_blank=True)


class DeviationAnswerSerializer(serializers.Serializer):
    response = serializers.CharField(allow_blank=True, help_text="The provider's response.")
    close = serializers.BooleanField(
        required=False, default=False, help_text="Close the deviation with this response."
    )


class AssignSerializer(VersionSerializer):
    handler = serializers.CharField(
        max_length=150,
        allow_null=True,
        help_text=(
            "Username of the person who handles the order (provider staff or manager at "
            "the order's provider, as in `assigned_to_username`); null for nobody."
        ),
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class RatingInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


# --- Attachments ------------------------------------------------------------------------------
class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by_username = _username("uploaded_by.username")
    size = serializers.IntegerField(read_only=True, help_text="In bytes.")
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 of the file, in hex.")
    download = serializers.SerializerMethodField(help_text="Where to fetch the file.")

    class Meta:
        model = Attachment
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by_username",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, attachment) -> str:
        from django.urls import reverse

        return reverse("api:order-attachment", args=[attachment.order_id, attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text=(
            "PDF, PNG, JPEG, xlsx, docx, odt, ods, CSV or text; the content must match "
            "the file name's extension. At most ORDER_ATTACHMENT_MAX_BYTES (20 MB unless "
            "configured)."
        ),
    )
