"""Settings for the example ERP site that assetopt audits and optimizes.

Everything the site serves comes from two folders at the repository root: `example/templates/`
(the only template dir) and `static_src/` (the only static dir). `python example/prepare.py`
fills in the generated parts (vendor libraries, images, translations, the sqlite database).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = BASE_DIR.parent

DEBUG = os.environ.get("DJANGO_DEBUG", "1").lower() not in {"0", "false", "no", "off"}

# The example never holds real data; a deployment sets DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-assetopt-example-only")

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "assetopt.contrib.django",
    "erp.core",
    "erp.sales",
    "erp.inventory",
    "erp.hr",
    "erp.reports",
    "erp.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "erp.urls"
WSGI_APPLICATION = "erp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # ERP_TEMPLATES_DIR lets the tests render a rewritten copy (assetopt rewrite --out) of the same site.
        "DIRS": [Path(os.environ.get("ERP_TEMPLATES_DIR", BASE_DIR / "templates"))],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.i18n",
                "django.template.context_processors.request",
                "django.template.context_processors.static",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "erp.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:dashboard"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Riyadh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [REPO_ROOT / "static_src"]
# ERP_STATIC_ROOT lets the tests run collectstatic into a temporary folder.
STATIC_ROOT = Path(os.environ.get("ERP_STATIC_ROOT", REPO_ROOT / "build" / "static"))

# `manage.py collectstatic` builds the {% bundle %} blocks, lets Django hash them with every other
# file, precompresses (.gz/.br) and writes STATIC_ROOT/assetopt-manifest.json for the tag.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"},
}

# Bundling follows DEBUG (off while developing); {"BUNDLES": False} is the rollback.
ASSETOPT = {
    "CACHE_DIR": REPO_ROOT / ".assetopt-cache",  # shared with the `assetopt` CLI: content-addressed
    "USERS": ["demo", "clerk"],  # as [tool.assetopt] users: `manage.py assetopt verify --cache` renders as them
    # the {% cache %} rules of pyproject.toml's [[tool.assetopt.cache]]
    "CACHE": [
        {
            "template": "partials/navbar.html",
            "selector": ".navbar-actions .notifications",
            "timeout": 60,
            "name": "navbar_notifications",
            "vary": ["request.user.pk"],
        },
        {"template": "dashboard/admin_dashboard.html", "selector": "section.chart-area", "timeout": 300, "name": "dashboard_charts", "vary": []},
    ],
    "MINIFY_STATIC": True,  # as [tool.assetopt] minify_static: collectstatic ships order_form.js minified
}
