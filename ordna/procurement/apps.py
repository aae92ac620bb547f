from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "ordna.procurement"
    label = "procurement"
    verbose_name = _("Procurement routes")

    def ready(self) -> None:
        from ordna.accounts import access
        from ordna.core.navigation import NavItem, register_nav
        from ordna.procurement import panels  # noqa: F401  (registers the start-page panel)

        register_nav(
            NavItem(
                "procurement:assessment_list",
                _("Route assessment"),
                lambda u: access.can_assess(u) or access.reads_everything(u),
                35,
            )
        )
        register_nav(
            NavItem(
                "procurement:deviation_list",
                _("Deviations"),
                access.can_read_deviations,
                36,
            )
        )
        register_nav(
            NavItem(
                "procurement:rule_set_list",
                _("Guidelines"),
                lambda u: (
                    access.can_read_guidelines(u)
                    and not (access.can_assess(u) or access.reads_everything(u))
                ),
                37,
            )
        )
