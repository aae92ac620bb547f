"""Start-page panel: the agreements waiting for something from you."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ordna.accounts import access
from ordna.accounts.models import Role
from ordna.accounts.selectors import units_of
from ordna.agreements.models import (
    Agreement,
    AgreementCycle,
    AgreementVersion,
    NegotiationRound,
    Signature,
)
from ordna.core.navigation import Panel, register_panel

ACTIVE_STATES = [AgreementVersion.State.OPEN, AgreementVersion.State.AGREED]


def waiting_for(user) -> list[tuple[Agreement, str]]:
    """(agreement, what is expected) for each agreement where it is this user's turn:
    to answer the other side's proposal, to send a first offer, or to sign."""
    if not access.can_write(user):
        return []
    provider = [u.pk for u in units_of(user, *access.PROVIDER_ROLES)]
    purchaser = [u.pk for u in units_of(user, Role.PURCHASER_REPRESENTATIVE, Role.MAIN_PURCHASER)]
    if not provider and not purchaser:
        return []
    last_round_side = (
        NegotiationRound.objects.filter(version=OuterRef("pk"))
        .order_by("-number")
        .values("side")[:1]
    )
    signed_sides = Signature.objects.filter(version=OuterRef("pk")).values("side")
    versions = (
        AgreementVersion.objects.filter(state__in=ACTIVE_STATES)
        .annotate(
            last_side=Subquery(last_round_side),
            purchaser_signed=Exists(signed_sides.filter(side="purchaser")),
            provider_signed=Exists(signed_sides.filter(side="provider")),
        )
        .order_by("-number")
    )
    deadline = AgreementCycle.objects.filter(year=OuterRef("year")).values("negotiation_deadline")[
        :1
    ]
    rows = (
        Agreement.objects.filter(Q(provider_id__in=provider) | Q(purchaser_id__in=purchaser))
        .filter(versions__state__in=ACTIVE_STATES)
        .exclude(status__in=[Agreement.Status.EXPIRED, Agreement.Status.TERMINATED])
        .annotate(deadline=Subquery(deadline))
        .select_related("purchaser", "provider")
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="pending"))
        .distinct()
        .order_by("year", "number")
    )
    result = []
    for agreement in rows:
        version = agreement.pending[0]
        side = access.negotiating_side(user, agreement)
        if version.state == AgreementVersion.State.OPEN and side:
            if version.last_side is None and side == "provider":
                result.append((agreement, _("Send the first offer")))
            elif version.last_side is not None and version.last_side != side:
                result.append((agreement, _("Answer the other side's proposal")))
        elif version.state == AgreementVersion.State.AGREED:
            signed = {"purchaser": version.purchaser_signed, "provider": version.provider_signed}
            for signing_side in ("purchaser", "provider"):
                if not signed[signing_side] and access.signing_role(user, agreement, signing_side):
                    result.append((agreement, _("Sign")))
    return result


def agreements_panel(request):
    rows = waiting_for(request.user)
    if not rows:
        return None
    today = timezone.localdate()
    overdue = {
        a.pk
        for a, _what in rows
        if a.deadline is not None
        and a.deadline < today
        and a.status
        in (Agreement.Status.DRAFT, Agreement.Status.NEGOTIATION, Agreement.Status.AGREED)
    }
    return Panel(
        _("Agreements waiting for you"),
        "agreements/panels/waiting.html",
        {"rows": rows, "overdue": overdue},
        10,
    )


register_panel(agreements_panel)
