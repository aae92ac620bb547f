"""The HTTP load scenario: the real server (gunicorn, N processes) under a bounded load.

For each database (SQLite always; PostgreSQL when reachable) it prepares a fresh database
with the demo (and `ordna generate --scale N` data when scale > 0), starts `ordna serve`
on a free 127.0.0.1 port, signs in, and runs a fixed-time, bounded load from threads
with persistent connections against the main pages and API lists. Traffic goes to
127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from ordna.bench.registry import Report, percentile, scenario

PAGES = [
    "/",
    "/organisation/enheter/",
    "/organisation/enheter/?q=SK",
    "/organisation/juridiska-personer/",
    "/konto/personer/",
    "/granskning/",
]
API = ["/api/v1/units/", "/api/v1/legal-persons/", "/api/v1/audit-events/", "/api/v1/me/"]
MAX_REQUESTS = 200_000  # a hard bound whatever the duration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ordna(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ordna.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


@contextmanager
def _database(kind: str, workdir: Path):
    """Yield an environment for a fresh database of `kind`, removed afterwards."""
    env = {**os.environ, "ORDNA_VAR_DIR": str(workdir), "DEBUG": "false"}
    if kind == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        yield env
        return
    import psycopg

    admin_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"ordna_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(admin_url)
    env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_reachable() -> bool:
    try:
        import psycopg

        url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        with psycopg.connect(url, connect_timeout=3):
            return True
    except Exception:
        return False


class Client:
    """One keep-alive connection with the session cookie or API token."""

    def __init__(self, port: int, headers: dict):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = headers

    def get(self, path: str) -> int:
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status


def _sign_in(port: int, username: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/konto/logga-in/")
    response = conn.getresponse()
    body = response.read().decode()
    csrf_cookie = re.search(r"ordna_csrftoken=([^;]+)", response.getheader("Set-Cookie", ""))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    )
    conn.request(
        "POST",
        "/konto/logga-in/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"ordna_csrftoken={csrf_cookie.group(1)}",
            "Referer": f"http://127.0.0.1:{port}/konto/logga-in/",
        },
    )
    response = conn.getresponse()
    response.read()
    session = re.search(r"ordna_session=([^;]+)", response.getheader("Set-Cookie", ""))
    if response.status != 302 or not session:
        raise RuntimeError(f"sign-in failed ({response.status})")
    return f"ordna_session={session.group(1)}"


def run_load(port: int, targets: list[tuple[str, dict]], duration: float, concurrency: int):
    """Each thread cycles through `targets` for `duration` seconds; returns latencies, errors."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + duration
    sent = [0]

    def worker(offset: int) -> None:
        nonlocal errors
        clients: dict[int, Client] = {}
        mine: list[float] = []
        failed = 0
        index = offset
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= MAX_REQUESTS:
                    break
                sent[0] += 1
            path, headers = targets[index % len(targets)]
            client = clients.setdefault(id(headers), Client(port, headers))
            start = time.perf_counter()
            try:
                status = client.get(path)
            except (OSError, http.client.HTTPException):
                status = 0
                clients.pop(id(headers), None)
            mine.append(time.perf_counter() - start)
            failed += status != 200
            index += 1
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(latencies), errors, time.monotonic() - started


def bench_backend(kind: str, options: dict) -> Report:
    workdir = Path(tempfile.mkdtemp(prefix=f"ordna-bench-{kind}-"))
    server = None
    try:
        with _database(kind, workdir) as env:
            _ordna(["demo", "--no-serve"], env, timeout=600)
            if options.get("scale"):
                _ordna(["generate", "--scale", str(options["scale"])], env, timeout=900)
            key = _ordna(["apitoken", "admin", "--name", "bench"], env).stdout.strip()
            port = _free_port()
            workers = options.get("workers") or 2
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ordna.cli",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            _wait_healthy(port)
            cookie = _sign_in(port, "admin", "demo")
            page_headers = {"Cookie": cookie}
            api_headers = {"Authorization": f"Token {key}", "Accept": "application/json"}
            targets = [(p, page_headers) for p in PAGES] + [(a, api_headers) for a in API]
            run_load(port, targets, duration=2, concurrency=2)  # warm-up
            latencies, errors, elapsed = run_load(
                port,
                targets,
                duration=options.get("duration", 15),
                concurrency=options.get("concurrency", 8),
            )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    report = Report(f"http {kind}")
    report.add("requests", len(latencies), "")
    report.add("throughput", len(latencies) / elapsed if elapsed else 0, "req/s")
    report.add("p50", percentile(latencies, 0.50) * 1000, "ms")
    report.add("p95", percentile(latencies, 0.95) * 1000, "ms")
    report.add("p99", percentile(latencies, 0.99) * 1000, "ms")
    report.add("errors", errors, "")
    report.notes = (
        f"{options.get('workers') or 2} gunicorn processes × 4 threads, "
        f"{options.get('concurrency', 8)} client threads, {options.get('duration', 15)} s, "
        f"{len(PAGES)} pages + {len(API)} API lists as admin, scale {options.get('scale', 0)}"
    )
    return report


def _wait_healthy(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not become healthy")


@scenario("http", "Real server under bounded load: throughput and latency, SQLite and PostgreSQL")
def http_load(options: dict) -> list[Report]:
    reports = [bench_backend("sqlite", options)]
    if postgres_reachable():
        reports.append(bench_backend("postgresql", options))
    else:
        reports.append(Report("http postgresql", notes="PostgreSQL not reachable: skipped"))
    return reports
