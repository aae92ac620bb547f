from __future__ import annotations

from rest_framework import serializers

from ordna.accounts.models import ApiToken, Membership, User
from ordna.audit.models import AuditEvent
from ordna.catalogue.models import MandateTask
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
