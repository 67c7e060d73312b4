from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from erp.core.records import Category, Product
from erp.core.sample_data import PRODUCTS, PRODUCTS_BY_SKU, STOCK_MOVES, WAREHOUSES
from erp.core.shortcuts import get_or_404

SEARCH_LIMIT = 20


def _matches(product: Product, query: str) -> bool:
    folded = query.casefold()
    return folded in product.name.casefold() or folded in product.sku.casefold() or query in product.name_ar


def products(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    shown = [product for product in PRODUCTS if (not query or _matches(product, query)) and (not category or product.category == category)]
    return render(
        request,
        "inventory/products.html",
        {"products": shown, "query": query, "category": category, "categories": Category.choices},
    )


def product_detail(request: HttpRequest, sku: str) -> HttpResponse:
    product = get_or_404(PRODUCTS_BY_SKU, sku)
    return render(
        request,
        "inventory/product_detail.html",
        {
            "product": product,
            "moves": [move for move in STOCK_MOVES if move.product == product],
            "related": [p for p in PRODUCTS if p.category == product.category and p != product][:4],
        },
    )


@require_GET
def product_search(request: HttpRequest) -> JsonResponse:
    """Products for the order form's line picker: `?q=TEXT`, the first 20 when empty."""
    query = request.GET.get("q", "").strip()
    found = [product for product in PRODUCTS if not query or _matches(product, query)]
    return JsonResponse(
        {
            "results": [
                {
                    "id": product.id,
                    "sku": product.sku,
                    "name": product.name,
                    "name_ar": product.name_ar,
                    "price": f"{product.price:.2f}",
                    "stock": product.stock,
                    "vat_rate": f"{product.vat_rate:.2f}",
                }
                for product in found[:SEARCH_LIMIT]
            ]
        }
    )


def stock_moves(request: HttpRequest) -> HttpResponse:
    return render(request, "inventory/stock_moves.html", {"moves": STOCK_MOVES})


def warehouses(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "warehouse": warehouse,
            "products": [product for product in PRODUCTS if product.warehouse == warehouse],
        }
        for warehouse in WAREHOUSES
    ]
    return render(request, "inventory/warehouses.html", {"rows": rows})


# Bounding box of the schematic map, in degrees (west, south, east, north).
MAP_BOUNDS = (36.0, 16.0, 56.0, 32.5)


@xframe_options_sameorigin
def warehouse_map(request: HttpRequest) -> HttpResponse:
    """A small standalone page the warehouses page embeds in an `<iframe>`."""
    west, south, east, north = MAP_BOUNDS
    pins = [
        {
            "warehouse": warehouse,
            "x": round(100 * (warehouse.longitude - west) / (east - west), 1),
            "y": round(100 * (north - warehouse.latitude) / (north - south), 1),
        }
        for warehouse in WAREHOUSES
    ]
    return render(request, "inventory/warehouse_map.html", {"pins": pins})
