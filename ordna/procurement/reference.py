"""The reference rows Ordna ships (../shared/domain/BRIEF.md §2): loaded by migration
0002 and kept here as data so that tests and documentation read the same figures.

Append only: a new threshold period is new rows here *and* a new migration that loads
them (0002 loads whatever is listed, with get_or_create, so it stays correct when rerun)."""

from __future__ import annotations

import datetime

D = datetime.date
UHM_2024 = "Upphandlingsmyndigheten: tröskelvärden 2024–2025"
EU_2026 = "Delegerade förordningar (EU) 2025/2150–2152 (SEK-värden ännu inte publicerade)"
LIMITS_2022 = "LOU och LUF 19 a kap., ändrade 1 februari 2022"

# law, category, EUR, SEK (None: not known), valid from, valid to, source, verified
THRESHOLDS = [
    (
        "LOU",
        "supplies_services",
        221_000,
        2_389_585,
        D(2024, 1, 1),
        D(2025, 12, 31),
        UHM_2024,
        True,
    ),
    (
        "LOU",
        "supplies_services_central",
        143_000,
        1_546_202,
        D(2024, 1, 1),
        D(2025, 12, 31),
        UHM_2024,
        True,
    ),
    ("LOU", "works", 5_538_000, 59_880_179, D(2024, 1, 1), D(2025, 12, 31), UHM_2024, True),
    ("LOU", "social_services", 750_000, 8_109_450, D(2024, 1, 1), D(2025, 12, 31), UHM_2024, True),
    (
        "LUF",
        "supplies_services",
        443_000,
        4_789_982,
        D(2024, 1, 1),
        D(2025, 12, 31),
        UHM_2024,
        True,
    ),
    ("LUF", "works", 5_538_000, 59_880_179, D(2024, 1, 1), D(2025, 12, 31), UHM_2024, True),
    # Derived at the same rate, not an official figure: converted, so provisional.
    (
        "LUF",
        "social_services",
        1_000_000,
        10_812_600,
        D(2024, 1, 1),
        D(2025, 12, 31),
        UHM_2024,
        False,
    ),
    ("LOU", "supplies_services", 216_000, None, D(2026, 1, 1), D(2027, 12, 31), EU_2026, False),
    (
        "LOU",
        "supplies_services_central",
        140_000,
        None,
        D(2026, 1, 1),
        D(2027, 12, 31),
        EU_2026,
        False,
    ),
    ("LOU", "works", 5_404_000, None, D(2026, 1, 1), D(2027, 12, 31), EU_2026, False),
    ("LOU", "social_services", 750_000, None, D(2026, 1, 1), D(2027, 12, 31), EU_2026, False),
    ("LUF", "supplies_services", 432_000, None, D(2026, 1, 1), D(2027, 12, 31), EU_2026, False),
    ("LUF", "works", 5_404_000, None, D(2026, 1, 1), D(2027, 12, 31), EU_2026, False),
    ("LUF", "social_services", 1_000_000, None, D(2026, 1, 1), D(2027, 12, 31), EU_2026, False),
]

# kind, law, category ("" = every other), SEK (None: equals the threshold), valid from, source
LIMITS = [
    ("direct_award", "LOU", "", 700_000, D(2022, 2, 1), LIMITS_2022),
    ("direct_award", "LUF", "", 1_200_000, D(2022, 2, 1), LIMITS_2022),
    ("direct_award", "LOU", "social_services", None, D(2022, 2, 1), LIMITS_2022),
    ("direct_award", "LUF", "social_services", None, D(2022, 2, 1), LIMITS_2022),
    ("documentation", "LOU", "", 100_000, D(2022, 2, 1), "LOU 19 a kap. 11 §"),
    ("documentation", "LUF", "", 100_000, D(2022, 2, 1), "LUF 19 a kap. 11 §"),
]


def load_rows(threshold_model, limit_model) -> int:
    """Create the rows above that are missing (get_or_create: rerunning adds nothing);
    return how many were created. Migration 0002 passes its historical models; the demo
    passes the real ones, for a database whose rows were flushed (transactional tests)."""
    from decimal import Decimal

    created = 0
    for law, category, eur, sek, since, until, source, verified in THRESHOLDS:
        _row, new = threshold_model.objects.get_or_create(
            law=law,
            category=category,
            valid_from=since,
            defaults={
                "eur": Decimal(eur),
                "sek": None if sek is None else Decimal(sek),
                "valid_to": until,
                "source": source,
                "verified": verified,
            },
        )
        created += new
    for kind, law, category, sek, since, source in LIMITS:
        _row, new = limit_model.objects.get_or_create(
            kind=kind,
            law=law,
            category=category,
            valid_from=since,
            defaults={
                "sek": None if sek is None else Decimal(sek),
                "equals_threshold": sek is None,
                "source": source,
            },
        )
        created += new
    return created
