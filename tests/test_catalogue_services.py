"""Catalogue services: services, price lists (publish, index), allocation keys and driver
values. Through the services, on the Borås demo; messages from gettext at test time."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.catalogue import selectors
from ordna.catalogue import services as catalogue
from ordna.catalogue.models import AllocationKey, KeyValues, Price, PriceList, Service, ServiceArea
from ordna.core.exceptions import StaleEdit
from ordna.core.money import to_ore


@pytest.fixture
def chef(demo):
    return User.objects.get(username="sk.chef")


def published_2026() -> PriceList:
    return PriceList.objects.get(year=2026, status=PriceList.Status.PUBLISHED)


def service(code: str) -> Service:
    return Service.objects.get(code=code)


def draft(actor, year, valid_from=None, prices=("DRIFT-GATA",)) -> PriceList:
    """A draft for `year` with a price for each service code in `prices`."""
    price_list = catalogue.price_list_create(actor=actor, year=year, valid_from=valid_from)
    for code in prices:
        price_list.refresh_from_db()
        catalogue.price_set(
            actor=actor,
            price_list=price_list,
            version=price_list.version,
            service=service(code),
            direct_cost=Decimal("1000"),
            overhead_cost=Decimal("100"),
            capital_cost=Decimal("50"),
            volume=Decimal("7"),
        )
    price_list.refresh_from_db()
    return price_list


def publish(actor, price_list) -> PriceList:
    price_list.refresh_from_db()
    return catalogue.price_list_publish(
        actor=actor, price_list=price_list, version=price_list.version
    )


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# --- Services ---------------------------------------------------------------------------------
def test_service_update_bumps_the_version_and_a_stale_one_is_refused(chef):
    vinter = service("VINTER")
    updated = catalogue.service_update(
        actor=chef, service=vinter, version=vinter.version, name="Vinterväghållning"
    )
    assert updated.version == vinter.version + 1
    with pytest.raises(StaleEdit):
        catalogue.service_update(actor=chef, service=vinter, version=vinter.version, name="X")
    assert service("VINTER").name == "Vinterväghållning"
    assert actions()[-1] == "catalogue.service.update"


def test_service_update_that_changes_nothing_saves_nothing(chef):
    vinter = service("VINTER")
    before = AuditEvent.objects.count()
    same = catalogue.service_update(
        actor=chef, service=vinter, version=vinter.version, name=vinter.name
    )
    assert same.version == vinter.version
    assert AuditEvent.objects.count() == before


def test_fixed_fee_service_needs_a_key(chef):
    with pytest.raises(ValidationError) as error:
        catalogue.service_create(
            actor=chef,
            code="STAD",
            name="Städ",
            area=ServiceArea.objects.get(code="FORDON"),
            unit_of_measure="år",
            price_model="fixed",
            account="3460",
            valid_from=datetime.date(2026, 1, 1),
        )
    assert error.value.message_dict["default_key"] == [
        _("A fixed fee is shared by a key: choose one.")
    ]
    assert not Service.objects.filter(code="STAD").exists()


# --- Price lists ------------------------------------------------------------------------------
def test_publishing_a_list_ends_the_one_before_it(chef):
    january = published_2026()
    july = draft(chef, 2026, valid_from=datetime.date(2026, 7, 1))
    published = publish(chef, july)
    assert published.status == PriceList.Status.PUBLISHED
    assert published.published_by == chef and published.published_at is not None
    january.refresh_from_db()
    assert january.valid_to == datetime.date(2026, 6, 30)
    assert selectors.price_list_on(datetime.date(2026, 6, 30)) == january
    assert selectors.price_list_on(datetime.date(2026, 7, 1)) == published
    assert actions()[-2:] == ["catalogue.price_list.end", "catalogue.price_list.publish"]


def test_a_published_list_refuses_price_changes(chef):
    price_list = published_2026()
    message = _("A published price list never changes. Make a new one.")
    with pytest.raises(ValidationError, match=message):
        catalogue.price_set(
            actor=chef,
            price_list=price_list,
            version=price_list.version,
            service=service("VINTER"),
            direct_cost=Decimal("1"),
        )
    with pytest.raises(ValidationError, match=message):
        catalogue.price_remove(
            actor=chef, price_list=price_list, version=price_list.version, service=service("VINTER")
        )
    with pytest.raises(ValidationError, match=message):
        publish(chef, price_list)
    assert published_2026().prices.get(service__code="VINTER").direct_cost == Decimal("8100000")


@pytest.mark.parametrize("start", [datetime.date(2026, 1, 1), datetime.date(2026, 3, 1)])
def test_a_list_starting_before_one_already_published_is_refused(chef, start):
    publish(chef, draft(chef, 2026, valid_from=datetime.date(2026, 7, 1)))
    earlier = draft(chef, 2026, valid_from=start)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        publish(chef, earlier)
    later = (
        PriceList.objects.filter(status=PriceList.Status.PUBLISHED, valid_from__gte=start)
        .order_by("valid_from")
        .first()
    )
    assert error.value.messages == [
        _(
            "The list would overlap “%(other)s”, published from %(day)s. "
            "A new list must start after the lists already published."
        )
        % {"other": later.name, "day": later.valid_from.isoformat()}
    ]
    earlier.refresh_from_db()
    assert earlier.status == PriceList.Status.DRAFT
    assert AuditEvent.objects.count() == events


def test_an_empty_draft_is_not_published(chef):
    empty = catalogue.price_list_create(actor=chef, year=2027)
    with pytest.raises(
        ValidationError, match=_("A price list without prices cannot be published.")
    ):
        publish(chef, empty)


def test_price_set_with_a_stale_version_is_refused(chef):
    price_list = draft(chef, 2027)
    with pytest.raises(StaleEdit):
        catalogue.price_set(
            actor=chef,
            price_list=price_list,
            version=price_list.version - 1,
            service=service("VINTER"),
        )
    assert not price_list.prices.filter(service__code="VINTER").exists()


@pytest.mark.parametrize(
    ("code", "values", "field"),
    [
        ("VINTER", {"direct_cost": Decimal("-1")}, "direct_cost"),
        ("VINTER", {"volume": Decimal("0")}, "volume"),
        ("LON-ADM", {"volume": Decimal("12")}, "volume"),  # a fixed fee is for the year
    ],
)
def test_price_set_refuses_impossible_build_ups(chef, code, values, field):
    price_list = draft(chef, 2027, prices=())
    with pytest.raises(ValidationError) as error:
        catalogue.price_set(
            actor=chef,
            price_list=price_list,
            version=price_list.version,
            service=service(code),
            **values,
        )
    assert field in error.value.message_dict
    assert not price_list.prices.exists()


def test_price_set_computes_the_unit_price_and_audits(chef):
    price_list = draft(chef, 2027)
    price = price_list.prices.get()
    assert price.unit_price == Decimal("164.29")  # 1150 / 7, to the öre
    event = AuditEvent.objects.filter(action="catalogue.price.set").last()
    assert event.after["unit_price"] == "164.29"


def test_index_list_raises_every_cost_and_recomputes_unit_prices(chef):
    source = published_2026()
    indexed = catalogue.price_list_index(
        actor=chef, source_list=source, year=2027, index_percent="3.5", index_name="PKV"
    )
    assert indexed.status == PriceList.Status.DRAFT and indexed.year == 2027
    assert indexed.based_on == source and indexed.index_percent == Decimal("3.50")
    old = {p.service_id: p for p in source.prices.all()}
    new = list(indexed.prices.all())
    assert len(new) == len(old)
    factor = Decimal("1.035")
    for price in new:
        before = old[price.service_id]
        assert price.direct_cost == to_ore(before.direct_cost * factor)
        assert price.overhead_cost == to_ore(before.overhead_cost * factor)
        assert price.capital_cost == to_ore(before.capital_cost * factor)
        assert price.volume == before.volume
        if before.unit_price is None:
            assert price.unit_price is None  # a quote stays a quote
        else:
            assert price.unit_price == catalogue.compute_unit_price(
                price.direct_cost, price.overhead_cost, price.capital_cost, price.volume
            )
    assert actions()[-1] == "catalogue.price_list.index"


@pytest.mark.parametrize("index", ["51", "-60", "abc"])
def test_index_out_of_range_is_refused(chef, index):
    lists = PriceList.objects.count()
    with pytest.raises(ValidationError) as error:
        catalogue.price_list_index(
            actor=chef, source_list=published_2026(), year=2027, index_percent=index
        )
    assert "index_percent" in error.value.message_dict
    assert PriceList.objects.count() == lists


def test_a_second_draft_for_the_same_year_is_refused(chef):
    catalogue.price_list_create(actor=chef, year=2027)
    with pytest.raises(ValidationError) as error:
        catalogue.price_list_create(actor=chef, year=2027)
    assert "year" in error.value.message_dict


# --- Allocation keys and driver values --------------------------------------------------------
def new_key(chef, method="proportional", code="TESTNYCKEL") -> AllocationKey:
    return catalogue.allocation_key_create(
        actor=chef, code=code, name="Testnyckel", driver="employees", method=method
    )


def register(actor, key, rows, year=2026):
    lines = [(i + 1, code, value) for i, (code, value) in enumerate(rows)]
    return catalogue.key_values_register(actor=actor, key=key, year=year, rows=lines)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("TF", "10"), ("LF", "-1")], lambda: _("A driver value cannot be negative.")),
        (
            [("TF", "10"), ("TF", "5")],
            lambda: _("The unit %(code)s appears more than once.") % {"code": "TF"},
        ),
        (
            [("TF", "10"), ("XYZ", "5")],
            lambda: (
                _("There is no unit with the code %(code)s in %(year)s.")
                % {"code": "XYZ", "year": 2026}
            ),
        ),
        ([("TF", "tio")], lambda: _("“%(text)s” is not a number.") % {"text": "tio"}),
        ([("", "3")], lambda: _("The unit code is missing.")),
    ],
)
def test_bad_driver_rows_are_refused_with_nothing_saved(chef, rows, message):
    key = new_key(chef)
    before = KeyValues.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        register(chef, key, rows)
    assert message() in error.value.messages[0]
    assert (KeyValues.objects.count(), AuditEvent.objects.count()) == before


def test_percent_key_must_sum_to_100_and_proportional_must_not_be_zero(chef):
    percent = new_key(chef, method="percent", code="PROCENT")
    with pytest.raises(ValidationError) as error:
        register(chef, percent, [("TF", "40"), ("LF", "50")])
    assert error.value.messages == [
        _("The percentages sum to %(total)s, not 100.") % {"total": "90"}
    ]
    register(chef, percent, [("TF", "40"), ("LF", "60")])
    proportional = new_key(chef)
    with pytest.raises(ValidationError):
        register(chef, proportional, [("TF", "0"), ("LF", "0")])
    assert not KeyValues.objects.filter(key=proportional).exists()


def test_a_new_registration_is_the_next_version_and_the_old_one_stays(chef):
    key = AllocationKey.objects.get(code="FORDON")
    first = selectors.key_values_for(key, 2026)
    assert first.number == 1
    second = register(chef, key, [("TF", "40"), ("VAF", "60,5")])
    assert second.number == 2
    assert selectors.key_values_for(key, 2026) == second
    assert KeyValues.objects.filter(key=key, year=2026).count() == 2
    assert first.rows.count() == 6  # untouched
    assert {r.unit.code: r.value for r in second.rows.all()} == {
        "TF": Decimal("40"),
        "VAF": Decimal("60.5"),
    }
    other_year = register(chef, key, [("TF", "1")], year=2027)
    assert other_year.number == 1
    event = AuditEvent.objects.filter(action="catalogue.key_values.register").last()
    assert event.after["version"] == 1 and event.after["year"] == 2027


def test_allocation_by_an_even_key_ignores_the_values(chef):
    even = new_key(chef, method="even", code="JAMNT")
    values = register(chef, even, [("TF", "1000"), ("LF", "1"), ("FFF", "0")])
    shares = selectors.allocation(values, Decimal("100.00"))
    assert [s.amount for s in shares] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(s.amount for s in shares) == Decimal("100.00")


def test_price_is_unique_per_list_and_service(chef):
    price_list = draft(chef, 2027)
    catalogue.price_set(
        actor=chef,
        price_list=price_list,
        version=price_list.version,
        service=service("DRIFT-GATA"),
        direct_cost=Decimal("70"),
        volume=Decimal("7"),
    )
    assert Price.objects.filter(price_list=price_list).count() == 1
    assert price_list.prices.get().unit_price == Decimal("10.00")
