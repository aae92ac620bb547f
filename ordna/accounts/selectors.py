"""Reads about people, their memberships and tokens."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from ordna.accounts.models import ApiToken, Membership, User


def memberships_of(user, on: datetime.date | None = None) -> list[Membership]:
    """The user's valid memberships, cached on the user object for the request."""
    day = on or timezone.localdate()
    cache = getattr(user, "_ordna_memberships", None)
    if cache is not None and cache[0] == day:
        return cache[1]
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        rows: list[Membership] = []
    else:
        unit_valid = Q(unit__isnull=True) | (
            Q(unit__valid_from__lte=day)
            & (Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=day))
        )
        rows = list(
            Membership.objects.valid_on(day)
            .filter(unit_valid, user=user)
            .select_related("unit", "unit__legal_person")
            .order_by("role", "unit__code")
        )
    user._ordna_memberships = (day, rows)
    return rows


def roles_of(user) -> set[str]:
    return {m.role for m in memberships_of(user)}


def units_of(user, *roles: str) -> list:
    """Units at which the user holds one of `roles` (any role when none given)."""
    seen, units = set(), []
    for m in memberships_of(user):
        if m.unit_id and (not roles or m.role in roles) and m.unit_id not in seen:
            seen.add(m.unit_id)
            units.append(m.unit)
    return units


def primary_unit(user):
    """The unit a user's actions are recorded under: their first unit, if any."""
    units = units_of(user)
    return units[0] if units else None


def people_of_unit(unit, on: datetime.date | None = None) -> QuerySet[Membership]:
    return (
        Membership.objects.valid_on(on or timezone.localdate())
        .filter(unit=unit)
        .select_related("user")
        .order_by("role", "user__last_name", "user__username")
    )


def membership_history(user) -> QuerySet[Membership]:
    """All of a person's roles, current and ended, newest first."""
    return Membership.objects.filter(user=user).select_related("unit").order_by("-valid_from")


def user_id_by_username(username: str) -> int | None:
    return User.objects.filter(username=username).values_list("pk", flat=True).first()


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def user_list(*, search: str = "", include_inactive: bool = False) -> QuerySet[User]:
    qs = User.objects.order_by("last_name", "first_name", "username")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if search:
        from django.db.models import Q

        qs = qs.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    return qs
