"""Delivery lines from the provider's time system (.xlsx or .csv): read, check, import.

Columns (first row; Swedish or English headings): beställning/order, rad/line,
datum/date, and any of antal/quantity, timmar/hours, material, anteckning/note. Every
bad cell is named by row and column; a file with any bad row imports nothing; the same
file imported again adds nothing (each row's source key is the file's hash and its row
number).
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ordna.core import tabular
from ordna.orders.models import Order
from ordna.orders.workflow import State

COLUMNS = {
    "order": {"beställning", "bestallning", "ordernummer", "order", "order number"},
    "line": {"rad", "radnummer", "line"},
    "date": {"datum", "date"},
    "quantity": {"antal", "kvantitet", "quantity"},
    "hours": {"timmar", "tid", "hours"},
    "material": {"material", "material (kr)", "material amount"},
    "note": {"anteckning", "kommentar", "note"},
}
OPTIONAL = frozenset({"quantity", "hours", "material", "note"})
HEADINGS = {
    "order": "beställning",
    "line": "rad",
    "date": "datum",
    "quantity": "antal",
    "hours": "timmar",
    "material": "material",
}


def file_key(upload) -> str:
    upload.seek(0)
    digest = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)
    return digest[:40]


def read(upload) -> list[tuple[int, dict]]:
    return tabular.columns(
        tabular.read_table(upload),
        COLUMNS,
        _(
            "The first row must name the columns “beställning”, “rad” and “datum”, and "
            "any of “antal”, “timmar”, “material” and “anteckning”."
        ),
        optional=OPTIONAL,
    )


def _number(text: str) -> Decimal | None:
    cleaned = (text or "0").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 <= value < 10**10 else None


def check(rows, provider_ids) -> list[dict]:
    """Each row with its order, line, values and errors [(column heading, message)]."""
    numbers = {cells["order"].strip().upper() for _line, cells in rows}
    orders = {
        o.number.upper(): o
        for o in Order.objects.filter(number__in=numbers).prefetch_related("lines")
    }
    today = timezone.localdate()
    checked = []
    for line, cells in rows:
        errors = []
        order = orders.get(cells["order"].strip().upper())
        order_line = None
        if order is None:
            errors.append(
                (HEADINGS["order"], _("There is no order %(number)s.") % {"number": cells["order"]})
            )
        elif order.provider_id not in provider_ids:
            errors.append((HEADINGS["order"], _("The order is addressed to another unit.")))
        elif order.state not in (State.IN_PROGRESS, State.DELIVERED):
            errors.append(
                (
                    HEADINGS["order"],
                    _("The order is not in progress (it is %(state)s).")
                    % {"state": str(order.get_state_display()).lower()},
                )
            )
        if order is not None and not errors:
            position = cells["line"].strip()
            order_line = next((x for x in order.lines.all() if str(x.position) == position), None)
            if order_line is None:
                errors.append(
                    (
                        HEADINGS["line"],
                        _("The order has no line %(line)s.") % {"line": position or "–"},
                    )
                )
        try:
            performed_on = datetime.date.fromisoformat(cells["date"].strip()[:10])
        except ValueError:
            performed_on = None
            errors.append((HEADINGS["date"], _("Write the date as 2026-11-26.")))
        if performed_on and performed_on > today:
            errors.append((HEADINGS["date"], _("The date has not come yet.")))
        values = {}
        for column in ("quantity", "hours", "material"):
            values[column] = _number(cells.get(column, ""))
            if values[column] is None:
                errors.append(
                    (
                        HEADINGS[column],
                        _("“%(text)s” is not a number that is zero or more.")
                        % {"text": cells[column][:30]},
                    )
                )
        checked.append(
            {
                "line": line,
                "order": order,
                "order_line": order_line,
                "performed_on": performed_on,
                "note": cells.get("note", "")[:300],
                "errors": errors,
                **values,
            }
        )
    return checked


@transaction.atomic
def import_deliveries(*, actor, rows, provider_ids, key: str, source="web") -> dict:
    """Import checked rows: all or none; rows already imported from this file are skipped."""
    from ordna.orders.services import delivery_report

    checked = check(rows, provider_ids)
    bad = [r for r in checked if r["errors"]]
    if bad:
        first = bad[0]
        column, message = first["errors"][0]
        raise ValidationError(
            ngettext(
                "Row %(row)s, column “%(column)s”: %(error)s (%(count)s row has errors; "
                "nothing was imported.)",
                "Row %(row)s, column “%(column)s”: %(error)s (%(count)s rows have errors; "
                "nothing was imported.)",
                len(bad),
            )
            % {"row": first["line"], "column": column, "error": message, "count": len(bad)}
        )
    created = skipped = 0
    for row in checked:
        report = delivery_report(
            actor=actor,
            order=row["order"],
            line=row["order_line"],
            performed_on=row["performed_on"],
            quantity=row["quantity"],
            hours=row["hours"],
            material_amount=row["material"],
            note=row["note"],
            source_key=f"{key}:{row['line']}",
            source=source,
        )
        if report is None:
            skipped += 1
        else:
            created += 1
    return {"created": created, "skipped": skipped}
