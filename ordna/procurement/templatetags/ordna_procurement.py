"""Template filters of the route pages: kronor, route names and the engine's facts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from ordna.procurement import guideline

register = template.Library()


@register.filter
def kronor(value) -> str:
    """12345.5 → '12 345,50 kr' (in Swedish); whole kronor without decimals."""
    if value in (None, ""):
        return "–"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = "0g" if amount == amount.to_integral_value() else "2g"
    return _("%(amount)s kr") % {"amount": floatformat(amount, places)}


@register.filter
def kronor_abs(value) -> str:
    try:
        return kronor(abs(Decimal(str(value))))
    except InvalidOperation:
        return kronor(value)


@register.filter
def route_label(code) -> str:
    return guideline.route_label(code)


@register.filter
def fact_label(name) -> str:
    return str(guideline.FACT_LABELS.get(name, name))


@register.filter
def fact_value(value, name) -> str:
    return guideline.value_label(name, value)
