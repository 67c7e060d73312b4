"""A real small Django project for the ``--settings`` tests: settings that install only the apps the
templates need (no auth, sessions, contenttypes, CACHES), and assetopt's CLI run from inside it."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner, Result

from assetopt.cli import cli


def mini_settings(apps: str = '["shop"]', extra: str = "") -> str:
    """``mini_settings.py``: ``apps`` as INSTALLED_APPS, templates from ``templates/`` and the apps."""
    return f"""SECRET_KEY = "test"
INSTALLED_APPS = {apps}
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": ["templates"], "APP_DIRS": True,
              "OPTIONS": {{"context_processors": ["django.template.context_processors.request"]}}}}]
STATIC_URL = "/static/"
{extra}"""


def run_in(cwd: Path, *args: str) -> Result:
    """``assetopt ARGS`` with ``cwd`` as the working dir (where the settings module is imported from)."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
