"""The orders API: thin views over the order services and selectors and the same access
rules as the order pages. In their own module because api/views.py is past the size
where we split."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from ordna.accounts import access
from ordna.api import order_serializers as o
from ordna.audit.models import AuditEvent
from ordna.core.money import to_ore
from ordna.orders import downloads, filetypes, selectors, services, workflow
from ordna.orders.models import Rating
from ordna.orders.workflow import PROVIDER, PURCHASER, State

API = AuditEvent.Source.API

# Quote steps carry lines, prices and the quote's outcome: they have their own endpoints.
QUOTE_STEPS = frozenset({"quote", "accept_quote", "renegotiate", "reject_quote"})
# An attachment is served as the type it was checked to be: one of these.
ATTACHMENT_TYPES = sorted({t.content_type for t in filetypes.TYPES.values()})


def _valid(serializer) -> dict:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _party(request, pk, want: str | None = None):
    """The order, and the side and roles the user acts with; 404 for anyone who may not
    act on it (or not on the side `want`)."""
    order = access.access_order(request.user, pk)
    side, roles = access.order_side(request.user, order)
    access.require(side is not None and (want is None or side == want))
    return order, side, roles


def _filtered(visible: QuerySet, user, filters: dict) -> QuerySet:
    qs = visible.select_related("purchaser", "provider", "orderer", "service")
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("purchaser"):
        qs = qs.filter(purchaser__code=filters["purchaser"])
    if filters.get("mine"):
        qs = qs.filter(orderer=user)
    if filters.get("queue"):
        # Addressed to the user's provider units, sent and not yet ended.
        units = [u.pk for u in access.handling_units(user)]
        qs = qs.filter(provider__in=units).exclude(state__in=[State.DRAFT, *workflow.ENDED])
    if filters.get("breached"):
        qs = qs.filter(selectors.breached_q(selectors.today()))
    return qs.order_by("-created_at", "-id")


def _related(order) -> dict:
    """The order's lines, quotes, thread, deliveries, deviations and rating: one query each."""
    from ordna.orders.models import DeliveryReport, Deviation, Message, OrderLine, QuoteLine

    rows, total = [], Decimal("0.00")
    for line in OrderLine.objects.filter(order=order).order_by("position"):
        amount = None if line.unit_price is None else to_ore(line.unit_price * line.quantity)
        rows.append({"line": line, "amount": amount})
        total = None if amount is None or total is None else total + amount
    quotes: dict = {}
    for line in (
        QuoteLine.objects.filter(quote__order=order)
        .select_related("quote__created_by")
        .order_by("quote__number", "position")
    ):
        quotes.setdefault(line.quote, []).append(line)  # a quote has at least one line
    return {
        "lines": rows,
        "total": total if rows else None,
        "quotes": list(quotes),
        "quote_lines": {quote.pk: lines for quote, lines in quotes.items()},
        "messages": Message.objects.filter(order=order).select_related("author"),
        "deliveries": DeliveryReport.objects.filter(order=order).select_related(
            "line", "reported_by"
        ),
        "deviations": Deviation.objects.filter(order=order).select_related(
            "reported_by", "answered_by"
        ),
        "rating": Rating.objects.filter(order=order).select_related("rated_by").first(),
    }


def _detail(request, pk, *, status_code=status.HTTP_200_OK) -> Response:
    """The order as its page shows it, with the steps the caller may take now."""
    order = access.access_order(request.user, pk)
    side, roles = access.order_side(request.user, order)
    context = {
        **_related(order),
        "transitions": [t.name for t in workflow.available(order.state, side, roles)],
    }
    return Response(o.OrderDetailSerializer(order, context=context).data, status=status_code)


def _unit_by_code(units, code: str, field: str, message: str):
    for unit in units:
        if unit.code == code:
            return unit
    raise ValidationError({field: [message % {"code": code}]})


def _handler(order, username: str | None):
    """The person named `username` among those who may handle the order (None for
    nobody); anyone else is a 400 naming `handler`, as on the page."""
    if username is None:
        return None
    for user in selectors.handlers_of(order):
        if user.username == username:
            return user
    raise ValidationError({"handler": [_("Choose someone who works for the provider.")]})


def _assessment_by_number(user, number: str):
    """The route assessment the order names, if the user may read it; else a 400 on the
    field (an assessment the user cannot see does not exist for them)."""
    if not number:
        return None
    found = access.assessments_visible_to(user).filter(number=number).first()
    if found is None:
        raise ValidationError(
            {"route_assessment": [_("No route assessment %(n)s.") % {"n": number}]}
        )
    return found


