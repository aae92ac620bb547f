"""Reference data for routing a need (issue 6): the procurement thresholds and the direct
award and documentation limits, as dated rows — they change every two years and by law,
so they are never constants in code (../shared/domain/BRIEF.md §2).

A row is never edited once in use: a new value is a new row from a date, and the row it
replaces gets its end date. Where the official SEK value of a threshold is not known,
`sek` is empty and the value is converted from EUR at `ROUTE_EUR_SEK_RATE`; every result
that used such a row is provisional (`selectors.threshold`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
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


class Route(models.TextChoices):
    """Where a need goes. The codes are the interface of `ordna route evaluate` and the
    API; do not rename them."""

    INTERNAL_ORDER = "internal_order", _("Internal order from the provider")
    IN_HOUSE_AWARD = "in_house_award", _("In-house award")
    FRAMEWORK_CALL_OFF = "framework_call_off", _("Call-off from a framework agreement")
    DIRECT_AWARD = "direct_award", _("Direct award")
    NATIONAL_PROCEDURE = "national_procedure", _("Procurement below the threshold")
    EU_PROCEDURE = "eu_procedure", _("Procurement above the threshold")


class UtilityEntity(models.Model):
    """A legal person that carries on a utility activity (water, energy, transport,
    postal services) and therefore buys for that activity under LUF. Dated: a company can
    take up or give up such an activity."""

    legal_person = models.ForeignKey(
        "organisation.LegalPerson",
        on_delete=models.PROTECT,
        related_name="utility_activities",
        verbose_name=_("legal person"),
    )
    activity = models.CharField(_("utility activity"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["legal_person__name", "-valid_from"]
        verbose_name = _("utility entity")
        verbose_name_plural = _("utility entities")

    def __str__(self) -> str:
        return f"{self.legal_person.name}: {self.activity}"


class FrameworkAgreement(models.Model):
    """A framework agreement the city (or a company) has procured, so that a need it
    covers is routed to a call-off. Light: the contract itself lives in the contract
    register; this is what routing needs."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    supplier = models.CharField(_("supplier"), max_length=200)
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=[
            ("supplies", _("Supplies")),
            ("services", _("Services")),
            ("works", _("Works")),
            ("social_services", _("Social and other specific services")),
        ],
    )
    cpv_code = models.CharField(
        _("CPV code"),
        max_length=10,
        blank=True,
        help_text=_(
            "Eight digits and a check digit, e.g. 30200000-1. Trailing zeros mark the "
            "level: a need whose CPV code starts with the digits before them is covered."
        ),
    )
    law = models.CharField(_("law"), max_length=3, choices=Law.choices, default=Law.LOU)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-valid_to", "reference"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="framework_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:framework_list") + f"#ramavtal-{self.pk}"


class RuleSet(models.Model):
    """A guideline: a named series of versions. One version at a time is in force."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    owner = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="rule_sets",
        verbose_name=_("owner"),
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("procurement:rule_set_detail", args=[self.pk])


class RuleSetVersion(models.Model):
    """One version of a rule set. A draft can be changed; publishing checks it, runs its
    example cases, fixes its content hash and makes it valid from a date. A published
    version is never changed (database triggers refuse it): the next one is a new draft."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="versions", verbose_name=_("rule set")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    decision = models.CharField(
        _("decision"),
        max_length=200,
        blank=True,
        help_text=_("The body, date and case number of the decision that adopted it."),
    )
    sha256 = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["rule_set", "-number"]
        verbose_name = _("rule set version")
        verbose_name_plural = _("rule set versions")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "number"], name="ruleset_version_once"),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (~models.Q(sha256="") & models.Q(valid_from__isnull=False)),
                name="ruleset_published_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set.name}, version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:version_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


RULE_FIELDS = ["priority", "key", "conditions", "route", "explanation", "legal_basis", "clause"]


