"""`ordna demo`: idempotent preparation, then a real server and worker on a port."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.worker


@pytest.fixture
def demo_env(tmp_path):
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "ORDNA_VAR_DIR": str(tmp_path),
    }


def _ordna(args, env, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "ordna.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as raw:
        return {
            t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in (
                "audit_auditevent",
                "organisation_unit",
                "accounts_user",
                "accounts_membership",
                "organisation_ownership",
            )
        }


def test_demo_twice_changes_nothing(demo_env, tmp_path):
    first = _ordna(["demo", "--no-serve"], demo_env)
    assert first.returncode == 0, first.stderr
    assert "tf.bestallare" in first.stdout and "Demo data loaded" in first.stdout
    before = _counts(tmp_path / "demo.sqlite3")
    second = _ordna(["demo", "--no-serve"], demo_env)
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    assert _counts(tmp_path / "demo.sqlite3") == before
    assert (
        before["organisation_unit"] == 23 and before["accounts_user"] == 16
    )  # 11 from issue 2, 5 signers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_demo_serves_app_and_worker(demo_env, tmp_path):
    port = _free_port()
    # The output goes to a file, not a pipe nobody reads: the worker prints the demo's
    # e-mails (console backend), and a full pipe would block it mid-task.
    log = (tmp_path / "demo.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "ordna.cli", "demo", "--port", str(port)],
        cwd=ROOT,
        env=demo_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        health = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:  # noqa: S310
                    health = json.load(answer)
                if health.get("worker_heartbeat_age_seconds") is not None:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert health and health["status"] == "ok", health
        assert health["worker_heartbeat_age_seconds"] is not None

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = browser.open(f"{base}/konto/logga-in/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "sk.chef", "password": "demo"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/konto/logga-in/", data=form, headers={"Referer": f"{base}/konto/logga-in/"}
        )
        home = browser.open(request).read().decode()
        assert "Att göra" in home and 'lang="sv"' in home
        css = browser.open(f"{base}/static/vendor/designsystemet/designsystemet.css")
        assert css.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
