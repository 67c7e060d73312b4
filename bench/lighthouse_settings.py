"""The example's settings served behind whitenoise, for bench/bench_lighthouse.py (never the tests).

BENCH_STORAGE chooses the staticfiles storage: "whitenoise" (whitenoise's
CompressedManifestStaticFilesStorage: hashing, .gz/.br), "assetopt" (the example's own assetopt
storage: bundles, minification, .gz/.br), "plain" (Django's ManifestStaticFilesStorage: hashing,
no compression). Every side is served the same way: whitenoise's middleware, DEBUG off.
BENCH_GZIP_HTML=1 adds Django's GZipMiddleware (the pages themselves compressed, as nginx or a CDN
would; whitenoise compresses only static files) to every side.
"""

from __future__ import annotations

import os

from erp.settings import *  # noqa: F403
from erp.settings import MIDDLEWARE

_STORAGES = {
    "whitenoise": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    "assetopt": "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage",
    "plain": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _STORAGES[os.environ.get("BENCH_STORAGE", "assetopt")]},
}
# As whitenoise's docs say: right after SecurityMiddleware.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
if os.environ.get("BENCH_GZIP_HTML") == "1":
    # Django's docs: before any middleware that reads or writes the response body.
    MIDDLEWARE = [MIDDLEWARE[0], "django.middleware.gzip.GZipMiddleware", *MIDDLEWARE[1:]]
