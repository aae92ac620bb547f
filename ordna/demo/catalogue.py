"""The Borås demo's catalogue, 2026 price list, allocation keys and 2026 agreements.

Figures are invented but plausible for a city of Borås's size; accounts are demo values
in the style of Kommun-Bas (check them against the municipality's own chart). Loading
twice changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from ordna.audit.models import AuditEvent

SOURCE = AuditEvent.Source.CLI
REASON = "Borås demo data"
YEAR = 2026

# The administrations that buy from Servicekontoret (SK itself excluded).
BUYERS = ["SLK", "TF", "LF", "FFF", "FSF", "GSF", "VAF"]

# key code, name, driver, values per administration (in BUYERS order)
KEYS = [
    ("ANSTALLDA", "Antal anställda", "employees", [180, 420, 95, 310, 1650, 2400, 3100]),
    (
        "LONEBESKED",
        "Antal lönebesked per år",
        "payslips",
        [2450, 5600, 1300, 4900, 22800, 32500, 47200],
    ),
    (
        "LEVFAKTUROR",
        "Antal leverantörsfakturor per år",
        "supplier_invoices",
        [3900, 14200, 9800, 6100, 7400, 10300, 12900],
    ),
    ("IT-ANVANDARE", "Antal IT-användare", "users", [200, 450, 110, 330, 1500, 2600, 2900]),
    ("FORDON", "Antal fordon", "vehicles", [0, 38, 3, 6, 4, 5, 62]),
]

# code, name, area, unit of measure, price model, obligation, account, key,
# (direct, overhead, capital, volume), description
SERVICES = [
    (
        "IT-ARBETSPLATS",
        "IT-arbetsplats",
        "IT",
        "användare och månad",
        "subscription",
        "mandatory",
        "3451",
        None,
        ("18000000", "2500000", "4200000", "96000"),
        "Dator, programvara, inloggning, lagring och support för en användare.",
    ),
    (
        "LON-ADM",
        "Löneadministration",
        "LON",
        "år",
        "fixed",
        "mandatory",
        "3452",
        "LONEBESKED",
        ("9800000", "1400000", "300000", "1"),
        "Lönekörning, lönebesked, skatter och arbetsgivaravgifter, rådgivning i lönefrågor.",
    ),
    (
        "EKONOMI-ADM",
        "Ekonomiadministration",
        "EKONOMI",
        "år",
        "fixed",
        "mandatory",
        "3453",
        "LEVFAKTUROR",
        ("6200000", "900000", "150000", "1"),
        "Leverantörs- och kundreskontra, bokföring, bokslutsstöd.",
    ),
    (
        "KONTAKTCENTER",
        "Kontaktcenter",
        "KONTAKTCENTER",
        "år",
        "fixed",
        "mandatory",
        "3454",
        "ANSTALLDA",
        ("5400000", "800000", "100000", "1"),
        "Stadens växel och kontaktcenter för invånarnas frågor.",
    ),
    (
        "FORDON-LEASING",
        "Fordonsleasing",
        "FORDON",
        "fordon och månad",
        "unit_price",
        "optional",
        "3455",
        None,
        ("9600000", "700000", "5300000", "2760"),
        "Personbilar och lätta lastbilar med service, däck och försäkring.",
    ),
    (
        "ANL-PROJEKT",
        "Anläggningsprojekt",
        "ANLAGGNING",
        "projekt",
        "quote",
        "optional",
        "3456",
        None,
        ("0", "0", "0", "1"),
        "Mark- och anläggningsarbeten enligt offert, till exempel gång- och cykelvägar.",
    ),
    (
        "DRIFT-GATA",
        "Gatudrift",
        "GATA-PARK",
        "timme",
        "hourly",
        "optional",
        "3457",
        None,
        ("14300000", "2100000", "1600000", "28000"),
        "Drift och underhåll av gator, gång- och cykelvägar.",
    ),
    (
        "VINTER",
        "Vinterväghållning med beredskap",
        "GATA-PARK",
        "timme",
        "hourly",
        "optional",
        "3458",
        None,
        ("8100000", "900000", "2000000", "12500"),
        "Snöröjning och halkbekämpning med beredskap dygnet runt under vintersäsongen.",
    ),
]

# Per administration: extra unit-agreement lines (service code, volume) beyond IT.
EXTRA_LINES = {
    "TF": [("DRIFT-GATA", "6000"), ("VINTER", "4000"), ("ANL-PROJEKT", "1")],
}

# Those who sign for each administration (the purchaser representatives); created here
# because the issue 2 user list has one for TF only.
SIGNERS = {
    "SLK": ("slk.huvudbestallare", None),
    "TF": ("tf.ombud", None),
    "LF": ("lf.ombud", ("Linnea", "Falk")),
    "FFF": ("fff.ombud", ("Fredrik", "Fors")),
    "FSF": ("fsf.ombud", ("Frida", "Sandell")),
    "GSF": ("gsf.ombud", ("Gustav", "Sjöberg")),
    "VAF": ("vaf.ombud", ("Viktoria", "Almqvist")),
}
# The agreement left in negotiation past the deadline.
OVERDUE = "LF"


def load(units: dict) -> dict[str, int]:
    from ordna.catalogue.models import Service

    created = {"services": 0, "allocation_keys": 0, "price_lists": 0, "agreements": 0}
    if Service.objects.filter(code="IT-ARBETSPLATS").exists():
        return created
    keys = _keys(units)
    created["allocation_keys"] = len(keys)
    services = _services(keys)
    created["services"] = len(services)
    _price_list(services)
    created["price_lists"] = 1
    created["agreements"] = _agreements(units, services)
    return created


def _keys(units) -> dict:
    from ordna.catalogue import services as catalogue

    keys = {}
    for code, name, driver, values in KEYS:
        key = catalogue.allocation_key_create(
            actor=None, source=SOURCE, reason=REASON, code=code, name=name, driver=driver
        )
        rows = [
            (i + 1, unit, str(value))
            for i, (unit, value) in enumerate(zip(BUYERS, values, strict=True))
            if value
        ]
        catalogue.key_values_register(
            actor=None,
            key=key,
            year=YEAR,
            rows=rows,
            source_name="HR- och ekonomisystemen, oktober 2025",
            source=SOURCE,
            reason=REASON,
        )
        keys[code] = key
    return keys


def _services(keys) -> dict:
    from ordna.catalogue import services as catalogue
    from ordna.catalogue.models import ServiceArea

    areas = {a.code: a for a in ServiceArea.objects.all()}
    services = {}
    for code, name, area, uom, model, obligation, account, key, _cost, text in SERVICES:
        services[code] = catalogue.service_create(
            actor=None,
            source=SOURCE,
            reason=REASON,
            code=code,
            name=name,
            description=text,
            area=areas[area],
            unit_of_measure=uom,
            price_model=model,
            obligation=obligation,
            account=account,
            default_key=keys.get(key) if key else None,
            valid_from=datetime.date(2020, 1, 1),
        )
    return services


def _price_list(services) -> None:
    from ordna.catalogue import services as catalogue

    price_list = catalogue.price_list_create(
        actor=None, year=YEAR, name="Prislista 2026", source=SOURCE, reason=REASON
    )
    for code, *_rest, cost, _text in SERVICES:
        direct, overhead, capital, volume = cost
        price_list.refresh_from_db()
        catalogue.price_set(
            actor=None,
            price_list=price_list,
            version=price_list.version,
            service=services[code],
            direct_cost=Decimal(direct),
            overhead_cost=Decimal(overhead),
            capital_cost=Decimal(capital),
            volume=Decimal(volume),
            source=SOURCE,
            reason=REASON,
        )
    price_list.refresh_from_db()
    catalogue.price_list_publish(
        actor=None, price_list=price_list, version=price_list.version, source=SOURCE, reason=REASON
    )


def _signer(username, names, unit):
    from ordna.accounts import services as account_services
    from ordna.accounts.models import Membership, Role, User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.user_create(
            actor=None,
            source=SOURCE,
            reason=REASON,
            username=username,
            first_name=names[0],
            last_name=names[1],
            title="Beställarombud",
            email=f"{username}@demo.ordna.invalid",
            password="demo",
            check_password=False,
        )
    if names and not Membership.objects.filter(user=user, unit=unit).exists():
        account_services.membership_grant(
            actor=None,
            source=SOURCE,
            reason=REASON,
            user=user,
            role=Role.PURCHASER_REPRESENTATIVE,
            unit=unit,
            valid_from=datetime.date(2020, 1, 1),
        )
    return user


def _agreements(units, services) -> int:
    from ordna.accounts.models import User
    from ordna.agreements import services as agreements

    sk = units["SK"]
    manager = User.objects.get(username="sk.chef")
    handler = User.objects.get(username="sk.handlaggare")
    agreements.cycle_set(
        actor=None,
        year=YEAR,
        negotiation_deadline=datetime.date(YEAR - 1, 11, 30),
        note="Avtalen för 2026 ska vara undertecknade före december 2025.",
        source=SOURCE,
        reason=REASON,
    )
    agreements.cycle_set(
        actor=None,
        year=YEAR + 1,
        negotiation_deadline=datetime.date(YEAR, 12, 15),
        source=SOURCE,
        reason=REASON,
    )
    users_values = dict(zip(BUYERS, KEYS[3][3], strict=True))
    vehicles = dict(zip(BUYERS, KEYS[4][3], strict=True))
    count = 0
    signed_on = timezone.make_aware(datetime.datetime(YEAR - 1, 11, 20, 10, 0))
    plan = []
    for code in BUYERS:
        lines = [("IT-ARBETSPLATS", str(users_values[code]))]
        if vehicles[code]:
            lines.append(("FORDON-LEASING", str(vehicles[code] * 12)))
        lines += EXTRA_LINES.get(code, [])
        plan.append((units[code], "unit", f"Tjänsteavtal {YEAR}", lines, code))
    plan.append(
        (
            units["SLK"],
            "common",
            f"Gemensamma administrativa tjänster {YEAR}",
            [("LON-ADM", "1"), ("EKONOMI-ADM", "1"), ("KONTAKTCENTER", "1")],
            "SLK",
        )
    )
    for purchaser, kind, title, lines, code in plan:
        agreement = agreements.agreement_create(
            actor=None,
            year=YEAR,
            purchaser=purchaser,
            provider=sk,
            kind=kind,
            title=title,
            source=SOURCE,
            reason=REASON,
        )
        for service_code, volume in lines:
            agreement.refresh_from_db()
            agreements.line_add(
                actor=None,
                agreement=agreement,
                version=agreement.version,
                service=services[service_code],
                volume=Decimal(volume),
                source=SOURCE,
                reason=REASON,
            )
        agreement.refresh_from_db()
        agreements.round_submit(
            actor=handler,
            agreement=agreement,
            version=agreement.version,
            side="provider",
            comment="Erbjudande enligt prislista 2026.",
            source=SOURCE,
            reason=REASON,
        )
        username, names = SIGNERS[code]
        signer = _signer(username, names, purchaser)
        if code == OVERDUE and kind != "common":
            agreement.refresh_from_db()
            line = agreement.versions.get().lines.get(service__code="IT-ARBETSPLATS")
            agreements.line_update(
                actor=signer,
                line=line,
                version=agreement.version,
                volume=Decimal("95"),
                source=SOURCE,
                reason=REASON,
            )
            agreement.refresh_from_db()
            agreements.round_submit(
                actor=signer,
                agreement=agreement,
                version=agreement.version,
                side="purchaser",
                comment="Vi räknar med färre användare efter omorganisationen.",
                source=SOURCE,
                reason=REASON,
            )
            count += 1
            continue
        agreement.refresh_from_db()
        agreements.agreement_agree(
            actor=signer,
            agreement=agreement,
            version=agreement.version,
            side="purchaser",
            source=SOURCE,
            reason=REASON,
        )
        role = "main_purchaser" if kind == "common" or code == "SLK" else "purchaser_representative"
        agreements.agreement_sign(
            actor=signer,
            agreement=agreement,
            side="purchaser",
            role=role,
            signed_at=signed_on,
            source=SOURCE,
            reason=REASON,
        )
        agreements.agreement_sign(
            actor=manager,
            agreement=agreement,
            side="provider",
            role="provider_manager",
            signed_at=signed_on,
            source=SOURCE,
            reason=REASON,
        )
        count += 1
    return count
