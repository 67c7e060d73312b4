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
import os
import subprocess
import sys
import tempfile
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
        args = [options["command"], *options["rest"]]
        # the browser half, the cache leak check (verify --cache, and optimize before it inserts a
        # cache rule) and the cache verdicts of rewrite (context processors, tags) use these settings
        needs_settings = options["command"] in ("optimize", "rewrite") or (options["command"] == "verify" and ("--browser" in args or "--cache" in args))
        if needs_settings and "--settings" not in args:
            args += ["--settings", os.environ.get("DJANGO_SETTINGS_MODULE", "")]
        with tempfile.TemporaryDirectory(prefix="assetopt-") as tmp:
            (Path(tmp) / "assetopt.toml").write_text(config_to_toml(config), encoding="utf-8")
            argv = [sys.executable, "-m", "assetopt.cli", args[0], "--project", tmp, *args[1:]]
            # the settings module must import in the children too, wherever manage.py was run from
            here = [str(Path(sys.path[0]).resolve())] if sys.path and sys.path[0] and Path(sys.path[0]).is_dir() else []
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([*here, *filter(None, [os.environ.get("PYTHONPATH")])])}
            code = subprocess.call(argv, cwd=os.getcwd(), env=env)
        if code:
            sys.exit(code)  # the command line's own exit code: 1 findings, 2 usage error
