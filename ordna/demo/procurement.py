"""Demo of the route guidelines (issue 6): Borås Energi och Miljö registered as a utility
entity, a few framework agreements, the default rule set published, assessments with
their decisions (one a deviation, for oversight), a group-benefit comparison, and a draft
version 2 that a what-if replay can be run against. Loading it twice changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.organisation.models import LegalPerson
from ordna.procurement import defaults, reference
from ordna.procurement import services as svc
from ordna.procurement.models import (
    FrameworkAgreement,
    Limit,
    RouteAssessment,
    RuleSetVersion,
    Threshold,
    UtilityEntity,
)

SOURCE = AuditEvent.Source.CLI
D = datetime.date
VALID_FROM = D(2024, 1, 1)
DECISION = "Kommunstyrelsen 2023-12-11 § 245, KS 2023-00871 (demo)"

FRAMEWORKS = [
    # reference, title, supplier, category, CPV, from, to
    (
        "RA-2024-IT-01",
        "Datorer och kringutrustning",
        "Exempel IT Väst AB",
        "supplies",
        "30200000-1",
        D(2024, 3, 1),
        D(2027, 2, 28),
    ),
    (
        "RA-2023-MOB-02",
        "Kontorsmöbler",
        "Möbelexemplet i Sjuhärad AB",
        "supplies",
        "39100000-3",
        D(2023, 9, 1),
        D(2026, 8, 31),
    ),
    (
        "RA-2025-TOLK-01",
        "Tolktjänster",
        "Exempeltolkarna AB",
        "services",
        "79540000-1",
        D(2025, 1, 1),
        D(2028, 12, 31),
    ),
]

# username, need, chosen route (None: follow), justification
ASSESSMENTS = [
    (
        "tf.bestallare",
        {
            "date": "2026-02-03",
            "purchaser": "TF",
            "category": "services",
            "description": "IT-arbetsplatser för nya medarbetare",
            "annual_value_sek": 96000,
            "contract_years": 1,
            "service_code": "IT-ARBETSPLATS",
        },
        None,
        "",
    ),
    (
        "tf.bestallare",
        {
            "date": "2026-03-10",
            "purchaser": "TF",
            "category": "supplies",
            "description": "Bärbara datorer till fältpersonal",
            "one_off_value_sek": 180000,
            "cpv_code": "30213000",
        },
        None,
        "",
    ),
    (
        "tf.bestallare",
        {
            "date": "2026-04-14",
            "purchaser": "TF",
            "category": "services",
            "description": "Trafikmätning på Allégatan",
            "one_off_value_sek": 420000,
        },
        None,
        "",
    ),
    (
        "tf.bestallare",
        {
            "date": "2026-06-09",
            "purchaser": "TF",
            "category": "services",
            "description": "Trafikmätning på Åsboholmsgatan",
            "one_off_value_sek": 310000,
        },
        "direct_award",
        "",
    ),
    (
        "tf.bestallare",
        {
            "date": "2026-09-22",
            "purchaser": "TF",
            "category": "services",
            "description": "Konsultstöd för gatubelysningsplan",
            "annual_value_sek": 300000,
            "contract_years": 2,
            "extension_years": 1,
        },
        "direct_award",
        "Tidigare upphandling avbröts utan anbud och behovet måste täckas före vintern; "
        "en annonserad upphandling startar i januari.",
    ),
    (
        "lf.bestallare",
        {
            "date": "2026-05-05",
            "purchaser": "LF",
            "category": "works",
            "description": "Ombyggnad av skolkök, Sandgärdet",
            "one_off_value_sek": 4200000,
        },
        None,
        "",
    ),
    (
        "lf.bestallare",
        {
            "date": "2026-08-18",
            "purchaser": "LF",
            "category": "works",
            "description": "Akut takreparation efter storm",
            "one_off_value_sek": 380000,
            "extreme_urgency": True,
        },
        None,
        "",
    ),
    (
        "lf.bestallare",
        {
            "date": "2026-10-06",
            "purchaser": "LF",
            "category": "works",
            "description": "Ny belysning i Boråshallen",
            "one_off_value_sek": 250000,
        },
        None,
        "",
    ),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def load(units: dict) -> dict[str, int]:
    created = {"frameworks": 0, "rule_sets": 0, "route_assessments": 0}
    # Migration 0002 loads these; a flushed test database has lost them.
    reference.load_rows(Threshold, Limit)
    bem = LegalPerson.objects.filter(org_number="556527-5996").first()
    if bem is not None and not UtilityEntity.objects.filter(legal_person=bem).exists():
        svc.utility_entity_create(
            actor=None,
            source=SOURCE,
            legal_person=bem,
            activity="Energi (el, fjärrvärme) samt vatten och avlopp",
            valid_from=D(2020, 1, 1),
        )
    for ref, title, supplier, category, cpv, start, end in FRAMEWORKS:
        if not FrameworkAgreement.objects.filter(reference=ref).exists():
            svc.framework_create(
                actor=None,
                source=SOURCE,
                reference=ref,
                title=title,
                supplier=supplier,
                category=category,
                cpv_code=cpv,
                valid_from=start,
                valid_to=end,
            )
            created["frameworks"] += 1
    existing = RuleSetVersion.objects.filter(rule_set__name=defaults.NAME).exists()
    version = svc.install_default(
        owner=units["KS"], valid_from=VALID_FROM, source=SOURCE, decision=DECISION
    )
    if not existing:
        created["rule_sets"] += 1
        _draft_two(version)
    if not RouteAssessment.objects.exists():
        for username, need, chosen, justification in ASSESSMENTS:
            actor = _user(username)
            assessment = svc.assessment_create(actor=actor, data=need, source=SOURCE)
            created["route_assessments"] += 1
            svc.decision_record(
                actor=actor,
                assessment=assessment,
                chosen_route=chosen or assessment.route,
                justification=justification,
                source=SOURCE,
            )
            if assessment.route == "national_procedure" and assessment.purchaser.code == "TF":
                svc.comparison_create(
                    actor=actor,
                    assessment=assessment,
                    provider_quote=Decimal("395000"),
                    external_price=Decimal("360000"),
                    procurement_cost=Decimal("120000"),
                    fixed_cost_share=Decimal("30"),
                    fixed_cost_source="Servicekontorets kalkyl för mätuppdrag 2026",
                    supplier="Exempelmätning AB",
                    source=SOURCE,
                )
    return created


def _draft_two(version: RuleSetVersion) -> None:
    """Version 2 as a draft: works are always advertised from the documentation limit
    (the council's wish for more competition in civil works)."""
    draft = svc.draft_new(actor=None, based_on=version, source=SOURCE)
    svc.draft_rule_save(
        actor=None,
        version=draft,
        source=SOURCE,
        data={
            "priority": 55,
            "key": "bygg-annonseras",
            "conditions": [
                {"field": "category", "op": "eq", "value": "works"},
                {"field": "law", "op": "eq", "value": "LOU"},
                {"field": "value_band", "op": "eq", "value": "below_direct_award_limit"},
            ],
            "route": "national_procedure",
            "explanation": (
                "Byggentreprenader från 100 000 kronor annonseras alltid, också under "
                "direktupphandlingsgränsen, för att få fler anbud på stadens byggen."
            ),
            "legal_basis": "{law} 19 kap.",
            "clause": "3.6 a",
        },
    )
