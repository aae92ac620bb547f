"""Writes to the mandate: propose a task (or a new wording), adopt it, repeal it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ordna.audit.services import record, snapshot
from ordna.catalogue.models import MandateTask, ServiceArea
from ordna.core import locks


@transaction.atomic
def mandate_task_propose(
    *,
    actor,
    committee,
    text: str,
    proposed_by=None,
    replaces: MandateTask | None = None,
    source="web",
    reason="",
) -> MandateTask:
    """Propose a new task for `committee`, or a new wording of an adopted one (`replaces`)."""
    locks.lock("catalogue.mandate", committee.pk)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the task.")]})
    if replaces is not None and (
        replaces.committee_id != committee.pk or replaces.status != MandateTask.Status.ADOPTED
    ):
        raise ValidationError(
            {
                "replaces": [
                    _("Only an adopted task of the same committee can be given a new wording.")
                ]
            }
        )
    if replaces is not None:
        number = replaces.number
    else:
        highest = MandateTask.objects.filter(committee=committee).aggregate(n=Max("number"))["n"]
        number = (highest or 0) + 1
    task = MandateTask(
        committee=committee,
        number=number,
        text=text,
        proposed_by=proposed_by,
        replaces=replaces,
        valid_from=timezone.localdate(),
    )
    task.full_clean()
    task.save()
    record(
        actor=actor,
        action="catalogue.mandate_task.propose",
        obj=task,
        after=snapshot(task),
        reason=reason,
        source=source,
    )
    return task


def _decision_errors(deciding_body, case_number, decided_on) -> dict:
    errors = {}
    if deciding_body is None:
        errors["deciding_body"] = [_("Name the body that decided.")]
    if not case_number:
        errors["case_number"] = [_("Give the case number of the decision.")]
    if decided_on is None:
        errors["decided_on"] = [_("Give the date of the decision.")]
    return errors


@transaction.atomic
def mandate_task_adopt(
    *,
    actor,
    task: MandateTask,
    deciding_body,
    case_number: str,
    decided_on: datetime.date,
    valid_from: datetime.date,
    source="web",
    reason="",
) -> MandateTask:
    """Record the decision adopting a proposed task; a new wording ends the old one."""
    row = MandateTask.objects.select_for_update().get(pk=task.pk)
    if row.status != MandateTask.Status.PROPOSED:
        raise ValidationError(_("Only a proposed task can be adopted."))
    errors = _decision_errors(deciding_body, case_number, decided_on)
    if errors:
        raise ValidationError(errors)
    before = snapshot(row)
    row.status = MandateTask.Status.ADOPTED
    row.deciding_body, row.case_number = deciding_body, case_number
    row.decided_on, row.valid_from = decided_on, valid_from
    row.full_clean()
    if row.replaces_id:
        old = MandateTask.objects.select_for_update().get(pk=row.replaces_id)
        if old.valid_to is None or old.valid_to >= valid_from:
            old_before = snapshot(old)
            old.valid_to = valid_from - datetime.timedelta(days=1)
            if old.valid_to < old.valid_from:
                raise ValidationError(
                    {"valid_from": [_("The new wording must start after the old one started.")]}
                )
            old.save()
            record(
                actor=actor,
                action="catalogue.mandate_task.replace",
                obj=old,
                before=old_before,
                after=snapshot(old),
                reason=reason,
                source=source,
            )
    row.save()
    record(
        actor=actor,
        action="catalogue.mandate_task.adopt",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
    )
    return row


@transaction.atomic
def mandate_task_repeal(
    *,
    actor,
    task: MandateTask,
    deciding_body,
    case_number: str,
    decided_on: datetime.date,
    valid_to: datetime.date,
    source="web",
    reason="",
) -> MandateTask:
    """Record the decision repealing an adopted task; it stays in the history."""
    row = MandateTask.objects.select_for_update().get(pk=task.pk)
    if row.status != MandateTask.Status.ADOPTED:
        raise ValidationError(_("Only an adopted task can be repealed."))
    errors = _decision_errors(deciding_body, case_number, decided_on)
    if valid_to < row.valid_from:
        errors["valid_to"] = [_("The end date must be on or after the start date.")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(row)
    row.status = MandateTask.Status.REPEALED
    row.repeal_case_number = case_number
    row.repeal_deciding_body, row.repeal_decided_on = deciding_body, decided_on
    row.valid_to = valid_to
    row.full_clean()
    row.save()
    record(
        actor=actor,
        action="catalogue.mandate_task.repeal",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
    )
    return row


@transaction.atomic
def service_area_create(*, actor, source="web", reason="", **data):
    """Register a service area: its provider, responsible committee and main purchaser."""
    area = ServiceArea(**data)
    area.full_clean()
    errors = {}
    if area.responsible_committee.kind != "committee":
        errors["responsible_committee"] = [_("The responsible body must be a committee.")]
    if area.main_purchaser is not None and area.main_purchaser.kind != "administration":
        errors["main_purchaser"] = [_("The main purchaser must be an administration.")]
    if errors:
        raise ValidationError(errors)
    area.save()
    record(
        actor=actor,
        action="catalogue.service_area.create",
        obj=area,
        after=snapshot(area),
        reason=reason,
        source=source,
    )
    return area
