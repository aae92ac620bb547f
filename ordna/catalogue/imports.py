"""Reading driver values from an uploaded file (.xlsx or .csv) into rows for the services.

The parser only reads: it returns `(line, unit code, value text)` rows, numbered as the
spreadsheet numbers them, and leaves every judgement about the values to
`services.check_driver_rows`, so a preview and the final save apply the same rules.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

UNIT_HEADINGS = {"enhet", "enhetskod", "unit", "unit code", "kod", "code"}
VALUE_HEADINGS = {"värde", "varde", "value", "drivare", "driver value"}


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def parse_upload(upload) -> list[tuple[int, str, str]]:
    """The rows of an uploaded file, or a ValidationError on `file` saying what is wrong."""
    name = (getattr(upload, "name", "") or "").lower()
    if upload.size > MAX_BYTES:
        raise _file_error(_("The file is larger than 2 MB. Split it or remove other sheets."))
    if name.endswith(".xlsx"):
        table = _xlsx_rows(upload)
    elif name.endswith(".csv"):
        table = _csv_rows(upload.read())
    else:
        raise _file_error(_("Upload an .xlsx or a .csv file."))
    return _rows(table)


def _xlsx_rows(upload):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _file_error(
            _("The file could not be read as an Excel workbook (.xlsx). Save it again as .xlsx.")
        ) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise _file_error(_("The workbook has no sheet."))
        table = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise _file_error(_("The file has more than 5,000 rows."))
            table.append((number, list(row)))
        return table
    finally:
        book.close()


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(
            _("The CSV file is not UTF-8 encoded. Save it as “CSV UTF-8” and try again.")
        ) from None
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 1:
        raise _file_error(_("The file has more than 5,000 rows."))
    first = next((line for line in lines if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error:
        raise _file_error(_("The CSV file could not be read.")) from None


def _heading(value) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).strip().lower()
    return " ".join(text.split())


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return str(value).strip()


def _rows(table) -> list[tuple[int, str, str]]:
    """Find the heading row (the first that is not empty), then read its two columns."""
    table = [(n, cells) for n, cells in table if any(_cell_text(c) for c in cells)]
    if not table:
        raise _file_error(_("The file is empty."))
    _line, headings = table[0]
    names = [_heading(h) for h in headings]
    unit_col = next((i for i, h in enumerate(names) if h in UNIT_HEADINGS), None)
    value_col = next((i for i, h in enumerate(names) if h in VALUE_HEADINGS), None)
    if unit_col is None or value_col is None:
        raise _file_error(
            _("The first row must name the columns: “enhet” and “värde” (or “unit” and “value”).")
        )
    rows = []
    for line, cells in table[1:]:
        code = _cell_text(cells[unit_col]) if unit_col < len(cells) else ""
        value = _cell_text(cells[value_col]) if value_col < len(cells) else ""
        rows.append((line, code[:100], value[:100]))
    if not rows:
        raise _file_error(_("The file has headings but no rows."))
    if len(rows) > MAX_ROWS:
        raise _file_error(_("The file has more than 5,000 rows."))
    return rows
