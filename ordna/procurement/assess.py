"""Route assessment: a need in, a decision receipt out.

`parse_need` checks a need as the CLI, the API and the guided form receive it (the keys
of issue 6) and names the first bad key. `Registry` is a snapshot of everything the
engine reads — units, ownership, the catalogue's services, utility entities, framework
agreements, thresholds and limits — loaded in a handful of queries, so that `assess` is
pure and fast (the bench runs it tens of thousands of times a second). `assess` derives
the need's facts, lets the rule set decide (`engine.evaluate`) and returns the receipt:
everything an auditor needs to see, and to reproduce, the decision (`replay`).

Nothing here saves; `services.assessment_create` stores a receipt.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ordna.organisation.models import LegalPerson, Ownership, Unit
from ordna.organisation.selectors import Relation, _relation
from ordna.procurement import engine
from ordna.procurement.models import FrameworkAgreement, Limit, Threshold, UtilityEntity

CATEGORIES = ("supplies", "services", "works", "social_services")
BOOLEAN_KEYS = ("utility_activity", "extreme_urgency", "framework_agreement")
KEYS = {
    "date",
    "purchaser",
    "description",
    "category",
    "one_off_value_sek",
    "annual_value_sek",
    "contract_years",
    "extension_years",
    "options_value_sek",
    "service_code",
    "cpv_code",
    "provider_offers",
    *BOOLEAN_KEYS,
}
MAX_SEK = Decimal("999999999999")


class NeedError(ValueError):
    """A need that cannot be assessed; `field` is the key at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Need:
    day: datetime.date
    purchaser: str
    category: str
    description: str = ""
    one_off: Decimal | None = None
    annual: Decimal | None = None
    contract_years: int = 0
    extension_years: int = 0
    options: Decimal = Decimal(0)
    service_code: str = ""
    cpv_code: str = ""
    provider_offers: bool | None = None
    utility_activity: bool = False
    extreme_urgency: bool = False
    framework_agreement: bool = False

    def as_input(self) -> dict:
        """The need as the receipt records it: every key, defaults filled in."""
        data = {
            "date": self.day.isoformat(),
            "purchaser": self.purchaser,
            "description": self.description,
            "category": self.category,
        }
        if self.one_off is not None:
            data["one_off_value_sek"] = _number(self.one_off)
        else:
            data["annual_value_sek"] = _number(self.annual)
            data["contract_years"] = self.contract_years
            data["extension_years"] = self.extension_years
        data["options_value_sek"] = _number(self.options)
        data["service_code"] = self.service_code or None
        data["cpv_code"] = self.cpv_code or None
        data["provider_offers"] = self.provider_offers
        for key in BOOLEAN_KEYS:
            data[key] = getattr(self, key)
        return data

    @property
    def estimated_value(self) -> Decimal:
        """Total over the whole term, extensions and options counted as used (LOU 5 kap.
        3 §)."""
        if self.one_off is not None:
            return self.one_off + self.options
        return self.annual * (self.contract_years + self.extension_years) + self.options


def kronor(value) -> str:
    """A whole amount as Swedish text: 100000 → '100 000' (no-break spaces)."""
    return f"{Decimal(value):,.0f}".replace(",", "\u00a0")


