from django.db import migrations


def install(apps, schema_editor):
    from ordna.core import frozen

    frozen.install(schema_editor.connection)


class Migration(migrations.Migration):
    """Published rule set versions, their rules and examples, and every receipt,
    decision, review and comparison join the frozen records."""

    dependencies = [
        ("procurement", "0003_route_guidelines"),
        ("agreements", "0004_more_frozen_triggers"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
