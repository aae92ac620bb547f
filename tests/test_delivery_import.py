"""Delivery lines from the time system: checked per row and column, all or nothing,
and the same file twice adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ordna.accounts.models import User
from ordna.orders import imports
from ordna.orders.models import DeliveryReport, Order
from ordna.organisation.models import Unit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


@pytest.fixture
def handler(demo):
    return User.objects.get(username="sk.handlaggare")


@pytest.fixture
def sk(demo):
    return {Unit.objects.get(code="SK").pk}


def in_progress() -> Order:
    return Order.objects.get(title="Rensning av dagvattenbrunnar")


def csv_file(text: str, name="tid.csv"):
    return SimpleUploadedFile(name, ("\ufeff" + text).encode("utf-8"))


def run(handler, sk, upload):
    rows = imports.read(upload)
    return imports.import_deliveries(
        actor=handler, rows=rows, provider_ids=sk, key=imports.file_key(upload)
    )


def test_a_good_file_imports_once(handler, sk):
    order = in_progress()
    text = (
        "beställning;rad;datum;timmar;antal;anteckning\n"
        f"{order.number};1;{TODAY};7,5;10;Dag 1\n"
        f"{order.number};1;{TODAY};3;5;Dag 2\n"
    )
    assert run(handler, sk, csv_file(text)) == {"created": 2, "skipped": 0}
    assert run(handler, sk, csv_file(text)) == {"created": 0, "skipped": 2}
    assert DeliveryReport.objects.filter(order=order).count() == 2


def test_an_xlsx_with_english_headings(handler, sk):
    from openpyxl import Workbook

    order = in_progress()
    book = Workbook()
    book.active.append(["Order", "Line", "Date", "Hours"])
    book.active.append([order.number, 1, timezone.localdate(), 4.25])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("tid.xlsx", buffer.getvalue())
    assert run(handler, sk, upload)["created"] == 1
    assert DeliveryReport.objects.get(order=order).hours == 4.25


def test_one_bad_row_imports_nothing_and_names_row_and_column(handler, sk):
    order = in_progress()
    draft = Order.objects.get(state="draft")
    text = (
        "beställning;rad;datum;timmar\n"
        f"{order.number};1;{TODAY};2\n"
        f"{order.number};1;2026-13-40;2\n"
        f"{draft.number};1;{TODAY};2\n"
        f"B1999-000001;1;{TODAY};2\n"
        f"{order.number};9;{TODAY};-3\n"
    )
    rows = imports.read(csv_file(text))
    checked = imports.check(rows, sk)
    errors = {r["line"]: r["errors"] for r in checked if r["errors"]}
    assert set(errors) == {3, 4, 5, 6}
    assert errors[3][0][0] == "datum" and errors[6][0][0] == "rad"
    assert any(column == "timmar" for column, _m in errors[6])
    with pytest.raises(ValidationError) as error:
        run(handler, sk, csv_file(text))
    assert "3" in error.value.messages[0] and "datum" in error.value.messages[0]
    assert not DeliveryReport.objects.filter(order=order).exists()


def test_another_units_order_is_refused(handler):
    order = in_progress()
    rows = imports.read(csv_file(f"beställning;rad;datum\n{order.number};1;{TODAY}\n"))
    other = {Unit.objects.get(code="TF").pk}
    (row,) = imports.check(rows, other)
    assert row["errors"][0][0] == "beställning"


def test_a_file_without_the_headings_is_refused(handler, sk):
    with pytest.raises(ValidationError) as error:
        imports.read(csv_file("a;b\n1;2\n"))
    assert "file" in error.value.message_dict


def test_the_import_page_previews_then_imports(client, login_as, demo):
    order = in_progress()
    login_as("sk.handlaggare")
    url = "/bestallningar/leveranser/import/"
    good = csv_file(f"beställning;rad;datum;timmar\n{order.number};1;{TODAY};2\n")
    preview = client.post(url, {"file": good})
    assert preview.status_code == 200 and b'name="key"' in preview.content
    assert not DeliveryReport.objects.filter(order=order).exists()  # a preview saves nothing
    confirm = {name: _hidden(preview.content, name) for name in ("rows", "key", "file_name")}
    done = client.post(url, confirm)
    assert done.status_code == 302
    assert DeliveryReport.objects.filter(order=order).count() == 1
    bad = csv_file(f"beställning;rad;datum;timmar\n{order.number};1;igår;2\n")
    preview = client.post(url, {"file": bad})
    assert b'name="key"' not in preview.content and b"datum" in preview.content


def _hidden(content: bytes, name: str) -> str:
    import html
    import re

    match = re.search(rf'name="{name}" value="([^"]*)"', content.decode())
    return html.unescape(match.group(1)) if match else ""


def test_the_satisfaction_page(client, login_as, demo):
    login_as("revisor")
    body = client.get("/bestallningar/nojdhet/").content.decode()
    assert "DRIFT-GATA" in body  # the demo's rated delivery
