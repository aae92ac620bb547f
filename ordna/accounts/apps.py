from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ordna.accounts"
    label = "accounts"
    verbose_name = _("People and access")

    def ready(self) -> None:
        from ordna.accounts import access
        from ordna.core.navigation import NavItem, register_nav

        register_nav(NavItem("accounts:person_list", _("People"), access.is_signed_in, 40))
