"""The council's cap on the provider's external sales: the decisions, and a new one.

The same access rules and service as the page /bestallningar/extern-forsaljning/. A cap is
a dated setting that is never edited, so there is a list and a create, no detail, update
or delete. In its own module (with its serializers) because api/views.py and
api/serializers.py are past the size where we split."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from ordna.accounts import access
from ordna.audit.models import AuditEvent
from ordna.orders import selectors, services, stats
from ordna.orders.models import ExternalSalesCap

API = AuditEvent.Source.API


class ExternalSalesCapSerializer(serializers.ModelSerializer):
    percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        read_only=True,
        help_text="Cap as a percentage of the provider's turnover in a year.",
    )
    in_force = serializers.SerializerMethodField(
        help_text="True for the cap that applies today; later caps are decided, not yet in force."
    )

    class Meta:
        model = ExternalSalesCap
        fields = ["id", "valid_from", "percent", "case_number", "in_force"]

    @extend_schema_field(bool)
    def get_in_force(self, cap) -> bool:
        return cap.pk == self.context.get("current_id")


class ExternalSalesCapCreateSerializer(serializers.Serializer):
    # Only types here: the service checks the range, the decimals, the day and the case
    # number, with the same messages as on the page.
    valid_from = serializers.DateField(
        help_text="The day the cap applies from: after the latest cap's day."
    )
    percent = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        help_text='Percentage from 0 to 100, at most two decimals, e.g. "7.5".',
    )
    case_number = serializers.CharField(
        max_length=40, help_text="Case number of the council's decision, e.g. KF 2026-00123."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


@extend_schema_view(
    list=extend_schema(
        summary="The council's caps on external sales, the latest first",
        description="Readers: oversight, auditors, system administrators, provider staff "
        "and managers, registrars. Everyone else gets 404.",
    ),
    create=extend_schema(
        summary="Record a new cap on external sales (registrars, system administrators)",
        request=ExternalSalesCapCreateSerializer,
        responses={201: ExternalSalesCapSerializer},
    ),
)
class ExternalSalesCapViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ExternalSalesCapSerializer

    def get_queryset(self):
        access.require(access.can_read_external_cap(self.request.user))
        return ExternalSalesCap.objects.order_by("-valid_from")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):  # not while drawing the schema
            context["current_id"] = _current_id()
        return context

    def create(self, request, *args, **kwargs):
        access.require(access.can_set_external_cap(request.user))
        data = ExternalSalesCapCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cap = services.external_cap_set(actor=request.user, source=API, **data.validated_data)
        return Response(
            ExternalSalesCapSerializer(cap, context={"current_id": _current_id()}).data,
            status=status.HTTP_201_CREATED,
        )


def _current_id() -> int | None:
    """The cap in force today, if any."""
    current = stats.external_caps(selectors.today()).current
    return current.pk if current else None
