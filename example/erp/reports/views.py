from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format

from erp.core.records import Category, Order, OrderStatus
from erp.core.sample_data import ORDERS, PRODUCTS, TODAY, WAREHOUSES


def _revenue_by(orders: Iterable[Order], key: Callable[[Order], Hashable]) -> dict[Hashable, Decimal]:
    revenue: defaultdict[Hashable, Decimal] = defaultdict(Decimal)
    for order in orders:
        revenue[key(order)] += order.totals.net
    return dict(sorted(revenue.items(), key=lambda item: item[1], reverse=True))


def sales_report(request: HttpRequest) -> HttpResponse:
    """Net sales (before VAT) for the quarter, by month, customer and salesperson."""
    orders = [order for order in ORDERS if order.status != OrderStatus.CANCELLED]
    by_month = dict(sorted(_revenue_by(orders, lambda o: o.ordered.replace(day=1)).items()))
    total = sum(by_month.values(), Decimal(0))
    chart = {
        "labels": [date_format(month, "YEAR_MONTH_FORMAT") for month in by_month],
        "values": [float(value) for value in by_month.values()],
    }
    return render(
        request,
        "reports/sales_report.html",
        {
            "total": total,
            "order_count": len(orders),
            "by_customer": _revenue_by(orders, lambda o: o.customer),
            "by_salesperson": _revenue_by(orders, lambda o: o.salesperson),
            "chart": chart,
            "today": TODAY,
        },
    )


def inventory_report(request: HttpRequest) -> HttpResponse:
    """Stock value at list price, by warehouse and by category."""
    by_warehouse = {warehouse: sum((p.stock_value for p in PRODUCTS if p.warehouse == warehouse), Decimal(0)) for warehouse in WAREHOUSES}
    by_category = {category: sum((p.stock_value for p in PRODUCTS if p.category == category), Decimal(0)) for category in Category}
    chart = {
        "labels": [str(category.label) for category in by_category],
        "values": [float(value) for value in by_category.values()],
    }
    return render(
        request,
        "reports/inventory_report.html",
        {
            "by_warehouse": by_warehouse,
            "by_category": by_category,
            "total": sum(by_warehouse.values(), Decimal(0)),
            "low_stock": [product for product in PRODUCTS if product.is_low],
            "chart": chart,
            "today": TODAY,
        },
    )
