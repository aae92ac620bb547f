"""`ordna agreements refresh`: the calendar moves agreements along, idempotently."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_refresh_command_expires_ended_agreements(demo):
    from io import StringIO

    from django.core.management import call_command

    from ordna.agreements.models import Agreement

    out = StringIO()
    call_command("agreements", "refresh", "--date", "2027-01-01", stdout=out)
    assert "7 activated" not in out.getvalue() and "7 expired" in out.getvalue()
    assert not Agreement.objects.filter(year=2026, status="active").exists()
    out = StringIO()
    call_command("agreements", "refresh", "--date", "2027-01-01", stdout=out)
    assert "0 activated, 0 expired" in out.getvalue()
