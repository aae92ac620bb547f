"""The Borås demo: organisation, companies and demo users. Loading it twice changes nothing.

Codes and users are fixed: later features and tests rely on them. Registry e-mails are
those the Servicenämnden statement dispatches to; the others are left empty on purpose
(the registry panel lists them as work to do). Company organisation numbers are valid
numbers used for the demo; check them against Bolagsverket before real use.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from ordna.accounts import services as account_services
from ordna.accounts.models import Membership, Role, User
from ordna.audit.models import AuditEvent
from ordna.organisation import services as org_services
from ordna.organisation.models import LegalPerson, Ownership, Unit

START = datetime.date(2020, 1, 1)
SOURCE = AuditEvent.Source.CLI
REASON = "Borås demo data"

LEGAL_PERSONS = [
    # key, name, org number, kind
    ("kommun", "Borås kommun", "212000-1561", "municipality"),
    ("BSAB", "Borås Stadshus AB", "556388-7867", "company"),
    ("BEM", "Borås Energi och Miljö AB", "556527-5996", "company"),
    ("ABB", "AB Bostäder i Borås", "556097-8602", "company"),
    ("EXT1", "Exempelbolaget Väst AB", "556123-4567", "external"),
]

OWNERSHIP = [("kommun", "BSAB", "100"), ("BSAB", "BEM", "100"), ("BSAB", "ABB", "100")]

# code, name, kind, legal person key, parent code, registry e-mail, cost centre, counterparty
UNITS = [
    ("KF", "Kommunfullmäktige", "council", "kommun", None, "", "1000", "1"),
    ("KS", "Kommunstyrelsen", "committee", "kommun", "KF", "ks.diarium@boras.se", "1100", "1"),
    ("SLK", "Stadsledningskansliet", "administration", "kommun", "KS", "", "1110", "1"),
    ("SN", "Servicenämnden", "committee", "kommun", "KF", "", "2100", "1"),
    ("SK", "Servicekontoret", "administration", "kommun", "SN", "", "2110", "1"),
    ("TN", "Tekniska nämnden", "committee", "kommun", "KF", "tek.diarium@boras.se", "3100", "1"),
    ("TF", "Tekniska förvaltningen", "administration", "kommun", "TN", "", "3110", "1"),
    (
        "LN",
        "Lokalförsörjningsnämnden",
        "committee",
        "kommun",
        "KF",
        "LN.diarium@boras.se",
        "3200",
        "1",
    ),
    ("LF", "Lokalförsörjningsförvaltningen", "administration", "kommun", "LN", "", "3210", "1"),
    ("FFN", "Fritids- och folkhälsonämnden", "committee", "kommun", "KF", "", "4100", "1"),
    (
        "FFF",
        "Fritids- och folkhälsoförvaltningen",
        "administration",
        "kommun",
        "FFN",
        "ff.diarium@boras.se",
        "4110",
        "1",
    ),
    ("FSN", "Förskolenämnden", "committee", "kommun", "KF", "", "5100", "1"),
    ("FSF", "Förskoleförvaltningen", "administration", "kommun", "FSN", "", "5110", "1"),
    ("GSN", "Grundskolenämnden", "committee", "kommun", "KF", "", "5200", "1"),
    ("GSF", "Grundskoleförvaltningen", "administration", "kommun", "GSN", "", "5210", "1"),
    ("VAN", "Vård- och äldrenämnden", "committee", "kommun", "KF", "", "6100", "1"),
    ("VAF", "Vård- och äldreförvaltningen", "administration", "kommun", "VAN", "", "6110", "1"),
    ("KLN", "Krisledningsnämnden", "committee", "kommun", "KF", "", "1200", "1"),
    ("REV", "Stadsrevisionen", "audit", "kommun", "KF", "sre.diarium@boras.se", "1300", "1"),
    ("BSAB", "Borås Stadshus AB", "company", "BSAB", None, "", "", "5"),
    ("BEM", "Borås Energi och Miljö AB", "company", "BEM", None, "", "", "5"),
    ("ABB", "AB Bostäder i Borås", "company", "ABB", None, "", "", "5"),
    ("EXT1", "Exempelbolaget Väst AB", "external_customer", "EXT1", None, "", "", "86"),
]

# Servicenämnden's tasks (demo wording, grounded in the statement and the brief), adopted
# by the council under a demo case number; and the statement's proposed new task.
MANDATE_ADOPTED = [
    "att som stadens interna utförare tillhandahålla tjänster inom IT, lön, ekonomi, "
    "fordon, anläggning samt drift och underhåll åt stadens förvaltningar och bolag",
    "att bedriva verksamheten i företagsliknande former, finansierad av beställarnas "
    "ersättningar, så att den över tid bär sina kostnader (självkostnad)",
    "att utföra uppdrag åt externa aktörer i den omfattning kommunfullmäktige har beslutat",
    "att upprätthålla beredskap för vinterväghållning, vatten och avlopp, fastigheter och IT "
    "enligt överenskommelser med beställarna",
]
MANDATE_PROPOSED = (
    "att vara Borås Stads förstärkningsresurs vid samhällsstörningar och extraordinära "
    "händelser och övriga insatser vid kris"
)
MANDATE_CASE = "KF 2019-00042"

# code, name, main purchaser (for services common to all administrations) or None
SERVICE_AREAS = [
    ("IT", "IT och digitala tjänster", "SLK"),
    ("LON", "Lön och personaladministration", "SLK"),
    ("EKONOMI", "Ekonomiadministration", "SLK"),
    ("KONTAKTCENTER", "Kontaktcenter", "SLK"),
    ("FORDON", "Fordon och transporter", None),
    ("ANLAGGNING", "Anläggning", None),
    ("GATA-PARK", "Gatu- och parkdrift", None),
]

PASSWORD = "demo"

# username, first name, last name, title, role, unit code
USERS = [
    ("tf.bestallare", "Tove", "Falk", "Beställare", Role.ORDERER, "TF"),
    ("tf.ombud", "Tomas", "Fredriksson", "Beställarombud", Role.PURCHASER_REPRESENTATIVE, "TF"),
    ("lf.bestallare", "Lina", "Forsberg", "Beställare", Role.ORDERER, "LF"),
    ("slk.huvudbestallare", "Sara", "Lindqvist", "Huvudbeställare", Role.MAIN_PURCHASER, "SLK"),
    ("sk.handlaggare", "Sami", "Karlsson", "Handläggare", Role.PROVIDER_STAFF, "SK"),
    ("sk.chef", "Susanne", "Kjellberg", "Förvaltningschef", Role.PROVIDER_MANAGER, "SK"),
    ("ks.uppsikt", "Karin", "Sundberg", "Controller", Role.OVERSIGHT, "KS"),
    ("revisor", "Rasmus", "Eriksson", "Revisor", Role.AUDITOR, "REV"),
    ("registrator", "Rebecka", "Ström", "Registrator", Role.REGISTRAR, "SN"),
    ("krisledning", "Kristian", "Larsson", "Krisledare", Role.CRISIS_LEAD, "KLN"),
    ("admin", "Ada", "Adminsson", "Systemförvaltare", Role.SYSTEM_ADMIN, None),
]


@transaction.atomic
def load() -> dict[str, int]:
    """Create whatever of the demo is missing; return how many rows of each were created."""
    created = {
        "legal_persons": 0,
        "ownerships": 0,
        "units": 0,
        "mandate_tasks": 0,
        "service_areas": 0,
        "users": 0,
        "memberships": 0,
    }
    people: dict[str, LegalPerson] = {}
    for key, name, number, kind in LEGAL_PERSONS:
        person = LegalPerson.objects.filter(org_number=number).first()
        if person is None:
            person = org_services.legal_person_create(
                actor=None,
                source=SOURCE,
                reason=REASON,
                name=name,
                org_number=number,
                kind=kind,
                valid_from=START,
            )
            created["legal_persons"] += 1
        people[key] = person
    for owner, owned, share in OWNERSHIP:
        if not Ownership.objects.filter(owner=people[owner], owned=people[owned]).exists():
            org_services.ownership_create(
                actor=None,
                source=SOURCE,
                reason=REASON,
                owner=people[owner],
                owned=people[owned],
                share_percent=Decimal(share),
                valid_from=START,
            )
            created["ownerships"] += 1
    units: dict[str, Unit] = {}
    for code, name, kind, person, parent, email, cost_centre, counterparty in UNITS:
        unit = Unit.objects.filter(code=code).order_by("-valid_from").first()
        if unit is None:
            unit = org_services.unit_create(
                actor=None,
                source=SOURCE,
                reason=REASON,
                code=code,
                name=name,
                kind=kind,
                legal_person=people[person],
                parent=units.get(parent) if parent else None,
                registry_email=email,
                cost_centre=cost_centre,
                counterparty_code=counterparty,
                valid_from=START,
            )
            created["units"] += 1
        units[code] = unit
    created["mandate_tasks"] = _load_mandate(units)
    created["service_areas"] = _load_service_areas(units)
    for username, first, last, title, role, unit_code in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.user_create(
                actor=None,
                source=SOURCE,
                reason=REASON,
                username=username,
                first_name=first,
                last_name=last,
                title=title,
                email=f"{username}@demo.ordna.invalid",
                password=PASSWORD,
                check_password=False,
            )
            created["users"] += 1
        unit = units[unit_code] if unit_code else None
        if not Membership.objects.filter(user=user, role=role, unit=unit).exists():
            account_services.membership_grant(
                actor=None,
                source=SOURCE,
                reason=REASON,
                user=user,
                role=role,
                unit=unit,
                valid_from=START,
            )
            created["memberships"] += 1
    from ordna.demo import catalogue as demo_catalogue

    created.update(demo_catalogue.load(units))
    from ordna.demo import orders as demo_orders

    created["orders"] = demo_orders.load(units)
    from ordna.demo import procurement as demo_procurement

    created.update(demo_procurement.load(units))
    return created


def _load_mandate(units: dict) -> int:
    from ordna.catalogue import services as catalogue_services
    from ordna.catalogue.models import MandateTask

    sn = units["SN"]
    if MandateTask.objects.filter(committee=sn).exists():
        return 0
    for text in MANDATE_ADOPTED:
        task = catalogue_services.mandate_task_propose(
            actor=None, committee=sn, text=text, source=SOURCE, reason=REASON
        )
        catalogue_services.mandate_task_adopt(
            actor=None,
            task=task,
            deciding_body=units["KF"],
            case_number=MANDATE_CASE,
            decided_on=datetime.date(2019, 12, 12),
            valid_from=START,
            source=SOURCE,
            reason=REASON,
        )
    catalogue_services.mandate_task_propose(
        actor=None,
        committee=sn,
        text=MANDATE_PROPOSED,
        proposed_by=sn,
        source=SOURCE,
        reason=REASON,
    )
    return len(MANDATE_ADOPTED) + 1


def _load_service_areas(units: dict) -> int:
    from ordna.catalogue import services as catalogue_services
    from ordna.catalogue.models import ServiceArea

    count = 0
    for code, name, main_purchaser in SERVICE_AREAS:
        if ServiceArea.objects.filter(code=code).exists():
            continue
        catalogue_services.service_area_create(
            actor=None,
            code=code,
            name=name,
            provider=units["SK"],
            responsible_committee=units["SN"],
            main_purchaser=units[main_purchaser] if main_purchaser else None,
            valid_from=START,
            source=SOURCE,
            reason=REASON,
        )
        count += 1
    return count
