"""Importing driver values from a file: check first (nothing saved), then confirm; a file
with any bad row saves nothing. CSV and xlsx, Swedish and English headings."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override
from openpyxl import Workbook

from ordna.catalogue import imports
from ordna.catalogue import services as catalogue
from ordna.catalogue.models import AllocationKey, KeyValues

GOOD = {"SLK": "190", "TF": "425,5", "LF": "95", "FFF": "310"}


def sv(message: str, **params) -> str:
    with override("sv"):
        text = gettext(message)
    return escape(text % params if params else text)


def csv_file(rows, *, heading=("enhet", "värde"), delimiter=";", bom=True, name="varden.csv"):
    lines = [delimiter.join(heading)] + [delimiter.join(row) for row in rows]
    data = ("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n"
    return SimpleUploadedFile(name, data.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, *, heading=("Unit", "Value"), name="values.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(list(heading))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def key(demo):
    return AllocationKey.objects.get(code="ANSTALLDA")


def import_url(key) -> str:
    return reverse("catalogue:key_import", args=[key.pk])


def check(client, key, upload, year=2026):
    return client.post(import_url(key), {"year": year, "file": upload})


def confirm_data(response) -> dict:
    """The hidden fields of the preview's confirm form, as the browser would send them."""
    confirm = response.context["confirm"]
    assert confirm is not None, "no confirm button"
    data = {name: confirm[name].value() for name in confirm.fields}  # rows: JSON text
    return {**data, "step": "confirm"}


def test_a_good_csv_is_previewed_then_saved(client, key, login_as):
    login_as("sk.handlaggare")
    before = KeyValues.objects.filter(key=key, year=2026).count()
    response = check(client, key, csv_file(GOOD.items()))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tekniska förvaltningen" in body and response.context["confirm"] is not None
    assert 'type="hidden" name="rows"' in body and 'name="step" value="confirm"' in body
    assert KeyValues.objects.filter(key=key, year=2026).count() == before  # nothing yet

    response = client.post(import_url(key), confirm_data(response))
    assert response.status_code == 302
    values = KeyValues.objects.filter(key=key, year=2026).order_by("-number").first()
    assert values.number == before + 1 and values.source == "varden.csv"
    assert values.created_by.username == "sk.handlaggare"
    got = {row.unit.code: row.value for row in values.rows.select_related("unit")}
    assert got == {"SLK": 190, "TF": Decimal("425.5"), "LF": 95, "FFF": 310}
    assert "?ar=2026" in response["Location"]


def test_a_good_xlsx_with_english_headings_is_saved(client, key, login_as):
    login_as("slk.huvudbestallare")
    rows = [("SLK", 200), ("tf", 430.25), ("LF", "96")]
    response = check(client, key, xlsx_file(rows), year=2027)
    assert response.status_code == 200 and not response.context["bad_count"]
    response = client.post(import_url(key), confirm_data(response))
    assert response.status_code == 302
    values = KeyValues.objects.get(key=key, year=2027)
    got = {row.unit.code: row.value for row in values.rows.select_related("unit")}
    assert got == {"SLK": 200, "TF": Decimal("430.25"), "LF": 96}


def test_comma_delimiter_and_no_bom(client, key, login_as):
    login_as("sk.chef")
    upload = csv_file(
        [("SLK", "12.5"), ("TF", "7")], heading=("unit", "value"), delimiter=",", bom=False
    )
    response = check(client, key, upload)
    assert response.status_code == 200 and response.context["confirm"] is not None


def test_a_file_with_one_bad_row_saves_nothing_and_names_the_row(client, key, login_as):
    login_as("sk.handlaggare")
    before = KeyValues.objects.count()
    rows = [("SLK", "190"), ("TF", "425"), ("XYZ", "12"), ("LF", "95")]
    response = check(client, key, csv_file(rows))
    assert response.status_code == 200
    assert response.context["confirm"] is None and response.context["bad_count"] == 1
    bad = [row for row in response.context["checked"] if row["errors"]]
    assert [row["line"] for row in bad] == [4]  # the heading is row 1
    body = response.content.decode()
    assert sv("There is no unit with the code %(code)s in %(year)s.", code="XYZ", year=2026) in body
    assert KeyValues.objects.count() == before

    # Sending the rows anyway (a crafted confirm) is refused by the service: nothing saved.
    forged = {
        "step": "confirm",
        "year": "2026",
        "rows": json.dumps([[n, code, value] for n, (code, value) in enumerate(rows, 2)]),
        "file_name": "varden.csv",
    }
    response = client.post(import_url(key), forged)
    assert response.status_code == 200
    missing = sv("There is no unit with the code %(code)s in %(year)s.", code="XYZ", year=2026)
    assert missing in response.content.decode()
    assert KeyValues.objects.count() == before


