from django.db import migrations


def install_triggers(apps, schema_editor):
    from ordna.audit import triggers

    triggers.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from ordna.audit import triggers

    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install_triggers, drop_triggers)]
