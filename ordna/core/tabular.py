"""Reading an uploaded table (.xlsx or .csv) into numbered rows: the one reader behind
every import (driver values, delivery lines, …).

It only reads. Rows keep the numbers the spreadsheet shows, so that every later message
can name "row 7"; judging the values is the importing service's job, so a preview and
the final save apply the same rules. CSV: UTF-8 with or without BOM, ";" or "," as
separator. Limits: 2 MB and 5 000 rows.
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


def file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def read_table(upload) -> list[tuple[int, list]]:
    """(row number, cells) for every row of the first sheet, or a ValidationError on
    `file` that says what is wrong with the file."""
    name = (getattr(upload, "name", "") or "").lower()
    if upload.size > MAX_BYTES:
        raise file_error(_("The file is larger than 2 MB. Split it or remove other sheets."))
    if name.endswith(".xlsx"):
        return _xlsx_rows(upload)
    if name.endswith(".csv"):
        return _csv_rows(upload.read())
    raise file_error(_("Upload an .xlsx or a .csv file."))


def _xlsx_rows(upload):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise file_error(
            _("The file could not be read as an Excel workbook (.xlsx). Save it again as .xlsx.")
        ) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise file_error(_("The workbook has no sheet."))
        table = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise file_error(_("The file has more than 5,000 rows."))
            table.append((number, list(row)))
        return table
    finally:
        book.close()


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_error(
            _("The CSV file is not UTF-8 encoded. Save it as “CSV UTF-8” and try again.")
        ) from None
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 1:
        raise file_error(_("The file has more than 5,000 rows."))
    first = next((line for line in lines if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error:
        raise file_error(_("The CSV file could not be read.")) from None


def heading(value) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).strip().lower()
    return " ".join(text.split())


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if hasattr(value, "hour") else value.isoformat()
    return str(value).strip()


def columns(table, spec: dict[str, set[str]], missing: str, optional=frozenset()) -> list:
    """The rows under the heading row (the first that is not empty) as (row number,
    {column: text}) for the columns in `spec` (name → accepted headings). A required
    column without a heading raises `missing` on `file`."""
    table = [(n, cells) for n, cells in table if any(cell_text(c) for c in cells)]
    if not table:
        raise file_error(_("The file is empty."))
    _line, headings = table[0]
    names = [heading(h) for h in headings]
    found = {
        column: next((i for i, h in enumerate(names) if h in accepted), None)
        for column, accepted in spec.items()
    }
    if any(i is None for c, i in found.items() if c not in optional):
        raise file_error(missing)
    rows = []
    for line, cells in table[1:]:
        rows.append(
            (
                line,
                {
                    column: (cell_text(cells[i])[:300] if i is not None and i < len(cells) else "")
                    for column, i in found.items()
                },
            )
        )
    if not rows:
        raise file_error(_("The file has headings but no rows."))
    if len(rows) > MAX_ROWS:
        raise file_error(_("The file has more than 5,000 rows."))
    return rows
