"""Legal persons, ownership between them, and the units that act for them."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ordna.core.models import Validity


class LegalPerson(Validity):
    """The municipality, each of its companies, and each external customer."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        COMPANY = "company", _("Municipal company")
        EXTERNAL = "external", _("External party")

    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"),
        max_length=11,
        unique=True,
        help_text=_("Swedish organisation number, NNNNNN-NNNN."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("legal person")
        verbose_name_plural = _("legal persons")

    def __str__(self) -> str:
        return f"{self.name} ({self.org_number})"

    def get_absolute_url(self) -> str:
        return reverse("organisation:legal_person_detail", args=[self.pk])


class Ownership(Validity):
    """A direct holding of one legal person in another. Indirect holdings are computed."""

    owner = models.ForeignKey(
        LegalPerson, on_delete=models.PROTECT, related_name="holdings", verbose_name=_("owner")
    )
    owned = models.ForeignKey(
        LegalPerson, on_delete=models.PROTECT, related_name="owners", verbose_name=_("owned")
    )
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["owner__name", "owned__name", "valid_from"]
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(owner=models.F("owned")), name="ownership_not_self"
            ),
            models.CheckConstraint(
                condition=models.Q(share_percent__gt=0, share_percent__lte=100),
                name="ownership_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner.name} → {self.owned.name} {self.share_percent} %"


counterparty_validator = RegexValidator(
    r"\A[0-9]{1,2}\Z", _("The counterparty code is one or two digits (Kommun-Bas motpart).")
)
code_validator = RegexValidator(
    r"\A[A-ZÅÄÖ0-9]{2,10}\Z", _("Use 2–10 capital letters or digits, e.g. SK or EXT1.")
)


class Unit(Validity):
    """An organisational unit: council, committee, administration, company, audit, customer."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Council")
        COMMITTEE = "committee", _("Committee")
        ADMINISTRATION = "administration", _("Administration")
        COMPANY = "company", _("Company")
        AUDIT = "audit", _("Audit")
        EXTERNAL_CUSTOMER = "external_customer", _("External customer")

    code = models.CharField(_("code"), max_length=10, validators=[code_validator], db_index=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    legal_person = models.ForeignKey(
        LegalPerson,
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("legal person"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("reports to"),
        help_text=_("For an administration: the committee it serves."),
    )
    registry_email = models.EmailField(_("registry e-mail"), blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=20, blank=True)
    counterparty_code = models.CharField(
        _("counterparty code"), max_length=2, blank=True, validators=[counterparty_validator]
    )
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("organisation:unit_detail", args=[self.pk])
