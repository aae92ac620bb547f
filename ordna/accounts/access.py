"""Every permission decision in Ordna goes through the functions in this module.

Rules (docs/architecture.md, "Access"):
- Everyone signed in may read the organisation registry (it is public within the
  municipality); only system administrators change it.
- Purchaser-side data is scoped to the user's own units; the provider sees what is
  addressed to it; oversight, auditors and system administrators read everything.
- Auditors write nothing.
- Missing and forbidden both answer 404, so nobody learns what exists.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from ordna.accounts.models import ApiToken, Role
from ordna.accounts.selectors import memberships_of, roles_of, units_of

READ_ALL_ROLES = frozenset({Role.OVERSIGHT, Role.AUDITOR, Role.SYSTEM_ADMIN})
AUDIT_TRAIL_READERS = frozenset({Role.AUDITOR, Role.OVERSIGHT, Role.SYSTEM_ADMIN})
PURCHASER_ROLES = frozenset(
    {Role.ORDERER, Role.PURCHASER_REPRESENTATIVE, Role.MAIN_PURCHASER, Role.FORUM_MEMBER}
)
PROVIDER_ROLES = frozenset({Role.PROVIDER_STAFF, Role.PROVIDER_MANAGER})


def require(condition: bool) -> None:
    """Answer 404 unless `condition` holds (forbidden looks the same as missing)."""
    if not condition:
        raise Http404


def is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def has_role(user, *roles: str) -> bool:
    return is_signed_in(user) and bool(roles_of(user) & set(roles))


def is_system_admin(user) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def reads_everything(user) -> bool:
    return has_role(user, *READ_ALL_ROLES)


def can_write(user) -> bool:
    """May this user change data at all? Auditors never may, whatever else they hold."""
    return is_signed_in(user) and Role.AUDITOR not in roles_of(user)


# --- Organisation registry --------------------------------------------------------------
def can_manage_registry(user) -> bool:
    return can_write(user) and is_system_admin(user)


def access_unit(user, pk, *, write: bool = False):
    from ordna.organisation.models import Unit

    require(is_signed_in(user))
    if write:
        require(can_manage_registry(user))
    return _get_or_404(Unit.objects.select_related("legal_person", "parent"), pk)


def access_legal_person(user, pk, *, write: bool = False):
    from ordna.organisation.models import LegalPerson

    require(is_signed_in(user))
    if write:
        require(can_manage_registry(user))
    return _get_or_404(LegalPerson.objects.all(), pk)


def access_ownership(user, pk, *, write: bool = False):
    from ordna.organisation.models import Ownership

    require(is_signed_in(user))
    if write:
        require(can_manage_registry(user))
    return _get_or_404(Ownership.objects.select_related("owner", "owned"), pk)


def access_person(user, pk):
    """Staff directory: any signed-in user may see a colleague's name, roles and contacts;
    people administrators and audit readers also see people who have left (inactive)."""
    from ordna.accounts.models import User

    require(is_signed_in(user))
    qs = User.objects.all()
    if not (can_manage_people(user) or can_read_audit_trail(user)):
        qs = qs.filter(is_active=True)
    return _get_or_404(qs, pk)


def access_person_any(user, pk):
    """Any person, active or not: for people administration (system administrators)."""
    from ordna.accounts.models import User

    require(can_manage_people(user))
    return _get_or_404(User.objects.all(), pk)


def can_manage_people(user) -> bool:
    return can_write(user) and is_system_admin(user)


# --- Audit trail and jobs -----------------------------------------------------------------
def can_read_audit_trail(user) -> bool:
    return has_role(user, *AUDIT_TRAIL_READERS)


def access_audit_trail(user) -> None:
    require(can_read_audit_trail(user))


def can_verify_audit_chain(user) -> bool:
    """Verification only reads; the auditor may start it although auditors write nothing."""
    return can_read_audit_trail(user)


def access_job(user, pk):
    from ordna.core.models import Job

    require(is_signed_in(user))
    qs = Job.objects.select_related("requested_by")
    if not is_system_admin(user):
        qs = qs.filter(requested_by=user)
    return _get_or_404(qs, pk)


def jobs_visible_to(user) -> QuerySet:
    from ordna.core.models import Job

    require(is_signed_in(user))
    qs = Job.objects.select_related("requested_by")
    return qs if is_system_admin(user) else qs.filter(requested_by=user)


# --- API tokens -----------------------------------------------------------------------------
def can_use_api_tokens(user) -> bool:
    return is_signed_in(user)


def access_api_token(user, pk) -> ApiToken:
    require(is_signed_in(user))
    return _get_or_404(ApiToken.objects.filter(user=user), pk)


# --- Scoping helper for purchaser/provider data (orders, agreements, invoices) -----------
def scope_to_parties(
    user, qs: QuerySet, *, purchaser_field: str, provider_field: str | None = None
) -> QuerySet:
    """Limit `qs` to rows the user may read.

    Read-all roles see everything; purchaser roles see rows whose purchaser unit is one
    of their units; provider roles see rows addressed to their unit.
    """
    if not is_signed_in(user):
        return qs.none()
    if reads_everything(user):
        return qs
    condition = Q(pk__in=[])
    purchaser_units = [u.pk for u in units_of(user, *PURCHASER_ROLES)]
    if purchaser_units:
        condition |= Q(**{f"{purchaser_field}__in": purchaser_units})
    if provider_field:
        provider_units = [u.pk for u in units_of(user, *PROVIDER_ROLES)]
        if provider_units:
            condition |= Q(**{f"{provider_field}__in": provider_units})
    return qs.filter(condition)


def _get_or_404(qs: QuerySet, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None  # missing, or a malformed id (e.g. not a UUID)


def access_membership(user, pk):
    """A membership, for people administration (system administrators only)."""
    from ordna.accounts.models import Membership

    require(can_manage_people(user))
    return _get_or_404(Membership.objects.select_related("user", "unit"), pk)


# --- Mandate (catalogue) -----------------------------------------------------------------
def can_register_decisions(user) -> bool:
    """Registrars and system administrators record decisions (adopt, repeal)."""
    return can_write(user) and has_role(user, Role.REGISTRAR, Role.SYSTEM_ADMIN)


def access_mandate_task(user, pk, *, write: bool = False):
    from ordna.catalogue.models import MandateTask

    require(is_signed_in(user))
    if write:
        require(can_register_decisions(user))
    return _get_or_404(MandateTask.objects.select_related("committee", "replaces"), pk)


# --- Catalogue: service areas, services, price lists, allocation keys ----------------------
# The catalogue is public within the municipality: everyone signed in reads it, prices and
# their cost build-up included (transparency is the point). The provider maintains it.
def can_manage_catalogue(user) -> bool:
    return can_write(user) and has_role(user, *PROVIDER_ROLES, Role.SYSTEM_ADMIN)


def can_publish_prices(user) -> bool:
    """Publishing a price list binds the provider: its manager does it."""
    return can_write(user) and has_role(user, Role.PROVIDER_MANAGER, Role.SYSTEM_ADMIN)


def can_manage_keys(user) -> bool:
    """Driver values come from the provider's systems or the main purchaser's figures."""
    return can_write(user) and has_role(
        user, *PROVIDER_ROLES, Role.MAIN_PURCHASER, Role.SYSTEM_ADMIN
    )


def _catalogue_object(user, qs, pk, *, write: bool, allowed=can_manage_catalogue):
    require(is_signed_in(user))
    if write:
        require(allowed(user))
    return _get_or_404(qs, pk)


def access_service_area(user, pk, *, write: bool = False):
    from ordna.catalogue.models import ServiceArea

    qs = ServiceArea.objects.select_related("provider", "responsible_committee", "main_purchaser")
    return _catalogue_object(user, qs, pk, write=write)


def access_service(user, pk, *, write: bool = False):
    from ordna.catalogue.models import Service

    qs = Service.objects.select_related("area", "default_key")
    return _catalogue_object(user, qs, pk, write=write)


def access_price_list(user, pk, *, write: bool = False, publish: bool = False):
    from ordna.catalogue.models import PriceList

    allowed = can_publish_prices if publish else can_manage_catalogue
    qs = PriceList.objects.select_related("based_on", "published_by")
    return _catalogue_object(user, qs, pk, write=write or publish, allowed=allowed)


def access_allocation_key(user, pk, *, write: bool = False):
    from ordna.catalogue.models import AllocationKey

    return _catalogue_object(
        user, AllocationKey.objects.all(), pk, write=write, allowed=can_manage_keys
    )


# --- Agreements ------------------------------------------------------------------------------
def agreements_visible_to(user) -> QuerySet:
    """Agreements a user may read: their own unit's (either side), and every common
    agreement, since every administration pays its share of those."""
    from ordna.agreements.models import Agreement

    require(is_signed_in(user))
    qs = Agreement.objects.all()
    if reads_everything(user):
        return qs
    own = scope_to_parties(user, qs, purchaser_field="purchaser", provider_field="provider")
    return qs.filter(Q(pk__in=own.values("pk")) | Q(kind=Agreement.Kind.COMMON))


def access_agreement(user, pk):
    return _get_or_404(
        agreements_visible_to(user).select_related("purchaser", "provider", "rolled_from"), pk
    )


def _holds_at(user, unit_id, *roles) -> bool:
    return any(u.pk == unit_id for u in units_of(user, *roles))


def negotiating_side(user, agreement) -> str | None:
    """The side the user negotiates for in this agreement, or None.

    Provider staff and managers negotiate for the provider; the purchaser's
    representative (or, for the purchaser unit itself, its main purchaser) for the
    purchaser. Auditors and read-all roles only read.
    """
    if not can_write(user):
        return None
    if _holds_at(user, agreement.provider_id, *PROVIDER_ROLES):
        return "provider"
    if _holds_at(user, agreement.purchaser_id, Role.PURCHASER_REPRESENTATIVE, Role.MAIN_PURCHASER):
        return "purchaser"
    return None


def signing_role(user, agreement, side: str) -> str | None:
    """The role under which the user may sign for `side`, or None.

    The purchaser signs through its representative (the main purchaser for a common
    agreement); the provider through its manager.
    """
    if not can_write(user):
        return None
    if side == "provider":
        roles = (Role.PROVIDER_MANAGER,)
        unit_id = agreement.provider_id
    else:
        roles = (
            (Role.MAIN_PURCHASER,)
            if agreement.kind == "common"
            else (Role.PURCHASER_REPRESENTATIVE, Role.MAIN_PURCHASER)
        )
        unit_id = agreement.purchaser_id
    for role in roles:
        if _holds_at(user, unit_id, role):
            return role
    return None


def can_create_agreements(user) -> bool:
    return can_write(user) and has_role(user, *PROVIDER_ROLES)


def can_roll_over(user) -> bool:
    return can_write(user) and has_role(user, Role.PROVIDER_MANAGER)


def can_set_agreement_cycle(user) -> bool:
    return can_write(user) and has_role(
        user, Role.PROVIDER_MANAGER, Role.MAIN_PURCHASER, Role.SYSTEM_ADMIN
    )


def can_amend_agreement(user, agreement) -> bool:
    """Either negotiating side may start an amendment of a signed agreement."""
    return negotiating_side(user, agreement) is not None


def can_terminate_agreement(user, agreement) -> bool:
    """Those who may sign for either side may end the agreement early."""
    return any(signing_role(user, agreement, side) for side in ("provider", "purchaser"))


def signing_sides(user, agreement) -> dict[str, str]:
    """{side: role} for each side the user may sign for (usually one, often none)."""
    sides = {side: signing_role(user, agreement, side) for side in ("purchaser", "provider")}
    return {side: role for side, role in sides.items() if role}


def can_set_volume_policy(user, agreement) -> bool:
    """Who sets the rule for call-offs above the agreed volume (stop / warn / ignore).

    While the agreement is open (draft, negotiation) the rule is part of the offer: either
    negotiating side sets it. Once agreed, it binds both sides, so only those who may sign
    for either side change it, and the service asks for a reason (ADR 0012)."""
    if agreement.is_open:
        return negotiating_side(user, agreement) is not None
    return bool(signing_sides(user, agreement))


# --- Orders ----------------------------------------------------------------------------------
def orders_visible_to(user) -> QuerySet:
    """Orders a user may read: their purchaser units' orders, the submitted orders
    addressed to their provider unit; read-all roles see every order."""
    from ordna.orders.models import Order

    require(is_signed_in(user))
    qs = scope_to_parties(
        user, Order.objects.all(), purchaser_field="purchaser", provider_field="provider"
    )
    if reads_everything(user):
        return qs
    # A draft is the purchaser's own until it is submitted.
    own = [u.pk for u in units_of(user, *PURCHASER_ROLES)]
    return qs.exclude(Q(state="draft") & ~Q(purchaser__in=own))


def access_order(user, pk):
    return _get_or_404(
        orders_visible_to(user).select_related(
            "purchaser", "provider", "orderer", "service", "agreement", "assigned_to"
        ),
        pk,
    )


def order_side(user, order) -> tuple[str | None, set[str]]:
    """The side the user acts on for this order and the roles they hold there.

    Purchaser roles at the order's purchaser unit act for the purchaser; provider roles at
    its provider unit for the provider. Auditors and read-all roles only read (None)."""
    from ordna.orders.workflow import HANDLING, ORDERING, PROVIDER, PURCHASER

    if not can_write(user):
        return None, set()
    held = {m.role for m in memberships_of(user) if m.unit_id == order.provider_id}
    if held & HANDLING:
        return PROVIDER, held & HANDLING
    held = {m.role for m in memberships_of(user) if m.unit_id == order.purchaser_id}
    if held & ORDERING:
        return PURCHASER, held & ORDERING
    return None, set()


def ordering_units(user) -> list:
    """Units the user may order for (orderer, purchaser representative, main purchaser)."""
    if not can_write(user):
        return []
    return units_of(user, Role.ORDERER, Role.PURCHASER_REPRESENTATIVE, Role.MAIN_PURCHASER)


def can_order(user) -> bool:
    return bool(ordering_units(user))


def lists_all_orders(user) -> bool:
    """The order list shows this user every order: read-all roles (oversight, auditors,
    system administrators) who order for no unit of their own. Someone who also orders
    sees their units' orders there ("My orders"), as the list view decides."""
    return reads_everything(user) and not can_order(user)