def _service_by_code(code: str):
    from ordna.catalogue.models import Service

    if not code:
        return None
    service = Service.objects.valid_on(selectors.today()).filter(code=code).first()
    if service is None:
        raise ValidationError(
            {"service": [_("There is no service with the code %(code)s.") % {"code": code}]}
        )
    return service


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=State.values),
            OpenApiParameter("purchaser", str, description="Purchaser unit code"),
            OpenApiParameter("mine", bool, description="Only orders you placed"),
            OpenApiParameter(
                "queue", bool, description="Only open orders addressed to your provider units"
            ),
            OpenApiParameter("breached", bool, description="Only orders past a service level"),
        ]
    ),
    retrieve=extend_schema(responses=o.OrderDetailSerializer),
    create=extend_schema(request=o.OrderCreateSerializer, responses={201: o.OrderDetailSerializer}),
)
class OrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    # Orders the user may read (their purchaser units' and those addressed to their
    # provider units), newest first. Writes go through the order services, each step
    # allowed by the workflow table for the caller's side and roles.
    lookup_value_converter = "int"
    serializer_class = o.OrderSerializer

    def get_queryset(self):
        visible = access.orders_visible_to(self.request.user)
        if self.action != "list":
            return visible
        filters = _valid(o.OrderFilterSerializer(data=self.request.query_params))
        return _filtered(visible, self.request.user, filters)

    def retrieve(self, request, *args, **kwargs):
        return _detail(request, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        units = access.ordering_units(request.user)
        access.require(bool(units))
        data = _valid(o.OrderCreateSerializer(data=request.data))
        purchaser = _unit_by_code(
            units, data.pop("purchaser"), "purchaser", _("You cannot order for %(code)s.")
        )
        provider = _unit_by_code(
            selectors.providers(selectors.today()),
            data.pop("provider"),
            "provider",
            _("%(code)s does not provide services to order."),
        )
        service = _service_by_code(data.pop("service"))
        data["route_assessment"] = _assessment_by_number(request.user, data["route_assessment"])
        order = services.order_create(
            actor=request.user,
            purchaser=purchaser,
            provider=provider,
            service=service,
            source=API,
            **data,
        )
        return _detail(request, order.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=o.TransitionSerializer, responses=o.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Take a workflow step (submit, confirm, start, deliver, accept, cancel, …);
        the steps of a quote have their own endpoints (quote, quote-answer)."""
        order, side, roles = _party(request, pk)
        data = _valid(o.TransitionSerializer(data=request.data))
        if data["name"] in QUOTE_STEPS:
            raise ValidationError(
                {"name": [_("Send a quote at quote/ and answer one at quote-answer/.")]}
            )
        services.transition(
            actor=request.user,
            order=order,
            name=data["name"],
            side=side,
            roles=roles,
            version=data["version"],
            reason=data["reason"],
            source=API,
        )
        return _detail(request, pk)

    @extend_schema(request=o.QuoteSendSerializer, responses={201: o.QuoteSerializer})
    @action(detail=True, methods=["post"])
    def quote(self, request, pk=None):
        """The provider's quote (a new version after a renegotiation)."""
        order, _side, roles = _party(request, pk, PROVIDER)
        data = _valid(o.QuoteSendSerializer(data=request.data))
        quote = services.quote_send(
            actor=request.user, order=order, roles=roles, source=API, **data
        )
        return Response(o.QuoteSerializer(quote).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=o.QuoteAnswerSerializer, responses=o.OrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="quote-answer")
    def quote_answer(self, request, pk=None):
        """The purchaser accepts the open quote, asks for a new one, or rejects it."""
        order, _side, roles = _party(request, pk, PURCHASER)
        data = _valid(o.QuoteAnswerSerializer(data=request.data))
        services.quote_answer(actor=request.user, order=order, roles=roles, source=API, **data)
        return _detail(request, pk)

    @extend_schema(request=o.MessagePostSerializer, responses={201: o.MessageSerializer})
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        """Write in the order's thread (either side)."""
        order, _side, _roles = _party(request, pk)
        data = _valid(o.MessagePostSerializer(data=request.data))
        message = services.message_post(actor=request.user, order=order, source=API, **data)
        return Response(o.MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=o.DeliveryReportInputSerializer, responses={201: o.DeliveryReportSerializer}
    )
    @action(detail=True, methods=["post"])
    def deliveries(self, request, pk=None):
        """Report work done on an order in progress (the provider)."""
        order, _side, _roles = _party(request, pk, PROVIDER)
        data = _valid(o.DeliveryReportInputSerializer(data=request.data))
        position = data.pop("line")
        line = None
        if position is not None:
            line = order.lines.filter(position=position).first()
            if line is None:
                raise ValidationError(
                    {"line": [_("The order has no line %(n)s.") % {"n": position}]}
                )
        report = services.delivery_report(
            actor=request.user, order=order, line=line, source=API, **data
        )
        return Response(o.DeliveryReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=o.DeviationFileSerializer, responses={201: o.DeviationSerializer})
    @action(detail=True, methods=["post"])
    def deviations(self, request, pk=None):
        """File a complaint or a missed service level (the purchaser)."""
        order, _side, _roles = _party(request, pk, PURCHASER)
        data = _valid(o.DeviationFileSerializer(data=request.data))
        deviation = services.deviation_file(actor=request.user, order=order, source=API, **data)
        return Response(o.DeviationSerializer(deviation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=o.RatingInputSerializer, responses={201: o.RatingSerializer})
    @action(detail=True, methods=["post"])
    def rating(self, request, pk=None):
        """Rate an accepted delivery, once (the purchaser)."""
        order, _side, _roles = _party(request, pk, PURCHASER)
        data = _valid(o.RatingInputSerializer(data=request.data))
        rating = services.rate(actor=request.user, order=order, source=API, **data)
        return Response(o.RatingSerializer(rating).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=o.DeviationAnswerSerializer, responses=o.DeviationSerializer)
    @action(detail=True, methods=["post"], url_path="deviations/<int:deviation_id>/answer")
    def deviation_answer(self, request, pk=None, deviation_id=None):
        """Answer a deviation filed on the order, and close it when it is settled (the
        provider). A closed deviation is not answered again (400)."""
        order, _side, _roles = _party(request, pk, PROVIDER)
        deviation = selectors.deviation_of(order, deviation_id)
        access.require(deviation is not None)
        data = _valid(o.DeviationAnswerSerializer(data=request.data))
        deviation = services.deviation_answer(
            actor=request.user, deviation=deviation, source=API, **data
        )
        return Response(o.DeviationSerializer(deviation).data)

    @extend_schema(request=o.AssignSerializer, responses=o.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give the order to one of the provider's staff, or to nobody (the provider)."""
        order, _side, _roles = _party(request, pk, PROVIDER)
        data = _valid(o.AssignSerializer(data=request.data))
        data["handler"] = _handler(order, data["handler"])
        services.assign(actor=request.user, order=order, source=API, **data)
        return _detail(request, pk)

    @extend_schema(
        methods=["GET"],
        description="The files attached to the order, oldest first (whoever may read it).",
        responses=o.AttachmentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        description=(
            "Attach a file to the order (either party, as for the thread), sent as "
            "multipart/form-data in the field `file`. Attachments are never changed or "
            "removed."
        ),
        request={"multipart/form-data": o.AttachmentUploadSerializer},
        responses={201: o.AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser],
        pagination_class=None,  # a handful per order: all of them at once
    )
    def attachments(self, request, pk=None):
        """GET: the files attached to the order, oldest first (whoever may read the
        order). POST: attach a file, sent as multipart/form-data in the field `file`
        (either party, as for the thread). Attachments are never changed or removed."""
        if request.method == "POST":
            order, _side, _roles = _party(request, pk)
            data = _valid(o.AttachmentUploadSerializer(data=request.data))
            attachment = services.attachment_add(
                actor=request.user, order=order, uploaded_file=data["file"], source=API
            )
            return Response(o.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        order = access.access_order(request.user, pk)
        return Response(o.AttachmentSerializer(selectors.attachments_of(order), many=True).data)

    @extend_schema(
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in ATTACHMENT_TYPES}
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="attachments/<int:attachment_id>",
        url_name="attachment",
    )
    def attachment(self, request, pk=None, attachment_id=None):
        """The attached file itself, as a download (Content-Disposition: attachment) of the
        type it was checked to be when attached."""
        order = access.access_order(request.user, pk)
        attachment = selectors.attachment_of(order, attachment_id)
        access.require(attachment is not None)
        return downloads.attachment_response(attachment)
