"""The provider's mandate: Servicenämnden's tasks (reglemente / arbetsuppgifter)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.timezone import now as timezone_now
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
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")

    def __str__(self) -> str:
        return self.name


service_code_validator = RegexValidator(
    r"^[A-ZÅÄÖ0-9-]{2,30}$", _("Use 2–30 capital letters, digits or hyphens.")
)
account_validator = RegexValidator(r"^\d{4}$", _("A Kommun-Bas account has four digits."))
cpv_validator = RegexValidator(
    r"^\d{8}-\d$", _("Write the CPV code as eight digits, a hyphen and a check digit.")
)


class PriceModel(models.TextChoices):
    """How a service is priced; decides how an agreement line's yearly amount is computed."""

    FIXED = "fixed", _("Fixed fee allocated by key")
    SUBSCRIPTION = "subscription", _("Subscription per unit and month")
    UNIT_PRICE = "unit_price", _("Unit price")
    HOURLY = "hourly", _("Hourly rate")
    QUOTE = "quote", _("Quote")


class Service(Validity):
    """A service in the catalogue: what is offered, how it is priced and accounted."""

    class Obligation(models.TextChoices):
        MANDATORY = "mandatory", _("Mandatory for administrations")
        OPTIONAL = "optional", _("Optional")
        NOT_FOR_COMPANIES = "not_for_companies", _("Not offered to companies")

    code = models.CharField(
        _("code"), max_length=30, unique=True, validators=[service_code_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(
        ServiceArea, on_delete=models.PROTECT, related_name="services", verbose_name=_("area")
    )
    unit_of_measure = models.CharField(_("unit of measure"), max_length=60)
    price_model = models.CharField(_("price model"), max_length=20, choices=PriceModel.choices)
    obligation = models.CharField(
        _("obligation to use"),
        max_length=20,
        choices=Obligation.choices,
        default=Obligation.OPTIONAL,
    )
    open_to_external = models.BooleanField(_("open to external customers"), default=False)
    external_decision = models.CharField(
        _("council decision on external sales"),
        max_length=40,
        blank=True,
        validators=[case_number_validator],
    )
    vat_percent = models.DecimalField(
        _("VAT for companies and external customers (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("25"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Trade inside the municipality carries no VAT."),
    )
    account = models.CharField(
        _("Kommun-Bas account"), max_length=4, validators=[account_validator]
    )
    default_key = models.ForeignKey(
        "catalogue.AllocationKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("default allocation key"),
    )
    response_days_normal = models.PositiveSmallIntegerField(
        _("response, normal priority (working days)"), default=2
    )
    delivery_days_normal = models.PositiveSmallIntegerField(
        _("delivery, normal priority (working days)"), default=10
    )
    response_days_urgent = models.PositiveSmallIntegerField(
        _("response, urgent (working days)"), default=1
    )
    delivery_days_urgent = models.PositiveSmallIntegerField(
        _("delivery, urgent (working days)"), default=3
    )
    cpv_code = models.CharField(
        _("CPV code"), max_length=10, blank=True, validators=[cpv_validator]
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:service_detail", args=[self.pk])


class PriceList(Validity):
    """A year's prices. Drafts are edited; a published list never changes (publishing its
    successor only sets its last valid day)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("based on"),
    )
    index_percent = models.DecimalField(
        _("index (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    index_name = models.CharField(_("index"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year", "-valid_from"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:price_list_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Price(models.Model):
    """One service's price in a list, with the cost build-up it is computed from.

    unit price = (direct cost + overhead + capital cost) / volume, to the öre. For a fixed
    fee the volume is 1 and the price is the year's total, shared by an allocation key.
    """

    price_list = models.ForeignKey(
        PriceList, on_delete=models.PROTECT, related_name="prices", verbose_name=_("price list")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="prices", verbose_name=_("service")
    )
    direct_cost = models.DecimalField(
        _("direct cost"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    overhead_cost = models.DecimalField(
        _("overhead"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    capital_cost = models.DecimalField(
        _("capital cost"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    volume = models.DecimalField(_("volume"), max_digits=14, decimal_places=2, default=Decimal("1"))
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["service__code"]
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "service"], name="price_once_per_list")
        ]

    def __str__(self) -> str:
        return f"{self.service.code}: {self.unit_price}"

    @property
    def total_cost(self) -> Decimal:
        return self.direct_cost + self.overhead_cost + self.capital_cost


class AllocationKey(models.Model):
    """How a shared cost is divided between units: a driver and a method."""

    class Driver(models.TextChoices):
        EMPLOYEES = "employees", _("Employees")
        USERS = "users", _("IT users")
        PAYSLIPS = "payslips", _("Payslips")
        SUPPLIER_INVOICES = "supplier_invoices", _("Supplier invoices")
        AREA = "area", _("Square metres")
        VEHICLES = "vehicles", _("Vehicles")
        CUSTOM = "custom", _("Custom")

    class Method(models.TextChoices):
        PROPORTIONAL = "proportional", _("Proportional to the driver")
        EVEN = "even", _("Evenly")
        PERCENT = "percent", _("Fixed percentages")

    code = models.CharField(
        _("code"), max_length=30, unique=True, validators=[service_code_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    driver = models.CharField(_("driver"), max_length=20, choices=Driver.choices)
    driver_label = models.CharField(
        _("driver (custom)"),
        max_length=100,
        blank=True,
        help_text=_("What is counted, when the driver is custom."),
    )
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.PROPORTIONAL
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("allocation key")
        verbose_name_plural = _("allocation keys")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:key_detail", args=[self.pk])

    @property
    def driver_name(self) -> str:
        return self.driver_label or self.get_driver_display()


class KeyValues(models.Model):
    """One version of a key's driver values for a year. A correction is a new version;
    the newest version of a year is the one in use, the older ones stay."""

    key = models.ForeignKey(
        AllocationKey, on_delete=models.PROTECT, related_name="value_sets", verbose_name=_("key")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("version"))
    created_at = models.DateTimeField(_("registered"), default=timezone_now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["key__code", "-year", "-number"]
        verbose_name = _("driver values")
        verbose_name_plural = _("driver values")
        constraints = [
            models.UniqueConstraint(fields=["key", "year", "number"], name="key_values_once")
        ]

    def __str__(self) -> str:
        return f"{self.key.code} {self.year} v{self.number}"


class DriverValue(models.Model):
    values = models.ForeignKey(
        KeyValues, on_delete=models.PROTECT, related_name="rows", verbose_name=_("version")
    )
    unit = models.ForeignKey(
        "organisation.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["unit__code"]
        verbose_name = _("driver value")
        verbose_name_plural = _("driver values")
        constraints = [models.UniqueConstraint(fields=["values", "unit"], name="driver_value_once")]

    def __str__(self) -> str:
        return f"{self.unit.code}: {self.value}"
