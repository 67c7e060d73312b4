"""The example's settings with ``ASSETOPT["PAGES"]``/``["USER"]``: what ``manage.py assetopt optimize
--browser`` renders without ``--url``/``--user`` (tests/test_django_pages.py). Imported with ``example/``
and ``tests/`` on ``sys.path``."""

from erp.settings import *  # noqa: F403

ASSETOPT = {**ASSETOPT, "PAGES": ["core:dashboard"], "USER": "demo"}  # noqa: F405
