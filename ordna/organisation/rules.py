"""Pure rules for the organisation registry (no database access)."""

from __future__ import annotations

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr

# Kommun-Bas counterparty codes (motpart) allowed for a unit, by its legal person's kind.
COUNTERPARTY_RANGES = {
    "municipality": range(1, 5),
    "company": range(5, 8),
    "external": range(81, 88),
}

# Which unit kinds may belong to which kind of legal person.
UNIT_KINDS_BY_LEGAL_PERSON = {
    "municipality": {"council", "committee", "administration", "audit"},
    "company": {"company"},
    "external": {"external_customer"},
}

# Which kind of unit a unit may report to (None: no parent allowed or needed).
PARENT_KINDS = {
    "council": set(),
    "committee": {"council"},
    "administration": {"committee"},
    "audit": {"council"},
    "company": set(),
    "external_customer": set(),
}
PARENT_REQUIRED = {"administration"}


def normalise_org_number(value: str) -> str:
    """Validate a Swedish organisation number and format it as NNNNNN-NNNN.

    Raises ValueError with a short reason when the number is not valid.
    """
    try:
        return orgnr.format(orgnr.validate(value))
    except StdnumError as exc:
        raise ValueError(str(exc)) from exc


def counterparty_allowed(code: str, legal_person_kind: str) -> bool:
    if not code:
        return True
    allowed = COUNTERPARTY_RANGES.get(legal_person_kind)
    ascii_digits = code.isascii() and code.isdigit()
    return allowed is not None and ascii_digits and int(code) in allowed
