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
