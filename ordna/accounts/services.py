"""Writes about people: accounts, memberships, API tokens, sign-ins."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordna.accounts.models import ApiToken, Membership, User
from ordna.audit.services import record, snapshot
from ordna.core import locks

USER_FIELDS = ["username", "first_name", "last_name", "email", "title", "phone"]
TOKEN_PREFIX = "ordna_"


def _user_snapshot(user: User) -> dict:
    return snapshot(
        user, ["id", "username", "first_name", "last_name", "email", "title", "phone", "is_active"]
    )


@transaction.atomic
def user_create(
    *,
    actor,
    password: str | None = None,
    check_password: bool = True,
    source="web",
    reason="",
    **data,
) -> User:
    """Create a person. Without a password the account can only sign in through SSO later.

    The password must pass the configured password rules; only the demo loader skips them
    (its accounts share the well-known password "demo").
    """
    user = User(**{k: v for k, v in data.items() if k in USER_FIELDS})
    user.full_clean(exclude=["password"])
    if password and check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        actor=actor,
        action="accounts.user.create",
        obj=user,
        after=_user_snapshot(user),
        reason=reason,
        source=source,
    )
    return user


@transaction.atomic
def user_update(*, actor, user: User, source="web", reason="", **data) -> User:
    """Change a person's name, contacts or whether the account is active.

    People are never deleted (their actions stay in the trail); a person who leaves is
    made inactive, which ends their sign-ins and API tokens at once.
    """
    row = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(row)
    for key, value in data.items():
        if key in [*USER_FIELDS, "is_active"]:
            setattr(row, key, value)
    if _user_snapshot(row) == before:
        return row
    if actor is not None and row.pk == actor.pk and not row.is_active:
        raise ValidationError({"is_active": [_("You cannot make your own account inactive.")]})
    row.full_clean(exclude=["password"])
    row.save()
    record(
        actor=actor,
        action="accounts.user.update",
        obj=row,
        before=before,
        after=_user_snapshot(row),
        reason=reason,
        source=source,
    )
    return row


@transaction.atomic
def password_change(*, user: User, new_password: str, source="web") -> User:
    """Set a person's own new password (already validated by the form) and audit it.
    The password and its hash are never logged."""
    row = User.objects.select_for_update().get(pk=user.pk)
    row.set_password(new_password)
    row.save(update_fields=["password"])
    record(actor=row, action="accounts.password.change", obj=row, source=source)
    return row


@transaction.atomic
def membership_grant(
    *,
    actor,
    user: User,
    role: str,
    unit=None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    source="web",
    reason="",
) -> Membership:
    """Give `user` a role at `unit` for a period. Refuses an overlapping identical grant."""
    locks.lock("accounts.membership", user.pk)
    membership = Membership(
        user=user,
        role=role,
        unit=unit,
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
    )
    membership.full_clean()
    clash = Membership.objects.overlapping(membership.valid_from, membership.valid_to).filter(
        user=user, role=role, unit=unit
    )
    if clash.exists():
        raise ValidationError(
            {
                "valid_from": [
                    _("This person already has this role at this unit for an overlapping period.")
                ]
            }
        )
    membership.save()
    record(
        actor=actor,
        action="accounts.membership.grant",
        obj=membership,
        after=snapshot(membership),
        reason=reason,
        source=source,
        unit=unit,
    )
    return membership


@transaction.atomic
def membership_end(
    *, actor, membership: Membership, valid_to: datetime.date, source="web", reason=""
) -> Membership:
    """End a role on `valid_to`. Memberships are ended, never deleted."""
    row = Membership.objects.select_for_update().get(pk=membership.pk)
    if row.valid_to is not None and valid_to > row.valid_to:
        raise ValidationError(
            {
                "valid_to": [
                    _(
                        "A role can only be ended earlier, not extended. "
                        "Give the role again for the later period instead."
                    )
                ]
            }
        )
    before = snapshot(row)
    row.valid_to = valid_to
    row.full_clean()
    row.save()
    record(
        actor=actor,
        action="accounts.membership.end",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
        unit=row.unit,
    )
    return row


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str, source="web") -> tuple[ApiToken, str]:
    """Create a token for `actor`. Returns the token and its key; the key is not stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, e.g. what will use it.")]})
    if len(name) > 100:
        raise ValidationError({"name": [_("The name can be at most 100 characters.")]})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=key[: len(TOKEN_PREFIX) + 6], key_hash=hash_key(key)
    )
    record(
        actor=actor,
        action="accounts.api_token.create",
        obj=token,
        after=snapshot(token, ["id", "name", "prefix", "user"]),
        source=source,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken, source="web") -> ApiToken:
    """Revoke a token; it stops working at once. Revoked tokens are kept for the record."""
    row = ApiToken.objects.select_for_update().get(pk=token.pk)
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        record(
            actor=actor,
            action="accounts.api_token.revoke",
            obj=row,
            after={"revoked_at": row.revoked_at},
            source=source,
        )
    return row


def api_token_authenticate(key: str) -> User | None:
    """The active user behind an API key, or None. Records when the token was last used."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Usage time is bookkeeping, not a change of data: no audit event, and at most a
    # write a minute so a busy client does not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def record_sign_in(*, user: User, source="web") -> None:
    """Audit a successful sign-in (Django updates last_login itself)."""
    record(actor=user, action="accounts.sign_in", obj=user, source=source)


@transaction.atomic
def record_sign_out(*, user: User, source="web") -> None:
    record(actor=user, action="accounts.sign_out", obj=user, source=source)
