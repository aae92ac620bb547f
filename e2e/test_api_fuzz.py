"""Schemathesis against the running server and the committed OpenAPI schema.

Signs in as the demo administrator through the login form, creates an API token in that
session (the only way tokens are made), and lets schemathesis generate requests for every
operation: 0 server errors, 0 responses outside the schema (status codes, content types,
bodies). Revoking tokens is left out: the fuzzer would revoke its own credentials.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def _admin_token(base_url: str) -> str:
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = browser.open(f"{base_url}/konto/logga-in/").read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": "admin", "password": "demo"}
    ).encode()
    referer = {"Referer": f"{base_url}/konto/logga-in/"}
    browser.open(urllib.request.Request(f"{base_url}/konto/logga-in/", data=form, headers=referer))
    page = browser.open(f"{base_url}/konto/api-nycklar/").read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    request = urllib.request.Request(
        f"{base_url}/api/v1/tokens/",
        data=json.dumps({"name": "schemathesis"}).encode(),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": csrf,
            "Referer": f"{base_url}/konto/api-nycklar/",
        },
    )
    return json.load(browser.open(request))["key"]


def test_api_fuzzing_finds_no_server_errors_and_no_schema_breaks(base_url, tmp_path):
    key = _admin_token(base_url)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        str(ROOT / "openapi.yaml"),
        "--url",
        base_url,
        "-H",
        f"Authorization: Token {key}",
        "--checks",
        CHECKS,
        "--exclude-path-regex",
        "revoke",
        "--max-time",
        os.environ.get("FUZZ_SECONDS", "90"),
        "--seed",
        os.environ.get("FUZZ_SEED", "20261126"),
    ]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    summary = output[output.find("SUMMARY") :] if "SUMMARY" in output else output[-3000:]
    assert result.returncode == 0, output[-8000:]
    assert "Server error" not in output, summary
    print(summary)
