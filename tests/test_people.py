"""People administration: add, change, make inactive; change one's own password."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ordna.accounts.models import User
from ordna.accounts.services import api_token_authenticate, api_token_create, user_update
from ordna.audit.models import AuditEvent


def test_admin_adds_a_person_with_password_rules(client, demo, login_as):
    login_as("admin")
    url = reverse("accounts:person_create")
    weak = client.post(url, {"username": "ny.person", "password": "kort"})
    assert weak.status_code == 200
    assert 'id="id_password_error"' in weak.content.decode()
    assert not User.objects.filter(username="ny.person").exists()
    ok = client.post(
        url,
        {"username": "ny.person", "first_name": "Nina", "password": "ett-riktigt-bra-lösenord-42"},
    )
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(
        action="accounts.user.create", object_repr__contains="Nina"
    ).exists()


def test_inactive_person_cannot_sign_in_or_use_tokens(client, demo):
    admin = User.objects.get(username="admin")
    person = User.objects.get(username="lf.bestallare")
    _token, key = api_token_create(actor=person, name="script")
    assert api_token_authenticate(key) == person
    user_update(actor=admin, user=person, is_active=False, reason="slutat")
    assert api_token_authenticate(key) is None
    response = client.post("/konto/logga-in/", {"username": "lf.bestallare", "password": "demo"})
    assert response.status_code == 200  # refused, form shown again
    event = AuditEvent.objects.filter(action="accounts.user.update").latest("id")
    assert event.before["is_active"] is True and event.after["is_active"] is False
    assert event.reason == "slutat"


def test_admin_cannot_make_self_inactive(demo):
    admin = User.objects.get(username="admin")
    with pytest.raises(ValidationError) as caught:
        user_update(actor=admin, user=admin, is_active=False)
    assert "is_active" in caught.value.message_dict
    assert User.objects.get(username="admin").is_active


def test_unchanged_person_writes_no_event(demo):
    admin = User.objects.get(username="admin")
    before = AuditEvent.objects.count()
    person = User.objects.get(username="tf.ombud")
    user_update(actor=admin, user=person, first_name=person.first_name)
    assert AuditEvent.objects.count() == before


def test_person_edit_page(client, demo, login_as):
    login_as("admin")
    person = User.objects.get(username="tf.ombud")
    url = reverse("accounts:person_edit", args=[person.pk])
    bad = client.post(url, {"first_name": "Tomas", "email": "inte-en-adress"})
    assert bad.status_code == 200
    assert "Ange en giltig mejladress." in bad.content.decode()
    good = client.post(
        url,
        {
            "first_name": "Tomas",
            "last_name": "Fredriksson",
            "email": "tomas@example.se",
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    person.refresh_from_db()
    assert person.email == "tomas@example.se"


def test_change_own_password(client, demo):
    client.post("/konto/logga-in/", {"username": "sk.handlaggare", "password": "demo"})
    url = reverse("accounts:password_change")
    wrong = client.post(url, {"old_password": "fel", "new_password1": "x", "new_password2": "x"})
    assert wrong.status_code == 200
    new = "ett-nytt-långt-lösenord-7"
    ok = client.post(url, {"old_password": "demo", "new_password1": new, "new_password2": new})
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(
        action="accounts.password.change", actor_username="sk.handlaggare"
    ).exists()
    assert client.get(reverse("core:home")).status_code == 200  # still signed in
    assert User.objects.get(username="sk.handlaggare").check_password(new)
