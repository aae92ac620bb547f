"""The agreement as a PDF and as an xlsx workbook: content, Swedish, any version.

fpdf2 compresses page content with zlib (FlateDecode); the tests inflate every stream
to read the text instead of turning compression off, so what is tested is what users
get."""

from __future__ import annotations

import io
import re
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from ordna.agreements import selectors
from ordna.agreements.documents import MONEY_FORMAT, _latin1, agreement_pdf
from ordna.agreements.models import Agreement

pytestmark = pytest.mark.django_db


def _sv(text: str) -> str:
    with translation.override("sv"):
        return gettext(text)


def pdf_text(data: bytes) -> str:
    """The PDF's page text and metadata: every stream inflated, as Latin-1."""
    parts = [data.decode("latin-1")]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)


def _get(client, name, number, **query):
    agreement = Agreement.objects.get(number=number)
    return client.get(reverse(f"agreements:{name}", args=[agreement.pk]), query)


def test_pdf_of_a_signed_agreement(client, demo, login_as):
    login_as("tf.bestallare")
    response = _get(client, "pdf", "2026-002")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="avtal-2026-002-v1.pdf"' in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "2026-002" in text
    assert "IT-ARBETSPLATS" in text
    assert "Tekniska f\xf6rvaltningen" in text  # Swedish letters in Latin-1
    assert "Servicekontoret" in text
    assert _latin1(_sv("Signatures")) in text
    assert "Tomas Fredriksson" in text  # the purchaser's signer
    assert "/Lang (sv)" in text
    assert "Ordna" in text  # author


def test_pdf_of_an_unsigned_agreement_says_so(client, demo, login_as):
    login_as("sk.handlaggare")
    response = _get(client, "pdf", "2026-003")
    assert response.status_code == 200
    assert _latin1(_sv("Not signed")) in pdf_text(response.content)


def test_pdf_of_a_common_agreement_has_the_allocation(client, demo, login_as):
    login_as("slk.huvudbestallare")
    response = _get(client, "pdf", "2026-008")
    text = pdf_text(response.content)
    assert _latin1(_sv("Allocation per unit")) in text
    for code in ("TF", "LF", "GSF"):
        assert re.search(rf"\({code} ", text), code


def test_pdf_never_fails_on_characters_outside_latin1(demo):
    agreement = Agreement.objects.get(number="2026-002")
    agreement.title = "Avtal – IT → drift “ny” € ✓ 中"
    version = agreement.versions.get()
    data = agreement_pdf(agreement, version, selectors.charges(agreement, version))
    text = pdf_text(data)
    assert "Avtal - IT -> drift" in text and "EUR" in text


def test_unknown_version_is_404_and_others_cannot_read(client, demo, login_as):
    login_as("tf.bestallare")
    assert _get(client, "pdf", "2026-002", version=2).status_code == 404
    assert _get(client, "xlsx", "2026-002", version=2).status_code == 404
    login_as("lf.bestallare")
    assert _get(client, "pdf", "2026-002").status_code == 404
    assert _get(client, "xlsx", "2026-002").status_code == 404


def test_xlsx_of_a_common_agreement(client, demo, login_as):
    login_as("sk.chef")
    response = _get(client, "xlsx", "2026-008", version=1)
    assert response.status_code == 200
    assert 'filename="avtal-2026-008-v1.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    lines, charges_sheet = book.worksheets
    assert book.properties.creator == "Ordna"
    with translation.override("sv"):
        assert lines.title == gettext("Lines")[:31]
        assert lines["A1"].value == gettext("Service code")
        assert lines["L1"].value == gettext("Yearly amount")
    codes = [row[0].value for row in lines.iter_rows(min_row=2, max_row=4)]
    assert codes == ["LON-ADM", "EKONOMI-ADM", "KONTAKTCENTER"]
    amount = lines["L2"]
    assert isinstance(amount.value, int | float) and amount.number_format == MONEY_FORMAT

    agreement = Agreement.objects.get(number="2026-008")
    charges = selectors.charges(agreement, agreement.versions.get())
    rows = list(charges_sheet.iter_rows(min_row=2, values_only=True))
    units, total = rows[:-1], rows[-1]
    year_column = 2 + 3  # unit code, unit, three driver columns
    assert [r[0] for r in units] == [u.unit.code for u in charges.units]
    assert Decimal(str(total[year_column])) == charges.total
    assert sum(Decimal(str(r[year_column])) for r in units) == charges.total
    assert all(isinstance(r[2], int | float) for r in units)  # driver values are numbers


def test_xlsx_of_a_unit_agreement(client, demo, login_as):
    login_as("tf.ombud")
    response = _get(client, "xlsx", "2026-002")
    book = load_workbook(io.BytesIO(response.content))
    lines = book.worksheets[0]
    volume = lines["D2"]
    assert lines["A2"].value == "IT-ARBETSPLATS" and isinstance(volume.value, int | float)
    last = lines.max_row
    agreement = Agreement.objects.get(number="2026-002")
    assert (
        Decimal(str(lines.cell(last, 12).value))
        == selectors.charges(agreement, agreement.versions.get()).total
    )


def test_xlsx_keeps_formula_like_text_as_text(client, demo, login_as):
    """Text starting with "=" is never written as a formula (formula injection)."""
    import io

    from openpyxl import load_workbook

    from ordna.agreements.models import Agreement, AgreementLine

    agreement = Agreement.objects.get(number="2026-003")  # open: its lines may change
    line = AgreementLine.objects.filter(version__agreement=agreement).first()
    AgreementLine.objects.filter(pk=line.pk).update(indicators='=HYPERLINK("http://x","y")')
    login_as("sk.chef")
    response = client.get(reverse("agreements:xlsx", args=[agreement.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)
