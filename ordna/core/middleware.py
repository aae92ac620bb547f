"""Language: Swedish unless the user chose English with the switch in the header.

Django's LocaleMiddleware would follow the browser's Accept-Language, which would show
English to every municipal employee whose browser happens to be in English. Ordna's
users expect Swedish; the choice is theirs, stored in the language cookie.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
