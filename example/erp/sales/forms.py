"""Validation for the order form: the header as a Django form, the lines as plain data.

The lines arrive twice in the same shape, as JSON from the quote endpoint and as parallel
form fields from the normal submit, so one function checks both and names each error by
its place (`lines.0.qty`), which is how the order form script shows it next to the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.records import Customer, Product
from erp.core.sample_data import CUSTOMERS, CUSTOMERS_BY_ID, PRODUCTS_BY_ID

Errors = dict[str, list[str]]
PricedInput = tuple[Product, int, Decimal]


def _customer_choices() -> list[tuple[int, str]]:
    return [(customer.id, customer.display_name) for customer in CUSTOMERS]


class OrderForm(forms.Form):
    customer = forms.TypedChoiceField(label=gettext_lazy("Customer"), coerce=int, choices=_customer_choices)
    order_date = forms.DateField(label=gettext_lazy("Order date"))
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, max_length=1000)

    def clean_customer(self) -> Customer:
        return CUSTOMERS_BY_ID[self.cleaned_data["customer"]]


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _as_percent(value: object) -> Decimal | None:
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        percent = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return percent if percent.is_finite() and 0 <= percent <= 100 else None


def parse_lines(raw_lines: object) -> tuple[list[PricedInput], Errors]:
    """Check order lines `[{"product": 1, "qty": 2, "discount": "5"}, ...]`."""
    if not isinstance(raw_lines, list):
        return [], {"lines": [_("Send the order lines as a list.")]}
    lines: list[PricedInput] = []
    errors: Errors = {}
    for index, raw in enumerate(raw_lines):
        prefix = f"lines.{index}"
        if not isinstance(raw, Mapping):
            errors[prefix] = [_("Each line must be an object.")]
            continue
        product_id = _as_int(raw.get("product"))
        product = PRODUCTS_BY_ID.get(product_id) if product_id is not None else None
        qty = _as_int(raw.get("qty"))
        discount = _as_percent(raw.get("discount"))
        if product is None:
            errors[f"{prefix}.product"] = [_("Choose a product.")]
        if qty is None or qty < 1:
            errors[f"{prefix}.qty"] = [_("Enter a whole number of at least 1.")]
        elif product is not None and qty > product.stock:
            errors[f"{prefix}.qty"] = [_("Only %(stock)d in stock.") % {"stock": product.stock} if product.stock else _("Out of stock.")]
        if discount is None:
            errors[f"{prefix}.discount"] = [_("Enter a discount between 0 and 100.")]
        if product is not None and qty is not None and discount is not None:
            lines.append((product, qty, discount))
    return lines, errors


def parse_customer(value: object) -> Errors:
    """The quote may come before a customer is chosen; a customer that is sent must exist."""
    if value is None or value == "" or _as_int(value) in CUSTOMERS_BY_ID:
        return {}
    return {"customer": [_("Unknown customer.")]}
