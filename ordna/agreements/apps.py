from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "ordna.agreements"
    label = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from ordna.accounts import access
        from ordna.agreements import panels  # noqa: F401  (registers the start-page panel)
        from ordna.core.navigation import NavItem, register_nav

        register_nav(NavItem("agreements:list", _("Agreements"), access.is_signed_in, 40))
