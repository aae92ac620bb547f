"""Published prices and agreed or signed agreements are frozen in the database itself."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from ordna.agreements.models import AgreementLine, NegotiationRound, Signature
from ordna.catalogue.models import Price
from ordna.core import frozen

pytestmark = pytest.mark.django_db


def _refused(action) -> None:
    with pytest.raises(DatabaseError, match="frozen records"), transaction.atomic():
        action()


def test_triggers_are_installed(demo):
    assert frozen.installed(connection)


def test_published_prices_cannot_change_or_go(demo):
    price = Price.objects.filter(price_list__status="published").first()
    _refused(lambda: Price.objects.filter(pk=price.pk).update(volume=5))
    _refused(lambda: Price.objects.filter(pk=price.pk).delete())
    _refused(
        lambda: Price.objects.create(
            price_list=price.price_list, service=price.service, unit_price=1
        )
    )


def test_signed_lines_rounds_and_signatures_cannot_change(demo):
    line = AgreementLine.objects.filter(version__state="signed").first()
    _refused(lambda: AgreementLine.objects.filter(pk=line.pk).update(volume=1))
    _refused(lambda: AgreementLine.objects.filter(pk=line.pk).delete())
    _refused(lambda: NegotiationRound.objects.update(comment="changed"))
    _refused(lambda: Signature.objects.all().delete())


def test_open_lines_can_still_be_negotiated(demo):
    line = AgreementLine.objects.filter(version__state="open").first()
    assert AgreementLine.objects.filter(pk=line.pk).update(volume=line.volume + 1) == 1


def test_published_lists_signed_versions_and_driver_values_stay(demo):
    from ordna.agreements.models import AgreementVersion
    from ordna.catalogue.models import DriverValue, KeyValues, PriceList

    published = PriceList.objects.filter(status="published")
    _refused(lambda: published.update(status="draft"))
    # Raw deletes: the ORM's PROTECT would refuse before the database is asked.
    _refused(lambda: published._raw_delete(published.db))
    signed = AgreementVersion.objects.filter(state="signed")
    _refused(lambda: signed.update(state="open"))
    _refused(lambda: signed.update(state="agreed"))
    open_versions = AgreementVersion.objects.filter(state="open")
    _refused(lambda: open_versions._raw_delete(open_versions.db))
    _refused(lambda: DriverValue.objects.update(value=1))
    _refused(lambda: KeyValues.objects.all()._raw_delete(KeyValues.objects.db))
    # What the services do is still allowed: a signed version becomes superseded.
    version = signed.first()
    assert AgreementVersion.objects.filter(pk=version.pk).update(state="superseded") == 1


def test_a_draft_price_cannot_be_moved_into_a_published_list(demo):
    from ordna.catalogue import services as catalogue
    from ordna.catalogue.models import PriceList

    published = PriceList.objects.get(status="published")
    draft = catalogue.price_list_index(
        actor=None, source_list=published, year=2027, index_percent="2"
    )
    price = draft.prices.first()
    _refused(lambda: Price.objects.filter(pk=price.pk).update(price_list=published))
