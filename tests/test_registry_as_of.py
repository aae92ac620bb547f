"""The registry "as of" a past date shows the values as they were recorded then."""

import datetime

from django.urls import reverse
from django.utils import timezone

from ordna.accounts.models import User
from ordna.audit import services as audit_services
from ordna.organisation import services
from ordna.organisation.models import LegalPerson, Unit


def test_past_day_shows_values_recorded_then(client, demo, login_as, monkeypatch):
    admin = User.objects.get(username="admin")
    past = timezone.now() - datetime.timedelta(days=30)
    monkeypatch.setattr(audit_services.timezone, "now", lambda: past)
    unit = services.unit_create(
        actor=admin,
        code="GATA",
        name="Gatuenheten",
        kind="committee",
        legal_person=LegalPerson.objects.get(org_number="212000-1561"),
        parent=Unit.objects.get(code="KF"),
        registry_email="gata@boras.example",
        valid_from=datetime.date(2020, 1, 1),
    )
    monkeypatch.undo()
    services.unit_update(
        actor=admin,
        unit=unit,
        name="Park- och gatuenheten",
        registry_email="park@boras.example",
        reason="omorganisation",
    )

    login_as("tf.bestallare")
    then = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    detail = client.get(reverse("organisation:unit_detail", args=[unit.pk]), {"per": then})
    body = detail.content.decode()
    assert "Gatuenheten" in body and "gata@boras.example" in body
    assert "Park- och gatuenheten" not in body
    assert "som de var registrerade" in body

    listing = client.get(reverse("organisation:unit_list"), {"per": then, "q": "GATA"})
    assert "Gatuenheten" in listing.content.decode()

    today = client.get(reverse("organisation:unit_detail", args=[unit.pk])).content.decode()
    assert "Park- och gatuenheten" in today and "som de var registrerade" not in today
    unit.refresh_from_db()
    assert unit.name == "Park- och gatuenheten"  # display copies are never saved


def test_invalid_date_keeps_the_other_filters(client, demo, login_as):
    login_as("tf.bestallare")
    response = client.get(reverse("organisation:unit_list"), {"q": "SLK", "per": "2026-13-45"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Stadsledningskansliet" in body and "Tekniska förvaltningen" not in body
    assert "Fyll i ett giltigt datum" in body
