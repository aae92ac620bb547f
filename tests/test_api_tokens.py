"""API tokens over HTTP: creating, listing, using, revoking; authentication failures.

Every request authenticates with a real token made by `accounts.services.api_token_create`
and sent as `Authorization: Token <key>` (or `Bearer <key>`), the way a client would.
"""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection

from ordna.accounts.models import ApiToken, User
from ordna.accounts.services import api_token_create
from ordna.audit.models import AuditEvent

PROBLEM = "application/problem+json"
TOKENS = "/api/v1/tokens/"
ME = "/api/v1/me/"


def _key_for(username: str, name: str = "test client") -> str:
    user = User.objects.get(username=username)
    _token, key = api_token_create(actor=user, name=name)
    return key


def _sign_in(client, username: str) -> None:
    """Tokens are created in a signed-in session (a token may not mint tokens)."""
    client.force_login(User.objects.get(username=username))


def _auth(key: str, keyword: str = "Token") -> dict:
    return {"Authorization": f"{keyword} {key}"}


def _assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem document with `status`; returns the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].split(";")[0] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"]
    assert body["title"]
    return body


@pytest.fixture
def tove_key(demo):
    return _key_for("tf.bestallare")


# --- Creating and listing -------------------------------------------------------------------
def test_create_returns_the_key_once_and_the_listing_never_shows_it(client, tove_key):
    _sign_in(client, "tf.bestallare")
    response = client.post(TOKENS, {"name": "Rapportverktyg"}, content_type="application/json")

    assert response.status_code == 201
    body = response.json()
    key = body["key"]
    assert key.startswith("ordna_")
    assert body["name"] == "Rapportverktyg"
    assert key.startswith(body["prefix"])
    assert body["revoked_at"] is None

    listing = client.get(TOKENS, headers=_auth(tove_key))
    assert listing.status_code == 200
    rows = listing.json()["results"]
    assert {row["name"] for row in rows} == {"test client", "Rapportverktyg"}
    assert all("key" not in row for row in rows)
    assert key not in listing.content.decode()
    assert tove_key not in listing.content.decode()


def test_only_a_hash_of_the_key_is_stored(client, tove_key):
    _sign_in(client, "tf.bestallare")
    response = client.post(TOKENS, {"name": "Hash check"}, content_type="application/json")
    key = response.json()["key"]
    token_id = response.json()["id"]

    token = ApiToken.objects.get(pk=token_id)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    # The raw row, every column: the key itself is nowhere.
    table = connection.ops.quote_name(ApiToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [token_id])  # noqa: S608
        row = cursor.fetchone()
    assert row is not None
    assert all(key not in str(value) for value in row)
    # Nor in the audit trail of its creation.
    event = AuditEvent.objects.get(action="accounts.api_token.create", object_id=str(token_id))
    assert event.source == AuditEvent.Source.API
    assert key not in str(event.after) and key not in event.object_repr


def test_the_created_key_authenticates(client, tove_key):
    _sign_in(client, "tf.bestallare")
    response = client.post(TOKENS, {"name": "New"}, content_type="application/json")
    new_key = response.json()["key"]

    me = client.get(ME, headers=_auth(new_key))

    assert me.status_code == 200
    assert me.json()["username"] == "tf.bestallare"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_create_without_a_usable_name_is_a_problem_naming_name(client, tove_key, name):
    before = ApiToken.objects.count()

    _sign_in(client, "tf.bestallare")

    response = client.post(TOKENS, {"name": name}, content_type="application/json")

    body = _assert_problem(response, 400)
    assert [e["field"] for e in body["errors"]] == ["name"]
    assert body["detail"]
    assert ApiToken.objects.count() == before


def test_listing_shows_only_own_tokens(client, demo, tove_key):
    _key_for("admin", name="admin's secret tool")

    rows = client.get(TOKENS, headers=_auth(tove_key)).json()["results"]

    assert [row["name"] for row in rows] == ["test client"]


# --- Using a token ---------------------------------------------------------------------------
def test_me_shows_username_and_memberships_with_roles(client, tove_key):
    response = client.get(ME, headers=_auth(tove_key))

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "tf.bestallare"
    assert body["first_name"] == "Tove"
    assert [(m["role"], m["unit_code"]) for m in body["memberships"]] == [("orderer", "TF")]


def test_me_for_the_system_administrator_shows_a_role_without_unit(client, demo):
    response = client.get(ME, headers=_auth(_key_for("admin")))

    assert response.status_code == 200
    assert [(m["role"], m["unit"]) for m in response.json()["memberships"]] == [
        ("system_admin", None)
    ]


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "token", "bearer"])
def test_token_and_bearer_keywords_both_work(client, tove_key, keyword):
    response = client.get(ME, headers=_auth(tove_key, keyword))

    assert response.status_code == 200
    assert response.json()["username"] == "tf.bestallare"


def test_last_used_at_is_set_on_use_without_an_audit_event(client, demo):
    user = User.objects.get(username="tf.bestallare")
    token, key = api_token_create(actor=user, name="usage")
    assert token.last_used_at is None
    events = AuditEvent.objects.count()

    assert client.get(ME, headers=_auth(key)).status_code == 200

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert AuditEvent.objects.count() == events


# --- Authentication failures ------------------------------------------------------------------
def test_no_credentials_is_401_problem_with_challenge(client, demo):
    response = client.get(ME)

    _assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "key",
    [
        "ordna_" + "A" * 43,  # right shape, never issued
        "not-an-ordna-key",  # wrong prefix
    ],
)
def test_unknown_token_is_401_problem(client, demo, key):
    response = client.get(ME, headers=_auth(key))

    body = _assert_problem(response, 401)
    assert body["instance"] == ME
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["Token a b", "Token", "Bearer", "Token ordna_x extra"])
def test_malformed_header_is_401_problem(client, demo, header):
    response = client.get(ME, headers={"Authorization": header})

    body = _assert_problem(response, 401)
    message = f"{body['title']} {body.get('detail', '')}"
    assert "Token" in message  # tells the client what to send


