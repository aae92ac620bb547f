"""Sign-in, lockout, session timeouts, security headers and the production deploy check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from ordna.accounts.middleware import SESSION_KEY
from ordna.audit.models import AuditEvent

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/konto/logga-in/"


def test_sign_in_with_password_and_audit(client, demo):
    response = client.post(LOGIN, {"username": "tf.bestallare", "password": "demo"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert AuditEvent.objects.filter(
        action="accounts.sign_in", actor_username="tf.bestallare"
    ).exists()
    assert client.get(reverse("core:home")).status_code == 200


def test_wrong_password_message_in_swedish(client, demo):
    response = client.post(LOGIN, {"username": "tf.bestallare", "password": "fel"})
    assert response.status_code == 200
    assert "Fel användarnamn eller lösenord" in response.content.decode()


def test_lockout_after_repeated_failures(client, demo, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "sk.chef", "password": "wrong"})
    response = client.post(LOGIN, {"username": "sk.chef", "password": "demo"})
    assert response.status_code == 429
    assert "För många misslyckade inloggningsförsök" in response.content.decode()
    # Another account from the same address is not locked.
    other = client.post(LOGIN, {"username": "sk.handlaggare", "password": "demo"})
    assert other.status_code == 302


def test_idle_timeout_is_the_cookie_age(client, demo, login_as, settings):
    login_as("tf.bestallare")
    client.get(reverse("core:home"))
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60


def test_absolute_timeout_ends_an_active_session(client, demo, login_as, settings):
    login_as("tf.bestallare")
    session = client.session
    session[SESSION_KEY] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("organisation:unit_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "expired=1" in response["Location"]
    assert client.get(reverse("core:home")).status_code == 302  # signed out


def test_security_headers_and_strict_csp(client, demo, login_as):
    login_as("admin")
    response = client.get(reverse("organisation:unit_list"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "url_name",
    ["core:home", "organisation:unit_list", "organisation:unit_create", "accounts:token_list"],
)
def test_no_inline_script_or_style(client, demo, login_as, url_name):
    login_as("admin")
    body = client.get(reverse(url_name)).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "inline <script>"
    assert " style=" not in body and "<style" not in body
    assert "http://" not in body.replace("http://testserver", "")
    assert "https://" not in body


def test_english_is_available(client, demo, login_as):
    login_as("tf.bestallare")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("core:home")).content.decode()
    assert 'lang="en"' in body and "To do" in body
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert "Att göra" in client.get(reverse("core:home")).content.decode()


PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "k9#Qm2!vX8$pL4@zR7^wN1&bT6*yH3(eJ5)uF0-cD_sA+gK" * 2,
    "ALLOWED_HOSTS": "ordna.boras.example",
    "DATABASE_URL": "postgres://ordna@db.example.invalid:5432/ordna",
}


def test_check_deploy_has_no_warnings_in_production():
    env = {**os.environ, **PRODUCTION}
    result = subprocess.run(
        [sys.executable, "-m", "ordna.cli", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_check_deploy_warns_about_the_development_key():
    env = {**os.environ, **PRODUCTION, "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "-m", "ordna.cli", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "ordna.W001" in result.stdout + result.stderr


def test_swedish_even_when_the_browser_asks_for_english(client, demo, login_as):
    login_as("tf.bestallare")
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Att göra" in response.content.decode()
    assert response["Content-Language"] == "sv"
