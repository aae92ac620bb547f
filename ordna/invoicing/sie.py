"""SIE 4i export of a period's posted invoices: the file a ledger reads, so that nobody
retypes an invoice (SIE filformat utgåva 4B; type 4i is for feeder systems).

The file is PC8 (IBM code page 437) text with CR LF line ends:

    #FLAGGA 0, #FORMAT PC8, #SIETYP 4, #PROGRAM, #GEN, #FNAMN, #ORGNR,
    #DIM 1 (cost centre) and #DIM 20 (counterparty, Kommun-Bas motpart), an #OBJEKT per
    cost centre and counterparty used, then one #VER per invoice with its #TRANS rows.

Each voucher balances to the öre:
- an internal invoice (same legal person, one ledger) credits the provider's revenue on
  the provider's cost centre and debits the purchaser's internal cost account on the
  purchaser's cost centre, both with the other side's counterparty code;
- an invoice to a company or an external customer debits the receivable (total), credits
  the revenue per line and the output VAT.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from decimal import Decimal

from django.conf import settings

from ordna import __version__
from ordna.invoicing.models import Invoice, Period

DIM_COST_CENTRE = 1
DIM_COUNTERPARTY = 20
_REPLACE = {"—": "-", "–": "-", "’": "'", "‘": "'", "”": '"', "“": '"', "…": "..."}


def _text(value: str) -> str:
    """A quoted SIE string: quotes and backslashes escaped, characters outside code page
    437 replaced by their nearest plain form."""
    value = "".join(_REPLACE.get(ch, ch) for ch in str(value))
    value = value.encode("cp437", errors="replace").decode("cp437")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _date(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


def _objects(dims: list[tuple[int, str]]) -> str:
    return "{" + " ".join(f"{dim} {_text(code)}" for dim, code in dims if code) + "}"


def transactions(invoice: Invoice, lines) -> list[tuple[str, list, Decimal, str]]:
    """The voucher rows of one invoice: (account, [(dim, object)], amount, text).
    Debits positive, credits negative; the rows sum to zero."""
    rows = []
    provider_code = invoice.provider.counterparty_code or "1"
    if invoice.internal:
        for line in lines:
            rows.append(
                (
                    line.account,
                    [(DIM_COST_CENTRE, line.cost_centre), (DIM_COUNTERPARTY, line.counterparty)],
                    -line.net_amount,
                    line.description,
                )
            )
            rows.append(
                (
                    settings.INVOICING_INTERNAL_COST_ACCOUNT,
                    [
                        (DIM_COST_CENTRE, line.purchaser_cost_centre),
                        (DIM_COUNTERPARTY, provider_code),
                    ],
                    line.net_amount,
                    line.description,
                )
            )
        return rows
    counterparty = invoice.purchaser.counterparty_code
    rows.append(
        (
            settings.INVOICING_RECEIVABLE_ACCOUNT,
            [(DIM_COUNTERPARTY, counterparty)],
            invoice.total_amount,
            invoice.purchaser.name,
        )
    )
    vat = Decimal(0)
    for line in lines:
        rows.append(
            (
                line.account,
                [(DIM_COST_CENTRE, line.cost_centre), (DIM_COUNTERPARTY, line.counterparty)],
                -line.net_amount,
                line.description,
            )
        )
        vat += line.vat_amount
    if vat:
        rows.append(
            (
                settings.INVOICING_OUTPUT_VAT_ACCOUNT,
                [(DIM_COUNTERPARTY, counterparty)],
                -vat,
                "Utgående moms",
            )
        )
    return rows


def export(period: Period, *, generated: datetime.date) -> bytes:
    """The SIE 4i file of the period's posted invoices, encoded in code page 437."""
    from ordna.organisation.selectors import municipality

    invoices = list(
        Invoice.objects.filter(period=period, status=Invoice.Status.POSTED)
        .select_related("purchaser", "provider")
        .prefetch_related("lines")
        .order_by("number")
    )
    owner = municipality(period.last_day)
    cost_centres: OrderedDict[str, str] = OrderedDict()
    counterparties: OrderedDict[str, str] = OrderedDict()
    vouchers = []
    for invoice in invoices:
        rows = transactions(invoice, list(invoice.lines.all()))
        if sum((r[2] for r in rows), Decimal(0)) != 0:  # never: the rows are built to balance
            raise ValueError(f"voucher {invoice.number} does not balance")
        for _account, dims, *_rest in rows:
            for dim, code in dims:
                if dim == DIM_COST_CENTRE and code:
                    cost_centres.setdefault(code, "")
                elif dim == DIM_COUNTERPARTY and code:
                    counterparties.setdefault(code, "")
        vouchers.append((invoice, rows))
    names = _unit_names()
    out = [
        "#FLAGGA 0",
        "#FORMAT PC8",
        "#SIETYP 4",
        f"#PROGRAM {_text('Ordna')} {_text(__version__)}",
        f"#GEN {_date(generated)}",
        f"#FNAMN {_text(owner.name if owner else '')}",
    ]
    if owner is not None:
        out.append(f"#ORGNR {owner.org_number}")
    out.append(f"#DIM {DIM_COST_CENTRE} {_text('Kostnadsställe')}")
    out.append(f"#DIM {DIM_COUNTERPARTY} {_text('Motpart')}")
    for code in sorted(cost_centres):
        out.append(f"#OBJEKT {DIM_COST_CENTRE} {_text(code)} {_text(names.get(code, code))}")
    for code in sorted(counterparties, key=lambda c: (len(c), c)):
        out.append(f"#OBJEKT {DIM_COUNTERPARTY} {_text(code)} {_text(_counterparty_name(code))}")
    for invoice, rows in vouchers:
        title = f"{invoice.get_kind_display()} {invoice.number} {invoice.purchaser.code}"
        out.append(
            f"#VER {_text('F')} {_text(invoice.number)} {_date(period.last_day)} {_text(title)}"
        )
        out.append("{")
        for account, dims, amount, text in rows:
            # No transaction date of its own (""): the voucher's date applies.
            out.append(f'   #TRANS {account} {_objects(dims)} {_amount(amount)} "" {_text(text)}')
        out.append("}")
    return ("\r\n".join(out) + "\r\n").encode("cp437")


def _unit_names() -> dict[str, str]:
    from ordna.organisation.models import Unit

    return {
        u.cost_centre: u.name for u in Unit.objects.exclude(cost_centre="").order_by("valid_from")
    }


def _counterparty_name(code: str) -> str:
    number = int(code)
    if 1 <= number <= 4:
        return "Kommunens egna enheter"
    if 5 <= number <= 7:
        return "Kommunens bolag"
    if 81 <= number <= 87:
        return "Externa motparter"
    return "Motpart"
