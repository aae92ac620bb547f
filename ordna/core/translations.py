"""Compile the .po translation catalogues to .mo without GNU gettext.

Run by the quick-start script (`python3 run.py ...`) so a fresh clone with only Python
works; CI also runs Django's `compilemessages` (GNU msgfmt) as a stricter check.
Only catalogues whose .mo is missing or older than the .po are compiled.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parent.parent


def compile_all(force: bool = False) -> int:
    count = 0
    for po_path in sorted(PACKAGE.glob("**/locale/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if force or not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
    return count


if __name__ == "__main__":
    compile_all(force="--force" in sys.argv)
