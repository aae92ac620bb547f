"""Errors as JSON problem details (RFC 9457), naming the field that was wrong."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ordna.core.exceptions import StaleEdit

PROBLEM_TYPE = "application/problem+json"


def _flatten(detail, prefix: str = "") -> list[dict]:
    """DRF error detail (nested dicts and lists) → [{"field": "a.b", "message": "..."}]."""
    items: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            items += _flatten(value, f"{prefix}.{name}".strip(".") if name else prefix)
    elif isinstance(detail, list):
        for value in detail:
            items += _flatten(value, prefix)
    else:
        items.append({"field": prefix or None, "message": str(detail)})
    return items


def problem(status_code: int, title: str, detail: str = "", errors=None, instance="") -> Response:
    body = {"type": "about:blank", "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=PROBLEM_TYPE)


def _titles() -> dict[int, str]:
    return {
        400: _("The request has errors"),
        401: _("Authentication required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
    }


def problem_exception_handler(exc, context):
    """Every API error as problem details: a fixed title per status, the specifics in
    `detail`, and for bad input a list of `errors` naming each field."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, StaleEdit):
        return problem(
            status.HTTP_409_CONFLICT, _("Conflict"), " ".join(exc.messages), instance=instance
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, Http404 | PermissionDenied):
        # Forbidden answers exactly like missing (access.require raises Http404).
        return problem(status.HTTP_404_NOT_FOUND, _("Not found"), instance=instance)
    response = exception_handler(exc, context)
    if response is None:
        return None
    title = _titles().get(response.status_code, response.status_text)
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "; ".join(
            f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
        )
        result = problem(response.status_code, title, detail, errors, instance)
    else:
        detail = exc.detail if isinstance(getattr(exc, "detail", None), str) else ""
        result = problem(response.status_code, title, str(detail), instance=instance)
    for header in ("WWW-Authenticate", "Allow", "Retry-After"):
        if header in response:
            result[header] = response[header]
    return result
