"""The `ordna` command: Django's management commands under Ordna's settings, plus ours.

ordna demo      migrate, load the Borås demo, serve app and worker
ordna serve     production web server (gunicorn)
ordna worker    background worker
ordna audit verify
ordna <any Django command>, e.g. ordna migrate, ordna check --deploy
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordna.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "ordna"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
