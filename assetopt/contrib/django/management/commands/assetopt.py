"""``manage.py assetopt audit|rewrite|build|verify|optimize|critical ...``: the command line, configured from
``settings`` (template dirs from the template engines, static dirs from ``STATICFILES_FINDERS``,
``ASSETOPT`` for the rest) instead of ``[tool.assetopt]``.

The Django package and the command line never import each other (``design.md``): this command
writes the settings-derived configuration as an ``assetopt.toml`` in a temporary folder and runs
``python -m assetopt.cli COMMAND --project THAT_FOLDER ...`` with the same arguments, so every
flag, output and exit code is the command line's own. That ``assetopt.toml`` names ``BASE_DIR`` as
the project (undo patches, messages and the write boundary are relative to it, never to the
temporary folder) and the settings module this command runs with (``--browser`` renders with it;
``--settings``/``--pythonpath`` are Django's own options here, already applied, never passed on).
Without ``--url`` the pages are ``ASSETOPT["PAGES"]``, without ``--user`` the user ``ASSETOPT["USER"]``.

``optimize`` writes its rewritten copies and its static root to ``BASE_DIR/build/assetopt`` unless
``--out`` says otherwise, never into ``STATIC_ROOT``: a web server serves that folder.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from assetopt.config import config_to_toml
from assetopt.contrib.django.project import config_from_settings, served_dirs
from assetopt.errors import AssetoptError

COMMANDS = ("audit", "rewrite", "build", "verify", "optimize", "critical", "undo")
OPTIMIZE_OUT = Path("build") / "assetopt"  # under BASE_DIR
_PROG_ENV = "ASSETOPT_DJANGO_PROG"  # the command line's DJANGO_PROG_ENV (no import: see the docstring)
_FROM_SETTINGS = {
    "--project": "BASE_DIR",
    "--templates": "TEMPLATES (DIRS, APP_DIRS)",
    "--static": "STATICFILES_DIRS and STATICFILES_FINDERS",
    "--static-url": "STATIC_URL",
}
_DJANGO_OPTIONS = ("--settings", "--pythonpath")  # manage.py applied them before this command ran
USAGE = 2  # the command line's exit code for a usage error; 1 means findings (`rewrite --check` found work)


def _option(arg: str) -> str:
    return arg.split("=", 1)[0]


def _value(args: list[str], flag: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def strip_django_options(args: list[str]) -> list[str]:
    """``args`` without ``--settings X``/``--pythonpath X`` (or ``=X``): Django's, not the command line's."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _DJANGO_OPTIONS:
            skip = True
        elif _option(arg) not in _DJANGO_OPTIONS:
            out.append(arg)
    return out


class Command(BaseCommand):
    help = "Run assetopt (audit, rewrite, build, verify, optimize, critical) configured from this project's settings."
    missing_args_message = f"name a command: {', '.join(COMMANDS)} (then --help for its options)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("command", choices=COMMANDS, help="the assetopt command to run")
        parser.add_argument("rest", nargs=argparse.REMAINDER, help="its options, e.g. --json before.json")

    def handle(self, *_: Any, **options: Any) -> None:
        command, rest = options["command"], strip_django_options(list(options["rest"]))
        given = sorted({_option(a) for a in rest} & set(_FROM_SETTINGS))
        if given:
            raise CommandError(
                "; ".join(f"{flag} comes from settings.{_FROM_SETTINGS[flag]} under manage.py" for flag in given)
                + " (or run the `assetopt` command line)",
                returncode=USAGE,
            )
        try:
            config = config_from_settings()
        except (AssetoptError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc), returncode=USAGE) from None
        if command == "optimize" and not {"-h", "--help"} & set(rest):
            out = _value(rest, "--out")
            if out is None:
                rest += ["--out", str(config.project / OPTIMIZE_OUT)]
            else:
                _refuse_served(Path(out), "--out")
        if command == "build" and not {"-h", "--help"} & set(rest):
            out = _value(rest, "--out")
            _refuse_manifest_root(config.out, config.out if out is None else Path(out))
        # the settings module must import in the children too (the browser half, the cache leak check,
        # rewrite's compile gate and cache verdicts use it), wherever manage.py was run from
        env = {**_env_importing(config.settings), _PROG_ENV: f"{_prog()} assetopt"}
        with tempfile.TemporaryDirectory(prefix="assetopt-") as tmp:
            (Path(tmp) / "assetopt.toml").write_text(config_to_toml(config), encoding="utf-8")
            argv = [sys.executable, "-m", "assetopt.cli", command, "--project", tmp, *rest]
            code = subprocess.call(argv, cwd=os.getcwd(), env=env)
        if code:
            sys.exit(code)  # the command line's own exit code: 1 findings, 2 usage error


def _prog() -> str:
    name = Path(sys.argv[0]).name if sys.argv else ""
    return name if name in ("manage.py", "django-admin") else "manage.py"


def _refuse_served(path: Path, flag: str) -> None:
    target = path.resolve()
    for setting, folder in served_dirs():
        if target == folder or target.is_relative_to(folder):
            raise CommandError(
                f"{flag} {path} is inside {setting} ({folder}): a web server would publish the rewritten templates; pass a folder outside it, e.g. {flag} build/assetopt",
                returncode=USAGE,
            )


def _refuse_manifest_root(static_root: Path, out: Path) -> None:
    """``build`` into a ``STATIC_ROOT`` that a manifest storage (Django's hashed names, assetopt's
    own storage included) serves: pages look every name up in its ``staticfiles.json``, which never
    names the files this build writes, and the build would delete the bundles it does name."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    target = out.resolve()
    if not (target == static_root or target.is_relative_to(static_root)) or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    cls = staticfiles_storage.__class__  # the configured class (type() would name the lazy wrapper)
    storage = f"{cls.__module__}.{cls.__qualname__}"
    setting = getattr(settings, "STATIC_ROOT", None)  # config.out is conf.static_root(): the storage's location
    where = "STATIC_ROOT" if setting and Path(setting).resolve() == static_root else "the staticfiles storage's location"
    raise CommandError(
        f"build would write into {where} ({static_root}), which STORAGES['staticfiles'] ({storage}) serves through"
        " its staticfiles.json: that manifest would not name the bundles this build writes (pages would render their"
        " original tags, or link files that do not exist with manifest_strict = False), and the build would delete the"
        " bundles it does name. Run `manage.py collectstatic` instead (with"
        " assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage it builds the bundles), or"
        " `manage.py assetopt build --out DIR` to build into another folder. Nothing was written.",
        returncode=USAGE,
    )


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
