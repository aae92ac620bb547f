"""Money: Decimal kronor with öre, one rounding rule, and exact allocation of a total.

Every amount in Ordna is a `Decimal` with two decimals (öre), stored in
`DecimalField(max_digits=14, decimal_places=2)` fields named `*_amount`. Rounding is
always half away from zero ("avrundning till närmaste öre"), done here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")


def to_ore(value: Decimal | int | str) -> Decimal:
    """Round an amount to whole öre, half away from zero (the one rounding rule)."""
    if isinstance(value, float):
        raise TypeError("money is never a float; use Decimal or a string")
    return Decimal(value).quantize(ORE, rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Mapping | Sequence[tuple]) -> dict:
    """Share `total` by `weights` so the parts sum to the total exactly, to the öre.

    Largest-remainder method: each part first gets its exact share rounded down to whole
    öre; the öre left over go one at a time to the parts with the largest remainders
    (ties by the order given). Negative totals are shared the same way, mirrored.
    Weights must be non-negative and not all zero.

    Returns {key: amount} in the order of `weights`.
    """
    items = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
    if not items:
        raise ValueError("nothing to allocate to")
    amounts = [Decimal(w) for _key, w in items]
    if any(w < 0 for w in amounts):
        raise ValueError("weights cannot be negative")
    weight_sum = sum(amounts, Decimal(0))
    if weight_sum == 0:
        raise ValueError("the weights sum to zero")
    total = to_ore(total)
    sign = -1 if total < 0 else 1
    cents = int(abs(total) / ORE)
    exact = [Decimal(cents) * w / weight_sum for w in amounts]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    leftover = cents - sum(floors)
    order = sorted(range(len(items)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return {key: sign * Decimal(part) * ORE for (key, _w), part in zip(items, floors, strict=True)}
