"""The route guidelines API (issue 6): evaluate a need without saving it, saved route
assessments and the purchaser's decision, the rule sets and their versions, and the
framework agreement register.

Thin views over `procurement.assess`, its services and the access rules of the pages. A
need is checked by `assess.parse_need`, as in `ordna route evaluate`, and a bad key is a
400 naming it; a day no published rule set (or no threshold) covers is a 409."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ordna.accounts import access
from ordna.api import route_serializers as r
from ordna.api.errors import problem
from ordna.audit.models import AuditEvent
from ordna.procurement import assess, engine, selectors, services
from ordna.procurement.models import (
    DeviationReview,
    FrameworkAgreement,
    GroupBenefitComparison,
    RouteDecision,
    RuleSet,
    RuleSetVersion,
)

API = AuditEvent.Source.API

CONFLICT = OpenApiResponse(
    description="No published rule set, threshold or limit covers the need's date "
    "(`errors` names `date`)."
)


def _valid(serializer) -> dict:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _need(data) -> assess.Need:
    """The need as `ordna route evaluate` reads it; a bad key is a 400 naming it."""
    try:
        return assess.parse_need(data, today=timezone.localdate())
    except assess.NeedError as exc:
        raise ValidationError({exc.field: [exc.message]}) from None


def _own_unit(need: assess.Need, units) -> None:
    """The purchaser must be one of `units` (those the user assesses for)."""
    if need.purchaser not in {unit.code for unit in units}:
        raise ValidationError(
            {"purchaser": [_("You cannot assess needs for %(code)s.") % {"code": need.purchaser}]}
        )


def _not_covered(request, need: assess.Need, exc: Exception) -> Response:
    """409: nothing in force decides the need on its date (a rule set, a threshold)."""
    day = need.day.isoformat()
    if isinstance(exc, selectors.NoRuleSet):
        message = _("No published version of %(name)s is in force on %(day)s.") % {
            "name": selectors.rule_set_name(),
            "day": day,
        }
    elif isinstance(exc, assess.NoReferenceData):
        message = _("No threshold or limit is registered for %(day)s.") % {"day": day}
    else:
        message = _("The rule set in force on %(day)s cannot decide this need.") % {"day": day}
    return problem(
        status.HTTP_409_CONFLICT,
        _("Conflict"),
        message,
        errors=[{"field": "date", "message": message}],
        instance=request.path,
    )


NOT_COVERED = (selectors.NoRuleSet, assess.NoReferenceData, engine.RuleSetError)


@extend_schema(
    summary="Assess a need without saving it",
    description=(
        "The same as `ordna route evaluate`: the need in, the decision receipt out, with "
        "the splitting guard's warning. Nothing is saved. You may evaluate for the units "
        "you order for; oversight, auditors and system administrators for any unit. A bad "
        "key, an unknown unit or service is a 400 naming the key."
    ),
    request=r.NeedSerializer,
    responses={200: r.ReceiptSerializer, 409: CONFLICT},
)
@api_view(["POST"])
def evaluate(request):
    user = request.user
    reader = access.reads_everything(user)
    units = access.assessing_units(user)
    access.require(reader or bool(units))
    need = _need(request.data)
    if not reader:
        _own_unit(need, units)
    try:
        registry = assess.Registry.load()
        receipt = assess.assess(
            need, registry, selectors.compiled(selectors.version_in_force(need.day))
        )
        selectors.add_splitting_warning(receipt, need, registry)
    except assess.NeedError as exc:  # a unit or service unknown on the day
        raise ValidationError({exc.field: [exc.message]}) from None
    except NOT_COVERED as exc:
        return _not_covered(request, need, exc)
    return Response(receipt)


def _detail(request, assessment, *, status_code=status.HTTP_200_OK) -> Response:
    decision = (
        RouteDecision.objects.filter(assessment=assessment).select_related("decided_by").first()
    )
    reviews = (
        DeviationReview.objects.filter(decision=decision).select_related("reviewed_by")
        if decision is not None and decision.deviation
        else []
    )
    context = {
        "decision": decision,
        "reviews": reviews,
        "comparisons": GroupBenefitComparison.objects.filter(assessment=assessment)
        .select_related("created_by")
        .order_by("-created_at", "-id"),
    }
    return Response(
        r.RouteAssessmentDetailSerializer(assessment, context=context).data, status=status_code
    )


def _filtered(visible, filters: dict):
    qs = visible.select_related(
        "purchaser",
        "contracting_authority",
        "service",
        "rule_set_version__rule_set",
        "created_by",
        "decision",
    )
    if filters.get("purchaser"):
        qs = qs.filter(purchaser__code=filters["purchaser"].strip().upper())
    if filters.get("route"):
        qs = qs.filter(route=filters["route"])
    if filters.get("deviation") is True:
        qs = qs.filter(decision__deviation=True)
    elif filters.get("deviation") is False:
        qs = qs.filter(Q(decision__isnull=True) | Q(decision__deviation=False))
    if filters.get("date_from"):
        qs = qs.filter(need_date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(need_date__lte=filters["date_to"])
    return qs.order_by("-created_at", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="Saved route assessments, the newest first",
        description="Those of the units where you hold a purchaser role; oversight, "
        "auditors and system administrators see every assessment.",
        parameters=[
            OpenApiParameter("purchaser", str, description="Purchaser unit code"),
            OpenApiParameter("route", str, enum=r.ROUTES),
            OpenApiParameter(
                "deviation",
                bool,
                description="true: the purchaser deviated from the route; false: followed "
                "it or has not decided",
            ),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="Need date from"),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="Need date to"),
        ],
    ),
    retrieve=extend_schema(
        summary="A saved assessment with its receipt, decision, reviews and comparisons",
        responses=r.RouteAssessmentDetailSerializer,
    ),
    create=extend_schema(
        summary="Assess a need and save the receipt",
        description=(
            "The need as for evaluate; the purchaser must be a unit you order for. The "
            "receipt is stored, never changed, with its SHA-256."
        ),
        request=r.NeedSerializer,
        responses={201: r.RouteAssessmentDetailSerializer, 409: CONFLICT},
    ),
)
class RouteAssessmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_converter = "int"
    serializer_class = r.RouteAssessmentSerializer

    def get_queryset(self):
        visible = access.assessments_visible_to(self.request.user)
        if self.action != "list":
            return visible
        filters = _valid(r.AssessmentFilterSerializer(data=self.request.query_params))
        return _filtered(visible, filters)

    def retrieve(self, request, *args, **kwargs):
        return _detail(request, access.access_assessment(request.user, self.kwargs["pk"]))

    def create(self, request, *args, **kwargs):
        units = access.assessing_units(request.user)
        access.require(bool(units))
        need = _need(request.data)
        _own_unit(need, units)
        # The day the need was read for, so that the service assesses the same one.
        data = {**request.data, "date": need.day.isoformat()}
        try:
            assessment = services.assessment_create(actor=request.user, data=data, source=API)
        except assess.NeedError as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        except NOT_COVERED as exc:
            return _not_covered(request, need, exc)
        assessment = access.access_assessment(request.user, assessment.pk)
        return _detail(request, assessment, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the purchaser's decision on the route",
        description=(
            "Follow the assessment's route, or choose another with a written "
            "justification (a deviation, flagged for oversight). Recorded once: for an "
            "assessment that already has a decision the answer is 404, as for one you "
            "may not decide on (an ordering role at the assessment's unit)."
        ),
        request=r.RouteDecisionInputSerializer,
        responses={201: r.RouteAssessmentDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        assessment = access.access_assessment(request.user, pk)
        access.require(access.can_decide_route(request.user, assessment))
        data = _valid(r.RouteDecisionInputSerializer(data=request.data))
        services.decision_record(actor=request.user, assessment=assessment, source=API, **data)
        return _detail(request, assessment, status_code=status.HTTP_201_CREATED)


def _guideline_reader(request) -> None:
    access.require(access.can_read_guidelines(request.user))


@extend_schema_view(
    list=extend_schema(
        summary="The rule sets (guidelines) and their versions",
        description="Every signed-in user may read them.",
    )
)
class RuleSetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = r.RuleSetSerializer

    def get_queryset(self):
        _guideline_reader(self.request)
        return RuleSet.objects.select_related("owner").prefetch_related("versions").order_by("name")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):  # not while drawing the schema
            context["in_force"] = _in_force(timezone.localdate())
        return context


def _in_force(day) -> set[int]:
    """Per rule set, the published version that applies on `day`: one query."""
    latest: dict[int, tuple] = {}
    rows = RuleSetVersion.objects.filter(
        status=RuleSetVersion.Status.PUBLISHED, valid_from__lte=day
    ).values_list("rule_set_id", "valid_from", "pk")
    for rule_set, valid_from, pk in rows:
        if rule_set not in latest or valid_from > latest[rule_set][0]:
            latest[rule_set] = (valid_from, pk)
    return {pk for _day, pk in latest.values()}


@extend_schema_view(
    retrieve=extend_schema(
        summary="A rule set version: its rules in order and its example cases",
        description="Every signed-in user may read it, drafts too.",
    )
)
class RuleSetVersionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_converter = "int"
    serializer_class = r.RuleSetVersionSerializer

    def get_queryset(self):
        _guideline_reader(self.request)
        return RuleSetVersion.objects.select_related(
            "rule_set", "based_on", "published_by"
        ).prefetch_related("rules", "examples")


@extend_schema_view(
    list=extend_schema(
        summary="The framework agreement register",
        description="Every signed-in user may read it.",
        parameters=[
            OpenApiParameter(
                "date",
                OpenApiTypes.DATE,
                description="Only the agreements in force on this day (default: all).",
            )
        ],
    )
)
class FrameworkAgreementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = r.FrameworkAgreementSerializer

    def get_queryset(self):
        _guideline_reader(self.request)
        filters = _valid(r.FrameworkFilterSerializer(data=self.request.query_params))
        qs = FrameworkAgreement.objects.order_by("-valid_to", "reference", "id")
        day = filters.get("date")
        if day is not None:
            qs = qs.filter(valid_from__lte=day, valid_to__gte=day)
        return qs
