"""Servicenämnden's mandate: proposals, adoption and repeal as registered decisions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.catalogue import selectors, services
from ordna.catalogue.models import MandateTask
from ordna.organisation.models import Unit

DAY = datetime.date(2026, 1, 1)


def unit(code):
    return Unit.objects.get(code=code)


def test_demo_mandate_has_the_proposed_crisis_task(demo):
    mandate = selectors.mandate_of(unit("SN"))
    assert len(mandate.in_force) == 4
    [proposal] = mandate.proposed
    assert "förstärkningsresurs vid samhällsstörningar" in proposal.text
    assert proposal.status == MandateTask.Status.PROPOSED


def test_adopting_a_new_wording_ends_the_old_one(demo):
    registrar = User.objects.get(username="registrator")
    old = selectors.mandate_of(unit("SN")).in_force[0]
    new = services.mandate_task_propose(
        actor=registrar, committee=unit("SN"), text="ny lydelse", replaces=old
    )
    assert new.number == old.number
    services.mandate_task_adopt(
        actor=registrar,
        task=new,
        deciding_body=unit("KF"),
        case_number="KF 2026-00007",
        decided_on=DAY,
        valid_from=DAY,
    )
    old.refresh_from_db()
    assert old.valid_to == DAY - datetime.timedelta(days=1)
    assert old.status == MandateTask.Status.ADOPTED  # the old wording stays as decided
    today = selectors.mandate_of(unit("SN"), DAY)
    assert "ny lydelse" in [t.text for t in today.in_force]
    before = selectors.mandate_of(unit("SN"), DAY - datetime.timedelta(days=1))
    assert old in before.in_force
    actions = list(
        AuditEvent.objects.filter(action__startswith="catalogue.mandate_task")
        .order_by("-id")
        .values_list("action", flat=True)[:3]
    )
    assert actions == [
        "catalogue.mandate_task.adopt",
        "catalogue.mandate_task.replace",
        "catalogue.mandate_task.propose",
    ]


def test_decisions_need_body_case_and_date(demo):
    registrar = User.objects.get(username="registrator")
    proposal = selectors.mandate_of(unit("SN")).proposed[0]
    with pytest.raises(ValidationError) as caught:
        services.mandate_task_adopt(
            actor=registrar,
            task=proposal,
            deciding_body=None,
            case_number="",
            decided_on=None,
            valid_from=DAY,
        )
    assert set(caught.value.message_dict) == {"deciding_body", "case_number", "decided_on"}
    with pytest.raises(ValidationError) as caught:
        services.mandate_task_adopt(
            actor=registrar,
            task=proposal,
            deciding_body=unit("KF"),
            case_number="dnr 12",
            decided_on=DAY,
            valid_from=DAY,
        )
    assert "case_number" in caught.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == MandateTask.Status.PROPOSED


def test_repeal_keeps_the_task_in_history(demo):
    registrar = User.objects.get(username="registrator")
    task = selectors.mandate_of(unit("SN")).in_force[-1]
    services.mandate_task_repeal(
        actor=registrar,
        task=task,
        deciding_body=unit("KF"),
        case_number="KF 2026-00011",
        decided_on=DAY,
        valid_to=DAY,
    )
    task.refresh_from_db()
    assert (task.repeal_deciding_body.code, task.repeal_decided_on) == ("KF", DAY)
    later = selectors.mandate_of(unit("SN"), DAY + datetime.timedelta(days=1))
    assert task not in later.in_force and task in later.history
    with pytest.raises(ValidationError):
        services.mandate_task_repeal(
            actor=registrar,
            task=task,
            deciding_body=unit("KF"),
            case_number="KF 2026-00012",
            decided_on=DAY,
            valid_to=DAY,
        )


def test_mandate_page_and_adoption_form(client, demo, login_as):
    login_as("tf.bestallare")
    page = client.get(reverse("catalogue:mandate")).content.decode()
    assert "Reglemente för Servicenämnden" in page
    assert "förstärkningsresurs" in page and "Registrera antagandet" not in page
    login_as("registrator")
    proposal = selectors.mandate_of(unit("SN")).proposed[0]
    url = reverse("catalogue:mandate_adopt", args=[proposal.pk])
    bad = client.post(
        url,
        {
            "deciding_body": unit("KF").pk,
            "case_number": "fel",
            "decided_on": "2026-11-20",
            "day": "2027-01-01",
        },
    )
    assert bad.status_code == 200 and 'id="id_case_number_error"' in bad.content.decode()
    good = client.post(
        url,
        {
            "deciding_body": unit("KF").pk,
            "case_number": "KF 2026-00099",
            "decided_on": "2026-11-20",
            "day": "2027-01-01",
        },
    )
    assert good.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == MandateTask.Status.ADOPTED
