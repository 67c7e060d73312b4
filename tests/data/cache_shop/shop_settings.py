"""A small shop for the cache-leak tests: per-user orders, addresses, notifications (a context
processor), private threads, a form with errors, a per-object order page and a basket (a cart in the
session, anonymous too; order lines through an include). The cache backend and
the template dir come from the environment so each test picks them."""

import os
from pathlib import Path

BASE = Path(__file__).resolve().parent
SECRET_KEY = "cache-shop-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "shop"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
try:  # django-htmx (the test extra): request.htmx for the feed page
    import django_htmx  # noqa: F401

    MIDDLEWARE.append("django_htmx.middleware.HtmxMiddleware")
except ImportError:
    pass
ROOT_URLCONF = "shop.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.environ.get("SHOP_TEMPLATES", str(BASE / "templates"))],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "shop.context.notifications",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("SHOP_DB", str(BASE / "db.sqlite3"))}}
_REDIS = os.environ.get("SHOP_REDIS")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS}
        if _REDIS
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shop"}
    )
}
USE_TZ = True
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