def handling_units(user) -> list:
    """Provider units whose work queue the user works in."""
    return units_of(user, *PROVIDER_ROLES) if is_signed_in(user) else []


def can_approve_over_volume(user, order) -> bool:
    """The purchaser representative (or main purchaser) of the order's unit approves a
    call-off above the agreement's volume."""
    return can_write(user) and _holds_at(
        user, order.purchaser_id, Role.PURCHASER_REPRESENTATIVE, Role.MAIN_PURCHASER
    )


# --- External sales (the council's cap) -----------------------------------------------------
def can_read_external_cap(user) -> bool:
    """The council's cap on external sales and each provider's share this year: for those
    who read orders broadly (read-all roles), the providers the cap binds (staff and
    managers) and the registrars who record the decision. The figures are totals per
    provider unit, not orders, so every reader sees every provider unit."""
    return has_role(user, *READ_ALL_ROLES, *PROVIDER_ROLES, Role.REGISTRAR)


def can_set_external_cap(user) -> bool:
    """A new cap is a council decision, registered like the mandate's: by registrars and
    system administrators."""
    return can_register_decisions(user)


# --- Route guidelines (procurement) -----------------------------------------------------------
def can_read_guidelines(user) -> bool:
    """The rule sets, their versions and the readable guideline, the thresholds and the
    framework register are public within the municipality: every signed-in user."""
    return is_signed_in(user)