def _number(value: Decimal):
    """Money for JSON: a whole number as int, otherwise rounded to öre as float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _money(data: dict, key: str) -> Decimal:
    raw = data[key]
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise NeedError(key, _("must be a number of kronor"))
    try:
        value = Decimal(str(raw).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise NeedError(key, _("must be a number of kronor")) from None
    if not value.is_finite() or value < 0:
        raise NeedError(key, _("must be zero or more"))
    if value > MAX_SEK:
        raise NeedError(key, _("is too large"))
    if value != value.quantize(Decimal("0.01")):
        raise NeedError(key, _("has more than two decimals"))
    return value


def _years(data: dict, key: str, minimum: int) -> int:
    raw = data.get(key, 0)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise NeedError(key, _("must be a whole number of years"))
    if raw < minimum or raw > 50:
        raise NeedError(key, _("must be between %(min)s and 50") % {"min": minimum})
    return raw


def parse_need(data, *, today: datetime.date | None = None) -> Need:
    """A need from JSON-like data (the keys of `ordna route evaluate`). Raises NeedError
    naming the first key at fault."""
    if not isinstance(data, dict):
        raise NeedError("need", _("must be a JSON object"))
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise NeedError(unknown[0], _("unknown key"))
    raw_day = data.get("date")
    if raw_day in (None, ""):
        day = today or timezone.localdate()
    else:
        try:
            day = datetime.date.fromisoformat(raw_day) if isinstance(raw_day, str) else None
        except ValueError:
            day = None
        if day is None or len(raw_day) != 10 or raw_day[4::3] != "--":
            raise NeedError("date", _("must be a date written YYYY-MM-DD"))
    purchaser = data.get("purchaser")
    if not isinstance(purchaser, str) or not purchaser.strip():
        raise NeedError("purchaser", _("a unit code is required"))
    category = data.get("category")
    if category not in CATEGORIES:
        raise NeedError("category", _("must be one of %(list)s") % {"list": ", ".join(CATEGORIES)})
    description = data.get("description") or ""
    if not isinstance(description, str) or len(description) > 300:
        raise NeedError("description", _("must be text of at most 300 characters"))
    has_one_off = data.get("one_off_value_sek") is not None
    has_annual = data.get("annual_value_sek") is not None
    if has_one_off == has_annual:
        raise NeedError(
            "one_off_value_sek",
            _("give either one_off_value_sek or annual_value_sek (with contract_years)"),
        )
    kwargs: dict = {}
    if has_one_off:
        for key in ("contract_years", "extension_years"):
            value = data.get(key)
            if value is not None and (isinstance(value, bool) or value != 0):
                raise NeedError(key, _("only goes with annual_value_sek"))
        kwargs["one_off"] = _money(data, "one_off_value_sek")
    else:
        kwargs["annual"] = _money(data, "annual_value_sek")
        if data.get("contract_years") is None:
            raise NeedError("contract_years", _("is required with annual_value_sek"))
        kwargs["contract_years"] = _years(data, "contract_years", 1)
        kwargs["extension_years"] = _years(data, "extension_years", 0)
    if data.get("options_value_sek") is not None:
        kwargs["options"] = _money(data, "options_value_sek")
    for key in ("service_code", "cpv_code"):
        value = data.get(key) or ""
        if not isinstance(value, str) or len(value) > 30:
            raise NeedError(key, _("must be text"))
        kwargs[key] = value.strip()
    if kwargs["cpv_code"] and not (
        kwargs["cpv_code"][:8].isdigit() and len(kwargs["cpv_code"].split("-")[0]) == 8
    ):
        raise NeedError("cpv_code", _("must be eight digits, e.g. 30213000 or 30213000-5"))
    offers = data.get("provider_offers")
    if offers is not None and not isinstance(offers, bool):
        raise NeedError("provider_offers", _("must be true or false"))
    for key in BOOLEAN_KEYS:
        value = data.get(key, False)
        if value is None:
            value = False
        if not isinstance(value, bool):
            raise NeedError(key, _("must be true or false"))
        kwargs[key] = value
    return Need(
        day=day,
        purchaser=purchaser.strip().upper(),
        category=category,
        description=description.strip(),
        provider_offers=offers,
        **kwargs,
    )


def _valid(row, day: datetime.date) -> bool:
    return row.valid_from <= day and (row.valid_to is None or day <= row.valid_to)


@dataclass(frozen=True)
class Amount:
    sek: Decimal
    provisional: bool
    source: str
    eur: Decimal | None = None
    rate: Decimal | None = None

    def as_receipt(self, **extra) -> dict:
        data = {**extra, "sek": _number(self.sek), "provisional": self.provisional}
        if self.eur is not None:
            data["eur"] = int(self.eur)
        if self.rate is not None:
            data["eur_sek_rate"] = str(self.rate)
        data["source"] = self.source
        return data


@dataclass(frozen=True)
class References:
    """The amounts a need is measured against, with their receipt entries (copied into
    each receipt, never shared)."""

    threshold: Amount
    direct: Amount
    documentation: Amount
    threshold_receipt: dict
    direct_receipt: dict
    documentation_receipt: dict
    threshold_number: int | float
    direct_number: int | float
    documentation_number: int | float


class NoReferenceData(LookupError):
    """No threshold or limit row covers the law, category and day asked for."""


def threshold_category(category: str) -> str:
    """A need's category as the thresholds of a sub-central authority name it."""
    if category in ("supplies", "services"):
        return "supplies_services"
    if category in ("works", "social_services"):
        return category
    raise ValueError(f"unknown category {category!r}")