def test_bad_values_and_duplicates_are_named(client, key, login_as):
    login_as("sk.handlaggare")
    rows = [("SLK", "abc"), ("TF", "-3"), ("TF", "4"), ("", "5")]
    response = check(client, key, csv_file(rows))
    errors = {row["line"]: row["errors"] for row in response.context["checked"]}
    assert errors[2] == [gettext("“%(text)s” is not a number.") % {"text": "abc"}]
    assert errors[3] == [gettext("A driver value cannot be negative.")]
    assert errors[4] == [gettext("The unit %(code)s appears more than once.") % {"code": "TF"}]
    assert errors[5] == [gettext("The unit code is missing.")]
    assert response.context["confirm"] is None


def test_a_percent_key_must_sum_to_100(client, demo, login_as):
    login_as("sk.chef")
    key = catalogue.allocation_key_create(
        actor=None,
        code="PROCENT",
        name="Fast fördelning",
        driver="custom",
        driver_label="Andel",
        method="percent",
    )
    before = KeyValues.objects.count()
    response = check(client, key, csv_file([("SLK", "40"), ("TF", "50,5")]))
    assert response.status_code == 200 and response.context["confirm"] is None
    message = sv("The percentages sum to %(total)s, not 100.", total="90,5")
    assert message in response.content.decode()
    assert KeyValues.objects.count() == before

    response = check(client, key, csv_file([("SLK", "49,5"), ("TF", "50,5")]))
    response = client.post(import_url(key), confirm_data(response))
    assert response.status_code == 302 and KeyValues.objects.count() == before + 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("values.txt", b"enhet;varde\nTF;1\n"),
            "Upload an .xlsx or a .csv file.",
        ),
        (
            SimpleUploadedFile("values.csv", "enhet;värde\nTF;1\n".encode("latin-1")),
            "The CSV file is not UTF-8 encoded. Save it as “CSV UTF-8” and try again.",
        ),
        (
            SimpleUploadedFile("values.xlsx", b"not a workbook"),
            "The file could not be read as an Excel workbook (.xlsx). Save it again as .xlsx.",
        ),
        (
            SimpleUploadedFile("values.csv", b"kod;antal\nTF;1\n"),
            "The first row must name the columns: “enhet” and “värde” (or “unit” and “value”).",
        ),
        (
            SimpleUploadedFile("values.csv", b"a" * (imports.MAX_BYTES + 1)),
            "The file is larger than 2 MB. Split it or remove other sheets.",
        ),
    ],
)
def test_unreadable_files_are_refused_on_the_file_field(client, key, login_as, upload, message):
    login_as("sk.handlaggare")
    before = KeyValues.objects.count()
    response = check(client, key, upload)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [gettext(message)]
    assert sv(message) in response.content.decode()
    assert KeyValues.objects.count() == before


def test_too_many_rows_are_refused():
    rows = "\n".join(f"U{i};1" for i in range(imports.MAX_ROWS + 1))
    upload = SimpleUploadedFile("many.csv", f"enhet;värde\n{rows}\n".encode())
    with pytest.raises(ValidationError) as caught:
        imports.parse_upload(upload)
    assert caught.value.message_dict["file"] == [gettext("The file has more than 5,000 rows.")]


def test_blank_rows_are_skipped_and_lines_keep_their_numbers():
    upload = SimpleUploadedFile("v.csv", "\ufeffEnhet;Värde\n\nTF;1,5\n;\nLF;2\n".encode())
    assert imports.parse_upload(upload) == [(3, "TF", "1,5"), (5, "LF", "2")]


def test_only_key_managers_import(client, key, login_as):
    login_as("tf.bestallare")
    assert client.post(import_url(key), {"year": 2026}).status_code == 404
