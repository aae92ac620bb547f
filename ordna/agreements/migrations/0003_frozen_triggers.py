from django.db import migrations


def install(apps, schema_editor):
    from ordna.core import frozen

    frozen.install(schema_editor.connection)


def drop(apps, schema_editor):
    from ordna.core import frozen

    frozen.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_initial"), ("catalogue", "0004_services_prices_keys")]

    operations = [migrations.RunPython(install, drop)]
