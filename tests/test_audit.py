"""The audit trail: written inside transactions, append-only in the database, hash-chained."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from ordna.audit import triggers
from ordna.audit.models import AuditEvent
from ordna.audit.services import record, verify_chain
from ordna.organisation import services as org_services
from ordna.organisation.models import LegalPerson

ROOT = Path(__file__).resolve().parent.parent


def test_record_outside_a_transaction_is_refused(db):
    wrapper = connections["default"]
    wrapper.in_atomic_block = False  # as if called outside any transaction
    try:
        with pytest.raises(RuntimeError, match="inside the writing transaction"):
            record(actor=None, action="test.outside")
    finally:
        wrapper.in_atomic_block = True


def test_service_writes_event_in_same_transaction(demo, django_user_model):
    admin = django_user_model.objects.get(username="admin")
    before = AuditEvent.objects.count()
    with pytest.raises(Exception), transaction.atomic():
        org_services.legal_person_create(
            actor=admin, name="Rollback AB", org_number="556123-4567", kind="external"
        )  # duplicate of EXT1: fails, and its event must not survive either
    assert AuditEvent.objects.count() == before
    person = org_services.legal_person_create(
        actor=admin, name="Nytt AB", org_number="559000-0005", kind="external", reason="test"
    )
    event = AuditEvent.objects.latest("id")
    assert event.action == "organisation.legal_person.create"
    assert event.object_id == str(person.pk)
    assert event.actor_username == "admin"
    assert event.after["org_number"] == "559000-0005"
    assert event.reason == "test"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET reason = 'changed'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_raw_update_and_delete_fail(demo, sql):
    assert AuditEvent.objects.exists()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.filter(reason="changed").count() == 0


def test_raw_truncate_fails_on_postgresql(demo):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")


def test_intact_chain_verifies(demo):
    result = verify_chain()
    assert result.ok
    assert result.checked == AuditEvent.objects.count() > 40
    call_command("audit", "verify")


def _tamper(sql: str, params) -> None:
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    triggers.install(connection)


def test_altered_row_is_detected(demo):
    target = AuditEvent.objects.order_by("id")[10]
    _tamper("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["edited", target.pk])
    result = verify_chain()
    assert not result.ok
    assert result.broken_id == target.pk
    with pytest.raises(CommandError, match=f"event {target.pk}"):
        call_command("audit", "verify")


def test_deleted_row_is_detected(demo):
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [ids[5]])
    result = verify_chain()
    assert result.broken_id == ids[6]


def test_rehashed_row_still_breaks_the_next_link(demo):
    """Recomputing the altered row's own hash does not help: the next event points at the old."""
    from ordna.audit.chain import hash_of

    target = AuditEvent.objects.order_by("id")[3]
    target.reason = "edited"
    new_hash = hash_of(target)
    _tamper(
        "UPDATE audit_auditevent SET reason = %s, hash = %s WHERE id = %s",
        ["edited", new_hash, target.pk],
    )
    result = verify_chain()
    nxt = AuditEvent.objects.filter(id__gt=target.pk).order_by("id").first()
    assert result.broken_id == nxt.pk


def _run(args, env):
    return subprocess.run(
        [sys.executable, "-m", "ordna.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_verify_exit_codes_on_a_real_database(tmp_path):
    """`ordna audit verify` exits 0 on an intact chain and non-zero naming the broken event."""
    db_path = tmp_path / "ordna.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "ORDNA_VAR_DIR": str(tmp_path)}
    prepared = _run(["demo", "--no-serve"], env)
    assert prepared.returncode == 0, prepared.stderr
    ok = _run(["audit", "verify"], env)
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout

    with sqlite3.connect(db_path) as raw:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = 7")
        raw.execute("DROP TRIGGER audit_no_update")
        raw.execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = 7")
    broken = _run(["audit", "verify"], env)
    assert broken.returncode != 0
    assert "event 7" in broken.stderr


def test_event_pages_for_auditor(client, demo, login_as):
    from django.urls import reverse

    login_as("revisor")
    unit = LegalPerson.objects.get(org_number="212000-1561")
    response = client.get(reverse("audit:event_list"), {"object_type": "organisation.legalperson"})
    assert response.status_code == 200
    assert "Borås kommun" in response.content.decode()
    response = client.get(
        reverse("audit:event_list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert 'id="id_date_to_error"' in response.content.decode()
    response = client.get(
        reverse("audit:object_events", args=["organisation.legalperson", unit.pk])
    )
    assert response.status_code == 200
