"""The child process of ``rewrite.compile_check.compile_errors``: compile template sources with Django.

Run as ``python -m assetopt.contrib.django.compile_child`` with a JSON list of sources on stdin;
answers a JSON list (None, or Django's message, per source). Minimal settings of its own, so the
caller's Django configuration (or lack of one) never matters and is never touched.
"""
from __future__ import annotations

import importlib.util
import json
import sys

__all__ = ["main"]


def main() -> None:
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
    main()
