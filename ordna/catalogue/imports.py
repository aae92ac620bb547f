"""Reading driver values from an uploaded file (.xlsx or .csv) into rows for the services.

The file is read by `ordna.core.tabular`; this module only names the two columns. It
returns `(line, unit code, value text)` rows, numbered as the spreadsheet numbers them,
and leaves every judgement about the values to `services.check_driver_rows`, so a
preview and the final save apply the same rules.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ordna.core import tabular

MAX_BYTES = tabular.MAX_BYTES
MAX_ROWS = tabular.MAX_ROWS

UNIT_HEADINGS = {"enhet", "enhetskod", "unit", "unit code", "kod", "code"}
VALUE_HEADINGS = {"värde", "varde", "value", "drivare", "driver value"}


def parse_upload(upload) -> list[tuple[int, str, str]]:
    """The rows of an uploaded file, or a ValidationError on `file` saying what is wrong."""
    rows = tabular.columns(
        tabular.read_table(upload),
        {"unit": UNIT_HEADINGS, "value": VALUE_HEADINGS},
        _("The first row must name the columns: “enhet” and “värde” (or “unit” and “value”)."),
    )
    return [(line, cells["unit"][:100], cells["value"][:100]) for line, cells in rows]
