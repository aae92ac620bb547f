"""Start-page panel: deviations from the guideline that oversight has not reviewed."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ordna.accounts import access
from ordna.core.navigation import Panel, register_panel
from ordna.procurement import selectors


def deviations_panel(request):
    if not access.can_review_deviations(request.user):
        return None
    rows = selectors.deviations(only_unreviewed=True, limit=5)
    if not rows:
        return None
    return Panel(
        _("Deviations from the guideline to review"),
        "procurement/panels/deviations.html",
        {"rows": rows},
        8,
    )


register_panel(deviations_panel)
