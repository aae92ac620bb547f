from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ordna.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from ordna.accounts import access
        from ordna.core import checks, panels  # noqa: F401  (registers checks and panels)
        from ordna.core.navigation import NavItem, register_nav

        register_nav(NavItem("core:home", _("To do"), access.is_signed_in, 10))
        register_nav(NavItem("core:job_list", _("Background jobs"), access.is_signed_in, 90))
