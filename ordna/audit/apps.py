from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ordna.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from ordna.accounts import access
        from ordna.audit import panels  # noqa: F401  (registers the start-page panel)
        from ordna.core.navigation import NavItem, register_nav

        register_nav(NavItem("audit:event_list", _("Audit trail"), access.can_read_audit_trail, 80))
