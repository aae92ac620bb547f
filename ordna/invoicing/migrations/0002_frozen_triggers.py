from django.db import migrations


def install(apps, schema_editor):
    from ordna.core import frozen

    frozen.install(schema_editor.connection)


class Migration(migrations.Migration):
    """Posted invoices and their lines, and closed periods, join the frozen records."""

    dependencies = [
        ("invoicing", "0001_initial"),
        ("procurement", "0004_frozen_triggers"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
