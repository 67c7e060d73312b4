from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from erp.core.records import LeaveStatus, OrderStatus, Product
from erp.core.sample_data import (
    CUSTOMERS,
    EMPLOYEES,
    LEAVE_REQUESTS,
    ORDERS,
    PRODUCTS,
    STOCK_MOVES,
    TODAY,
    WAREHOUSES,
)


def dashboard(request: HttpRequest) -> HttpResponse:
    """The admin dashboard: statistics recomputed from every order on every request."""
    live = [order for order in ORDERS if order.status != OrderStatus.CANCELLED]
    revenue = sum((order.totals.total for order in live), Decimal(0))
    this_month = [order for order in live if order.ordered.month == TODAY.month]
    open_orders = [o for o in live if o.status in (OrderStatus.DRAFT, OrderStatus.CONFIRMED)]
    low_stock = [product for product in PRODUCTS if product.is_low]
    stats = [
        {"label": _("Revenue (incl. VAT)"), "value": revenue, "money": True, "icon": "fa-sack-dollar", "tone": "primary"},
        {"label": _("Orders this month"), "value": len(this_month), "icon": "fa-cart-shopping", "tone": "success"},
        {"label": _("Open orders"), "value": len(open_orders), "icon": "fa-hourglass-half", "tone": "warning"},
        {"label": _("Products below reorder level"), "value": len(low_stock), "icon": "fa-boxes-stacked", "tone": "danger"},
        {"label": _("Customers"), "value": len(CUSTOMERS), "icon": "fa-handshake", "tone": "info"},
        {"label": _("Employees"), "value": len(EMPLOYEES), "icon": "fa-id-badge", "tone": "secondary"},
        {"label": _("Average order value"), "value": revenue / len(live), "money": True, "icon": "fa-scale-balanced", "tone": "primary"},
        {
            "label": _("Pending leave requests"),
            "value": sum(1 for leave in LEAVE_REQUESTS if leave.status == LeaveStatus.PENDING),
            "icon": "fa-umbrella-beach",
            "tone": "info",
        },
    ]
    units: Counter[Product] = Counter()
    monthly: defaultdict[date, Decimal] = defaultdict(Decimal)
    for order in live:
        monthly[order.ordered.replace(day=1)] += order.totals.net
        for line in order.lines:
            units[line.product] += line.qty
    stock_by_warehouse = [(warehouse, sum((p.stock_value for p in PRODUCTS if p.warehouse == warehouse), Decimal(0))) for warehouse in WAREHOUSES]
    return render(
        request,
        "dashboard/admin_dashboard.html",
        {
            "stats": stats,
            "orders": ORDERS,
            "low_stock": low_stock,
            "recent_moves": STOCK_MOVES[:8],
            "top_products": units.most_common(5),
            "monthly": sorted(monthly.items()),
            "stock_by_warehouse": stock_by_warehouse,
            "today": TODAY,
        },
    )