def test_non_ascii_token_is_401_problem(client, demo):
    response = client.get(ME, headers={"Authorization": "Token ordna_åäö"})

    _assert_problem(response, 401)


def test_token_of_a_deactivated_user_is_refused(client, demo, tove_key):
    User.objects.filter(username="tf.bestallare").update(is_active=False)

    _assert_problem(client.get(ME, headers=_auth(tove_key)), 401)


def test_units_need_credentials_too(client, demo):
    _assert_problem(client.get("/api/v1/units/"), 401)
    _assert_problem(
        client.get("/api/v1/units/", headers=_auth("ordna_" + "B" * 43)),
        401,
    )


# --- Revoking ---------------------------------------------------------------------------------
def _revoke(client, key: str, token_id: int):
    return client.post(f"{TOKENS}{token_id}/revoke/", headers=_auth(key))


def test_revoked_token_gets_401_problem(client, demo, tove_key):
    user = User.objects.get(username="tf.bestallare")
    doomed, doomed_key = api_token_create(actor=user, name="doomed")
    assert client.get(ME, headers=_auth(doomed_key)).status_code == 200

    response = _revoke(client, tove_key, doomed.pk)

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert "key" not in response.json()
    refused = client.get(ME, headers=_auth(doomed_key))
    _assert_problem(refused, 401)
    assert refused["WWW-Authenticate"] == "Token"
    # The other token keeps working.
    assert client.get(ME, headers=_auth(tove_key)).status_code == 200


def test_a_token_can_revoke_itself(client, demo, tove_key):
    token = ApiToken.objects.get(user__username="tf.bestallare")

    assert _revoke(client, tove_key, token.pk).status_code == 200

    _assert_problem(client.get(ME, headers=_auth(tove_key)), 401)


def test_revocation_writes_an_audit_event(client, demo, tove_key):
    user = User.objects.get(username="tf.bestallare")
    token, _key = api_token_create(actor=user, name="to revoke")

    _revoke(client, tove_key, token.pk)

    event = AuditEvent.objects.get(action="accounts.api_token.revoke", object_id=str(token.pk))
    assert event.actor_id == user.pk
    assert event.actor_username == "tf.bestallare"
    assert event.source == AuditEvent.Source.API
    assert event.object_type == "accounts.apitoken"
    assert event.after["revoked_at"]


def test_revoking_twice_keeps_the_first_time_and_one_event(client, demo, tove_key):
    user = User.objects.get(username="tf.bestallare")
    token, _key = api_token_create(actor=user, name="twice")
    first = _revoke(client, tove_key, token.pk).json()["revoked_at"]

    second = _revoke(client, tove_key, token.pk)

    assert second.status_code == 200
    assert second.json()["revoked_at"] == first
    revokes = AuditEvent.objects.filter(action="accounts.api_token.revoke", object_id=str(token.pk))
    assert revokes.count() == 1


def test_cannot_revoke_another_users_token(client, demo, tove_key):
    admin = User.objects.get(username="admin")
    admins_token, admins_key = api_token_create(actor=admin, name="admin's")
    events = AuditEvent.objects.count()

    response = _revoke(client, tove_key, admins_token.pk)

    body = _assert_problem(response, 404)
    assert "errors" not in body
    admins_token.refresh_from_db()
    assert admins_token.revoked_at is None
    assert AuditEvent.objects.count() == events
    assert client.get(ME, headers=_auth(admins_key)).status_code == 200


def test_revoking_an_unknown_token_is_404_problem(client, demo, tove_key):
    _assert_problem(_revoke(client, tove_key, 999_999), 404)


def test_the_client_cannot_choose_the_key_or_revoke_at_creation(client, tove_key):
    _sign_in(client, "tf.bestallare")
    response = client.post(
        TOKENS,
        {"name": "Sly", "key": "ordna_chosen-by-client", "revoked_at": "2020-01-01T00:00:00Z"},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["key"] != "ordna_chosen-by-client"
    assert response.json()["revoked_at"] is None
    assert client.get(ME, headers=_auth("ordna_chosen-by-client")).status_code == 401


def test_last_used_at_is_written_at_most_once_a_minute(client, demo):
    user = User.objects.get(username="tf.bestallare")
    token, key = api_token_create(actor=user, name="busy")
    client.get(ME, headers=_auth(key))
    token.refresh_from_db()
    first_use = token.last_used_at

    client.get(ME, headers=_auth(key))

    token.refresh_from_db()
    assert token.last_used_at == first_use


def test_tokens_are_not_routed_for_editing(client, tove_key):
    token = ApiToken.objects.get(user__username="tf.bestallare")

    response = client.patch(
        f"{TOKENS}{token.pk}/",
        {"name": "x"},
        content_type="application/json",
        headers=_auth(tove_key),
    )

    assert response.status_code in (404, 405)
    assert response["Content-Type"].split(";")[0] == PROBLEM
    token.refresh_from_db()
    assert token.name == "test client"


def test_a_token_cannot_create_tokens(client, tove_key):
    response = client.post(
        TOKENS, {"name": "Kopia"}, content_type="application/json", headers=_auth(tove_key)
    )
    _assert_problem(response, 403)
    assert not ApiToken.objects.filter(name="Kopia").exists()
