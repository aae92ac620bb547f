"""Koncernnytta: what the group pays when a need goes outside instead of to its own
provider. The purchaser sees its own price each way; the group also keeps paying the
provider's fixed costs (premises, systems, management, capital) whether or not this
order comes, so for the group the provider's quote costs only its variable part.

    group cost, external = external price + procurement cost
    group cost, internal = provider's quote − the part of it that covers fixed costs
    group effect         = external − internal   (> 0: ordering internally saves the group)

Pure arithmetic in öre, rounded half up; proven by property tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")


@dataclass(frozen=True)
class GroupBenefit:
    purchaser_internal: Decimal  # the quote, as the purchaser pays it
    purchaser_external: Decimal  # external price plus the purchaser's procurement cost
    fixed_part: Decimal  # of the quote: covers costs the group keeps paying anyway
    group_internal: Decimal
    group_external: Decimal
    group_effect: Decimal  # > 0: internal is cheaper for the group by this much
    purchaser_effect: Decimal  # > 0: internal is cheaper for the purchaser


def compare(
    *,
    provider_quote: Decimal,
    fixed_cost_share: Decimal,
    external_price: Decimal,
    procurement_cost: Decimal,
) -> GroupBenefit:
    if min(provider_quote, external_price, procurement_cost) < 0:
        raise ValueError("amounts cannot be negative")
    if not Decimal(0) <= fixed_cost_share <= Decimal(100):
        raise ValueError("the fixed-cost share is a percentage from 0 to 100")
    quote = Decimal(provider_quote).quantize(ORE, rounding=ROUND_HALF_UP)
    fixed = (quote * Decimal(fixed_cost_share) / 100).quantize(ORE, rounding=ROUND_HALF_UP)
    external = (Decimal(external_price) + Decimal(procurement_cost)).quantize(
        ORE, rounding=ROUND_HALF_UP
    )
    internal_group = quote - fixed
    return GroupBenefit(
        purchaser_internal=quote,
        purchaser_external=external,
        fixed_part=fixed,
        group_internal=internal_group,
        group_external=external,
        group_effect=external - internal_group,
        purchaser_effect=external - quote,
    )


def fixed_cost_share(service, day) -> tuple[Decimal, str] | None:
    """The share of a service's price that covers fixed costs (overhead and capital
    cost over total cost) in the price list in force on `day`, with its source."""
    from ordna.catalogue.models import Price, PriceList

    price = (
        Price.objects.filter(
            service=service,
            price_list__status=PriceList.Status.PUBLISHED,
            price_list__year__lte=day.year,
        )
        .select_related("price_list")
        .order_by("-price_list__year", "-price_list__valid_from")
        .first()
    )
    if price is None or not price.total_cost:
        return None
    share = ((price.overhead_cost + price.capital_cost) * 100 / price.total_cost).quantize(ORE)
    return share, f"{price.price_list.name}, {service.code}: overhead + kapitalkostnad"
