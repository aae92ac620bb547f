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
