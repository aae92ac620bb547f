"""`ordna generate`: expected volumes, reproducible, valid, audited, and never duplicated."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from stdnum.se import orgnr

from ordna.accounts.models import Membership, Role, User
from ordna.agreements.models import Agreement, AgreementLine, AgreementVersion, NegotiationRound
from ordna.audit.models import AuditEvent
from ordna.audit.services import verify_chain
from ordna.catalogue.models import DriverValue, KeyValues, Price, PriceList, Service
from ordna.demo import generate, generate_orders
from ordna.orders.models import DeliveryReport, Deviation, Order, Quote, Rating
from ordna.organisation.models import LegalPerson, Unit

SCALE = 0.05  # 2 customers and 20 people: fast
ORDERS_PER_YEAR = 400  # 20 orders at SCALE (tests/test_generate_orders.py checks more)


@pytest.fixture(autouse=True)
def _fewer_orders(monkeypatch):
    monkeypatch.setattr(generate_orders, "ORDERS_PER_YEAR", ORDERS_PER_YEAR)


PURCHASING = {"TF", "LF", "FFF", "FSF", "GSF", "VAF", "SLK"}


def run(scale=SCALE, seed=7) -> str:
    out = io.StringIO()
    call_command("generate", "--scale", str(scale), "--seed", str(seed), stdout=out)
    return out.getvalue()


def generated_users():
    return User.objects.filter(username__startswith="gen.")


def generated_customers():
    return Unit.objects.filter(kind=Unit.Kind.EXTERNAL_CUSTOMER, code__startswith="EXT0")


ORDER_MODELS = (Order, Quote, DeliveryReport, Deviation, Rating)


def order_rows() -> int:
    return sum(model.objects.count() for model in ORDER_MODELS)


def catalogue_rows(order_rows_before: int) -> int:
    """Rows the catalogue, agreement and order generators wrote (each has its audit
    event; order lines and quote lines are in their order's and quote's)."""
    generated = AuditEvent.objects.filter(action__startswith="demo.generate.").exclude(
        action__in=[
            "demo.generate.legal_person.create",
            "demo.generate.unit.create",
            "demo.generate.user.create",
            "demo.generate.membership.create",
            "demo.generate.price_list.publish",
            generate.RUN_ACTION,
        ]
    )
    rows = (
        Service.objects.filter(code__startswith="GEN-").count()
        + PriceList.objects.filter(index_name="Genererat index").count()
        + Price.objects.filter(price_list__index_name="Genererat index").count()
        + KeyValues.objects.filter(source="Genererade värden").count()
        + DriverValue.objects.filter(values__source="Genererade värden").count()
        + Agreement.objects.filter(purchaser__in=generated_customers()).count()
        + AgreementVersion.objects.filter(agreement__purchaser__in=generated_customers()).count()
        + AgreementLine.objects.filter(
            version__agreement__purchaser__in=generated_customers()
        ).count()
        + NegotiationRound.objects.filter(
            version__agreement__purchaser__in=generated_customers()
        ).count()
        + order_rows()
        - order_rows_before
    )
    assert generated.count() == rows
    return rows


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
    orders_before = order_rows()
    order_count = Order.objects.count()
    output = run()
    assert (
        "Generated customers, people, services, key_values, agreements, orders (scale 0.05, seed 7)"
        in output
    )
    assert generated_users().count() == 20
    assert generated_customers().count() == 2
    assert Order.objects.count() == order_count + 20  # ORDERS_PER_YEAR at SCALE
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
    rows = 2 + 2 + 20 + memberships.count() + catalogue_rows(orders_before)
    # One per row, one for publishing next year's price list, one for the run.
    assert AuditEvent.objects.count() == events_before + rows + 1 + 1


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
    assert run_event.after["generators"] == [
        "customers",
        "people",
        "services",
        "key_values",
        "agreements",
        "orders",
    ]


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


# --- Catalogue and agreements -----------------------------------------------------------------
def test_services_are_priced_in_next_years_published_list(demo):
    from ordna.catalogue.services import compute_unit_price
    from ordna.core.money import to_ore

    current = PriceList.objects.get(year=2026, status=PriceList.Status.PUBLISHED)
    generate.generate(scale=0.2, seed=3)
    services = Service.objects.filter(code__startswith="GEN-")
    assert services.count() == 3
    following = PriceList.objects.get(year=2027)
    assert following.status == PriceList.Status.PUBLISHED and following.based_on == current
    assert following.valid_from.isoformat() == "2027-01-01"
    assert set(following.prices.values_list("service__code", flat=True)) == set(
        current.prices.values_list("service__code", flat=True)
    ) | set(services.values_list("code", flat=True))
    factor = 1 + following.index_percent / 100
    for price in following.prices.select_related("service"):
        old = current.prices.filter(service=price.service).first()
        if old is not None:
            assert price.direct_cost == to_ore(old.direct_cost * factor)
        if price.service.price_model == "quote":
            assert price.unit_price is None
        else:
            assert price.unit_price == compute_unit_price(
                price.direct_cost, price.overhead_cost, price.capital_cost, price.volume
            )
    current.refresh_from_db()
    assert current.valid_to.isoformat() == "2026-12-31"  # the lists do not overlap
    assert verify_chain().ok


def test_driver_values_are_new_versions_and_include_generated_customers(demo):
    from ordna.catalogue.models import AllocationKey
    from ordna.catalogue.selectors import allocation, key_values_for

    generate.generate(scale=0.2, seed=3)
    fordon = AllocationKey.objects.get(code="FORDON")
    newest = key_values_for(fordon, 2026)
    assert newest.number == 2 and newest.source == "Genererade värden"
    codes = set(newest.rows.values_list("unit__code", flat=True))
    customers = {u.code for u in generated_customers() if generate._valid_in_year(u, 2026)}
    assert customers and customers <= codes
    assert {"TF", "VAF"} <= codes
    assert key_values_for(fordon, 2027).number == 1
    lonebesked = key_values_for(AllocationKey.objects.get(code="LONEBESKED"), 2026)
    assert not set(lonebesked.rows.values_list("unit__code", flat=True)) & customers
    shares = allocation(newest, Decimal("1000.00"))
    assert sum(share.amount for share in shares) == Decimal("1000.00")


def test_agreements_for_generated_customers_are_priced_from_the_list(demo):
    from ordna.agreements.services import lines_snapshot

    generate.generate(scale=0.2, seed=3)
    rows = Agreement.objects.filter(purchaser__in=generated_customers())
    assert rows.exists()
    numbers = list(rows.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    for agreement in rows.select_related("purchaser"):
        assert agreement.year == 2027 and agreement.provider.code == "SK"
        version = agreement.versions.get()
        assert version.price_list.year == 2027 and version.state == "open"
        lines = list(version.lines.select_related("service"))
        assert 1 <= len(lines) <= 4
        for line in lines:
            price = version.price_list.prices.get(service=line.service)
            assert line.list_price == price.unit_price
            assert line.price_model == line.service.price_model != "fixed"
        rounds = list(version.rounds.all())
        if agreement.status == Agreement.Status.NEGOTIATION:
            assert [r.side for r in rounds] == ["provider"]
            assert rounds[0].lines == lines_snapshot(version)  # as the services freeze it
            assert rounds[0].total == sum(line.yearly_amount for line in lines)
        else:
            assert agreement.status == Agreement.Status.DRAFT and not rounds


def test_new_generators_run_alone_on_a_database_generated_before_them(demo, monkeypatch):
    older = {name: generate.GENERATORS[name] for name in ("customers", "people")}
    monkeypatch.setattr(generate, "GENERATORS", older)
    run()
    assert not Service.objects.filter(code__startswith="GEN-").exists()
    monkeypatch.undo()
    output = run()
    assert "Generated services, key_values, agreements, orders (scale 0.05, seed 7)" in output
    assert Service.objects.filter(code__startswith="GEN-").exists()
    assert generated_users().count() == 20  # the people were not generated again
    assert verify_chain().ok
