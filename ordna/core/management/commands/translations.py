"""`ordna translations`: refresh the Swedish catalogue from the source and list what is missing.

ordna translations           run makemessages (needs GNU gettext), turn fuzzy guesses
                             into untranslated entries, list every untranslated msgid
ordna translations --check   the same, but exit non-zero when anything is untranslated
                             (CI runs this: a new string without Swedish fails the build)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ordna.core.translations import compile_all


class Command(BaseCommand):
    help = "Refresh locale/sv from the source; list (or --check for) untranslated strings."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check: bool, **options):
        package = Path(settings.BASE_DIR)
        if shutil.which("xgettext"):
            cwd = Path.cwd()
            try:
                os.chdir(package)
                call_command(
                    "makemessages",
                    locale=["sv"],
                    no_obsolete=True,
                    ignore_patterns=["static/*"],
                    verbosity=0,
                )
            finally:
                os.chdir(cwd)
        else:
            self.stderr.write("GNU gettext (xgettext) missing: checking the catalogue as it is.")
        missing = []
        for po_path in package.glob("locale/*/LC_MESSAGES/django.po"):
            catalogue = polib.pofile(str(po_path))
            for entry in catalogue:
                if "fuzzy" in entry.flags and entry.msgid:
                    # A fuzzy guess is usually wrong; make it an honest gap instead.
                    entry.flags.remove("fuzzy")
                    entry.previous_msgid = None
                    entry.previous_msgid_plural = None  # alone it breaks msgfmt
                    entry.previous_msgctxt = None
                    entry.msgstr = ""
                    entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
            catalogue.save()
            missing += [(po_path, e.msgid) for e in catalogue.untranslated_entries()]
        compile_all()
        for po_path, msgid in missing:
            self.stdout.write(f"{po_path.relative_to(package)}: untranslated: {msgid!r}")
        if missing and check:
            raise CommandError(f"{len(missing)} untranslated strings.")
        if not missing:
            self.stdout.write("Every string has a Swedish translation.")
