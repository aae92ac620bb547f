"""Start-page panel: the agreements waiting for something from you."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from ordna.accounts import access
from ordna.accounts.models import Role
from ordna.accounts.selectors import units_of
from ordna.agreements.models import Agreement, AgreementVersion, NegotiationRound
from ordna.agreements.selectors import overdue_ids
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
    rounds = NegotiationRound.objects.order_by("-number").only("version_id", "side", "number")
    versions = (
        AgreementVersion.objects.filter(state__in=ACTIVE_STATES)
        .prefetch_related(Prefetch("rounds", queryset=rounds), "signatures")
        .order_by("-number")
    )
    rows = (
        Agreement.objects.filter(Q(provider_id__in=provider) | Q(purchaser_id__in=purchaser))
        .filter(versions__state__in=ACTIVE_STATES)
        .exclude(status__in=[Agreement.Status.EXPIRED, Agreement.Status.TERMINATED])
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
            last = version.rounds.all()[0] if version.rounds.all() else None
            if last is None and side == "provider":
                result.append((agreement, _("Send the first offer")))
            elif last is not None and last.side != side:
                result.append((agreement, _("Answer the other side's proposal")))
        elif version.state == AgreementVersion.State.AGREED:
            signed = {s.side for s in version.signatures.all()}
            for signing_side in ("purchaser", "provider"):
                if signing_side not in signed and access.signing_role(
                    user, agreement, signing_side
                ):
                    result.append((agreement, _("Sign")))
    return result


def agreements_panel(request):
    rows = waiting_for(request.user)
    if not rows:
        return None
    overdue = overdue_ids([a for a, _what in rows])
    return Panel(
        _("Agreements waiting for you"),
        "agreements/panels/waiting.html",
        {"rows": rows, "overdue": overdue},
        10,
    )


register_panel(agreements_panel)
