"""Every page renders for the demo users (a fast check; the access matrix is stricter)."""

import pytest
from django.urls import reverse

from ordna.demo.boras import USERS


@pytest.mark.parametrize("username", [u[0] for u in USERS])
def test_start_page_in_swedish(client, demo, login_as, username):
    login_as(username)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="sv"' in body
    assert "Att göra" in body


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["database"] == "ok"
    assert data["migrations"] == "applied"
    assert "worker_heartbeat_age_seconds" in data
    assert data["audit_append_only"] is True
