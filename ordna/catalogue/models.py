"""The provider's mandate: Servicenämnden's tasks (reglemente / arbetsuppgifter)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ordna.core.models import Validity

case_number_validator = RegexValidator(
    r"^[A-ZÅÄÖ]{2,5} \d{4}-\d{5}( [0-9.]+)?$",
    _("Write the case number like SN 2026-00123 (optionally followed by a classification)."),
)


class MandateTask(Validity):
    """One task in a committee's mandate, as a version: proposed, adopted or repealed.

    Adopted and repealed versions are never edited: a new wording is a new proposed
    version that points at the one it replaces, and adopting it ends the old one.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ADOPTED = "adopted", _("Adopted")
        REPEALED = "repealed", _("Repealed")

    committee = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="mandate_tasks",
        verbose_name=_("committee"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("task"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    deciding_body = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="mandate_decisions",
        null=True,
        blank=True,
        verbose_name=_("deciding body"),
    )
    case_number = models.CharField(
        _("case number"), max_length=40, blank=True, validators=[case_number_validator]
    )
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    repeal_case_number = models.CharField(
        _("case number of the repeal"),
        max_length=40,
        blank=True,
        validators=[case_number_validator],
    )
    repeal_deciding_body = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="mandate_repeals",
        null=True,
        blank=True,
        verbose_name=_("body that repealed"),
    )
    repeal_decided_on = models.DateField(_("date of the repeal"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    proposed_by = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="mandate_proposals",
        null=True,
        blank=True,
        verbose_name=_("proposed by"),
    )

    class Meta:
        ordering = ["committee__code", "number", "-valid_from"]
        verbose_name = _("mandate task")
        verbose_name_plural = _("mandate tasks")

    def __str__(self) -> str:
        return f"{self.committee.code} §{self.number}: {self.text[:60]}"


class ServiceArea(Validity):
    """A service area (verksamhetsområde): who delivers it, who decides, who buys for all."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-ZÅÄÖ0-9-]{2,20}$", _("Use 2–20 capital letters, digits or hyphens.")
            )
        ],
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    provider = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="provided_areas",
        verbose_name=_("provider"),
    )
    responsible_committee = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="responsible_areas",
        verbose_name=_("responsible committee"),
    )
    main_purchaser = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="purchased_areas",
        null=True,
        blank=True,
        verbose_name=_("main purchaser"),
        help_text=_("Only where the services are common to all administrations."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")

    def __str__(self) -> str:
        return self.name
