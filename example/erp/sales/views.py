from __future__ import annotations

import json
from collections import Counter, defaultdict
from decimal import Decimal
from itertools import zip_longest

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from erp.core.pricing import price_lines
from erp.core.records import OrderStatus
from erp.core.sample_data import CUSTOMERS, ORDERS, ORDERS_BY_ID
from erp.core.shortcuts import get_or_404
from erp.sales.forms import OrderForm, parse_customer, parse_lines


def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    orders = [order for order in ORDERS if order.status == status] if status else ORDERS
    counts = Counter(order.status for order in ORDERS)
    return render(
        request,
        "sales/order_list.html",
        {
            "orders": orders,
            "status": status,
            "statuses": [(choice, counts[choice]) for choice in OrderStatus],
        },
    )


def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "sales/order_detail.html", {"order": get_or_404(ORDERS_BY_ID, pk)})


def invoice(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "sales/invoice.html", {"order": get_or_404(ORDERS_BY_ID, pk)})


def customers(request: HttpRequest) -> HttpResponse:
    billed: defaultdict[int, Decimal] = defaultdict(Decimal)
    order_counts: Counter[int] = Counter()
    for order in ORDERS:
        if order.status != OrderStatus.CANCELLED:
            order_counts[order.customer.id] += 1
            billed[order.customer.id] += order.totals.total
    rows = [
        {
            "customer": customer,
            "orders": order_counts[customer.id],
            "billed": billed[customer.id],
            "credit_used": round(100 * billed[customer.id] / customer.credit_limit),
        }
        for customer in CUSTOMERS
    ]
    return render(request, "sales/customers.html", {"rows": rows})


def _describe_errors(form: OrderForm, line_errors: dict[str, list[str]]) -> list[str]:
    """Errors as sentences that say where they are, for the page without the script."""
    described = [
        f"{form[field].label}: {message}" if field in form.fields else message for field, messages in form.errors.items() for message in messages
    ]
    for key, notes in line_errors.items():
        parts = key.split(".")
        for message in notes:
            if len(parts) > 1:
                where = {"number": int(parts[1]) + 1, "error": message}
                message = _("Line %(number)d: %(error)s") % where
            described.append(message)
    return described


@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest) -> HttpResponse:
    """The order form. The script prices lines through `order_quote`; the submit lands here."""
    errors: list[str] = []
    if request.method == "POST":
        form = OrderForm(request.POST)
        raw_lines = [
            {"product": product, "qty": qty, "discount": discount}
            for product, qty, discount in zip_longest(
                request.POST.getlist("product"),
                request.POST.getlist("qty"),
                request.POST.getlist("discount"),
            )
        ]
        lines, line_errors = parse_lines(raw_lines)
        if not raw_lines:
            line_errors["lines"] = [_("Add at least one product.")]
        if form.is_valid() and not line_errors:
            quote = price_lines(lines)
            message = _("Order for %(customer)s received: %(total)s SAR including VAT.")
            customer = form.cleaned_data["customer"]
            messages.success(request, message % {"customer": customer.display_name, "total": f"{quote.total:,.2f}"})
            return redirect("sales:order_list")
        errors = _describe_errors(form, line_errors)
    else:
        form = OrderForm(initial={"order_date": timezone.localdate().isoformat()})
    return render(
        request,
        "sales/order_form.html",
        {"form": form, "customers": CUSTOMERS, "errors": errors},
    )


@require_POST
def order_quote(request: HttpRequest) -> JsonResponse:
    """Price the order form's lines.

    Body: `{"customer": 3, "lines": [{"product": 1, "qty": 2, "discount": "5"}]}`; the answer is
    `Quote.as_json()`, or 400 with `{"errors": {"lines.0.qty": [...]}}`.
    """
    try:
        payload = json.loads(request.body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return JsonResponse({"errors": {"__all__": [_("Send a JSON object.")]}}, status=400)
    lines, errors = parse_lines(payload.get("lines"))
    errors.update(parse_customer(payload.get("customer")))
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    return JsonResponse(price_lines(lines).as_json())
