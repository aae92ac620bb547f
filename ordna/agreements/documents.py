"""The agreement as documents: a Swedish PDF (fpdf2) and the lines as xlsx (openpyxl).

Both are rendered in Swedish whatever the reader's interface language: the agreement is
the municipality's document. The PDF uses a core font (Helvetica), which covers
Latin-1 only, so every text goes through `_latin1` and can never make it fail.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ordna.accounts.models import Role

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
# Characters outside Latin-1 that agreements commonly contain, and what prints instead.
_REPLACEMENTS = {
    "–": "-",
    "—": "-",
    "−": "-",
    "→": "->",
    "←": "<-",
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "…": "...",
    "•": "-",
    "€": "EUR",
    "\u202f": " ",
    "\u2009": " ",
}


def _latin1(text) -> str:
    """`text` as something Helvetica can print: known look-alikes, then '?' for the rest."""
    text = "" if text is None else str(text)
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("latin-1", "replace").decode("latin-1")


def _money(amount) -> str:
    if amount is None:
        return "-"
    return formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)


def _number(value) -> str:
    if value is None:
        return "-"
    value = Decimal(value).normalize()
    places = max(0, -value.as_tuple().exponent)
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _party(unit) -> str:
    person = unit.legal_person
    return _("%(name)s (%(code)s), %(legal)s, org.nr %(org)s") % {
        "name": unit.name,
        "code": unit.code,
        "legal": person.name,
        "org": person.org_number,
    }


def _role(code: str) -> str:
    return str(dict(Role.choices).get(code, code))


def _person(user) -> str:
    if user is None:
        return "-"
    return user.get_full_name() or user.username


# --- PDF -----------------------------------------------------------------------------------------
def agreement_pdf(agreement, version, charges) -> bytes:
    """The agreement version as a PDF, in Swedish."""
    with translation.override("sv"):
        return bytes(_AgreementPdf(agreement, version, charges).build())


class _AgreementPdf:
    def __init__(self, agreement, version, charges):
        from fpdf import FPDF

        self.agreement, self.version, self.charges = agreement, version, charges
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)

    def build(self):
        pdf, agreement = self.pdf, self.agreement
        title = _("Agreement %(number)s") % {"number": agreement.number}
        pdf.set_title(_latin1(f"{title}: {agreement.title}"))
        pdf.set_author("Ordna")
        pdf.set_creator("Ordna")
        pdf.set_subject(_latin1(agreement.title))
        pdf.set_lang("sv")
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        self.text(f"{title}: {agreement.title}", height=8)
        pdf.set_font("Helvetica", size=10)
        self.facts()
        self.lines()
        if agreement.is_common:
            self.allocation()
        self.service_levels()
        self.signatures()
        self.footer()
        return pdf.output()

    def text(self, value, height=5):
        from fpdf.enums import XPos, YPos

        self.pdf.multi_cell(0, height, _latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, value):
        self.pdf.ln(4)
        self.pdf.set_font("Helvetica", "B", 12)
        self.text(value, height=7)
        self.pdf.set_font("Helvetica", size=10)

    def table(self, rows, widths, align):
        self.pdf.set_font("Helvetica", size=9)
        with self.pdf.table(
            col_widths=widths, text_align=align, line_height=5, first_row_as_headings=True
        ) as table:
            for data in rows:
                row = table.row()
                for value in data:
                    row.cell(_latin1(value))
        self.pdf.set_font("Helvetica", size=10)

    def facts(self):
        agreement, version = self.agreement, self.version
        facts = [
            (_("Agreement number"), agreement.number),
            (
                _("Version"),
                f"{version.number} ({version.get_state_display()})"
                + (f": {version.reason}" if version.reason else ""),
            ),
            (_("Provider"), _party(agreement.provider)),
            (_("Purchaser"), _party(agreement.purchaser)),
            (_("Kind"), agreement.get_kind_display()),
            (
                _("Period"),
                f"{agreement.valid_from:%Y-%m-%d} - {agreement.valid_to:%Y-%m-%d}",
            ),
            (_("Applies from"), f"{version.valid_from:%Y-%m-%d}"),
            (_("Status"), agreement.get_status_display()),
            (_("Price list"), version.price_list.name),
        ]
        self.pdf.ln(2)
        for label, value in facts:
            self.text(f"{label}: {value}")

    def lines(self):
        self.heading(_("Services and prices"))
        lines = self.charges.lines
        if not lines:
            self.text(_("No services yet."))
            return
        rows = [
            [
                _("Service"),
                _("Price model"),
                _("Volume"),
                _("Price"),
                _("List price"),
                _("Yearly amount"),
            ]
        ]
        for line in lines:
            rows.append(
                [
                    f"{line.service.code} {line.service.name}",
                    line.get_price_model_display(),
                    _number(line.volume),
                    _money(line.unit_price) + (" *" if line.negotiated else ""),
                    _money(line.list_price),
                    _money(line.yearly_amount),
                ]
            )
        rows.append([_("Total per year (SEK)"), "", "", "", "", _money(self.charges.total)])
        self.table(
            rows, (60, 30, 20, 25, 25, 30), ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
        )
        if any(line.negotiated for line in lines):
            self.text(_("* Negotiated price, differs from the price list."))

    def allocation(self):
        self.heading(_("Allocation per unit"))
        self.text(
            _(
                "Lines with a key are shared by the driver values for the year, exactly to "
                "the öre; the other lines are charged to the purchaser."
            )
        )
        rows = [[_("Unit"), _("Per year (SEK)"), _("Per month (SEK)")]]
        for unit in self.charges.units:
            months = sorted(set(unit.months))
            per_month = (
                _money(months[0])
                if len(months) == 1
                else (f"{_money(months[0])} - {_money(months[-1])}")
            )
            rows.append([f"{unit.unit.code} {unit.unit.name}", _money(unit.yearly), per_month])
        rows.append([_("Total"), _money(self.charges.total), ""])
        self.table(rows, (90, 50, 50), ("LEFT", "RIGHT", "RIGHT"))

    def service_levels(self):
        self.heading(_("Service levels"))
        if not self.charges.lines:
            self.text(_("No services yet."))
            return
        rows = [[_("Service"), _("Response (working days)"), _("Delivery (working days)")]]
        rows[0].append(_("Follow-up indicators"))
        for line in self.charges.lines:
            rows.append(
                [
                    line.service.code,
                    str(line.response_days),
                    str(line.delivery_days),
                    line.indicators or "-",
                ]
            )
        self.table(rows, (45, 35, 35, 75), ("LEFT", "RIGHT", "RIGHT", "LEFT"))

    def signatures(self):
        self.heading(_("Signatures"))
        signatures = list(self.version.signatures.all())
        if not signatures:
            self.text(_("Not signed"))
            return
        rows = [[_("Side"), _("Signed by"), _("As"), _("When")]]
        for signature in signatures:
            rows.append(
                [
                    signature.get_side_display(),
                    _person(signature.signed_by),
                    _role(signature.role),
                    f"{timezone.localtime(signature.signed_at):%Y-%m-%d %H:%M}",
                ]
            )
        self.table(rows, (35, 55, 55, 45), ("LEFT", "LEFT", "LEFT", "LEFT"))

    def footer(self):
        self.pdf.ln(6)
        self.pdf.set_font("Helvetica", "I", 8)
        self.text(
            _("Generated by Ordna %(when)s from the price list %(list)s.")
            % {
                "when": f"{timezone.localtime():%Y-%m-%d %H:%M}",
                "list": self.version.price_list.name,
            }
        )


# --- xlsx ----------------------------------------------------------------------------------------
def agreement_xlsx(agreement, version, charges) -> bytes:
    """The version's lines, and the charges per unit, as a workbook in Swedish."""
    from openpyxl import Workbook

    with translation.override("sv"):
        book = Workbook()
        book.properties.title = _("Agreement %(number)s") % {"number": agreement.number}
        book.properties.creator = "Ordna"
        book.properties.language = "sv"
        _lines_sheet(book.active, version, charges)
        _charges_sheet(book.create_sheet(), charges)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def _no_formulas(row) -> None:
    """Text that starts with "=" is kept as text, never a formula the spreadsheet program
    would run (formula injection): we write no formulas at all."""
    for cell in row:
        if cell.data_type == "f":
            cell.data_type = "s"


