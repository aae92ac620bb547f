"""People, their roles at units, and their API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ordna.core.models import Validity


class Role(models.TextChoices):
    ORDERER = "orderer", _("Orderer")
    PURCHASER_REPRESENTATIVE = "purchaser_representative", _("Purchaser representative")
    MAIN_PURCHASER = "main_purchaser", _("Main purchaser")
    PROVIDER_STAFF = "provider_staff", _("Provider staff")
    PROVIDER_MANAGER = "provider_manager", _("Provider manager")
    OVERSIGHT = "oversight", _("Oversight")
    AUDITOR = "auditor", _("Auditor")
    REGISTRAR = "registrar", _("Registrar")
    CRISIS_LEAD = "crisis_lead", _("Crisis lead")
    FORUM_MEMBER = "forum_member", _("Forum member")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class User(AbstractUser):
    """A person who uses Ordna. Staff names and contacts only; no personal identity numbers."""

    title = models.CharField(_("job title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:person_detail", args=[self.pk])


class Membership(Validity):
    """A role a user holds at a unit for a period. System administrators need no unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="memberships",
        null=True,
        blank=True,
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(role="system_admin"),
                name="membership_unit_required",
                violation_error_message=_("Every role except system administrator needs a unit."),
            )
        ]

    def __str__(self) -> str:
        text = f"{self.user} · {self.get_role_display()}"
        return f"{text} · {self.unit.code}" if self.unit_id else text


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the key is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
