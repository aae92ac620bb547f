"""Browser journeys against a real Ordna server: fixtures.

A session starts one production server (`ordna serve`, gunicorn) and one worker on a fresh
SQLite database loaded with the Borås demo, unless E2E_BASE_URL names a server that is
already running (CI may point it at one on PostgreSQL). Every test gets a fresh browser
context that blocks and records any request to a host other than 127.0.0.1/localhost and
collects console errors (Content Security Policy violations show up there); the test
fails at teardown if there were any.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browsing import guarded_context, login
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 180
__all__ = ["login"]  # re-exported: tests may import it from here or from browsing


# --- The server under test ----------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env(tmp: Path) -> dict[str, str]:
    # Drop anything that would point the server somewhere other than the temp folder.
    dropped = {"STATIC_ROOT", "MEDIA_ROOT", "DEBUG", "HTTPS", "E2E_BASE_URL"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp / 'e2e.sqlite3'}",
            "ORDNA_VAR_DIR": str(tmp),
            "DJANGO_SETTINGS_MODULE": "ordna.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _health(base_url: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=3) as answer:  # noqa: S310
            return json.load(answer) if answer.status == 200 else None
    except (OSError, ValueError):
        return None


def _wait_healthy(base_url: str, processes: list[subprocess.Popen], logs: list[Path]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)
                raise RuntimeError(f"{process.args} exited with {process.returncode}\n{tails}")
        health = _health(base_url)
        if health and health.get("worker_heartbeat_age_seconds") is not None:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{base_url}/healthz gave no 200 with a worker heartbeat in time")


def _stop(process: subprocess.Popen) -> None:
    """End the process group we started (gunicorn's master and workers, or the worker)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    """The root URL of a running Ordna with the demo loaded, without a trailing slash."""
    external = os.environ.get("E2E_BASE_URL", "").strip().rstrip("/")
    if external:
        if _health(external) is None:
            pytest.fail(f"E2E_BASE_URL={external} does not answer /healthz with 200")
        yield external
        return

    tmp = tmp_path_factory.mktemp("ordna-e2e")
    env = _server_env(tmp)
    prepared = subprocess.run(
        [sys.executable, "-m", "ordna.cli", "demo", "--no-serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if prepared.returncode != 0:
        pytest.fail(f"ordna demo --no-serve failed:\n{prepared.stdout}\n{prepared.stderr}")

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    commands = {
        "serve": [sys.executable, "-m", "ordna.cli", "serve", "--port", str(port)],
        "worker": [sys.executable, "-m", "ordna.cli", "worker"],
    }
    processes, logs = [], []
    try:
        for name, command in commands.items():
            log = tmp / f"{name}.log"
            logs.append(log)
            with log.open("w") as sink:
                processes.append(
                    subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env=env,
                        stdout=sink,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        _wait_healthy(url, processes, logs)
        yield url
    finally:
        for process in processes:
            _stop(process)


# --- The browser --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def guard_and_context(browser, base_url):
    context, guard = guarded_context(browser, base_url)
    yield context, guard
    context.close()
    problems = guard.problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def context(guard_and_context):
    """A fresh browser context: outside requests are blocked and fail the test."""
    return guard_and_context[0]


@pytest.fixture
def guard(guard_and_context):
    """What the context recorded: blocked outside requests and console errors."""
    return guard_and_context[1]


@pytest.fixture
def page(context):
    return context.new_page()
