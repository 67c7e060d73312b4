"""Render every page of the example site with Django's test client; print JSON {url: [status, html]}.

Run in a subprocess by tests/test_example.py so the example's settings never mix with other tests'.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "example"
sys.path.insert(0, str(EXAMPLE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

PAGES = [
    "", "sales/orders/", "sales/orders/new/", "sales/orders/1001/", "sales/orders/1001/invoice/", "sales/customers/",
    "inventory/products/", "inventory/products/P-001/", "inventory/stock-moves/", "inventory/warehouses/",
    "inventory/warehouses/map/", "hr/employees/", "hr/employees/1/", "hr/payroll/", "hr/leave/",
    "reports/sales/", "reports/inventory/", "accounts/login/",
]


def main() -> None:
    setup_test_environment()
    client = Client()
    out = {}
    for lang in ("en", "ar"):
        for page in PAGES:
            url = f"/{lang}/{page}"
            response = client.get(url)
            out[url] = [response.status_code, response.content.decode("utf-8")]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
