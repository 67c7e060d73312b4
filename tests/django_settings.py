"""The minimal Django settings the template-tag tests render with (configured once, on demand).

Only tests that need Django's template engine call ``configure()``; the rest of the suite stays
free of Django settings. Per-test values (template dirs, ``ASSETOPT``, ``STATIC_ROOT``) are layered
on top with ``django.test.utils.override_settings``.
"""

from __future__ import annotations

import django
from django.conf import settings

SETTINGS: dict[str, object] = {
    "DEBUG": False,
    "SECRET_KEY": "assetopt-tests-only",
    "INSTALLED_APPS": ["django.contrib.staticfiles", "assetopt.contrib.django"],
    "STATIC_URL": "/static/",
    "STATIC_ROOT": None,
    "USE_I18N": True,
    "LANGUAGE_CODE": "en",
    "LANGUAGES": [("en", "English"), ("ar", "Arabic")],
    "TEMPLATES": [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [],
            "APP_DIRS": False,
            "OPTIONS": {"context_processors": ["django.template.context_processors.i18n"]},
        }
    ],
    "ASSETOPT": {},
}


def configure() -> None:
    """Configure Django with ``SETTINGS`` unless something already did; idempotent."""
    if not settings.configured:
        settings.configure(**SETTINGS)
    django.setup()