@dataclass
class Registry:
    """What the engine reads, loaded once. Rows keep their validity; every look-up takes
    the day."""

    thresholds: list = field(default_factory=list)
    limits: list = field(default_factory=list)
    units: dict = field(default_factory=dict)  # code -> [Unit, ...]
    units_by_id: dict = field(default_factory=dict)
    persons: dict = field(default_factory=dict)  # id -> LegalPerson
    ownerships: list = field(default_factory=list)
    services: dict = field(default_factory=dict)  # code -> [(Service, provider Unit), ...]
    areas: list = field(default_factory=list)
    utility: list = field(default_factory=list)
    frameworks: list = field(default_factory=list)
    rate: Decimal = Decimal("0")
    _relations: dict = field(default_factory=dict)
    _references: dict = field(default_factory=dict)  # (law, category, day) -> References

    @classmethod
    def load(cls, *, organisation: bool = True) -> Registry:
        from ordna.catalogue.models import Service, ServiceArea

        reg = cls(
            thresholds=list(Threshold.objects.all()),
            limits=list(Limit.objects.all()),
            rate=Decimal(str(settings.ROUTE_EUR_SEK_RATE)),
        )
        if not organisation:
            return reg
        for unit in Unit.objects.order_by("code", "-valid_from"):
            reg.units.setdefault(unit.code, []).append(unit)
            reg.units_by_id[unit.pk] = unit
        reg.persons = {p.pk: p for p in LegalPerson.objects.all()}
        reg.ownerships = list(Ownership.objects.all())
        for service in Service.objects.select_related("area").order_by("code", "-valid_from"):
            reg.services.setdefault(service.code, []).append(service)
        reg.areas = list(ServiceArea.objects.only("provider_id", "valid_from", "valid_to"))
        reg.utility = list(UtilityEntity.objects.all())
        reg.frameworks = list(FrameworkAgreement.objects.order_by("valid_from", "reference"))
        return reg

    # reference data -------------------------------------------------------------
    def threshold(self, law: str, category: str, day: datetime.date) -> Amount:
        rows = [
            r for r in self.thresholds if r.law == law and r.category == category and _valid(r, day)
        ]
        if not rows:
            raise NoReferenceData(f"no {law} threshold for {category} on {day.isoformat()}")
        row = max(rows, key=lambda r: r.valid_from)
        if row.verified:
            return Amount(row.sek, False, row.source, row.eur)
        sek = (row.eur * self.rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return Amount(sek, True, row.source, row.eur, self.rate)

    def _limit(self, kind: str, law: str, category: str, day: datetime.date) -> Limit:
        rows = [
            r
            for r in self.limits
            if r.kind == kind and r.law == law and r.category in (category, "") and _valid(r, day)
        ]
        if not rows:
            raise NoReferenceData(f"no {law} {kind} limit on {day.isoformat()}")
        # A row for the category itself wins over the row for every other category.
        return min(rows, key=lambda r: (r.category != category, -r.valid_from.toordinal()))

    def direct_award_limit(self, law: str, category: str, day: datetime.date) -> Amount:
        row = self._limit(Limit.Kind.DIRECT_AWARD, law, category, day)
        if row.equals_threshold:
            value = self.threshold(law, category, day)
            return Amount(value.sek, value.provisional, f"{row.source}; {value.source}", value.eur)
        return Amount(row.sek, False, row.source)

    def documentation_limit(self, law: str, day: datetime.date) -> Amount:
        row = self._limit(Limit.Kind.DOCUMENTATION, law, "", day)
        return Amount(row.sek, False, row.source)

    def references(self, law: str, category: str, day: datetime.date) -> References:
        """The threshold, direct award limit and documentation limit for a law, threshold
        category and day, as `assess` uses them; worked out once per snapshot and day."""
        key = (law, category, day)
        found = self._references.get(key)
        if found is None:
            threshold = self.threshold(law, category, day)
            direct = self.direct_award_limit(law, category, day)
            documentation = self.documentation_limit(law, day)
            found = References(
                threshold,
                direct,
                documentation,
                threshold.as_receipt(law=law, category=category),
                direct.as_receipt(law=law, category=category),
                documentation.as_receipt(law=law),
                _number(threshold.sek),
                _number(direct.sek),
                _number(documentation.sek),
            )
            self._references[key] = found
        return found

    # registry -------------------------------------------------------------------
    def unit(self, code: str, day: datetime.date) -> Unit | None:
        for unit in self.units.get(code, ()):
            if _valid(unit, day):
                return unit
        return None

    def service(self, code: str, day: datetime.date):
        for service in self.services.get(code, ()):
            if _valid(service, day):
                return service
        return None

    def provider(self, day: datetime.date) -> Unit | None:
        """The internal provider when the need names no service: the unit that provides
        the most service areas (Servicekontoret)."""
        key = ("provider", day)
        if key not in self._relations:
            counts: dict[int, int] = {}
            for area in self.areas:
                if _valid(area, day):
                    counts[area.provider_id] = counts.get(area.provider_id, 0) + 1
            best = max(counts, key=lambda pk: (counts[pk], -pk)) if counts else None
            self._relations[key] = self.units_by_id.get(best)
        return self._relations[key]

    def relation(self, provider_person: int, purchaser_person: int, day: datetime.date):
        key = (provider_person, purchaser_person, day)
        if key not in self._relations:
            rows = [
                (o.owner_id, o.owned_id, o.share_percent) for o in self.ownerships if _valid(o, day)
            ]
            self._relations[key] = _relation(rows, provider_person, purchaser_person)
        return self._relations[key]

    def utility_activity_of(self, person_id: int, day: datetime.date) -> str:
        for row in self.utility:
            if row.legal_person_id == person_id and _valid(row, day):
                return row.activity
        return ""

    def frameworks_for(self, need: Need, cpv: str, day: datetime.date) -> list:
        """Framework agreements in force that cover the need: same category, and the
        agreement's CPV code (trailing zeros dropped) is a prefix of the need's."""
        if not cpv:
            return []
        found = []
        for fa in self.frameworks:
            if fa.category != need.category or not fa.cpv_code or not _valid(fa, day):
                continue
            # Never shorter than the division: 30000000 covers 30…, not 35… or 39….
            prefix = fa.cpv_code[:8].rstrip("0").ljust(2, "0")
            if cpv[:8].startswith(prefix):
                found.append(fa)
        return found


def contracting_authority(unit: Unit, registry: Registry) -> Unit:
    """The contracting authority a unit buys for: an administration buys for the
    committee it serves; a committee, company or other unit for itself."""
    if unit.kind == Unit.Kind.ADMINISTRATION and unit.parent_id in registry.units_by_id:
        return registry.units_by_id[unit.parent_id]
    return unit


@dataclass(frozen=True)
class Version:
    """A rule set version ready to evaluate."""

    name: str
    number: int
    sha256: str
    rules: tuple
    pk: int | None = None
    published: bool = True

    def as_receipt(self) -> dict:
        return {"name": self.name, "version": self.number, "sha256": self.sha256}


RELATION_FACT = {
    Relation.SAME: "same_legal_person",
    Relation.CONTROLLED: "controlled_company",
    Relation.EXTERNAL: "external",
}


# The notes a receipt may carry, in the site's language (see `_site_text`).
NOTE_NOT_UTILITY = gettext_noop(
    "%(person)s is not registered as carrying on a utility activity, so LOU applies and not LUF."
)
NOTE_DOCUMENT = gettext_noop(
    "The direct award is worth %(limit)s kronor or more: document it "
    "(the reasons, the suppliers asked and the choice)."
)
NOTE_PROVISIONAL = gettext_noop(
    "The official SEK value of the threshold for this date is not yet "
    "known; it was converted from EUR at %(rate)s SEK. Check the route "
    "again when the official value is published."
)
NOTE_IN_HOUSE = gettext_noop(
    "%(owner)s controls %(company)s through a chain of majority holdings "
    "(effective share %(share)s %%). Whether the 80 %% activity criterion "
    "applies to purchases from the owner is debated; the provider's "
    "sales figures are the evidence for it."
)
_SITE_TEXTS: dict[tuple[str, str], str] = {}


def _site_text(msgid: str) -> str:
    """`msgid` translated into the site's language (settings.LANGUAGE_CODE), whatever
    language is active. Looked up once per language and text: switching language costs
    more than the rest of an assessment."""
    key = (settings.LANGUAGE_CODE, msgid)
    text = _SITE_TEXTS.get(key)
    if text is None:
        with translation.override(settings.LANGUAGE_CODE):
            text = _SITE_TEXTS[key] = _(msgid)
    return text


def value_band(value: Decimal, documentation: Decimal, direct: Decimal, threshold: Decimal):
    if value < documentation and value < direct:
        return "below_documentation_limit"
    if value < direct:
        return "below_direct_award_limit"
    if value < threshold:
        return "below_threshold"
    return "threshold_or_above"


def assess(need: Need, registry: Registry, version: Version) -> dict:
    """The receipt for `need` under `version`, as of the need's date. Raises NeedError
    for a unit or service the registry does not know on that day, NoReferenceData when
    no threshold covers it."""
    day = need.day
    unit = registry.unit(need.purchaser, day)
    if unit is None:
        raise NeedError(
            "purchaser",
            _("no unit with code %(code)s on %(day)s")
            % {"code": need.purchaser, "day": day.isoformat()},
        )
    service = None
    if need.service_code:
        service = registry.service(need.service_code, day)
        if service is None:
            raise NeedError(
                "service_code",
                _("no service with code %(code)s on %(day)s")
                % {"code": need.service_code, "day": day.isoformat()},
            )
        provider = registry.units_by_id.get(service.area.provider_id)
        provider_offers = provider is not None
    else:
        provider = registry.provider(day)
        provider_offers = bool(need.provider_offers)
    notes: list[dict] = []
    purchaser_person = registry.persons[unit.legal_person_id]
    evidence = None
    if provider is not None:
        rel = registry.relation(provider.legal_person_id, unit.legal_person_id, day)
        relation = RELATION_FACT[rel.relation]
        if rel.relation == Relation.CONTROLLED:
            evidence = {
                "owner": registry.persons[provider.legal_person_id].name,
                "company": purchaser_person.name,
                "org_number": purchaser_person.org_number,
                "effective_share_percent": str(rel.share_percent),
                "direct_holding": rel.direct,
                "control": "chain of majority holdings",
            }
    else:
        relation = "external"
    activity = registry.utility_activity_of(unit.legal_person_id, day)
    law = "LUF" if (need.utility_activity and activity) else "LOU"
    cpv = need.cpv_code or (service.cpv_code if service is not None else "")
    frameworks = registry.frameworks_for(need, cpv, day)
    category = threshold_category(need.category)
    value = need.estimated_value
    refs = registry.references(law, category, day)
    threshold, direct, documentation = refs.threshold, refs.direct, refs.documentation
    facts = {
        "relation": relation,
        "provider_offers": provider_offers,
        "framework_agreement": need.framework_agreement or bool(frameworks),
        "extreme_urgency": need.extreme_urgency,
        "utility_activity": need.utility_activity,
        "utility_entity": bool(activity),
        "law": law,
        "category": need.category,
        "value_band": value_band(value, documentation.sek, direct.sek, threshold.sek),
    }
    rule = engine.evaluate(version.rules, facts)
    if rule is None:  # a published version covers every case (engine.check)
        raise engine.RuleSetError(f"{version.name} {version.number}: no rule matches {facts}")
    route = rule.route
    out_law = None if route == "internal_order" else law
    depends_on_value = False
    probe = dict(facts)
    for band in engine.VALUE_BANDS:
        probe["value_band"] = band
        if (engine.evaluate(version.rules, probe) or rule).route != route:
            depends_on_value = True
            break
    # A limit was used when the value got as far as being compared with it: the
    # threshold from the direct award limit up, the direct award limit from the
    # documentation limit up (for social services it is the threshold itself).
    used_provisional = (threshold.provisional and value >= direct.sek) or (
        direct.provisional and value >= documentation.sek
    )
    provisional = depends_on_value and used_provisional
    documentation_required = route == "direct_award" and value >= documentation.sek
    reasons = [
        {
            "rule": rule.key,
            "text": rule.explanation,
            "legal_basis": engine.legal_basis(rule, out_law),
        }
    ]
    # The notes are in the site's language whatever language is active.
    if need.utility_activity and not activity:
        notes.append(
            {
                "rule": "law",
                "text": _site_text(NOTE_NOT_UTILITY) % {"person": purchaser_person.name},
                "legal_basis": "LUF 1 kap.",
            }
        )
    if documentation_required:
        notes.append(
            {
                "rule": "documentation",
                "text": _site_text(NOTE_DOCUMENT) % {"limit": kronor(refs.documentation_number)},
                "legal_basis": f"{out_law} 19 a kap. 11 §",
            }
        )
    if provisional:
        notes.append(
            {
                "rule": "provisional",
                "text": _site_text(NOTE_PROVISIONAL) % {"rate": str(registry.rate)},
                "legal_basis": "",
            }
        )
    if evidence and route == "in_house_award":
        notes.append(
            {
                "rule": "in_house_evidence",
                "text": _site_text(NOTE_IN_HOUSE)
                % {
                    "owner": evidence["owner"],
                    "company": evidence["company"],
                    "share": evidence["effective_share_percent"],
                },
                "legal_basis": "LOU 3 kap. 14 §",
            }
        )
    reasons.extend(notes)
    return {
        "route": route,
        "law": out_law,
        "estimated_value_sek": _number(value),
        "direct_award_limit_sek": refs.direct_number,
        "threshold_sek": refs.threshold_number,
        "documentation_limit_sek": refs.documentation_number,
        "documentation_required": documentation_required,
        "provisional": provisional,
        "reasons": reasons,
        "warnings": [],
        "rule_set": version.as_receipt(),
        "matched_rule": rule.key,
        "clause": rule.clause,
        "facts": facts,
        "input": need.as_input(),
        "purchaser": {
            "code": unit.code,
            "name": unit.name,
            "legal_person": purchaser_person.name,
            "org_number": purchaser_person.org_number,
        },
        "provider": (
            {"code": provider.code, "name": provider.name} if provider is not None else None
        ),
        "service": (
            {"code": service.code, "name": service.name, "cpv_code": service.cpv_code}
            if service is not None
            else None
        ),
        "in_house_evidence": evidence,
        "utility_activity_registered": activity or None,
        "framework_agreements": [
            {"reference": fa.reference, "title": fa.title, "supplier": fa.supplier}
            for fa in frameworks
        ],
        "references": {
            "threshold": dict(refs.threshold_receipt),
            "direct_award_limit": dict(refs.direct_receipt),
            "documentation_limit": dict(refs.documentation_receipt),
        },
        "engine_version": engine.ENGINE_VERSION,
    }


def replay(receipt: dict, version: Version) -> dict:
    """Decide a stored receipt's facts again under `version`: the route, the law and the
    matched rule. On the receipt's own version this gives the receipt's outcome."""
    facts = receipt["facts"]
    rule = engine.evaluate(version.rules, facts)
    if rule is None:
        raise engine.RuleSetError(f"{version.name} {version.number}: no rule matches {facts}")
    return {
        "route": rule.route,
        "law": None if rule.route == "internal_order" else facts["law"],
        "matched_rule": rule.key,
    }
