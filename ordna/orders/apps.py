from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "ordna.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from ordna.accounts import access
        from ordna.core.navigation import NavItem, register_nav
        from ordna.orders import panels  # noqa: F401  (registers the start-page panel)

        register_nav(NavItem("orders:list", _("My orders"), access.can_order, 30))
        register_nav(
            NavItem("orders:queue", _("Work queue"), lambda u: bool(access.handling_units(u)), 31)
        )
