from django.db import migrations


def install(apps, schema_editor):
    from ordna.core import frozen

    frozen.install(schema_editor.connection)


class Migration(migrations.Migration):
    """Price lists, driver values and agreement versions join the frozen records."""

    dependencies = [("agreements", "0003_frozen_triggers")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
