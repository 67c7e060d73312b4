"""Money rules shared by the sample orders and the order form's quote endpoint.

Amounts are `Decimal`, rounded half-up to the halala (0.01 SAR). The discount is rounded per line;
VAT is summed over the lines' net amounts and rounded once, so a quote never drifts by a halala
from what the invoice prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol


class Priced(Protocol):
    id: int
    price: Decimal
    vat_rate: Decimal


CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PricedLine:
    product: Priced
    qty: int
    discount_percent: Decimal
    gross: Decimal
    discount: Decimal

    @property
    def unit_price(self) -> Decimal:
        return self.product.price

    @property
    def net(self) -> Decimal:
        return self.gross - self.discount


@dataclass(frozen=True)
class Quote:
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount: Decimal
    vat: Decimal

    @property
    def net(self) -> Decimal:
        return self.subtotal - self.discount

    @property
    def total(self) -> Decimal:
        return self.net + self.vat

    def as_json(self) -> dict[str, object]:
        """The quote endpoint's payload: decimals as strings with two places."""
        return {
            "lines": [
                {
                    "product": line.product.id,
                    "unit_price": f"{line.unit_price:.2f}",
                    "line_total": f"{line.net:.2f}",
                }
                for line in self.lines
            ],
            "subtotal": f"{self.subtotal:.2f}",
            "discount": f"{self.discount:.2f}",
            "vat": f"{self.vat:.2f}",
            "total": f"{self.total:.2f}",
        }


def price_lines(lines: Iterable[tuple[Priced, int, Decimal]]) -> Quote:
    """Price `(product, qty, discount_percent)` triples."""
    priced = []
    for product, qty, discount_percent in lines:
        gross = money(product.price * qty)
        priced.append(
            PricedLine(
                product=product,
                qty=qty,
                discount_percent=discount_percent,
                gross=gross,
                discount=money(gross * discount_percent / HUNDRED),
            )
        )
    vat = money(sum((line.net * line.product.vat_rate for line in priced), Decimal(0)))
    return Quote(
        lines=tuple(priced),
        subtotal=sum((line.gross for line in priced), Decimal("0.00")),
        discount=sum((line.discount for line in priced), Decimal("0.00")),
        vat=vat,
    )