def can_manage_rule_sets(user) -> bool:
    """Drafting and publishing the guideline: Kommunstyrelsen's oversight (who owns the
    city-wide guideline) and system administrators."""
    return can_write(user) and has_role(user, Role.OVERSIGHT, Role.SYSTEM_ADMIN)


def can_manage_frameworks(user) -> bool:
    """The framework agreement register: oversight, main purchasers (who coordinate
    purchasing) and system administrators."""
    return can_write(user) and has_role(
        user, Role.OVERSIGHT, Role.MAIN_PURCHASER, Role.SYSTEM_ADMIN
    )


def can_read_replays(user) -> bool:
    """A what-if replay lists assessments of every unit: for those who manage the rule
    sets and the roles that read everything."""
    return can_manage_rule_sets(user) or reads_everything(user)


def assessing_units(user) -> list:
    """Units the user may assess needs for: those they order for."""
    return ordering_units(user)


def can_assess(user) -> bool:
    return bool(assessing_units(user))


def assessments_visible_to(user) -> QuerySet:
    """Route assessments a user may read: those of the units they hold any purchaser
    role at; read-all roles see every assessment."""
    from ordna.procurement.models import RouteAssessment

    require(is_signed_in(user))
    qs = RouteAssessment.objects.all()
    if reads_everything(user):
        return qs
    return qs.filter(purchaser__in=[u.pk for u in units_of(user, *PURCHASER_ROLES)])


