"""Internal invoicing (issue 7): monthly periods, the invoices of a period and their
lines. Every line names its source (`source_key`, unique over all lines), so a source is
invoiced once and only once, whatever happens to a run. A posted invoice is never changed
(database triggers, `ordna/core/frozen.py`): a correction is a credit note referring to it
plus a new invoice."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Period(models.Model):
    """A month of invoicing: open until it is closed; a closed period takes nothing new."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="period_once"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="period_month_range"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last_day(self) -> datetime.date:
        if self.month == 12:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, self.month + 1, 1) - datetime.timedelta(days=1)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Invoice(models.Model):
    """One purchaser unit's invoice for a period. A draft collects lines while runs add
    them; posting gives it its number and freezes it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT = "credit", _("Credit note")

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("period")
    )
    purchaser = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("purchaser"),
    )
    provider = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provider"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    internal = models.BooleanField(
        _("internal"),
        help_text=_("The purchaser is the provider's own legal person: no VAT, one ledger."),
    )
    number = models.CharField(
        _("invoice number"), max_length=20, null=True, blank=True, unique=True
    )
    credits = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credits invoice"),
    )
    net_amount = models.DecimalField(_("net"), max_digits=14, decimal_places=2, default=0)
    vat_amount = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=0)
    total_amount = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True)

    class Meta:
        ordering = ["period", "purchaser__code", "id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            # One draft invoice per purchaser and period collects every run's lines.
            models.UniqueConstraint(
                fields=["period", "purchaser", "provider", "kind"],
                condition=models.Q(status="draft"),
                name="invoice_one_draft",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(number__isnull=False),
                name="invoice_posted_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.period} {self.purchaser.code} ({self.get_status_display()})"


class InvoiceLine(models.Model):
    """One invoiced thing, with where it came from and how it is booked."""

    class Source(models.TextChoices):
        ORDER_LINE = "order_line", _("Order line")
        SUBSCRIPTION = "subscription", _("Agreement subscription")
        ALLOCATION = "allocation", _("Fixed fee by allocation key")
        SETTLEMENT = "settlement", _("Year-end settlement")
        CORRECTION = "correction", _("Correction")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="lines", verbose_name=_("invoice")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_key = models.CharField(
        _("source key"),
        max_length=80,
        unique=True,
        help_text=_("What the line invoices, e.g. order_line:123; never twice."),
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order_line = models.OneToOneField(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_line",
        help_text=_("The order line invoiced: each at most once."),
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    net_amount = models.DecimalField(_("net"), max_digits=14, decimal_places=2)
    vat_percent = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2)
    account = models.CharField(_("account"), max_length=10)
    cost_centre = models.CharField(
        _("cost centre"), max_length=20, help_text=_("The provider's, where the revenue is booked.")
    )
    purchaser_cost_centre = models.CharField(
        _("purchaser's cost centre"),
        max_length=20,
        blank=True,
        help_text=_("Where an internal purchaser books the cost (same ledger)."),
    )
    counterparty = models.CharField(_("counterparty code"), max_length=2)

    class Meta:
        ordering = ["invoice", "id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(condition=~models.Q(account=""), name="invline_account"),
            models.CheckConstraint(condition=~models.Q(cost_centre=""), name="invline_cost_centre"),
        ]

    def __str__(self) -> str:
        return f"{self.source_key}: {self.net_amount}"
