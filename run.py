#!/usr/bin/env python3
"""Quick start for a fresh clone: needs only Python 3.11+ and git.

    python3 run.py demo [--port PORT] [--no-serve]   set up and run the Borås demo
    python3 run.py test [pytest args]                 set up and run the test suite

Both create a virtual environment in .venv (once), install Ordna into it (again only
when pyproject.toml changed), compile the translations and then hand over to the
`ordna` command or to pytest inside that environment.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_environment(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (run.py may be started by an older Python)
        sys.exit(f"Ordna needs Python 3.11 or newer (found {sys.version.split()[0]}).")
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            shutil.rmtree(VENV, ignore_errors=True)
            sys.exit(
                f"Could not create the virtual environment ({exc}).\n"
                "On Debian or Ubuntu, install the venv module first: "
                "sudo apt install python3-venv"
            )
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".ordna-installed-{extras or 'base'}"
    if not stamp.exists() or stamp.read_text() != digest:
        print("Installing Ordna and its dependencies into .venv ...", flush=True)
        spec = f".[{extras}]" if extras else "."
        subprocess.run(
            [
                str(PYTHON),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-e",
                spec,
            ],
            cwd=ROOT,
            check=True,
        )
        stamp.write_text(digest)
    subprocess.run([str(PYTHON), "-m", "ordna.core.translations"], cwd=ROOT, check=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    if command == "demo":
        ensure_environment("")
        return subprocess.call([str(BIN / "ordna"), "demo", *rest])
    ensure_environment("dev")
    # The whole suite runs on both cores; a chosen file or test runs on its own.
    parallel = [] if rest else ["-n", "auto"]
    return subprocess.call([str(PYTHON), "-m", "pytest", *parallel, *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
