"""`ordna generate`: expected volumes, reproducible, valid, audited, and never duplicated."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from stdnum.se import orgnr

from ordna.accounts.models import Membership, Role, User
from ordna.audit.models import AuditEvent
from ordna.audit.services import verify_chain
from ordna.demo import generate
from ordna.organisation.models import LegalPerson, Unit

SCALE = 0.05  # 2 customers and 20 people: fast
PURCHASING = {"TF", "LF", "FFF", "FSF", "GSF", "VAF", "SLK"}


def run(scale=SCALE, seed=7) -> str:
    out = io.StringIO()
    call_command("generate", "--scale", str(scale), "--seed", str(seed), stdout=out)
    return out.getvalue()


def generated_users():
    return User.objects.filter(username__startswith="gen.")


def generated_customers():
    return Unit.objects.filter(kind=Unit.Kind.EXTERNAL_CUSTOMER, code__startswith="EXT0")


class _Rollback(Exception):
    pass


def picture(seed: int) -> dict:
    """What a run with `seed` creates, undone afterwards."""
    try:
        with transaction.atomic():
            generate.generate(scale=SCALE, seed=seed)
            result = {
                "users": list(
                    generated_users().values_list("username", "first_name", "last_name", "title")
                ),
                "org_numbers": sorted(
                    LegalPerson.objects.filter(units__in=generated_customers()).values_list(
                        "org_number", flat=True
                    )
                ),
                "memberships": sorted(
                    Membership.objects.filter(user__in=generated_users()).values_list(
                        "user__username", "role", "unit__code", "valid_from", "valid_to"
                    )
                ),
            }
            raise _Rollback
    except _Rollback:
        return result


def test_counts_at_a_small_scale(demo):
    events_before = AuditEvent.objects.count()
    output = run()
    assert "Generated customers, people (scale 0.05, seed 7)" in output
    assert generated_users().count() == 20
    assert generated_customers().count() == 2
    assert LegalPerson.objects.filter(kind=LegalPerson.Kind.EXTERNAL).count() == 1 + 2
    memberships = Membership.objects.filter(user__in=generated_users()).select_related("unit")
    assert 20 <= memberships.count() <= 40
    for user in generated_users():
        assert 1 <= user.memberships.count() <= 2
        assert not user.has_usable_password()
        assert user.email.endswith("@gen.ordna.invalid")
    for membership in memberships:
        if membership.role == Role.PROVIDER_STAFF:
            assert membership.unit.code == "SK"
        else:
            assert membership.role in {
                Role.ORDERER,
                Role.PURCHASER_REPRESENTATIVE,
                Role.FORUM_MEMBER,
            }
            assert membership.unit.code in PURCHASING
        assert membership.valid_to is None or membership.valid_to >= membership.valid_from
    rows = 2 + 2 + 20 + memberships.count()
    assert AuditEvent.objects.count() == events_before + rows + 1  # one per row, one run


def test_customers_have_valid_organisation_numbers(demo):
    run()
    for unit in generated_customers().select_related("legal_person"):
        person = unit.legal_person
        assert person.kind == LegalPerson.Kind.EXTERNAL
        assert orgnr.is_valid(person.org_number), person.org_number
        assert person.org_number.startswith("55") and person.org_number[6] == "-"
        assert 81 <= int(unit.counterparty_code) <= 87
        assert unit.name == person.name


def test_same_seed_same_data_other_seed_other_data(demo):
    first, again, other = picture(7), picture(7), picture(8)
    assert first == again
    assert first["org_numbers"] != other["org_numbers"]
    assert [u[1:] for u in first["users"]] != [u[1:] for u in other["users"]]


def test_every_row_is_audited_and_the_chain_verifies(demo):
    run()
    assert verify_chain().ok
    users = {str(pk) for pk in generated_users().values_list("pk", flat=True)}
    events = AuditEvent.objects.filter(action="demo.generate.user.create")
    assert set(events.values_list("object_id", flat=True)) == users
    event = events.first()
    assert event.source == "cli" and event.object_type == "accounts.user"
    assert "password" not in event.after and event.after["username"].startswith("gen.")
    granted = AuditEvent.objects.filter(action="demo.generate.membership.create")
    assert granted.count() == Membership.objects.filter(user__in=generated_users()).count()
    assert set(granted.values_list("unit_code", flat=True)) <= PURCHASING | {"SK"}
    for action in ["legal_person", "unit"]:
        assert AuditEvent.objects.filter(action=f"demo.generate.{action}.create").count() == 2
    run_event = AuditEvent.objects.get(action=generate.RUN_ACTION)
    assert run_event.after["generators"] == ["customers", "people"]


def test_a_second_run_changes_nothing(demo):
    run()
    counts = generate.totals()
    output = run()
    assert "already in place; nothing changed" in output
    assert generate.totals() == counts
    assert verify_chain().ok


def test_another_scale_or_seed_is_refused(demo):
    assert generate.existing() is None
    run()
    assert generate.existing() == (SCALE, 7)
    with pytest.raises(CommandError, match="scale 0.05 with seed 7"):
        run(scale=1)
    with pytest.raises(CommandError, match="fresh database"):
        run(seed=8)


def test_quiet_with_verbosity_0(demo):
    out = io.StringIO()
    call_command("generate", scale=SCALE, verbosity=0, stdout=out)  # as `ordna bench` calls it
    assert out.getvalue() == ""
    assert generated_users().count() == 20


@pytest.mark.parametrize("scale", ["0", "-1", "many"])
def test_the_scale_must_be_a_positive_number(demo, scale):
    with pytest.raises(CommandError):
        call_command("generate", "--scale", scale, stdout=io.StringIO())


def test_a_generator_name_is_registered_once():
    with pytest.raises(ValueError, match="already registered"):
        generate.generator("people")(lambda ctx: {})
