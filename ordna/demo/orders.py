"""The Borås demo's orders: at least one in every state of the workflow, one past its
delivery date (a breach) with a deviation, one rated, two with attachments. Loading twice
changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from ordna.audit.models import AuditEvent

SOURCE = AuditEvent.Source.CLI
REASON = "Borås demo data"

ORDERER = {"orderer"}
HANDLER = {"provider_staff"}

# title, purchaser, kind, service, lines, the transitions to make
PLAN = [
    ("Snöröjning av skolgårdar i Norrby", "TF", "call_off", "VINTER", [("Skolgårdar", "40")], []),
    (
        "Lagning av trottoar på Allégatan",
        "TF",
        "call_off",
        "DRIFT-GATA",
        [("Trottoar", "16")],
        ["submit"],
    ),
    (
        "Ny gång- och cykelväg vid Viskan",
        "TF",
        "ad_hoc",
        "ANL-PROJEKT",
        [("Gång- och cykelväg, 200 m", "1")],
        ["submit", "request_quote"],
    ),
    (
        "Parkeringsplatser vid Ryaverket",
        "TF",
        "ad_hoc",
        None,
        [("Parkering, 20 platser", "1")],
        ["submit", "request_quote", "quote"],
    ),
    (
        "Två extra bilar till hemtjänsten",
        "TF",
        "call_off",
        "FORDON-LEASING",
        [("Bil", "24")],
        ["submit", "confirm"],
    ),
    (
        "Rensning av dagvattenbrunnar",
        "TF",
        "call_off",
        "DRIFT-GATA",
        [("Brunnar", "30")],
        ["submit", "confirm", "start"],
    ),
    (
        "Sandupptagning efter vintern",
        "TF",
        "call_off",
        "DRIFT-GATA",
        [("Sopning", "60")],
        ["submit", "confirm", "start", "deliver"],
    ),
    (
        "Skyltbyte på Stora Torget",
        "TF",
        "call_off",
        "DRIFT-GATA",
        [("Skyltar", "8")],
        ["submit", "confirm", "start", "deliver", "accept", "rate"],
    ),
    (
        "Lagning av potthål på Kungsgatan",
        "TF",
        "call_off",
        "DRIFT-GATA",
        [("Potthål", "10")],
        ["submit", "confirm", "start", "deliver", "accept", "invoice"],
    ),
    (
        "Snöröjning av infartsparkeringar",
        "TF",
        "call_off",
        "VINTER",
        [("Parkeringar", "20")],
        ["submit", "confirm", "start", "deliver", "accept", "invoice", "close"],
    ),
    ("Flytt av kontorsmöbler", "LF", "ad_hoc", None, [("Flytt", "1")], ["submit", "decline"]),
    (
        "Belysning i Ramnaparken",
        "TF",
        "call_off",
        "DRIFT-GATA",
        [("Armaturer", "12")],
        ["submit", "cancel"],
    ),
    (
        "Kantstenar vid Sandwalls plats",
        "TF",
        "call_off",
        "DRIFT-GATA",
        [("Kantsten", "40")],
        ["submit", "confirm", "start", "breach"],
    ),
]


def _site_plan_pdf() -> bytes:
    """A one-page PDF the orderer attaches to the quote request for the cycle path."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title("Situationsplan, gång- och cykelväg vid Viskan")
    pdf.set_creation_date(datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(text="Situationsplan: gång- och cykelväg vid Viskan")
    pdf.ln(12)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        w=0,
        text=(
            "Sträckning längs Viskans östra strand, från Västerbron till Ålgårdsbron, "
            "cirka 200 meter. Bredd 3 meter, asfalt, belysning var 25:e meter. "
            "Anslutning till befintlig gång- och cykelväg i båda ändar."
        ),
    )
    return bytes(pdf.output())


