from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "ordna.catalogue"
    label = "catalogue"
    verbose_name = _("Catalogue and mandate")

    def ready(self) -> None:
        from ordna.accounts import access
        from ordna.core.navigation import NavItem, register_nav

        register_nav(NavItem("catalogue:mandate", _("Mandate"), access.is_signed_in, 50))
        register_nav(
            NavItem("catalogue:roles", _("Roles and responsibilities"), access.is_signed_in, 55)
        )
        register_nav(
            NavItem(
                "catalogue:service_list",
                _("Services and prices"),
                access.is_signed_in,
                52,
                also=(
                    "catalogue:price_list_list",
                    "catalogue:key_list",
                    "catalogue:service_area_list",
                ),
            )
        )
