"""The child process of ``browser.snapshots.render_django_pages``: render pages with the project's settings.

Run as ``python -m assetopt.contrib.django.render_child`` with a JSON request on stdin (see
``browser/snapshots.py`` for its fields); answers JSON on stdout, ``{"error": message}`` and exit 1 for
a problem the user can fix. The project's settings live only in this process.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["main", "PLAIN_STATIC_STORAGE", "SNAPSHOT_STORAGE"]

PLAIN_STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
SNAPSHOT_STORAGE = "assetopt.contrib.django.snapshot_storage.SnapshotStaticStorage"


class _ChildError(Exception):
    """A problem the child reports as ``{"error": message}`` (exit 1), not as a traceback."""


def answer_one_request(name: str, handle: Callable[[dict[str, Any]], Any]) -> None:
    """The children's protocol: a JSON request on stdin, the JSON answer on stdout; a problem the
    user can fix is ``{"error": message}`` and exit 1, never a traceback. Whatever the project prints
    (a settings module, a view) goes to stderr, so it cannot break the answer."""
    request = json.load(sys.stdin)
    answer_to, sys.stdout = sys.stdout, sys.stderr
    try:
        answer = handle(request)
    except _ChildError as exc:
        json.dump({"error": str(exc)}, answer_to)
        print(f"{name}: {exc}", file=sys.stderr)
        sys.exit(1)
    json.dump(answer, answer_to)


def _resolve(spec: str) -> str:
    """A page spec -> its URL path: a path as given, else a URL name reversed in the default language,
    or in the language ``@code`` names (``core:dashboard@ar``: one of ``LANGUAGES``), so the pages of an
    ``i18n_patterns`` site can be named in each text direction. ``core:dashboard`` is tried as a name
    first; failing that, ``name:arg1,arg2`` splits at the last ``:`` into a name and positional
    arguments (namespaces use ``:`` too)."""
    if spec.startswith("/"):
        return spec
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    language, written = settings.LANGUAGE_CODE, spec
    base, at, code = spec.rpartition("@")
    if at and code in {str(c) for c, _ in settings.LANGUAGES}:
        spec, language = base, code
    with translation.override(language):
        try:
            return reverse(spec)
        except NoReverseMatch as exc:
            problem = f"cannot reverse the URL name {spec!r}: {exc}"
            if at and spec == written:
                problem += f" ({code!r} after @ is not a language of LANGUAGES: {', '.join(str(c) for c, _ in settings.LANGUAGES)})"
        if ":" in spec:
            name, _, rest = spec.rpartition(":")
            args = [a for a in rest.split(",")] if rest else []
            try:
                return reverse(name, args=args)
            except NoReverseMatch as exc:
                problem += f"; nor as {name!r} with arguments {args}: {exc}"
    raise _ChildError(f"--url {written!r}: {problem}")


def _snapshot_storage(served: list[str]) -> dict[str, Any]:
    """The staticfiles storage for pages served from the folders ``served``: the folder's
    ``staticfiles.json`` names (a collectstatic'd STATIC_ROOT) or the names as they are."""
    from pathlib import Path

    from .snapshot_storage import hashed_names

    for folder in served:
        if hashed_names(Path(folder)) is not None:
            return {"BACKEND": SNAPSHOT_STORAGE, "OPTIONS": {"location": folder}}
    return {"BACKEND": PLAIN_STATIC_STORAGE}


def _child(request: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    for p in reversed(request["pythonpath"]):
        sys.path.insert(0, p)
    os.environ["DJANGO_SETTINGS_MODULE"] = request["settings"]
    import copy

    import django
    from django.conf import settings

    django.setup()
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    overrides: dict[str, Any] = dict(request["overrides"])
    if not request.get("keep_storages"):
        storages = copy.deepcopy(getattr(settings, "STORAGES", {}) or {})
        storages["staticfiles"] = _snapshot_storage(request.get("served") or [])
        overrides.setdefault("STORAGES", storages)
    if request["templates_dirs"] is not None:
        engines = copy.deepcopy(settings.TEMPLATES)
        for engine in engines:
            if engine.get("BACKEND") == "django.template.backends.django.DjangoTemplates":
                engine["DIRS"] = list(request["templates_dirs"])
        overrides["TEMPLATES"] = engines
    if request["assetopt"]:
        overrides["ASSETOPT"] = {**(getattr(settings, "ASSETOPT", {}) or {}), **request["assetopt"]}
    setup_test_environment()  # response.templates, and ALLOWED_HOSTS gets "testserver"
    out: dict[str, dict[str, Any]] = {}
    from .rolled_back import rolled_back

    with override_settings(**overrides), rolled_back():  # the login and the views write nothing that stays
        client = Client()
        username = request.get("user")
        if username:
            from django.contrib.auth import get_user_model

            user_model = get_user_model()
            try:
                user = user_model._default_manager.get(**{user_model.USERNAME_FIELD: username})
            except user_model.DoesNotExist:
                raise _ChildError(
                    f"--user {username!r}: no such user in the database of {request['settings']} ({settings.DATABASES['default'].get('NAME')})"
                ) from None
            client.force_login(user)
        for spec in request["urls"]:
            url = _resolve(spec)
            response = client.get(url)
            names = [t.name for t in getattr(response, "templates", []) or [] if getattr(t, "name", None)]
            out[url] = {
                "status": response.status_code,
                "html": response.content.decode(response.charset or "utf-8"),
                "template": names[0] if names else None,
                "spec": spec,
            }
    return out


def main() -> None:
    answer_one_request("assetopt.contrib.django.render_child", _child)


if __name__ == "__main__":
    main()