def access_assessment(user, pk):
    return _get_or_404(
        assessments_visible_to(user).select_related(
            "purchaser", "contracting_authority", "rule_set_version__rule_set", "created_by"
        ),
        pk,
    )


def can_decide_route(user, assessment) -> bool:
    """The purchaser records what it did with the assessment: an ordering role at the
    assessment's unit, once."""
    from ordna.procurement.models import RouteDecision

    return (
        can_write(user)
        and _holds_at(
            user,
            assessment.purchaser_id,
            Role.ORDERER,
            Role.PURCHASER_REPRESENTATIVE,
            Role.MAIN_PURCHASER,
        )
        and not RouteDecision.objects.filter(assessment_id=assessment.pk).exists()
    )


def can_compare_group_benefit(user, assessment) -> bool:
    """A koncernnytta comparison is the purchaser's working paper: ordering roles at the
    assessment's unit."""
    return can_write(user) and _holds_at(
        user,
        assessment.purchaser_id,
        Role.ORDERER,
        Role.PURCHASER_REPRESENTATIVE,
        Role.MAIN_PURCHASER,
    )


def can_read_deviations(user) -> bool:
    """The list of deviations from the guideline: the read-all roles."""
    return reads_everything(user)


def can_review_deviations(user) -> bool:
    return can_write(user) and has_role(user, Role.OVERSIGHT)
