"""Yearly agreements between the provider and its purchasers: versions, negotiation
rounds, signatures. A signed version is never edited; an amendment is a new version."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ordna.catalogue.models import PriceModel
from ordna.core.money import to_ore

MONTHS_PER_YEAR = 12


class Side(models.TextChoices):
    PURCHASER = "purchaser", _("Purchaser")
    PROVIDER = "provider", _("Provider")


class AgreementCycle(models.Model):
    """A negotiation year: the deadline by which next year's agreements are to be signed."""

    year = models.PositiveSmallIntegerField(_("agreement year"), unique=True)
    negotiation_deadline = models.DateField(_("negotiation deadline"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("agreement year")
        verbose_name_plural = _("agreement years")

    def __str__(self) -> str:
        return str(self.year)


class Agreement(models.Model):
    class Kind(models.TextChoices):
        UNIT = "unit", _("Agreement with one purchaser")
        COMMON = "common", _("Common agreement allocated by keys")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        NEGOTIATION = "negotiation", _("In negotiation")
        AGREED = "agreed", _("Agreed")
        SIGNED = "signed", _("Signed")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("agreement number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.UNIT)
    title = models.CharField(_("title"), max_length=200)
    purchaser = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="purchase_agreements",
        verbose_name=_("purchaser"),
    )
    provider = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="provider_agreements",
        verbose_name=_("provider"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    rolled_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rolled_into",
        verbose_name=_("rolled over from"),
    )

    class VolumePolicy(models.TextChoices):
        STOP = "stop", _("Stop: call-offs above the volume need the representative's approval")
        WARN = "warn", _("Warn when call-offs pass the volume")
        IGNORE = "ignore", _("No volume check")

    volume_policy = models.CharField(
        _("call-offs above the agreed volume"),
        max_length=10,
        choices=VolumePolicy.choices,
        default=VolumePolicy.WARN,
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.CharField(_("reason for termination"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year", "number"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="agreement_period_ordered",
                violation_error_message=_("The end date must be on or after the start date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:detail", args=[self.pk])

    @property
    def is_common(self) -> bool:
        return self.kind == self.Kind.COMMON

    @property
    def is_open(self) -> bool:
        """Lines may be changed (draft or negotiation of the newest version)."""
        return self.status in (self.Status.DRAFT, self.Status.NEGOTIATION)


class AgreementVersion(models.Model):
    """The agreement's content as negotiated and signed. Version 1 is the original; each
    amendment after signing is a new version that starts as a copy of the signed one."""

    class State(models.TextChoices):
        OPEN = "open", _("Being negotiated")
        AGREED = "agreed", _("Agreed, awaiting signatures")
        SIGNED = "signed", _("Signed")
        SUPERSEDED = "superseded", _("Replaced by an amendment")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="versions", verbose_name=_("agreement")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    reason = models.CharField(_("reason for the amendment"), max_length=500, blank=True)
    price_list = models.ForeignKey(
        "catalogue.PriceList",
        on_delete=models.PROTECT,
        related_name="agreement_versions",
        verbose_name=_("price list"),
    )
    valid_from = models.DateField(_("applies from"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    agreed_at = models.DateTimeField(_("agreed"), null=True, blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.state != self.State.OPEN


class AgreementLine(models.Model):
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="lines", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    price_model = models.CharField(_("price model"), max_length=20, choices=PriceModel.choices)
    volume = models.DecimalField(
        _("volume"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit_price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    list_price = models.DecimalField(
        _("list price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    allocation_key = models.ForeignKey(
        "catalogue.AllocationKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allocation key"),
    )
    key_values = models.ForeignKey(
        "catalogue.KeyValues",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("driver values used"),
    )
    response_days = models.PositiveSmallIntegerField(_("response (working days)"))
    delivery_days = models.PositiveSmallIntegerField(_("delivery (working days)"))
    indicators = models.CharField(_("follow-up indicators"), max_length=500, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("agreement line")
        verbose_name_plural = _("agreement lines")
        constraints = [
            models.UniqueConstraint(fields=["version", "service"], name="agreement_line_once"),
            models.CheckConstraint(
                condition=models.Q(volume__gte=0),
                name="agreement_line_volume_not_negative",
                violation_error_message=_("The volume cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} × {self.volume}"

    @property
    def negotiated(self) -> bool:
        return self.unit_price is not None and self.unit_price != self.list_price

    @property
    def yearly_amount(self) -> Decimal:
        return yearly_amount(self.price_model, self.volume, self.unit_price)


def yearly_amount(price_model: str, volume, unit_price) -> Decimal:
    """A line's amount for the year: subscriptions are priced per month, quotes per order."""
    if unit_price is None or price_model == PriceModel.QUOTE:
        return Decimal("0.00")
    amount = Decimal(volume) * Decimal(unit_price)
    if price_model == PriceModel.SUBSCRIPTION:
        amount *= MONTHS_PER_YEAR
    return to_ore(amount)


class NegotiationRound(models.Model):
    """A proposal or counter-proposal: the lines as they stood, frozen, with a comment."""

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("version")
    )
    number = models.PositiveSmallIntegerField(_("round"))
    side = models.CharField(_("proposed by"), max_length=10, choices=Side.choices)
    comment = models.TextField(_("comment"), blank=True)
    lines = models.JSONField(_("lines"), default=list)
    total = models.DecimalField(_("total per year"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )

    class Meta:
        ordering = ["version", "number"]
        verbose_name = _("negotiation round")
        verbose_name_plural = _("negotiation rounds")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="negotiation_round_once")
        ]

    def __str__(self) -> str:
        return f"{self.version} #{self.number}"


class Signature(models.Model):
    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("version"),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    role = models.CharField(_("as"), max_length=40)
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)

    class Meta:
        ordering = ["version", "side"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["version", "side"], name="signature_once_per_side")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.side}: {self.signed_by}"
