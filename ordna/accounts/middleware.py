"""Session timeouts: absolute (from sign-in) and idle (renewed at most once a minute)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect, resolve_url
from django.utils.http import urlencode

SESSION_KEY = "ordna_login_at"
SEEN_KEY = "ordna_seen_at"
RENEW_AFTER = 60  # seconds


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            started = request.session.get(SESSION_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                query = urlencode({"next": request.get_full_path(), "expired": "1"})
                return redirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
            if now - request.session.get(SEEN_KEY, 0) > RENEW_AFTER:
                # Touching the session saves it, which renews the idle timeout.
                request.session[SEEN_KEY] = now
        return self.get_response(request)