class Rule(models.Model):
    """One row of the decision table: conditions on the need's facts (all must hold),
    the route it leads to, and why. The lowest priority number that matches wins."""

    rule_set_version = models.ForeignKey(
        RuleSetVersion, on_delete=models.PROTECT, related_name="rules", verbose_name=_("version")
    )
    priority = models.PositiveIntegerField(_("priority"))
    key = models.CharField(
        _("rule id"),
        max_length=40,
        validators=[
            RegexValidator(
                r"\A[a-z0-9][a-z0-9_-]*\Z", _("Use lower-case letters, digits, - and _.")
            )
        ],
    )
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    route = models.CharField(_("route"), max_length=20, choices=Route.choices, blank=True)
    explanation = models.TextField(_("explanation"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    clause = models.CharField(_("guideline clause"), max_length=40, blank=True)

    class Meta:
        ordering = ["rule_set_version", "priority"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set_version", "priority"], name="rule_priority_once"
            ),
            models.UniqueConstraint(fields=["rule_set_version", "key"], name="rule_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.priority} {self.key}"


class ExampleCase(models.Model):
    """A need and the outcome the rule set must give for it: run before publishing."""

    rule_set_version = models.ForeignKey(
        RuleSetVersion,
        on_delete=models.PROTECT,
        related_name="examples",
        verbose_name=_("version"),
    )
    name = models.CharField(_("name"), max_length=200)
    need = models.JSONField(_("need"))
    expected_route = models.CharField(_("expected route"), max_length=20, choices=Route.choices)
    expected_law = models.CharField(
        _("expected law"), max_length=3, choices=Law.choices, blank=True
    )

    class Meta:
        ordering = ["rule_set_version", "id"]
        verbose_name = _("example case")
        verbose_name_plural = _("example cases")

    def __str__(self) -> str:
        return self.name


class RouteAssessment(models.Model):
    """A need assessed against the rule set in force: the receipt is the whole record
    (inputs, facts, references, matched rule, outcome) and is never changed."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    purchaser = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="route_assessments",
        verbose_name=_("purchaser"),
    )
    contracting_authority = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contracting authority"),
        help_text=_("The committee (or company) that buys: the splitting guard adds up its needs."),
    )
    description = models.CharField(_("description"), max_length=300)
    category = models.CharField(_("category"), max_length=20)
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    need_date = models.DateField(_("date"))
    estimated_value = models.DecimalField(
        _("estimated value (SEK)"), max_digits=14, decimal_places=2
    )
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    law = models.CharField(_("law"), max_length=3, choices=Law.choices, blank=True)
    provisional = models.BooleanField(_("provisional"), default=False)
    splitting_warning = models.BooleanField(_("splitting warning"), default=False)
    rule_set_version = models.ForeignKey(
        RuleSetVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("rule set version"),
    )
    receipt = models.JSONField(_("receipt"))
    receipt_sha256 = models.CharField(_("receipt hash (SHA-256)"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    created_at = models.DateTimeField(_("assessed"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("route assessment")
        verbose_name_plural = _("route assessments")
        indexes = [
            models.Index(fields=["purchaser", "-created_at", "-id"], name="route_purchaser"),
            models.Index(fields=["-created_at", "-id"], name="route_created"),
            models.Index(fields=["contracting_authority", "need_date"], name="route_authority"),
            models.Index(fields=["need_date", "id"], name="route_need_date"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:assessment_detail", args=[self.pk])


class RouteDecision(models.Model):
    """What the purchaser did with the assessment: followed the route, or deviated with a
    written justification. One per assessment, never changed; a deviation is flagged for
    oversight until oversight notes that it has reviewed it."""

    assessment = models.OneToOneField(
        RouteAssessment,
        on_delete=models.PROTECT,
        related_name="decision",
        verbose_name=_("assessment"),
    )
    chosen_route = models.CharField(_("chosen route"), max_length=20, choices=Route.choices)
    deviation = models.BooleanField(_("deviation from the guideline"), default=False)
    justification = models.TextField(_("justification"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("route decision")
        verbose_name_plural = _("route decisions")
        indexes = [
            models.Index(fields=["deviation", "-decided_at"], name="route_deviation"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deviation=False) | ~models.Q(justification=""),
                name="route_deviation_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment.number}: {self.chosen_route}"


class DeviationReview(models.Model):
    """Oversight has read a deviation and notes what it found. Append-only."""

    decision = models.ForeignKey(
        RouteDecision, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("decision")
    )
    note = models.TextField(_("note"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), default=timezone.now)

    class Meta:
        ordering = ["decision", "reviewed_at"]
        verbose_name = _("deviation review")
        verbose_name_plural = _("deviation reviews")

    def __str__(self) -> str:
        return f"{self.decision} ({self.reviewed_at:%Y-%m-%d})"


class GroupBenefitComparison(models.Model):
    """Koncernnytta: the provider's quote against an external offer, as the group pays
    each way. Stored with the assessment, never changed."""

    assessment = models.ForeignKey(
        RouteAssessment,
        on_delete=models.PROTECT,
        related_name="comparisons",
        verbose_name=_("assessment"),
    )
    provider_quote = models.DecimalField(
        _("provider's quote (SEK)"), max_digits=14, decimal_places=2
    )
    fixed_cost_share = models.DecimalField(
        _("share covering fixed costs (%)"), max_digits=5, decimal_places=2
    )
    fixed_cost_source = models.CharField(_("source of the share"), max_length=300)
    external_price = models.DecimalField(_("external offer (SEK)"), max_digits=14, decimal_places=2)
    procurement_cost = models.DecimalField(
        _("procurement cost (SEK)"), max_digits=14, decimal_places=2
    )
    supplier = models.CharField(_("external supplier"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["assessment", "-created_at"]
        verbose_name = _("group benefit comparison")
        verbose_name_plural = _("group benefit comparisons")

    def __str__(self) -> str:
        return f"{self.assessment.number}: {self.supplier or '-'}"

    @property
    def figures(self):
        from ordna.procurement.groupbenefit import compare

        return compare(
            provider_quote=self.provider_quote,
            fixed_cost_share=self.fixed_cost_share,
            external_price=self.external_price,
            procurement_cost=self.procurement_cost,
        )


class Replay(models.Model):
    """A what-if replay: a period's assessments run against a (draft) rule set version;
    the outcome lists every case that would change. The job does the work."""

    rule_set_version = models.ForeignKey(
        RuleSetVersion, on_delete=models.PROTECT, related_name="replays", verbose_name=_("version")
    )
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    job = models.ForeignKey("core.Job", on_delete=models.PROTECT, null=True, related_name="+")
    total = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("what-if replay")
        verbose_name_plural = _("what-if replays")

    def __str__(self) -> str:
        return f"{self.rule_set_version} {self.period_from}–{self.period_to}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:replay_detail", args=[self.pk])