def _header(sheet, titles) -> None:
    from openpyxl.styles import Font

    sheet.append([str(t) for t in titles])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _money_cells(row, columns) -> None:
    for column in columns:
        row[column].number_format = MONEY_FORMAT


def _lines_sheet(sheet, version, charges) -> None:
    sheet.title = _("Lines")[:31]
    _header(
        sheet,
        [
            _("Service code"),
            _("Service"),
            _("Price model"),
            _("Volume"),
            _("Price"),
            _("List price"),
            _("Negotiated"),
            _("Key"),
            _("Response (working days)"),
            _("Delivery (working days)"),
            _("Follow-up indicators"),
            _("Yearly amount"),
        ],
    )
    for line in charges.lines:
        sheet.append(
            [
                line.service.code,
                line.service.name,
                str(line.get_price_model_display()),
                line.volume,
                line.unit_price,
                line.list_price,
                str(_("Yes") if line.negotiated else _("No")),
                line.allocation_key.code if line.allocation_key_id else "",
                line.response_days,
                line.delivery_days,
                line.indicators,
                line.yearly_amount,
            ]
        )
        row = sheet[sheet.max_row]
        _no_formulas(row)
        row[3].number_format = "#,##0.##"
        _money_cells(row, (4, 5, 11))
    sheet.append([_("Total per year (SEK)")] + [None] * 10 + [charges.total])
    _money_cells(sheet[sheet.max_row], (11,))


def _charges_sheet(sheet, charges) -> None:
    from django.utils.dates import MONTHS_3

    sheet.title = _("Charges per unit")[:31]
    keyed = [line for line in charges.lines if line.allocation_key_id]
    drivers = [
        _("Driver %(key)s (%(service)s)")
        % {"key": line.allocation_key.code, "service": line.service.code}
        for line in keyed
    ]
    months = [str(MONTHS_3[m]).capitalize() for m in range(1, 13)]
    _header(sheet, [_("Unit code"), _("Unit"), *drivers, _("Per year"), *months])
    first_money = 2 + len(keyed)
    for unit in charges.units:
        sheet.append(
            [
                unit.unit.code,
                unit.unit.name,
                *[unit.drivers.get(line.pk) for line in keyed],
                unit.yearly,
                *unit.months,
            ]
        )
        _no_formulas(sheet[sheet.max_row])
        _money_cells(sheet[sheet.max_row], range(first_money, first_money + 13))
    month_totals = charges.month_totals
    sheet.append([_("Total"), None, *[None] * len(keyed), charges.total, *month_totals])
    _money_cells(sheet[sheet.max_row], range(first_money, first_money + 1 + len(month_totals)))
