"""Issue 7, first part: periods, the invoice run (exactly once), posting and closing.

Accepted orders are set up with the ORM (the order workflow has its own tests); every
invoicing write goes through `ordna.invoicing.services` or the `ordna invoicing` command."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from ordna.accounts.models import User
from ordna.catalogue.models import Service
from ordna.invoicing import services
from ordna.invoicing.models import Invoice, InvoiceLine, Period
from ordna.orders.models import Order, OrderLine
from ordna.organisation.models import Unit

pytestmark = pytest.mark.django_db

PERIOD = (2024, 10)  # before the demo's monthly history
ACCEPTED = timezone.make_aware(datetime.datetime(2024, 10, 15, 12, 0))


def _accepted(purchaser: str, lines, *, service="DRIFT-GATA", accepted_at=ACCEPTED) -> Order:
    """An accepted order of `purchaser` to SK with priced lines [(quantity, price), ...]."""
    n = Order.objects.count() + 1
    order = Order.objects.create(
        number=f"TEST-{n:05d}",
        kind="call_off",
        title=f"Test {n}",
        purchaser=Unit.objects.get(code=purchaser),
        provider=Unit.objects.get(code="SK"),
        orderer=User.objects.get(username="tf.bestallare"),
        service=Service.objects.get(code=service) if service else None,
        state="accepted",
        accepted_at=accepted_at,
    )
    for position, (quantity, price) in enumerate(lines, start=1):
        OrderLine.objects.create(
            order=order,
            position=position,
            description=f"Rad {position}",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
        )
    return order


def _period() -> Period:
    return services.period_get(actor=None, year=PERIOD[0], month=PERIOD[1])


def test_a_run_invoices_each_accepted_line_once(demo):
    _accepted("TF", [("3", "1250.00"), ("1", "99.99")])
    _accepted("LF", [("2", "500.50")])
    _accepted("TF", [("1", "10")], accepted_at=ACCEPTED.replace(month=11))  # next period
    _accepted("TF", [("1", "20")], accepted_at=ACCEPTED.replace(month=9))  # the one before
    period = _period()
    first = services.run(actor=None, period=period)
    assert first["created_lines"] == 3 and first["lines"] == 3 and first["invoices"] == 2
    tf = Invoice.objects.get(period=period, purchaser__code="TF")
    assert tf.internal and tf.vat_amount == 0
    assert tf.net_amount == Decimal("3849.99") == tf.total_amount
    assert first["total_sek"] == "4850.99"
    line = tf.lines.first()
    assert line.cost_centre == "2110" and line.purchaser_cost_centre == "3110"
    assert line.counterparty == "1" and line.account
    again = services.run(actor=None, period=period)
    assert again["created_lines"] == 0
    assert {k: v for k, v in again.items() if k != "created_lines"} == {
        k: v for k, v in first.items() if k != "created_lines"
    }


def test_companies_pay_vat(demo):
    _accepted("ABB", [("2", "1000")])
    services.run(actor=None, period=_period())
    invoice = Invoice.objects.get(purchaser__code="ABB")
    assert not invoice.internal
    assert invoice.vat_amount == Decimal("500.00") and invoice.total_amount == Decimal("2500.00")
    assert invoice.lines.get().counterparty == "5"


def test_a_run_killed_half_way_is_completed_by_the_next(demo, monkeypatch):
    for code in ("TF", "LF", "FFF", "VAF"):
        _accepted(code, [("1", "100"), ("2", "50.25")])
    period = _period()
    real = services._retotal
    calls = {"n": 0}

    def crash(invoice):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("killed")
        real(invoice)

    monkeypatch.setattr(services, "_retotal", crash)
    with pytest.raises(RuntimeError):
        services.run(actor=None, period=period)
    assert InvoiceLine.objects.count() == 4  # two whole purchasers, nothing of the third
    monkeypatch.setattr(services, "_retotal", real)
    result = services.run(actor=None, period=period)
    assert result["created_lines"] == 4 and result["lines"] == 8
    assert result["total_sek"] == "802.00"  # 4 × (100 + 2 × 50.25)
    assert InvoiceLine.objects.values("order_line").distinct().count() == 8


def test_posting_numbers_without_gaps_and_freezes(demo):
    _accepted("TF", [("1", "100")])
    _accepted("LF", [("1", "200")])
    period = _period()
    services.run(actor=None, period=period)
    assert services.post(actor=None, period=period) == 2
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == ["F2024-000001", "F2024-000002"]
    invoice = Invoice.objects.get(number="F2024-000001")
    with pytest.raises(DatabaseError, match="frozen records"), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(net_amount=0)
    with pytest.raises(DatabaseError, match="frozen records"), transaction.atomic():
        InvoiceLine.objects.filter(invoice=invoice).update(net_amount=0)
    # A line accepted later goes on a new draft, not into the posted invoice.
    _accepted("TF", [("1", "300")])
    assert services.run(actor=None, period=period)["created_lines"] == 1
    assert Invoice.objects.filter(purchaser__code="TF", status="draft").count() == 1


def test_a_closed_period_takes_nothing_new(demo):
    _accepted("TF", [("1", "100")])
    period = _period()
    with pytest.raises(ValidationError):
        services.close(actor=None, period=period)  # a line not invoiced yet
    services.run(actor=None, period=period)
    with pytest.raises(ValidationError):
        services.close(actor=None, period=period)  # an unposted draft
    services.post(actor=None, period=period)
    services.close(actor=None, period=period)
    period.refresh_from_db()
    assert period.status == "closed"
    for action in (services.run, services.post, services.close):
        with pytest.raises(ValidationError) as refused:
            action(actor=None, period=period)
        assert "period" in refused.value.message_dict
    assert InvoiceLine.objects.count() == 1
    with pytest.raises(DatabaseError, match="frozen records"), transaction.atomic():
        Period.objects.filter(pk=period.pk).update(status="open")


def test_the_command_prints_the_summary_and_refuses_bad_periods(demo):
    _accepted("TF", [("2", "100")])
    out = StringIO()
    call_command("invoicing", "run", "--period", "2024-10", stdout=out)
    summary = json.loads(out.getvalue())
    assert {"invoices", "lines", "total_sek", "created_lines"} <= set(summary)
    assert summary["created_lines"] == 1 and summary["total_sek"] == "200.00"
    for bad in ("2026-13", "2026/10", "26-10", "x"):
        with pytest.raises(CommandError) as refused:
            call_command("invoicing", "run", "--period", bad, stdout=StringIO())
        assert refused.value.returncode == 2


# --- SIE 4i ------------------------------------------------------------------------------------


def _read_sie(data: bytes) -> dict:
    """A strict reader: code page 437, CR LF, the header in order, each #VER a block whose
    #TRANS rows name declared objects and sum to exactly zero."""
    import re
    import shlex

    text = data.decode("cp437")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    assert lines[:3] == ["#FLAGGA 0", "#FORMAT PC8", "#SIETYP 4"]
    labels = [line.split(" ", 1)[0] for line in lines]
    for label in ("#PROGRAM", "#GEN", "#FNAMN", "#ORGNR", "#DIM"):
        assert label in labels, label
    objects, vouchers, current = set(), [], None
    for line in lines:
        if line.startswith("#OBJEKT"):
            parts = shlex.split(line)
            objects.add((int(parts[1]), parts[2]))
        elif line.startswith("#VER"):
            parts = shlex.split(line)
            assert re.fullmatch(r"\d{8}", parts[3])
            current = {"number": parts[2], "rows": []}
        elif line == "{":
            assert current is not None
        elif line == "}":
            assert sum(r["amount"] for r in current["rows"]) == 0, current
            vouchers.append(current)
            current = None
        elif line.strip().startswith("#TRANS"):
            head, rest = line.strip().split("{", 1)
            dims, tail = rest.split("}", 1)
            for dim, code in zip(*[iter(shlex.split(dims))] * 2, strict=True):
                assert (int(dim), code) in objects, (dim, code)
            amount = tail.split()[0]
            assert re.fullmatch(r"-?\d+\.\d{2}", amount)
            current["rows"].append({"account": head.split()[1], "amount": Decimal(amount)})
    assert current is None
    return {"vouchers": vouchers, "text": text}


