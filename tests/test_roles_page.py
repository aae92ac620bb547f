"""The "Roller och ansvar" page is computed from the registry, not written by hand."""

import datetime

from django.urls import reverse

from ordna.accounts.models import User
from ordna.accounts.services import membership_grant
from ordna.catalogue import selectors
from ordna.organisation.models import Unit


def test_roles_follow_the_data(client, demo, login_as):
    rows = {row.area.code: row for row in selectors.roles_and_responsibilities()}
    assert set(rows) == {
        "IT",
        "LON",
        "EKONOMI",
        "KONTAKTCENTER",
        "FORDON",
        "ANLAGGNING",
        "GATA-PARK",
    }
    it, fleet = rows["IT"], rows["FORDON"]
    assert it.delivers.code == "SK" and it.decides.code == "SN"
    assert [u.code for u in it.negotiates] == ["SLK"]  # common services: the main purchaser
    # otherwise each buyer's representative (the demo has one per administration)
    assert [u.code for u in fleet.negotiates] == ["FFF", "FSF", "GSF", "LF", "TF", "VAF"]
    assert [u.code for u in it.orders] == ["FFF", "FSF", "GSF", "LF", "TF", "VAF"]
    assert [u.code for u in it.oversees] == ["KS"]

    # Give SLK a purchaser representative: the table changes with nobody editing it.
    membership_grant(
        actor=User.objects.get(username="admin"),
        user=User.objects.get(username="lf.bestallare"),
        role="purchaser_representative",
        unit=Unit.objects.get(code="SLK"),
        valid_from=datetime.date(2020, 1, 1),
    )
    fleet = {r.area.code: r for r in selectors.roles_and_responsibilities()}["FORDON"]
    assert [u.code for u in fleet.negotiates] == ["FFF", "FSF", "GSF", "LF", "SLK", "TF", "VAF"]

    login_as("tf.bestallare")
    body = client.get(reverse("catalogue:roles")).content.decode()
    assert "Roller och ansvar" in body and "Gatu- och parkdrift" in body
    assert "Stadsledningskansliet" in body and "Inget forum ännu" in body


def test_only_the_most_specific_menu_item_is_current(client, demo, login_as):
    login_as("tf.bestallare")
    body = client.get(reverse("catalogue:roles")).content.decode()
    assert body.count('aria-current="page"') == 1
    assert 'href="/uppdrag/roller-och-ansvar/" aria-current="page"' in body
