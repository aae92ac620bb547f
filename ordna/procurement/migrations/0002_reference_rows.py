"""The thresholds and limits Ordna ships (ordna/procurement/reference.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from ordna.procurement.reference import load_rows

    load_rows(apps.get_model("procurement", "Threshold"), apps.get_model("procurement", "Limit"))


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