def test_export_sie_of_the_posted_invoices(demo, tmp_path):
    _accepted("TF", [("3", "1250.00"), ("1", "99.99")])
    _accepted("ABB", [("2", "1000")])
    _accepted("LF", [("1", "1")])
    period = _period()
    services.run(actor=None, period=period)
    services.post(actor=None, period=period)
    out = tmp_path / "period.se"
    call_command(
        "invoicing", "export-sie", "--period", "2024-10", "--out", str(out), stdout=StringIO()
    )
    data = out.read_bytes()
    parsed = _read_sie(data)
    assert "Borås kommun".encode("cp437") in data  # really code page 437
    posted = {i.number: i for i in Invoice.objects.filter(status="posted")}
    assert {v["number"] for v in parsed["vouchers"]} == set(posted)
    for voucher in parsed["vouchers"]:
        invoice = posted[voucher["number"]]
        debits = sum(r["amount"] for r in voucher["rows"] if r["amount"] > 0)
        assert debits == (invoice.net_amount if invoice.internal else invoice.total_amount)
    abb = next(v for v in parsed["vouchers"] if posted[v["number"]].purchaser.code == "ABB")
    assert {r["account"] for r in abb["rows"]} >= {"1510", "2611"}  # receivable, output VAT
    assert '#OBJEKT 1 "2110"' in parsed["text"] and '#OBJEKT 20 "5"' in parsed["text"]


def test_the_demo_month_before_today_runs_posts_exports_and_closes(demo, tmp_path):
    """Issue 7's first "done when": the demo leaves accepted orders in the month before
    today; that month runs, posts, exports to SIE 4i and closes; running again adds
    nothing."""
    first = timezone.localdate().replace(day=1)
    last_month = (first - datetime.timedelta(days=1)).strftime("%Y-%m")

    def command(*args) -> dict:
        out = StringIO()
        call_command("invoicing", *args, "--period", last_month, stdout=out)
        return json.loads(out.getvalue())

    summary = command("run")
    assert summary["invoices"] >= 1 and summary["created_lines"] >= 1
    assert Decimal(summary["total_sek"]) > 0
    assert command("post")["posted"] == summary["invoices"]
    sie_file = tmp_path / "month.se"
    command("export-sie", "--out", str(sie_file))
    parsed = _read_sie(sie_file.read_bytes())
    assert len(parsed["vouchers"]) == summary["invoices"]
    debits = sum(r["amount"] for v in parsed["vouchers"] for r in v["rows"] if r["amount"] > 0)
    assert debits == Decimal(summary["total_sek"])  # the demo's months are internal trade
    assert command("close")["status"] == "closed"
    with pytest.raises(CommandError):
        command("run")
    assert InvoiceLine.objects.count() == summary["lines"]
