"""Start-page panel of the audit trail: the latest changes, for those who read the trail."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ordna.accounts import access
from ordna.core.navigation import Panel, register_panel


def audit_latest(request):
    if not access.can_read_audit_trail(request.user):
        return None
    from ordna.audit.selectors import event_list

    return Panel(
        _("Latest changes"),
        "audit/panels/latest.html",
        {"events": event_list()[:8], "can_verify": access.can_verify_audit_chain(request.user)},
        30,
    )


register_panel(audit_latest)
