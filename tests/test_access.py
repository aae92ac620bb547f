"""The permission choke points in ordna.accounts.access, branch by branch."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from ordna.accounts import access
from ordna.accounts.models import Membership, Role, User
from ordna.accounts.services import api_token_create, membership_end, membership_grant
from ordna.core.models import Job
from ordna.organisation.models import Unit


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_anonymous_has_nothing(demo):
    anon = AnonymousUser()
    assert not access.is_signed_in(anon)
    assert not access.has_role(anon, Role.ORDERER)
    assert not access.can_write(anon)
    with pytest.raises(Http404):
        access.access_unit(anon, Unit.objects.first().pk)
    assert access.scope_to_parties(anon, Unit.objects.all(), purchaser_field="pk").count() == 0


def test_ended_membership_gives_no_role(demo):
    orderer = user("lf.bestallare")
    membership = Membership.objects.get(user=orderer)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    membership_end(actor=user("admin"), membership=membership, valid_to=yesterday)
    fresh = user("lf.bestallare")
    assert not access.has_role(fresh, Role.ORDERER)
    assert (
        access.scope_to_parties(fresh, Membership.objects.all(), purchaser_field="unit").count()
        == 0
    )


def test_future_membership_gives_no_role_yet(demo):
    person = user("tf.bestallare")
    membership_grant(
        actor=user("admin"),
        user=person,
        role=Role.REGISTRAR,
        unit=Unit.objects.get(code="TF"),
        valid_from=datetime.date.today() + datetime.timedelta(days=3),
    )
    assert not access.has_role(user("tf.bestallare"), Role.REGISTRAR)


def test_auditor_never_writes_even_with_another_role(demo):
    auditor = user("revisor")
    assert not access.can_write(auditor)
    membership_grant(actor=user("admin"), user=auditor, role=Role.SYSTEM_ADMIN)
    auditor = user("revisor")
    assert access.is_system_admin(auditor)
    assert not access.can_manage_registry(auditor)
    with pytest.raises(Http404):
        access.access_unit(auditor, Unit.objects.first().pk, write=True)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("tf.bestallare", {"TF"}),  # purchaser: own unit
        ("slk.huvudbestallare", {"SLK"}),
        ("sk.handlaggare", {"SK"}),  # provider: what is addressed to SK
        ("registrator", set()),  # neither side
        ("ks.uppsikt", None),  # oversight reads everything
        ("revisor", None),
        ("admin", None),
    ],
)
def test_scope_to_parties(demo, username, expected):
    qs = Membership.objects.select_related("unit")
    scoped = access.scope_to_parties(
        user(username), qs, purchaser_field="unit", provider_field="unit"
    )
    codes = {m.unit.code for m in scoped if m.unit}
    if expected is None:
        assert scoped.count() == qs.count()
    else:
        assert codes == expected


def test_jobs_are_private_except_for_admin(demo):
    mine = Job.objects.create(kind="t", title="mine", requested_by=user("tf.bestallare"))
    assert access.access_job(user("tf.bestallare"), mine.pk) == mine
    assert access.access_job(user("admin"), mine.pk) == mine
    with pytest.raises(Http404):
        access.access_job(user("lf.bestallare"), mine.pk)
    with pytest.raises(Http404):
        access.access_job(user("tf.bestallare"), "not-a-uuid")


def test_tokens_are_reachable_only_by_their_owner(demo):
    token, _key = api_token_create(actor=user("tf.bestallare"), name="script")
    assert access.access_api_token(user("tf.bestallare"), token.pk) == token
    with pytest.raises(Http404):
        access.access_api_token(user("admin"), token.pk)


def test_missing_and_forbidden_look_the_same(demo):
    with pytest.raises(Http404):
        access.access_unit(user("tf.bestallare"), 999999)
    with pytest.raises(Http404):
        access.access_unit(user("tf.bestallare"), Unit.objects.first().pk, write=True)
    with pytest.raises(Http404):
        access.access_unit(user("tf.bestallare"), "abc")


def test_audit_trail_readers(demo):
    readers = {u.username for u in User.objects.all() if access.can_read_audit_trail(u)}
    assert readers == {"revisor", "ks.uppsikt", "admin"}
    with pytest.raises(Http404):
        access.access_audit_trail(user("sk.chef"))


def test_inactive_user_has_no_roles(demo):
    person = user("krisledning")
    person.is_active = False
    assert not access.has_role(person, Role.CRISIS_LEAD)
