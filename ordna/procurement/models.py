"""Reference data for routing a need (issue 6): the procurement thresholds and the direct
award and documentation limits, as dated rows — they change every two years and by law,
so they are never constants in code (../shared/domain/BRIEF.md §2).

A row is never edited once in use: a new value is a new row from a date, and the row it
replaces gets its end date. Where the official SEK value of a threshold is not known,
`sek` is empty and the value is converted from EUR at `ROUTE_EUR_SEK_RATE`; every result
that used such a row is provisional (`selectors.threshold`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Law(models.TextChoices):
    LOU = "LOU", _("LOU (public sector)")
    LUF = "LUF", _("LUF (utilities)")


class Category(models.TextChoices):
    """What is bought, as the thresholds tell it apart. A municipality and its companies
    are sub-central authorities: their supplies and services are `supplies_services`."""

    SUPPLIES_SERVICES = "supplies_services", _("Supplies and services")
    SUPPLIES_SERVICES_CENTRAL = (
        "supplies_services_central",
        _("Supplies and services, central government"),
    )
    WORKS = "works", _("Works")
    SOCIAL_SERVICES = "social_services", _("Social and other specific services")


class Threshold(models.Model):
    law = models.CharField(_("law"), max_length=3, choices=Law.choices)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    eur = models.DecimalField(_("EUR"), max_digits=12, decimal_places=0)
    sek = models.DecimalField(_("SEK"), max_digits=12, decimal_places=0, null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    verified = models.BooleanField(
        _("SEK value verified"),
        default=False,
        help_text=_("The SEK value is the official one (not converted from EUR here)."),
    )

    class Meta:
        ordering = ["law", "category", "-valid_from"]
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        constraints = [
            models.UniqueConstraint(
                fields=["law", "category", "valid_from"], name="threshold_once_per_start"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="threshold_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(verified=False) | models.Q(sek__isnull=False),
                name="threshold_verified_has_sek",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.law} {self.get_category_display()} {self.valid_from}"


class Limit(models.Model):
    """A value limit in SEK: the direct award limit per law (for social and other specific
    services, equal to that law's threshold: `equals_threshold`), and the limit above
    which a direct award must be documented."""

    class Kind(models.TextChoices):
        DIRECT_AWARD = "direct_award", _("Direct award limit")
        DOCUMENTATION = "documentation", _("Documentation required from")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    law = models.CharField(_("law"), max_length=3, choices=Law.choices)
    category = models.CharField(
        _("category"),
        max_length=30,
        choices=Category.choices,
        blank=True,
        help_text=_("Empty: every category without a row of its own."),
    )
    sek = models.DecimalField(_("SEK"), max_digits=12, decimal_places=0, null=True, blank=True)
    equals_threshold = models.BooleanField(_("equals the threshold"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["kind", "law", "category", "-valid_from"]
        verbose_name = _("limit")
        verbose_name_plural = _("limits")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "law", "category", "valid_from"], name="limit_once_per_start"
            ),
            models.CheckConstraint(
                condition=models.Q(equals_threshold=True) | models.Q(sek__isnull=False),
                name="limit_has_a_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.law} {self.category or '*'} {self.valid_from}"