def _sweeping_csv() -> bytes:
    """The provider's list of swept streets, attached to the delivered order."""
    rows = [
        "gata;sträcka (m);datum",
        "Allégatan;850;2026-03-30",
        "Kungsgatan;620;2026-03-31",
        "Stora Torget;300;2026-04-01",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


# order title → who attaches ("orderer" or "handler"), file name, the file's content
ATTACHMENTS = {
    "Ny gång- och cykelväg vid Viskan": ("orderer", "situationsplan-viskan.pdf", _site_plan_pdf),
    "Sandupptagning efter vintern": ("handler", "sopade-gator.csv", _sweeping_csv),
}


def _attach(order, orderer, handler) -> None:
    from django.core.files.base import ContentFile

    from ordna.orders import services

    if order.title not in ATTACHMENTS:
        return
    who, name, content = ATTACHMENTS[order.title]
    services.attachment_add(
        actor=orderer if who == "orderer" else handler,
        order=order,
        uploaded_file=ContentFile(content(), name=name),
        source=SOURCE,
    )


def load(units: dict) -> int:
    from ordna.orders import services as order_services
    from ordna.orders.models import ExternalSalesCap, Order

    if not ExternalSalesCap.objects.exists():
        order_services.external_cap_set(
            actor=None,
            valid_from=datetime.date(2020, 1, 1),
            percent=Decimal("5"),
            case_number="KF 2019-00117",
            source=SOURCE,
            reason=REASON,
        )
    if Order.objects.exists():
        return 0
    from ordna.accounts.models import User
    from ordna.catalogue.models import Service

    people = {
        n: User.objects.get(username=n)
        for n in ("tf.bestallare", "lf.bestallare", "sk.handlaggare")
    }
    orderers = {"TF": people["tf.bestallare"], "LF": people["lf.bestallare"]}
    for title, purchaser, kind, service_code, lines, steps in PLAN:
        order = _create(
            units, orderers[purchaser], title, purchaser, kind, service_code, lines, Service
        )
        for step in steps:
            order = _step(order, step, orderers[purchaser], people["sk.handlaggare"])
        _attach(order, orderers[purchaser], people["sk.handlaggare"])
    history = _monthly_history(units, people)
    return len(PLAN) + history


# One accepted ad hoc need a month for the twelve months before this one, so that
# `ordna invoicing run --period <last month>` has something to invoice whenever the demo
# is loaded (issue 7). Purchaser, title, quoted lines (description, quantity, price).
HISTORY = [
    ("TF", "Lagning av kantsten", [("Kantsten", "40", "385.00")]),
    ("LF", "Målning av trapphus", [("Målning", "1", "48500.00")]),
    ("TF", "Linjemålning på parkering", [("Linjer", "1", "12800.00"), ("Skyltar", "4", "950")]),
    ("LF", "Byte av lysrörsarmaturer", [("Armaturer", "24", "1150.00")]),
]


def _monthly_history(units: dict, people: dict) -> int:
    """Each month's need goes the whole way through the services — submitted, quoted,
    accepted, started, delivered, accepted — and its times are then moved into its month
    (demo only, as the breach above; the audit trail keeps the day the demo was loaded)."""
    from ordna.orders import services
    from ordna.orders.models import Order

    handler = people["sk.handlaggare"]
    today = timezone.localdate()
    first = today.replace(day=1)
    count = 0
    for back in range(12, 0, -1):
        year, month = first.year, first.month - back
        while month < 1:
            year, month = year - 1, month + 12
        purchaser, title, lines = HISTORY[back % len(HISTORY)]
        orderer = people["tf.bestallare"] if purchaser != "LF" else people["lf.bestallare"]
        order = services.order_create(
            actor=orderer,
            purchaser=units[purchaser],
            provider=units["SK"],
            title=f"{title} ({year}-{month:02d})",
            kind="ad_hoc",
            description=title,
            lines=[{"description": d, "quantity": q} for d, q, _price in lines],
            source=SOURCE,
            reason=REASON,
        )
        order = _step(order, "submit", orderer, handler)
        order = _step(order, "request_quote", orderer, handler)
        order.refresh_from_db()
        services.quote_send(
            actor=handler,
            order=order,
            version=order.version,
            lines=[{"description": d, "quantity": q, "unit_price": price} for d, q, price in lines],
            valid_until=today + datetime.timedelta(days=30),
            delivery_days=10,
            assumptions="",
            roles=HANDLER,
            source=SOURCE,
            reason=REASON,
        )
        order.refresh_from_db()
        services.quote_answer(
            actor=orderer,
            order=order,
            version=order.version,
            answer="accept",
            roles=ORDERER,
            source=SOURCE,
        )
        for step in ("start", "deliver", "accept"):
            order.refresh_from_db()
            order = _step(order, step, orderer, handler)
        moment = timezone.make_aware(datetime.datetime(year, month, 10, 9, 0))
        Order.objects.filter(pk=order.pk).update(
            created_at=moment - datetime.timedelta(days=8),
            submitted_at=moment - datetime.timedelta(days=8),
            confirmed_at=moment - datetime.timedelta(days=6),
            delivered_at=moment - datetime.timedelta(days=1),
            accepted_at=moment,
        )
        count += 1
    return count


def _create(units, orderer, title, purchaser, kind, service_code, lines, Service):
    from ordna.orders import services

    service = Service.objects.get(code=service_code) if service_code else None
    return services.order_create(
        actor=orderer,
        purchaser=units[purchaser],
        provider=units["SK"],
        title=title,
        kind=kind,
        service=service,
        description=title if kind == "ad_hoc" else "",
        lines=[{"description": d, "quantity": q} for d, q in lines],
        source=SOURCE,
        reason=REASON,
    )


def _step(order, step, orderer, handler):
    from ordna.orders import services, workflow
    from ordna.orders.models import Order

    order.refresh_from_db()
    today = timezone.localdate()
    if step == "quote":
        services.quote_send(
            actor=handler,
            order=order,
            version=order.version,
            lines=[
                {"description": "Markarbeten", "quantity": "1", "unit_price": "185000"},
                {"description": "Asfaltering", "quantity": "600", "unit_price": "310"},
            ],
            valid_until=today + datetime.timedelta(days=30),
            delivery_days=30,
            assumptions="Förutsätter att marken inte är förorenad.",
            roles=HANDLER,
            source=SOURCE,
            reason=REASON,
        )
        return order
    if step == "rate":
        services.rate(
            actor=orderer, order=order, score=4, comment="Snabbt och snyggt.", source=SOURCE
        )
        return order
    if step == "breach":
        # Demo only: the work started five weeks ago and its delivery date has passed.
        past = today - datetime.timedelta(days=35)
        Order.objects.filter(pk=order.pk).update(delivery_due=past + datetime.timedelta(days=14))
        services.deviation_file(
            actor=orderer,
            order=order,
            kind="missed_sla",
            description="Arbetet skulle vara klart för två veckor sedan.",
            source=SOURCE,
        )
        services.delivery_report(
            actor=handler,
            order=order,
            line=order.lines.first(),
            performed_on=today,
            hours=Decimal("6"),
            quantity=Decimal("15"),
            note="Halva sträckan klar.",
            source=SOURCE,
        )
        return order
    t = workflow.TRANSITIONS[step]
    actor = {workflow.PURCHASER: orderer, workflow.PROVIDER: handler}.get(t.side)
    return services.transition(
        actor=actor,
        order=order,
        name=step,
        side=t.side,
        roles=ORDERER
        if t.side == workflow.PURCHASER
        else HANDLER
        if t.side == workflow.PROVIDER
        else (),
        version=order.version,
        reason="Kan inte utföras av Servicekontoret."
        if step == "decline"
        else ("Behovet försvann." if step == "cancel" else ""),
        source=SOURCE,
    )
