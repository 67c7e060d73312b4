"""The example's settings served behind whitenoise, for bench/bench_lighthouse.py (never the tests).

BENCH_STORAGE chooses the staticfiles storage: "whitenoise" (whitenoise's
CompressedManifestStaticFilesStorage: hashing, .gz/.br), "assetopt" (the example's own assetopt
storage: bundles, minification, .gz/.br), "plain" (Django's ManifestStaticFilesStorage: hashing,
no compression). Every side is served the same way: whitenoise's middleware, DEBUG off.
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
