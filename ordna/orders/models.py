"""Orders between purchasers and the provider: lines, quotes, thread, attachments,
deliveries, deviations and ratings. The order's states and who may move it are in workflow.py."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ordna.orders.workflow import State


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Order(models.Model):
    class Kind(models.TextChoices):
        CALL_OFF = "call_off", _("Call-off under an agreement")
        AD_HOC = "ad_hoc", _("Ad hoc need (quote)")

    number = models.CharField(_("order number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what is needed"), blank=True)
    purchaser = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        db_index=False,  # led by a composite index below
        related_name="orders",
        verbose_name=_("purchaser"),
    )
    provider = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        db_index=False,  # led by a composite index below
        related_name="orders_to_deliver",
        verbose_name=_("provider"),
    )
    orderer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        db_index=False,  # led by a composite index below
        related_name="orders",
        verbose_name=_("orderer"),
    )
    cost_centre = models.CharField(_("cost centre"), max_length=20, blank=True)
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("service"),
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("agreement"),
    )
    wanted_on = models.DateField(_("wanted by"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.DRAFT)
    state_reason = models.CharField(_("reason"), max_length=500, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_orders",
        verbose_name=_("handled by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    response_due = models.DateField(_("response due"), null=True, blank=True)
    delivery_due = models.DateField(_("delivery due"), null=True, blank=True)
    response_days = models.PositiveSmallIntegerField(
        _("response (working days)"), null=True, blank=True
    )
    delivery_days = models.PositiveSmallIntegerField(
        _("delivery (working days)"), null=True, blank=True
    )
    volume_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # only read with its order
        related_name="+",
        verbose_name=_("above the agreed volume, approved by"),
    )
    volume_approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    estimated_value = models.DecimalField(
        _("estimated value (SEK)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For an ad hoc need: what you expect it to cost over the whole term."),
    )
    route_assessment = models.ForeignKey(
        "procurement.RouteAssessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("route assessment"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            # The provider's work queue: open orders by due date (keyset on due, id).
            models.Index(fields=["provider", "state", "delivery_due", "id"], name="order_queue"),
            # "Mina beställningar": the orderer's orders, newest first (keyset on created, id).
            models.Index(fields=["orderer", "created_at", "id"], name="order_mine"),
            models.Index(fields=["purchaser", "created_at", "id"], name="order_purchaser"),
            # The same lists filtered by status (a rare status would otherwise be sought
            # through every order of the unit).
            models.Index(
                fields=["purchaser", "state", "created_at", "id"], name="order_purchaser_state"
            ),
            # Read-all roles' list (every order, newest first), and filtered by status.
            models.Index(fields=["created_at", "id"], name="order_created"),
            models.Index(fields=["state", "created_at", "id"], name="order_state"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", args=[self.pk])


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="lines", verbose_name=_("order")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit_of_measure = models.CharField(_("unit of measure"), max_length=60, blank=True)
    unit_price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["order", "position"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="order_line_quantity_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.description}"


class Quote(models.Model):
    """The provider's priced answer; a renegotiation gives a new version, the old stays."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Awaiting an answer")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        RENEGOTIATED = "renegotiated", _("Renegotiated")

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("order")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    valid_until = models.DateField(_("valid until"))
    assumptions = models.TextField(_("assumptions"), blank=True)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN
    )
    answer = models.CharField(_("answer"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )

    class Meta:
        ordering = ["order", "number"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="quote_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.order.number} v{self.number}"


class QuoteLine(models.Model):
    quote = models.ForeignKey(
        Quote, on_delete=models.PROTECT, related_name="lines", verbose_name=_("quote")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=60, blank=True)
    unit_price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["quote", "position"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return f"{self.quote}: {self.description}"


class Message(models.Model):
    """The thread between the parties on an order: written once, never edited."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="messages", verbose_name=_("order")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["order", "created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.order.number}: {self.text[:40]}"


class Attachment(models.Model):
    """A file either party attached to an order: stored once, never edited or removed.
    The file lies in the default storage under orders/<order>/<random>/<name>; the name
    the uploader gave it, its type, size and SHA-256 are kept with it."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("order")
    )
    file = models.FileField(_("file"), max_length=400)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("attached by"),
    )
    uploaded_at = models.DateTimeField(_("attached"), default=timezone.now)

    class Meta:
        ordering = ["order", "uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("orders:attachment", args=[self.order_id, self.pk])


class DeliveryReport(models.Model):
    """What was done on an order line: quantity, hours and material. Imported rows carry
    their source key, so importing the same file twice adds nothing."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("order")
    )
    line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("line"),
    )
    performed_on = models.DateField(_("date"))
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=2, default=Decimal("0"))
    material_amount = models.DecimalField(
        _("material"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    source_key = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["order", "performed_on", "id"]
        verbose_name = _("delivery report")
        verbose_name_plural = _("delivery reports")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="delivery_source_once",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0)
                & models.Q(hours__gte=0)
                & models.Q(material_amount__gte=0),
                name="delivery_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} {self.performed_on}"


class Deviation(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        MISSED_SLA = "missed_sla", _("Missed service level")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("order")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    response = models.TextField(_("response"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")

    def __str__(self) -> str:
        return f"{self.order.number}: {self.get_kind_display()}"


class Rating(models.Model):
    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, related_name="rating", verbose_name=_("order")
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    rated_at = models.DateTimeField(_("rated"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1) & models.Q(score__lte=5), name="rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.score}"


class ExternalSalesCap(models.Model):
    """The council's cap on the provider's sales to external customers, as a share of the
    year's turnover, from a given day (a dated setting: a new decision is a new row)."""

    valid_from = models.DateField(_("valid from"), unique=True)
    percent = models.DecimalField(
        _("cap (percent of turnover)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    case_number = models.CharField(_("case number"), max_length=40, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("cap on external sales")
        verbose_name_plural = _("caps on external sales")

    def __str__(self) -> str:
        return f"{self.percent} % ({self.valid_from})"
