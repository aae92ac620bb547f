"""API v1: thin views over the same services, selectors and access rules as the pages."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from ordna.accounts import access
from ordna.accounts import services as account_services
from ordna.accounts.selectors import tokens_of
from ordna.agreements import selectors as agreement_selectors
from ordna.agreements import services as agreement_services
from ordna.agreements.models import Agreement
from ordna.api import serializers as s
from ordna.audit import selectors as audit_selectors
from ordna.audit.models import AuditEvent
from ordna.catalogue import selectors as catalogue_selectors
from ordna.catalogue import services as catalogue_services
from ordna.catalogue.models import MandateTask, PriceList
from ordna.organisation import selectors as org_selectors
from ordna.organisation import services as org_services
from ordna.organisation.models import LegalPerson, Ownership, Unit

API = AuditEvent.Source.API

AS_OF = OpenApiParameter("on", OpenApiTypes.DATE, description="As of this date (default today).")


def _required_version(request) -> int:
    """A change must say which version it was based on, so nobody overwrites unseen edits."""
    if request.data.get("version") is None:
        raise ValidationError(
            {"version": [_("Send the version you last read; read the record first.")]}
        )
    return request.data["version"]


class AsRecordedListMixin:
    # Lists "as of" a past day show each row's values as recorded then, like the pages.
    # (A comment, not a docstring: drf-spectacular would copy a docstring into every
    # operation's description.)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        page = org_selectors.as_recorded(page, _day(request))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _day(request):
    raw = request.query_params.get("on")
    if not raw:
        return timezone.localdate()
    field = serializers.DateField()
    try:
        return field.to_internal_value(raw)
    except ValidationError as exc:
        raise ValidationError({"on": exc.detail}) from None


class UnitFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    kind = serializers.ChoiceField(choices=Unit.Kind.choices, required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            AS_OF,
            OpenApiParameter("q", str, description="Search code, name, e-mail"),
            OpenApiParameter("kind", str, enum=Unit.Kind.values, description="Unit kind"),
        ]
    ),
    create=extend_schema(request=s.UnitUpdateSerializer, responses={201: s.UnitSerializer}),
    partial_update=extend_schema(request=s.UnitUpdateSerializer, responses={200: s.UnitSerializer}),
)
class UnitViewSet(
    AsRecordedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_converter = "int"
    serializer_class = s.UnitSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            filters = UnitFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            return org_selectors.unit_list(
                search=filters.validated_data.get("q", ""),
                kind=filters.validated_data.get("kind", ""),
                on=_day(self.request),
            )
        return Unit.objects.select_related("legal_person", "parent").order_by("code")

    def get_object(self):
        return access.access_unit(
            self.request.user, self.kwargs["pk"], write=self.action == "partial_update"
        )

    def create(self, request, *args, **kwargs):
        access.require(access.can_manage_registry(request.user))
        data = self._valid(s.UnitUpdateSerializer(data=request.data))
        data.pop("version", None)
        unit = org_services.unit_create(actor=request.user, source=API, **data)
        return Response(s.UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        unit = self.get_object()
        data = self._valid(s.UnitUpdateSerializer(unit, data=request.data, partial=True))
        version = _required_version(request)
        data.pop("version", None)
        unit = org_services.unit_update(
            actor=request.user, unit=unit, version=version, source=API, **data
        )
        return Response(s.UnitSerializer(unit).data)

    @staticmethod
    def _valid(serializer) -> dict:
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF, OpenApiParameter("q", str)]),
    create=extend_schema(
        request=s.LegalPersonUpdateSerializer, responses={201: s.LegalPersonSerializer}
    ),
    partial_update=extend_schema(
        request=s.LegalPersonUpdateSerializer, responses={200: s.LegalPersonSerializer}
    ),
)
class LegalPersonViewSet(
    AsRecordedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_converter = "int"
    serializer_class = s.LegalPersonSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return org_selectors.legal_person_list(
                search=self.request.query_params.get("q", "")[:100], on=_day(self.request)
            )
        return LegalPerson.objects.order_by("name")

    def get_object(self):
        return access.access_legal_person(
            self.request.user, self.kwargs["pk"], write=self.action == "partial_update"
        )

    def create(self, request, *args, **kwargs):
        access.require(access.can_manage_registry(request.user))
        serializer = s.LegalPersonUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        person = org_services.legal_person_create(actor=request.user, source=API, **data)
        return Response(s.LegalPersonSerializer(person).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        person = self.get_object()
        serializer = s.LegalPersonUpdateSerializer(person, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = _required_version(request)
        data.pop("version", None)
        person = org_services.legal_person_update(
            actor=request.user, legal_person=person, version=version, source=API, **data
        )
        return Response(s.LegalPersonSerializer(person).data)


@extend_schema_view(list=extend_schema(parameters=[AS_OF]))
class OwnershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_converter = "int"
    serializer_class = s.OwnershipSerializer

    def get_queryset(self):
        if self.action == "list":
            return Ownership.objects.valid_on(_day(self.request)).order_by("id")
        return Ownership.objects.order_by("id")

    def get_object(self):
        return access.access_ownership(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        access.require(access.can_manage_registry(request.user))
        serializer = s.OwnershipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = org_services.ownership_create(
            actor=request.user, source=API, **serializer.validated_data
        )
        return Response(s.OwnershipSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=s.MeSerializer)
@api_view(["GET"])
def me(request):
    """The signed-in user and their roles."""
    return Response(s.MeSerializer(request.user).data)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    lookup_value_converter = "int"
    serializer_class = s.ApiTokenSerializer

    def get_queryset(self):
        return tokens_of(self.request.user)

    @extend_schema(request=s.ApiTokenSerializer, responses={201: s.ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        if not isinstance(request.successful_authenticator, SessionAuthentication):
            # A token must not mint tokens: revoking a leaked token would not stop copies.
            raise PermissionDenied(
                _("Create API tokens while signed in to Ordna, not with another token.")
            )
        serializer = s.ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = account_services.api_token_create(
            actor=request.user, name=serializer.validated_data["name"], source=API
        )
        data = s.ApiTokenSerializer(token).data
        data["key"] = key
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = access.access_api_token(request.user, pk)
        token = account_services.api_token_revoke(actor=request.user, token=token, source=API)
        return Response(s.ApiTokenSerializer(token).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("object_type", str),
            OpenApiParameter("object_id", str),
            OpenApiParameter("actor_id", int),
            OpenApiParameter("action", str),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
        ]
    )
)
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_converter = "int"
    serializer_class = s.AuditEventSerializer

    def get_queryset(self):
        access.access_audit_trail(self.request.user)
        if self.action != "list":
            return AuditEvent.objects.all()
        q = self.request.query_params
        filters = FilterSerializer(data=q)
        filters.is_valid(raise_exception=True)
        return audit_selectors.event_list(**filters.validated_data)


class FilterSerializer(serializers.Serializer):
    object_type = serializers.CharField(required=False, max_length=100)
    object_id = serializers.CharField(required=False, max_length=64)
    actor_id = serializers.IntegerField(required=False, min_value=1)
    action = serializers.CharField(required=False, max_length=100)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class JobViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    lookup_value_converter = "uuid"
    serializer_class = s.JobSerializer

    def get_queryset(self):
        return access.jobs_visible_to(self.request.user)

    def get_object(self):
        return access.access_job(self.request.user, self.kwargs["pk"])


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("committee", str, description="Committee code (default SN)"),
            OpenApiParameter("status", str, enum=MandateTask.Status.values),
        ]
    )
)
class MandateTaskViewSet(viewsets.ReadOnlyModelViewSet):
    # Every version of every task: in force, proposed, replaced and repealed.
    lookup_value_converter = "int"
    serializer_class = s.MandateTaskSerializer

    def get_queryset(self):
        if self.action != "list":
            return catalogue_selectors.all_mandate_tasks()
        filters = MandateFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return catalogue_selectors.all_mandate_tasks(
            committee_code=filters.validated_data.get("committee", ""),
            status=filters.validated_data.get("status", ""),
        )

    def get_object(self):
        return access.access_mandate_task(self.request.user, self.kwargs["pk"])


class MandateFilterSerializer(serializers.Serializer):
    committee = serializers.CharField(required=False, allow_blank=True, max_length=10)
    status = serializers.ChoiceField(
        choices=MandateTask.Status.choices, required=False, allow_blank=True
    )


# --- Catalogue: service areas, services, price lists, allocation keys -------------------------
YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}  # as the services accept


def _valid(serializer) -> dict:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _query(serializer_class, request) -> dict:
    """Validated query parameters; a bad one is a 400 naming the parameter."""
    return _valid(serializer_class(data=request.query_params))


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF]),
    partial_update=extend_schema(
        request=s.ServiceAreaUpdateSerializer, responses={200: s.ServiceAreaSerializer}
    ),
)
class ServiceAreaViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    # Service areas valid on `on` (default today); catalogue managers edit them.
    lookup_value_converter = "int"
    serializer_class = s.ServiceAreaSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return catalogue_selectors.service_areas(on=_day(self.request)).order_by("name", "pk")

    def get_object(self):
        return access.access_service_area(
            self.request.user, self.kwargs["pk"], write=self.action == "partial_update"
        )

    def partial_update(self, request, *args, **kwargs):
        area = self.get_object()
        data = _valid(s.ServiceAreaUpdateSerializer(area, data=request.data, partial=True))
        version = _required_version(request)
        data.pop("version", None)
        area = catalogue_services.service_area_update(
            actor=request.user, area=area, version=version, source=API, **data
        )
        return Response(s.ServiceAreaSerializer(area).data)


class ServiceFilterSerializer(serializers.Serializer):
    area = serializers.CharField(required=False, allow_blank=True, max_length=20)
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("area", str, description="Service area code"),
            OpenApiParameter("q", str, description="Search code and name"),
        ]
    ),
    create=extend_schema(request=s.ServiceCreateSerializer, responses={201: s.ServiceSerializer}),
    partial_update=extend_schema(
        request=s.ServiceUpdateSerializer, responses={200: s.ServiceSerializer}
    ),
)
class ServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    # The catalogue is public within the municipality; the provider maintains it.
    lookup_value_converter = "int"
    serializer_class = s.ServiceSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        filters = _query(ServiceFilterSerializer, self.request) if self.action == "list" else {}
        return catalogue_selectors.services(
            area_code=filters.get("area", ""), query=filters.get("q", "")
        )

    def get_object(self):
        return access.access_service(
            self.request.user, self.kwargs["pk"], write=self.action == "partial_update"
        )

    def create(self, request, *args, **kwargs):
        access.require(access.can_manage_catalogue(request.user))
        data = _valid(s.ServiceCreateSerializer(data=request.data))
        service = catalogue_services.service_create(actor=request.user, source=API, **data)
        return Response(s.ServiceSerializer(service).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        service = self.get_object()
        data = _valid(s.ServiceUpdateSerializer(service, data=request.data, partial=True))
        version = _required_version(request)
        data.pop("version", None)
        service = catalogue_services.service_update(
            actor=request.user, service=service, version=version, source=API, **data
        )
        return Response(s.ServiceSerializer(service).data)


class PriceListFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    status = serializers.ChoiceField(
        choices=PriceList.Status.choices, required=False, allow_blank=True
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("year", YEAR),
            OpenApiParameter("status", str, enum=PriceList.Status.values),
        ]
    ),
    retrieve=extend_schema(responses=s.PriceListDetailSerializer),
    create=extend_schema(
        request=s.PriceListCreateSerializer, responses={201: s.PriceListDetailSerializer}
    ),
)
class PriceListViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    # Price lists with their prices and full cost build-up (everyone signed in reads them).
    # A draft is created, priced one service at a time (`prices`) and published; a
    # published list never changes.
    lookup_value_converter = "int"
    serializer_class = s.PriceListSerializer

    def get_queryset(self):
        qs = PriceList.objects.select_related("published_by").order_by("-year", "-valid_from")
        if self.action == "list":
            filters = _query(PriceListFilterSerializer, self.request)
            if filters.get("year"):
                qs = qs.filter(year=filters["year"])
            if filters.get("status"):
                qs = qs.filter(status=filters["status"])
        return qs

    def get_object(self):
        return access.access_price_list(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        return Response(s.PriceListDetailSerializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        access.require(access.can_manage_catalogue(request.user))
        data = _valid(s.PriceListCreateSerializer(data=request.data))
        price_list = catalogue_services.price_list_create(actor=request.user, source=API, **data)
        return Response(
            s.PriceListDetailSerializer(price_list).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.VersionSerializer, responses=s.PriceListDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft: it never changes again, and it ends the list before it."""
        price_list = access.access_price_list(request.user, pk, publish=True)
        data = _valid(s.VersionSerializer(data=request.data))
        price_list = catalogue_services.price_list_publish(
            actor=request.user, price_list=price_list, source=API, **data
        )
        return Response(s.PriceListDetailSerializer(price_list).data)

    @extend_schema(request=s.PriceSetSerializer, responses=s.PriceSerializer)
    @action(detail=True, methods=["post"])
    def prices(self, request, pk=None):
        """Set one service's cost build-up in a draft; the unit price follows from it."""
        price_list = access.access_price_list(request.user, pk, write=True)
        data = _valid(s.PriceSetSerializer(data=request.data))
        price = catalogue_services.price_set(
            actor=request.user, price_list=price_list, source=API, **data
        )
        return Response(s.PriceSerializer(price).data)


class KeyYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class AllocateQuerySerializer(KeyYearSerializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="The amount to share, e.g. 1000.00."
    )


YEAR_OF_VALUES = OpenApiParameter(
    "year", YEAR, description="Year of the driver values (default: the newest year registered)."
)


def _key_values(key, year):
    """The newest version of a key's values for `year` (default: its newest year), or 404."""
    from ordna.catalogue.models import KeyValues

    if year is None:
        year = (
            KeyValues.objects.filter(key=key).order_by("-year").values_list("year", flat=True)
        ).first()
    values = catalogue_selectors.key_values_for(key, year) if year else None
    if values is None:
        raise NotFound(
            _("The key %(key)s has no driver values for %(year)s.")
            % {"key": key.code, "year": year or "–"}
        )
    return values


def _shares_percent(key_values, rows) -> list[Decimal]:
    """Each row's share of the whole under the key's method, in per cent (four decimals)."""
    from ordna.catalogue.models import AllocationKey

    even = key_values.key.method == AllocationKey.Method.EVEN
    weights = [Decimal(1) if even else row.value for row in rows]
    whole = sum(weights, Decimal(0))
    if not whole:
        return [Decimal(0) for _row in rows]
    return [
        (weight * 100 / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        for weight in weights
    ]


class AllocationKeyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    # Allocation keys, their yearly driver values (versioned: a correction is a new
    # version) and what an amount comes to per unit under them.
    lookup_value_converter = "int"
    serializer_class = s.AllocationKeySerializer

    def get_queryset(self):
        from ordna.catalogue.models import AllocationKey

        return AllocationKey.objects.order_by("code")

    def get_object(self):
        return access.access_allocation_key(self.request.user, self.kwargs["pk"])

    @extend_schema(methods=["GET"], parameters=[YEAR_OF_VALUES], responses=s.KeyValuesSerializer)
    @extend_schema(
        methods=["POST"],
        request=s.KeyValuesRegisterSerializer,
        responses={201: s.KeyValuesSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def values(self, request, pk=None):
        """GET: the newest version of a year's driver values, with each unit's share.
        POST: register a year's values as a new version — every row or none."""
        if request.method == "POST":
            return self._register(request, pk)
        key = self.get_object()
        values = _key_values(key, _query(KeyYearSerializer, request).get("year"))
        return Response(s.KeyValuesSerializer(self._values_data(values)).data)

    def _register(self, request, pk):
        key = access.access_allocation_key(request.user, pk, write=True)
        data = _valid(s.KeyValuesRegisterSerializer(data=request.data))
        rows = [(index, row["unit"], row["value"]) for index, row in enumerate(data.pop("rows"))]
        _check_rows(key, rows, data["year"])
        values = catalogue_services.key_values_register(
            actor=request.user,
            key=key,
            rows=[(i + 1, u, v) for i, u, v in rows],
            source=API,
            **data,
        )
        return Response(
            s.KeyValuesSerializer(self._values_data(values)).data, status=status.HTTP_201_CREATED
        )

    @staticmethod
    def _values_data(values) -> dict:
        rows = list(values.rows.select_related("unit").order_by("unit__code"))
        shares = _shares_percent(values, rows)
        return {
            "key": values.key.code,
            "year": values.year,
            "version": values.number,
            "method": values.key.method,
            "created_at": values.created_at,
            "source_name": values.source,
            "note": values.note,
            "rows": [
                {"unit": row.unit, "value": row.value, "share_percent": share}
                for row, share in zip(rows, shares, strict=True)
            ],
        }

    @extend_schema(
        parameters=[
            YEAR_OF_VALUES,
            OpenApiParameter(
                "amount",
                {"type": "string", "format": "decimal", "pattern": r"^-?\d{0,12}(?:\.\d{0,2})?$"},
                required=True,
                description="The amount to share, in kronor with at most two decimals.",
            ),
        ],
        responses=s.AllocationSerializer,
    )
    @action(detail=True, methods=["get"])
    def allocate(self, request, pk=None):
        """Share an amount by the key, exactly to the öre: the shares sum to the amount."""
        key = self.get_object()
        query = _query(AllocateQuerySerializer, request)
        values = _key_values(key, query.get("year"))
        shares = catalogue_selectors.allocation(values, query["amount"])
        data = {
            "key": key.code,
            "year": values.year,
            "version": values.number,
            "method": key.method,
            "amount": query["amount"],
            "shares": [{"unit": x.unit, "value": x.value, "amount": x.amount} for x in shares],
        }
        return Response(s.AllocationSerializer(data).data)


def _check_rows(key, rows, year: int) -> None:
    """Every bad row named by its index in `rows` (the service names only the first)."""
    try:
        checked = catalogue_services.check_driver_rows(key, rows, year)
    except DjangoValidationError as exc:
        raise ValidationError({"rows": exc.messages}) from None
    errors = {f"rows.{r['line']}": r["errors"] for r in checked if r["errors"]}
    if errors:
        raise ValidationError(errors)


# --- Agreements ----------------------------------------------------------------------------
class AgreementFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    status = serializers.ChoiceField(
        choices=Agreement.Status.choices, required=False, allow_blank=True
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("year", YEAR),
            OpenApiParameter("status", str, enum=Agreement.Status.values),
        ]
    ),
    retrieve=extend_schema(responses=s.AgreementDetailSerializer),
)
class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Agreements the user may read: their own units' and every common agreement.

    The API reads agreements, adds lines to an open version and sets the rule for
    call-offs above the volume. Proposing, accepting, signing, amending and terminating
    stay in the browser, where the person acting is signed in and sees what they accept
    or sign."""

    lookup_value_converter = "int"
    serializer_class = s.AgreementSerializer

    def get_queryset(self):
        visible = access.agreements_visible_to(self.request.user)
        if self.action != "list":
            return visible
        filters = _query(AgreementFilterSerializer, self.request)
        return agreement_selectors.agreements(
            visible, year=filters.get("year"), status=filters.get("status", "")
        )

    def get_object(self):
        return access.access_agreement(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        return Response(s.AgreementDetailSerializer(self.get_object()).data)

    @extend_schema(request=s.AgreementLineAddSerializer, responses={201: s.AgreementLineSerializer})
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        """Add a service from the version's price list to the open version's lines (by
        either side's negotiator); the list price applies unless a price is given."""
        agreement = access.access_agreement(request.user, pk)
        access.require(access.negotiating_side(request.user, agreement) is not None)
        data = _valid(s.AgreementLineAddSerializer(data=request.data))
        line = agreement_services.line_add(
            actor=request.user, agreement=agreement, source=API, **data
        )
        return Response(s.AgreementLineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.VolumePolicySetSerializer, responses=s.AgreementSerializer)
    @action(detail=True, methods=["post"], url_path="volume-policy")
    def volume_policy(self, request, pk=None):
        """Set how call-offs above the agreed volume are handled: while the agreement is
        open by either side's negotiator, once agreed by those who may sign for either
        side, with a reason."""
        agreement = access.access_agreement(request.user, pk)
        access.require(access.can_set_volume_policy(request.user, agreement))
        data = _valid(s.VolumePolicySetSerializer(data=request.data))
        agreement = agreement_services.volume_policy_set(
            actor=request.user, agreement=agreement, source=API, **data
        )
        return Response(s.AgreementSerializer(agreement).data)
