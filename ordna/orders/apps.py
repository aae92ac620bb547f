from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrdersConfig(AppConfig):
    name = "ordna.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from ordna.accounts import access
        from ordna.core.navigation import NavItem, register_nav
        from ordna.orders import panels  # noqa: F401  (registers the start-page panel)

        register_nav(NavItem("orders:list", _("My orders"), access.can_order, 30))
        # Oversight, auditors and administrators read every order on the same list.
        register_nav(
            NavItem(
                "orders:list", pgettext_lazy("navigation", "Orders"), access.lists_all_orders, 30
            )
        )
        register_nav(
            NavItem("orders:queue", _("Work queue"), lambda u: bool(access.handling_units(u)), 31)
        )
        # The cap on external sales: in the menu for registrars, who record it, and the
        # read-all roles; provider staff reach it from the work queue's header instead.
        register_nav(
            NavItem(
                "orders:external_cap",
                _("External sales"),
                lambda u: access.can_read_external_cap(u) and not access.handling_units(u),
                32,
            )
        )
