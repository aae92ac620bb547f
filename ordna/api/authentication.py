"""API authentication with personal tokens: `Authorization: Token <key>` (or `Bearer`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from ordna.accounts.services import api_token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send exactly one token after “Token”."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("The token contains invalid characters.")
            ) from None
        user = api_token_authenticate(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown or revoked."))
        return (user, key)

    def authenticate_header(self, request) -> str:
        return "Token"
