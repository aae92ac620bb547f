"""API v1: thin views over the same services, selectors and access rules as the pages."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from ordna.accounts import access
from ordna.accounts import services as account_services
from ordna.accounts.selectors import tokens_of
from ordna.api import serializers as s
from ordna.audit import selectors as audit_selectors
from ordna.audit.models import AuditEvent
from ordna.catalogue import selectors as catalogue_selectors
from ordna.catalogue.models import MandateTask
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
