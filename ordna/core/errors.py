"""Error pages: HTML for people, problem details for the API."""

from __future__ import annotations

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.translation import gettext as _


def _problem(request, status: int, title: str) -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "instance": request.path},
        status=status,
        content_type="application/problem+json",
    )


def _page(request, status: int, title: str, text: str):
    if request.path.startswith("/api/"):
        return _problem(request, status, title)
    return render(request, "error.html", {"title": title, "text": text}, status=status)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return _problem(request, 404, _("Not found"))
    return _page(
        request,
        404,
        _("Page not found"),
        _("The page does not exist, or you do not have access to it."),
    )


def forbidden(request, exception=None):
    return _page(
        request, 403, _("Not allowed"), _("The request was refused. Reload the page and try again.")
    )


def csrf_failure(request, reason=""):
    return _page(
        request,
        403,
        _("The form had expired"),
        _(
            "For your security the form could only be sent for a limited time. "
            "Go back, reload the page and send the form again."
        ),
    )


def bad_request(request, exception=None):
    return _page(request, 400, _("Bad request"), _("The request could not be understood."))


def server_error(request):
    """Rendered without the request's context processors: the error may be that the
    database is down, and the navigation would query it."""
    title = _("Something went wrong")
    if request.path.startswith("/api/"):
        return _problem(request, 500, title)
    text = _("An error occurred on our side. It has been logged; try again shortly.")
    html = get_template("error_plain.html").render({"title": title, "text": text})
    return HttpResponseServerError(html)
