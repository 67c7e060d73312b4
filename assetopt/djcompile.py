"""Compile templates with Django's real template engine, to prove a rewrite breaks nothing.

Runs in a child process with minimal settings of its own, so the caller's Django configuration (or
lack of one) never matters and is never touched. Tag libraries: Django's own (admin included),
compressor's when installed, and ours. A template that did not compile before a rewrite (a custom
tag library we do not know) is judged only on not failing *differently* after it.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Sequence

from .errors import AssetoptError

__all__ = ["compile_errors"]


def compile_errors(sources: Sequence[str]) -> list[str | None]:
    """For each source: None when it compiles, else Django's message."""
    if not sources:
        return []
    proc = subprocess.run(
        [sys.executable, "-m", "assetopt.djcompile"],
        input=json.dumps(list(sources)),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if proc.returncode != 0:
        raise AssetoptError("could not run Django's template compiler", hint=proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "no output")
    result = json.loads(proc.stdout)
    assert isinstance(result, list) and len(result) == len(sources)
    return result


def _child() -> None:
    import django
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
    django.setup()
    from django.template import TemplateSyntaxError, engines

    engine = engines["django"].engine
    out: list[str | None] = []
    for source in json.loads(sys.stdin.read()):
        try:
            engine.from_string(source)
            out.append(None)
        except TemplateSyntaxError as exc:
            out.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - a broken tag library is a compile failure too
            out.append(f"{type(exc).__name__}: {exc}")
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    _child()
