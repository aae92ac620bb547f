"""The thresholds and limits Ordna ships (ordna/procurement/reference.py)."""

from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from ordna.procurement.reference import LIMITS, THRESHOLDS

    Threshold = apps.get_model("procurement", "Threshold")
    Limit = apps.get_model("procurement", "Limit")
    for law, category, eur, sek, since, until, source, verified in THRESHOLDS:
        Threshold.objects.get_or_create(
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
    for kind, law, category, sek, since, source in LIMITS:
        Limit.objects.get_or_create(
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


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
