"""The child process of ``rewrite.compile_check.compile_errors``: compile template sources with Django.

Run as ``python -m assetopt.contrib.django.compile_child [SETTINGS_MODULE]`` with a JSON list of sources
on stdin; answers a JSON list (None, or Django's message, per source). With a settings module the
project is set up and its own template engine compiles (its libraries and builtins); without one,
minimal settings of its own, so the caller's Django configuration (or lack of one) never matters.
A failure caused by two loaded libraries defining one of assetopt's tags names both libraries.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from typing import Any

__all__ = ["main"]

_LOAD = re.compile(r"{%-?\s*load\s+(.*?)\s*-?%}", re.S)


def _minimal_settings() -> None:
    from django.conf import settings

    apps = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.messages", "django.contrib.admin",
            "django.contrib.humanize", "django.contrib.staticfiles", "assetopt.contrib.django"]  # fmt: skip
    if importlib.util.find_spec("compressor") is not None:
        apps.append("compressor")
    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=apps,
        STATIC_URL="/static/",
        USE_I18N=True,
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": False}],
        COMPRESS_ENABLED=True,
        STATIC_ROOT="/nonexistent-assetopt-compile-check",  # compressor insists; nothing is written
    )


def _engine() -> Any:
    from django.template import engines
    from django.template.backends.django import DjangoTemplates

    for backend in engines.all():
        if isinstance(backend, DjangoTemplates):
            return backend.engine
    raise SystemExit("the settings configure no DjangoTemplates engine in TEMPLATES")


def clash(source: str, engine: Any) -> str:
    """Which of assetopt's tags this template gets from two libraries ('' when none): Django keeps
    the one loaded last, so the other's uses stop compiling."""
    ours = engine.template_libraries.get("assetopt")
    if ours is None:
        return ""
    owners: dict[str, list[str]] = {}
    for module, builtin in zip(engine.builtins, engine.template_builtins):
        for tag in set(builtin.tags) & set(ours.tags):
            owners.setdefault(tag, []).append(f"{module} (a builtin)")
    for match in _LOAD.finditer(source):
        bits = match.group(1).split()
        if "from" in bits and len(bits) >= 3 and bits[-2] == "from":
            names, libs = bits[:-2], [bits[-1]]
        else:
            names, libs = [], bits
        for lib in libs:
            library = engine.template_libraries.get(lib)
            if library is None:
                continue
            for tag in set(library.tags) & set(ours.tags):
                if (not names or tag in names) and lib not in owners.get(tag, []):
                    owners.setdefault(tag, []).append(lib)
    clashes = [
        f"{{% {tag} %}} is defined by the libraries {' and '.join(repr(o) for o in libs)}" for tag, libs in sorted(owners.items()) if len(libs) > 1
    ]
    if not clashes:
        return ""
    return (
        "; ".join(clashes)
        + ", both loaded here (Django uses the one loaded last, so the other's tags stop compiling): rename your tag, or leave this template out of the rewrite (exclude)"
    )


def main() -> None:
    import django

    if len(sys.argv) > 1:
        os.environ["DJANGO_SETTINGS_MODULE"] = sys.argv[1]
    else:
        _minimal_settings()
    django.setup()
    from django.template import TemplateSyntaxError

    engine = _engine()
    out: list[str | None] = []
    for source in json.loads(sys.stdin.read()):
        try:
            engine.from_string(source)
            out.append(None)
            continue
        except TemplateSyntaxError as exc:
            message = str(exc)
        except Exception as exc:  # noqa: BLE001 - a broken tag library is a compile failure too
            message = f"{type(exc).__name__}: {exc}"
        why = clash(source, engine)
        out.append(f"{message} ({why})" if why else message)
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    main()
