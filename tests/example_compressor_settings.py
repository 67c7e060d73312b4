"""The example ERP site on django-compressor (``assetopt rewrite --emit compressor``), for
tests/test_django_compressor.py: the example's own settings plus compressor offline with assetopt's
filters. Imported in a subprocess with ``example/`` on ``sys.path`` (tests/example_site.py)."""

from erp.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "compressor"]  # noqa: F405
TEMPLATES[0]["APP_DIRS"] = True  # noqa: F405 - compressor renders its output through compressor/*.html
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "compressor.finders.CompressorFinder",  # compressor insists on it
]
COMPRESS_ENABLED = True
COMPRESS_OFFLINE = True
COMPRESS_FILTERS = {
    "css": ["assetopt.contrib.django.filters.CssRebaseFilter", "assetopt.contrib.django.filters.CssMinFilter"],
    "js": ["assetopt.contrib.django.filters.JSMinFilter"],
}
COMPRESS_STORAGE = "assetopt.contrib.django.compressor_storage.UnchangedFileStorage"
ASSETOPT = {**ASSETOPT, "EMIT": "compressor"}  # noqa: F405
# base.html's stylesheet block holds {% if LANGUAGE_BIDI %} (bootstrap.rtl.css for Arabic): compress it
# for both directions, or Arabic pages raise OfflineGenerationError. collectstatic names the block
# (assetopt: base.html:9: {% compress css %} reads LANGUAGE_BIDI, ...) when this is missing.
COMPRESS_OFFLINE_CONTEXT = [{"STATIC_URL": STATIC_URL, "LANGUAGE_BIDI": bidi} for bidi in (False, True)]  # noqa: F405
