"""Serve the example's collected STATIC_ROOT through whitenoise's middleware (Django's test client) and
print JSON: for every /static/ URL the dashboard page references, the response to a brotli, a gzip
and a plain request: [status, Content-Encoding, Cache-Control, Content-Type, sha256 of the body].

Run in a subprocess by tests/test_whitenoise.py (ERP_STATIC_ROOT, ERP_TEMPLATES_DIR, DJANGO_DEBUG=0),
so the example's settings never mix with other tests'.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "example"
sys.path.insert(0, str(EXAMPLE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")

from django.conf import settings  # noqa: E402

# As a project adopting whitenoise would: first after SecurityMiddleware (here: first).
settings.MIDDLEWARE = ["whitenoise.middleware.WhiteNoiseMiddleware", *settings.MIDDLEWARE]

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> None:
    setup_test_environment()
    client = Client()
    page = client.get("/en/").content.decode("utf-8")
    urls = sorted(
        set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page))
        | {u.split(" ")[0] for s in re.findall(r'srcset="([^"]+)"', page) for u in s.split(", ")}
    )
    out: dict[str, dict[str, list[object]]] = {"__page__": {"html": [page]}}
    for url in urls:
        row = {}
        for name, accept in (("br", "br, gzip"), ("gzip", "gzip"), ("plain", "")):
            r = client.get(url, HTTP_ACCEPT_ENCODING=accept)
            body = b"".join(r.streaming_content) if r.streaming else r.content
            row[name] = [
                r.status_code,
                r.get("Content-Encoding", ""),
                r.get("Cache-Control", ""),
                r.get("Content-Type", ""),
                hashlib.sha256(body).hexdigest(),
            ]
        out[url] = row
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
