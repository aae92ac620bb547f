"""Start-page panel of the organisation registry: what the administrator should fix."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ordna.accounts import access
from ordna.core.navigation import Panel, register_panel
from ordna.organisation.selectors import registry_gaps


def registry_panel(request):
    if not access.can_manage_registry(request.user):
        return None
    return Panel(
        _("Organisation registry"), "organisation/panels/registry.html", registry_gaps(), 20
    )


register_panel(registry_panel)
