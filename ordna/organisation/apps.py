from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "ordna.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from ordna.accounts import access
        from ordna.core.navigation import NavItem, register_nav
        from ordna.organisation import panels  # noqa: F401  (registers the start-page panel)

        register_nav(NavItem("organisation:unit_list", _("Units"), access.is_signed_in, 20))
        register_nav(
            NavItem("organisation:legal_person_list", _("Legal persons"), access.is_signed_in, 30)
        )
