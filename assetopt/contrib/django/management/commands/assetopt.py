"""``manage.py assetopt audit|rewrite|build|verify|optimize ...``: the command line, configured from
``settings`` (template dirs from the template engines, static dirs from ``STATICFILES_FINDERS``,
``ASSETOPT`` for the rest) instead of ``[tool.assetopt]``.

The Django package and the command line never import each other (``design.md``): this command
writes the settings-derived configuration as an ``assetopt.toml`` in a temporary folder and runs
``python -m assetopt.cli COMMAND --project THAT_FOLDER ...`` with the same arguments, so every
flag, output and exit code is the command line's own. For ``optimize --browser`` (and
``verify --browser``) the settings module is passed on as ``--settings``; without ``--url`` the pages
are ``ASSETOPT["PAGES"]`` and without ``--user`` the user is ``ASSETOPT["USER"]`` (written into that
``assetopt.toml`` as ``urls`` and ``user``).
"""
from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from assetopt.config import config_to_toml
from assetopt.contrib.django.project import config_from_settings
from assetopt.errors import AssetoptError

COMMANDS = ("audit", "rewrite", "build", "verify", "optimize")


class Command(BaseCommand):
    help = "Run assetopt (audit, rewrite, build, verify, optimize) configured from this project's settings."
    missing_args_message = f"name a command: {', '.join(COMMANDS)} (then --help for its options)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("command", choices=COMMANDS, help="the assetopt command to run")
        parser.add_argument("rest", nargs=argparse.REMAINDER, help="its options, e.g. --json before.json")

    def handle(self, *_: Any, **options: Any) -> None:
        try:
            config = config_from_settings()
        except (AssetoptError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None
        settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
        config = replace(config, django_settings=settings_module)  # rewrite compiles with this project's engine
        args = [options["command"], *options["rest"]]
        if options["command"] in ("optimize", "verify") and "--browser" in args and "--settings" not in args:
            args += ["--settings", os.environ.get("DJANGO_SETTINGS_MODULE", "")]
        with tempfile.TemporaryDirectory(prefix="assetopt-") as tmp:
            (Path(tmp) / "assetopt.toml").write_text(config_to_toml(config), encoding="utf-8")
            argv = [sys.executable, "-m", "assetopt.cli", args[0], "--project", tmp, *args[1:]]
            code = subprocess.call(argv, cwd=os.getcwd(), env=_env_importing(settings_module))
        if code:
            sys.exit(code)  # the command line's own exit code: 1 findings, 2 usage error


def _env_importing(settings_module: str) -> dict[str, str]:
    """This environment, with the folder the settings module was imported from on ``PYTHONPATH``
    (manage.py put it on ``sys.path``; a child process started elsewhere would not have it)."""
    env = dict(os.environ)
    module = sys.modules.get(settings_module) or (importlib.import_module(settings_module) if settings_module else None)
    file = getattr(module, "__file__", None)
    if file:
        root = Path(file).resolve().parent
        for _ in range(settings_module.count(".")):
            root = root.parent
        env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    return env
